/**
 * `gated train`: trains a model on a built-in data set or a CSV file, with a progress bar, writes
 * the model file and an HTML report, and ends with a one-screen summary against the naive
 * baseline. Ctrl-C writes a checkpoint and stops; `--resume` continues from it.
 */
import { existsSync } from "node:fs";
import { basename, extname } from "node:path";
import type { Command } from "commander";
import { createSpec, Model } from "../../model/model.js";
import { loadCheckpoint, saveCheckpoint, saveModel } from "../../node/files.js";
import { autoBackendName } from "../../kernels/select.js";
import { fit } from "../../train/fit.js";
import { assess, describeAssessment } from "../assess.js";
import { kindOf, openData, taskOf, type DataArgs } from "../data.js";
import { UserError } from "../errors.js";
import { addDataOptions, addFitOptions, addModelOptions, createOptionsOf, fitOptionsOf, type FitArgs, type ModelArgs } from "../model-options.js";
import { progress, progressMode } from "../progress.js";
import { writeTrainReport } from "../reports.js";

interface TrainArgs extends ModelArgs, FitArgs, DataArgs {
  data: string; absolute?: boolean; out?: string; report?: string | false; checkpoint?: string; checkpointEvery?: number; resume?: boolean; json?: boolean; quiet?: boolean;
}

export function registerTrain(program: Command): void {
  const c = program.command("train").description("train a model (default: a GRU forecasting Mauna Loa CO2)");
  addDataOptions(c);
  addModelOptions(c);
  addFitOptions(c);
  c.option("--out <file>", "model file to write (default <data>-<cell>.safetensors)")
    .option("--report <file>", "HTML report to write (default beside the model)")
    .option("--no-report", "write no report")
    .option("--checkpoint <file>", "checkpoint file (default <model>.checkpoint.safetensors)")
    .option("--checkpoint-every <steps>", "also checkpoint every n steps (always at each epoch and on Ctrl-C)", Number)
    .option("--resume", "continue from the checkpoint")
    .option("--json", "print the result as JSON")
    .option("--quiet", "no progress output")
    .action(async (a: TrainArgs) => {
      process.exitCode = await train(a);
    });
}

async function train(a: TrainArgs): Promise<number> {
  const t0 = Date.now();
  const data = await openData(a.data, { ...a, relative: !a.absolute }, a.seed);
  const kind = kindOf(data);
  const stem = `${basename(a.data, extname(a.data))}-${a.cell}`;
  const out = a.out ?? `${stem}.safetensors`;
  const ckptPath = a.checkpoint ?? out.replace(/\.safetensors$/, "") + ".checkpoint.safetensors";
  let model: Model;
  let resume;
  if (a.resume) {
    if (!existsSync(ckptPath)) throw new UserError(`--resume: no checkpoint at ${ckptPath} (train without --resume first, or name it with --checkpoint)`);
    resume = loadCheckpoint(ckptPath);
    model = new Model(resume.spec, { init: "none", ...(a.backend ? { backend: a.backend } : {}) });
  } else {
    model = new Model(createSpec(createOptionsOf(a, kind, taskOf(data))), { seed: a.seed, ...(a.backend ? { backend: a.backend } : {}) });
  }
  const fo = fitOptionsOf(a, kind, Math.ceil(data.train.count / (a.batchSize ?? 1)));
  const steps = Math.ceil(data.train.count / fo.batchSize) * Math.ceil(data.train.steps / (fo.window ?? data.train.steps));
  const bar = progress(progressMode(a), steps * fo.epochs, `${a.cell} on ${data.name}`);
  let stop = false;
  const onInt = () => { stop = true; };
  process.on("SIGINT", onInt);
  // next-token models by perplexity, classifiers by accuracy
  const metricOf = (v?: { accuracy?: number; perplexity?: number }) =>
    kind === "text" && v?.perplexity !== undefined ? ` ppl ${v.perplexity.toFixed(2)}` : v?.accuracy !== undefined ? ` acc ${(100 * v.accuracy).toFixed(1)}%` : "";
  let result;
  try {
    result = await fit(model, data.train, {
      ...fo, ...(data.validation ? { validation: data.validation } : {}), ...(resume ? { resume } : {}),
      checkpoint: { everyEpoch: true, ...(a.checkpointEvery ? { everySteps: a.checkpointEvery } : {}), write: (ck) => saveCheckpoint(ckptPath, ck) },
      onBatch: (b) => bar.batch(b),
      onEpoch: (e) => bar.epoch(e, metricOf(e.validation)),
      shouldStop: () => stop,
      yield: () => new Promise((r) => setImmediate(r)),
    });
  } finally {
    bar.stop();
    process.off("SIGINT", onInt);
  }
  if (result.interrupted) {
    process.stderr.write(`\ninterrupted: checkpoint written to ${ckptPath}; continue with the same command and --resume\n`);
    return 130;
  }
  saveModel(out, model);
  const seconds = (Date.now() - t0) / 1000;
  const split = data.test ? "test" : data.validation ? "validation" : "train";
  const score = assess(model, data, split);
  const reportPath = a.report === false ? null : (a.report ?? out.replace(/\.safetensors$/, "") + ".html");
  if (reportPath) writeTrainReport(reportPath, { model, data, history: result.history, assessment: score, seconds });
  // the kernels it ran on: "reference", or the WebAssembly build and threads
  const kernels = a.backend === "reference" ? "reference" : autoBackendName();
  if (a.json) {
    process.stdout.write(JSON.stringify({ model: out, report: reportPath, checkpoint: ckptPath, seconds, epochs: result.history.length, steps: result.steps, parameters: model.net.trainableCount, kernels, assessment: score, history: result.history }, null, 2) + "\n");
    return 0;
  }
  const perEpoch = seconds / Math.max(1, result.history.length);
  const rnn = model.spec.layers.find((l) => l.kind === "recurrent")!;
  process.stdout.write([
    "",
    `gated train: ${data.name} · ${rnn.cell} (hidden ${rnn.hiddenSize}, ${rnn.layers} layer${rnn.layers === 1 ? "" : "s"}, ${rnn.direction}) · ${model.net.trainableCount.toLocaleString("en")} parameters`,
    `  ${result.history.length} epochs, ${result.steps} steps in ${seconds.toFixed(1)} s (${perEpoch.toFixed(2)} s per epoch, ${kernels})${result.stoppedEarly ? ", stopped early" : ""}`,
    `  ${describeAssessment(score)}`,
    `  model:  ${out}`,
    ...(reportPath ? [`  report: ${reportPath}`] : []),
    "",
  ].join("\n"));
  return 0;
}
