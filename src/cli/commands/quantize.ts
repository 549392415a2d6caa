/**
 * `gated quantize MODEL --out FILE`: the model with its recurrent layers in dynamic int8
 * (src/model/precision.ts; `--precision float32` turns an int8 model back), written atomically;
 * then, unless --no-check, both models on the test split of the model's own data (or --data): the
 * metric before and after (accuracy, PER, RMSE or the loss) and the time of each evaluation, so the change and
 * the speed-up are measured, not assumed.
 */
import { basename, extname } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { Model } from "../../model/model.js";
import { precisionOf, type Precision } from "../../model/precision.js";
import { loadModel, saveModel } from "../../node/files.js";
import { evaluate, type Metrics } from "../../train/evaluate.js";
import { defaultSplit, splitOf } from "../assess.js";
import { conformToModel, openData, savedDataArgs, type GivenData } from "../data.js";
import { UserError } from "../errors.js";

interface QuantizeArgs extends GivenData { out: string; precision: Precision; check: boolean; json?: boolean }

/** The figure a task is judged by: accuracy for classes, the label error rate (PER) for CTC, RMSE for values (normalised units), else the loss. */
function figure(m: Metrics): { name: string; value: number } {
  if (m.accuracy !== undefined) return { name: "accuracy", value: m.accuracy };
  if (m.per !== undefined) return { name: "PER", value: m.per };
  return m.rmse !== undefined ? { name: "rmse", value: m.rmse } : { name: "loss", value: m.loss };
}

export function registerQuantize(program: Command): void {
  program.command("quantize").description("write the model with its recurrent layers in dynamic int8 (native kernels, or relaxed-SIMD WebAssembly), and measure what it changes")
    .argument("<model>", "model file (.safetensors)")
    .requiredOption("--out <file>", "where to write the quantised model")
    .addOption(new Option("--precision <p>", "int8, or float32 to turn an int8 model back").choices(["int8", "float32"]).default("int8"))
    .option("--data <name>", "check on this data set instead of the model's own")
    .option("--no-check", "write it without evaluating both models")
    .option("--json", "print the check as JSON")
    .action(async (path: string, a: QuantizeArgs, cmd: Command) => {
      const before = loadModel(path);
      if (precisionOf(before.spec) === a.precision) throw new UserError(`quantize: ${path} already runs in ${a.precision}`);
      let after: Model;
      try {
        after = Model.fromBytes(before.toBytes(), { precision: a.precision, where: path });
      } catch (e) {
        throw new UserError(`quantize: ${e instanceof Error ? e.message : String(e)}`);
      }
      saveModel(a.out, after);
      const lines = [`gated quantize: ${basename(path, extname(path))} → ${a.out} (recurrent layers in ${a.precision}; the file keeps float32 weights, quantised when it runs)`];
      if (!a.check) { process.stdout.write(lines.join("\n") + "\n"); return; }
      const { name, args, seed } = savedDataArgs(before, a, (k) => cmd.getOptionValueSource(k) === "cli", "quantize");
      const data = conformToModel(await openData(name, args, seed), before);
      const split = defaultSplit(data), set = splitOf(data, split);
      // [float32, int8], whichever way it converts; the two evaluations alternate (a warm-up each, then up to 7 rounds or 10 s): the median time of each
      const models = a.precision === "int8" ? [before, after] : [after, before];
      const metrics = models.map((m) => evaluate(m, set)), times: number[][] = [[], []];
      const start = performance.now();
      for (let r = 0; r < 7 && (r < 2 || performance.now() - start < 10_000); r++) {
        models.forEach((m, i) => { const t0 = performance.now(); evaluate(m, set); times[i]!.push((performance.now() - t0) / 1000); });
      }
      const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s[s.length >> 1]!; };
      const [f32, q8] = [0, 1].map((i) => ({ metrics: metrics[i]!, seconds: median(times[i]!), rounds: times[i]!.length })) as [{ metrics: Metrics; seconds: number; rounds: number }, { metrics: Metrics; seconds: number; rounds: number }];
      const fa = figure(f32.metrics), fb = figure(q8.metrics);
      if (a.json) {
        process.stdout.write(JSON.stringify({ model: path, out: a.out, data: data.name, split, float32: f32, int8: q8 }, null, 2) + "\n");
        return;
      }
      const pct = fa.name === "accuracy";
      const fmt = (v: number) => (pct ? `${(100 * v).toFixed(2)}%` : v.toFixed(4));
      lines.push(`  ${data.name} (${split}, ${f32.metrics.count} ${before.spec.task.loss.name === "ctc" ? "labels" : before.spec.task.perStep ? "steps" : "sequences"}): ${fa.name} float32 ${fmt(fa.value)}, int8 ${fmt(fb.value)} (${fb.value - fa.value >= 0 ? "+" : ""}${pct ? `${(100 * (fb.value - fa.value)).toFixed(2)} points` : (fb.value - fa.value).toExponential(2)})`);
      lines.push(`  evaluation time: float32 ${f32.seconds.toFixed(3)} s, int8 ${q8.seconds.toFixed(3)} s (${(f32.seconds / q8.seconds).toFixed(2)}×; medians of ${f32.rounds} alternating runs)`);
      process.stdout.write(lines.join("\n") + "\n");
    });
}
