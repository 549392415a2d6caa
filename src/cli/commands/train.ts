/**
 * `gated train`: trains a model on a built-in data set or a CSV file, with a progress bar, writes
 * the model file and an HTML report, and ends with a one-screen summary against the naive
 * baseline. Ctrl-C writes a checkpoint and stops; `--resume` continues from it.
 */
import { existsSync } from "node:fs";
import { basename, extname } from "node:path";
import type { Command } from "commander";
import { Model, type ModelSpec } from "../../model/model.js";
import { loadCheckpoint, saveCheckpoint, saveModel } from "../../node/files.js";
import type { Checkpoint } from "../../train/checkpoint.js";
import { autoBackendName } from "../../kernels/select.js";
import { fit } from "../../train/fit.js";
import { assess, describeAssessment } from "../assess.js";
import { kindOf, openData, taskOf, withDataDefaults, type DataArgs } from "../data.js";
import { UserError } from "../errors.js";
import { addDataOptions, addFitOptions, addModelOptions, fitOptionsOf, specOf, type FitArgs, type ModelArgs } from "../model-options.js";
import { progress, progressMode } from "../progress.js";
import { writeTrainReport } from "../reports.js";
import { isSeq2seqData, seq2seqTrain, type Seq2seqTrainArgs } from "../seq2seq.js";
import { receivedSignal, registerStopper, SIGNAL_EXIT_CODES } from "../signals.js";

interface TrainArgs extends ModelArgs, FitArgs, DataArgs {
  data: string; absolute?: boolean; out?: string; force?: boolean; report?: string | false; checkpoint?: string; checkpointEvery?: number; resume?: boolean; json?: boolean; quiet?: boolean;
}

export function registerTrain(program: Command): void {
  const c = program.command("train").description("train a model (default: a GRU forecasting Mauna Loa CO2)");
  addDataOptions(c);
  addModelOptions(c);
  addFitOptions(c);
  c.option("--out <file>", "model file to write; an existing one is refused without --force (default <data>-<cell>.safetensors, which is replaced with a notice)")
    .option("--force", "replace an existing model file (and start afresh over an existing checkpoint)")
    .option("--report <file>", "HTML report to write (default beside the model)")
    .option("--no-report", "write no report")
    .option("--checkpoint <file>", "checkpoint file (default <model>.checkpoint.safetensors)")
    .option("--checkpoint-every <steps>", "also checkpoint every n steps (always at each epoch and on Ctrl-C)", Number)
    .option("--resume", "continue from the checkpoint")
    .option("--json", "print the result as JSON")
    .option("--quiet", "no progress output")
    .option("--attention <kind>", "encoder–decoder data (--data dates, cmudict): luong | additive (scored on the decoder output) | bahdanau (scored on the previous state, feeding the decoder input) | none (default luong)")
    .option("--tokens <kind>", "encoder–decoder sources: char (default) | word | bpe:<vocabulary size> (pieces learned from the training sources, saved with the model)")
    .option("--target-tokens <kind>", "encoder–decoder targets: char (characters or phonemes, default) | bpe:<vocabulary size>")
    .action(async (a: TrainArgs & { attention?: string }) => {
      // (source, target) pairs train an encoder–decoder (cli/seq2seq.ts)
      if (isSeq2seqData(a.data)) { process.exitCode = await seq2seqTrain(a as Seq2seqTrainArgs); return; }
      process.exitCode = await train(a);
    });
}

/**
 * Where the model goes, refusing to replace a file the user named without --force. The default
 * name (<data>-<cell>.safetensors) is replaced with a notice, so the README's first command runs
 * twice in a row.
 */
function outputOf(a: TrainArgs): { out: string; ckptPath: string } {
  const out = a.out ?? `${basename(a.data, extname(a.data))}-${a.cell}.safetensors`;
  const ckptPath = a.checkpoint ?? out.replace(/\.safetensors$/, "") + ".checkpoint.safetensors";
  if (a.force || !existsSync(out)) {
    if (!a.force && !a.resume && a.out !== undefined && existsSync(ckptPath)) {
      throw new UserError(`${ckptPath} holds an interrupted run: continue it with --resume, or start afresh over it with --force`);
    }
    return { out, ckptPath };
  }
  if (a.out !== undefined) throw new UserError(`--out ${out}: the file exists; add --force to replace it, or name another file`);
  process.stderr.write(`gated: replacing ${out} (the default output; --out names another file)\n`);
  return { out, ckptPath };
}

async function train(given: TrainArgs): Promise<number> {
  const t0 = Date.now();
  // a data set's own training settings for the options not given (catalog.ts `training`)
  const { args: a, note } = withDataDefaults(given.data, given);
  const { out, ckptPath } = outputOf(a);
  if (a.resume && !existsSync(ckptPath)) throw new UserError(`--resume: no checkpoint at ${ckptPath} (train without --resume first, or name it with --checkpoint)`);
  const data = await openData(a.data, { ...a, relative: !a.absolute }, a.seed);
  const kind = kindOf(data);
  const spec = specOf(a, kind, taskOf(data, { limit: a.limit, steps: a.steps, ...(Number.isSafeInteger(a.seed) ? { seed: a.seed } : {}) }));
  let model: Model;
  let resume;
  if (a.resume) {
    resume = loadCheckpoint(ckptPath);
    refuseConflicts(ckptPath, resume, spec, a);
    model = new Model(resume.spec, { init: "none", ...(a.backend ? { backend: a.backend } : {}) });
  } else {
    model = new Model(spec, { seed: a.seed, ...(a.backend ? { backend: a.backend } : {}) });
  }
  const fo = fitOptionsOf(a, kind, Math.ceil(data.train.count / (a.batchSize ?? 1)));
  const steps = Math.ceil(data.train.count / fo.batchSize) * Math.ceil(data.train.steps / (fo.window ?? data.train.steps));
  const bar = progress(progressMode(a), steps * fo.epochs, `${a.cell} on ${data.name}`);
  // Ctrl-C or SIGTERM: stop after the batch with a checkpoint; a second one exits at once
  let stop = false;
  const unregister = registerStopper({
    stop: () => { stop = true; },
    onForcedExit: () => { bar.stop(); return existsSync(ckptPath) ? `the last checkpoint is ${ckptPath}` : "no checkpoint was written yet"; },
  });
  // next-token models by perplexity, classifiers by accuracy, label sequences by their error rate
  const metricOf = (v?: { accuracy?: number; perplexity?: number; per?: number }) =>
    kind === "text" && v?.perplexity !== undefined ? ` ppl ${v.perplexity.toFixed(2)}` : v?.accuracy !== undefined ? ` acc ${(100 * v.accuracy).toFixed(1)}%`
      : v?.per !== undefined ? ` PER ${(100 * v.per).toFixed(1)}%` : "";
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
    unregister();
  }
  if (result.interrupted) {
    const signal = receivedSignal() ?? "SIGINT";
    process.stderr.write(`\ninterrupted (${signal}): checkpoint written to ${ckptPath}; continue with the same command and --resume\n`);
    return SIGNAL_EXIT_CODES[signal];
  }
  saveModel(out, model);
  const seconds = (Date.now() - t0) / 1000;
  const split = data.test ? "test" : data.validation ? "validation" : "train";
  const score = assess(model, data, split);
  const reportPath = a.report === false ? null : (a.report ?? out.replace(/\.safetensors$/, "") + ".html");
  const wrote = reportPath !== null && writeTrainReport(reportPath, { model, data, history: result.history, assessment: score, seconds });
  // the kernels it ran on: "reference", the native instruction set, or the WebAssembly build and threads
  const kernels = autoBackendName(a.backend ?? "auto");
  if (a.json) {
    process.stdout.write(JSON.stringify({ model: out, report: wrote ? reportPath : null, checkpoint: ckptPath, ...(note ? { settings: note } : {}), seconds, epochs: result.history.length, steps: result.steps, parameters: model.net.trainableCount, kernels, assessment: score, history: result.history }, null, 2) + "\n");
    return 0;
  }
  const perEpoch = seconds / Math.max(1, result.history.length);
  const rnn = model.spec.layers.find((l) => l.kind === "recurrent");
  // the frame-wise baseline (--cell none) has no recurrent layer: its window and dense layers instead
  const ctxLayer = model.spec.layers.find((l) => l.kind === "context"), denseCount = model.spec.layers.filter((l) => l.kind === "dense").length - 1;
  const shape = rnn ? `${rnn.cell} (hidden ${rnn.hiddenSize}, ${rnn.layers} layer${rnn.layers === 1 ? "" : "s"}, ${rnn.direction})`
    : `frame-wise baseline (±${ctxLayer?.left ?? 0} frames, ${denseCount} dense layer${denseCount === 1 ? "" : "s"} of ${a.hidden ?? model.spec.layers.find((l) => l.kind === "dense")?.outputSize})`;
  process.stdout.write([
    "",
    `gated train: ${data.name} · ${shape} · ${model.net.trainableCount.toLocaleString("en")} parameters`,
    ...(note ? [`  ${note}`] : []),
    `  ${result.history.length} epochs, ${result.steps} steps in ${seconds.toFixed(1)} s (${perEpoch.toFixed(2)} s per epoch, ${kernels})${result.stoppedEarly ? ", stopped early" : ""}`,
    `  ${describeAssessment(score)}`,
    ...(model.spec.task.distribution && score.extra["coverage 95%"] !== undefined
      ? [`  ${split} interval coverage (${model.spec.task.distribution.name}): 80% ${pct(score.extra["coverage 80%"])}, 95% ${pct(score.extra["coverage 95%"])}`] : []),
    `  model:  ${out}`,
    ...(wrote ? [`  report: ${reportPath}`] : []),
    "",
  ].join("\n"));
  return 0;
}

/**
 * --resume continues the run in the checkpoint: options that would build another model, read other
 * data or change the optimiser are refused, naming each difference (the epochs may change).
 */
function refuseConflicts(path: string, c: Checkpoint, spec: ModelSpec, a: TrainArgs): void {
  const diffs: string[] = [];
  const walk = (where: string, was: unknown, now: unknown): void => {
    if (diffs.length >= 3 || JSON.stringify(was) === JSON.stringify(now)) return;
    if (Array.isArray(was) && Array.isArray(now) && was.length === now.length) {
      was.forEach((w, i) => walk(`${where}[${i}]`, w, now[i]));
      return;
    }
    if (was && now && typeof was === "object" && typeof now === "object" && !Array.isArray(was) && !Array.isArray(now)) {
      for (const k of new Set([...Object.keys(was), ...Object.keys(now)])) {
        if (k === "normalisation" || k === "vocabulary") continue; // follow from the other facts
        walk(where ? `${where}.${k}` : k, (was as Record<string, unknown>)[k], (now as Record<string, unknown>)[k]);
      }
      return;
    }
    diffs.push(`${where}: the checkpoint has ${JSON.stringify(was) ?? "none"}, this command gives ${JSON.stringify(now) ?? "none"}`);
  };
  walk("", { data: c.spec.data, input: c.spec.input, task: c.spec.task, layers: c.spec.layers }, { data: spec.data, input: spec.input, task: spec.task, layers: spec.layers });
  if (c.optimizer.kind !== a.optimizer) diffs.push(`optimizer: the checkpoint has "${c.optimizer.kind}", this command gives "${a.optimizer}"`);
  if (diffs.length > 0) {
    throw new UserError(`--resume: ${path} was made with other options:\n  ${diffs.join("\n  ")}\ngive the options of the first run (only --epochs may change), or start afresh with --force and without --resume`);
  }
}

/** A coverage as a percentage; "—" where the head has no such interval (quantile levels without it). */
function pct(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? "— (no such interval among the quantile levels)" : `${(100 * v).toFixed(1)}%`;
}
