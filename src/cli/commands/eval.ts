/** `gated eval MODEL --data …`: the model's metrics on a data set split, beside the naive baseline. */
import { basename, extname } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { loadModel } from "../../node/files.js";
import { evaluate } from "../../train/evaluate.js";
import { assess, describeAssessment, splitOf } from "../assess.js";
import { conformToModel, openData, type DataArgs } from "../data.js";
import { addDataOptions } from "../model-options.js";

interface EvalArgs extends DataArgs {
  data?: string; split: string; absolute?: boolean; json?: boolean;
}

export function registerEval(program: Command): void {
  const c = program.command("eval").description("metrics of a model on a data set").argument("<model>", "model file (.safetensors)");
  addDataOptions(c);
  c.addOption(new Option("--split <name>", "which part of the data").choices(["train", "validation", "test"]).default("test"))
    .option("--json", "print the metrics as JSON")
    .action(async (path: string, a: EvalArgs, cmd: Command) => {
      const model = loadModel(path);
      const info = model.spec.data ?? {};
      // the data the model was trained on unless told otherwise, cut the way the model expects
      const given = cmd.getOptionValueSource("data") === "cli";
      const name = given ? a.data! : (info.name ?? a.data!);
      const raw = await openData(name, {
        ...a, relative: info.relative ?? !a.absolute,
        ...(info.window && a.window === undefined ? { window: info.window } : {}),
        ...(info.horizon && a.horizon === undefined ? { horizon: info.horizon } : {}),
      });
      const data = conformToModel(raw, model);
      const m = evaluate(model, splitOf(data, a.split));
      const score = assess(model, data, a.split);
      if (a.json) {
        process.stdout.write(JSON.stringify({ model: path, data: data.name, split: a.split, metrics: m, assessment: score }, null, 2) + "\n");
        return;
      }
      const lines = [`gated eval: ${basename(path, extname(path))} on ${data.name} (${a.split}, ${m.count} ${model.spec.task.perStep ? "steps" : "sequences"})`, `  loss ${m.loss.toFixed(4)}`];
      for (const [k, v] of Object.entries(m)) if (k !== "loss" && k !== "count" && v !== undefined) lines.push(`  ${k} ${k === "accuracy" ? `${(100 * v).toFixed(2)}%` : v.toFixed(4)}`);
      lines.push(`  ${describeAssessment(score)}`);
      process.stdout.write(lines.join("\n") + "\n");
    });
}
