/**
 * Command-line options that describe a model (cell kind and every convention, sizes, layers) and
 * a training run (optimiser, schedule, epochs), shared by `train` and `compare`.
 */
import { Option, type Command } from "commander";
import { CELL_KINDS, type CellKind } from "../cells/index.js";
import { OptionError } from "../errors/index.js";
import { DEFAULT_QUANTILES } from "../layers/quantile-head.js";
import type { DistributionOption } from "../model/distribution.js";
import { composeSpec, context, dense, type LayerDef } from "../model/builder.js";
import { createSpec, type CreateOptions, type ModelSpec } from "../model/model.js";
import type { FitOptions } from "../train/fit.js";
import { OPTIMIZERS, type OptimizerKind } from "../train/optimizers.js";
import type { DataKind } from "./data.js";
import { defaultsFor } from "./data.js";

const int = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new OptionError(`--${name} must be a positive integer, got "${v}"`);
  return n;
};
const nonNegInt = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new OptionError(`--${name} must be a non-negative integer, got "${v}"`);
  return n;
};
const num = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new OptionError(`--${name} must be a number, got "${v}"`);
  return n;
};
const list = (v: string): string[] => v.split(",").map((s) => s.trim()).filter(Boolean);

export function addDataOptions(c: Command): Command {
  return c
    .option("--data <name|file.csv>", "built-in data set or a CSV file of a series to forecast", "co2")
    .option("--window <n>", "forecasting: input steps per window", int("window"))
    .option("--horizon <n>", "forecasting: steps ahead to predict", int("horizon"))
    .option("--absolute", "forecasting: windows in absolute levels instead of relative to their last value")
    .option("--columns <names>", "CSV: input columns (comma-separated)", list)
    .option("--target <names>", "CSV: target columns (comma-separated)", list)
    .option("--covariates <list>", "forecasting: known-future covariates appended to every input step: calendar (day-of-week and month, as sin/cos), day-of-week, month, holiday:<CSV column>; needs dates as row labels")
    .option("--steps <n>", "text: characters per training sequence", int("steps"))
    .option("--limit <n>", "use at most n examples / characters (quick runs)", int("limit"))
    .option("--deltas <n>", "spoken-digits: append Δ (1) or Δ and ΔΔ (2) of the MFCCs (0: none)", (v: string) => {
      if (!["0", "1", "2"].includes(v)) throw new OptionError(`--deltas must be 0, 1 or 2, got "${v}"`);
      return Number(v);
    });
}

export function addModelOptions(c: Command): Command {
  return c
    .addOption(new Option("--cell <kind>", "cell kind; none: the frame-wise baseline (no recurrence: a window of --context frames each side → --layers (default 2) dense ReLU layers of --hidden units; per-step tasks)").choices([...CELL_KINDS, "none"]).default("gru"))
    .option("--context <n>", "with --cell none: frames each side of every step the dense layers see (default 4)", nonNegInt("context"))
    .option("--hidden <n>", "hidden units per layer and direction", int("hidden"))
    .option("--layers <n>", "stacked recurrent layers (default 1; 2 for label sequences such as --data phonemes)", int("layers"))
    .addOption(new Option("--direction <d>", "direction (default forward; bidirectional for label sequences such as --data phonemes)").choices(["forward", "reverse", "bidirectional"]))
    .addOption(new Option("--reset <placement>", "GRU/MGU reset placement").choices(["before", "after"]))
    .addOption(new Option("--update <convention>", "update convention").choices(["keep", "replace"]))
    .addOption(new Option("--gates <inputs>", "GRU/MGU gate inputs").choices(["full", "type1", "type2", "type3"]))
    .option("--gate-activation <name>", "gate activation (Sigmoid, HardSigmoid, ...)")
    .option("--candidate-activation <name>", "candidate activation (Tanh, Relu, ...)")
    .option("--output-activation <name>", "LSTM output activation")
    .option("--activation <name>", "Elman RNN activation")
    .option("--clip <c>", "cell clip on every activation input", num("clip"))
    .addOption(new Option("--normalisation <n>", "LiGRU input normalisation").choices(["batch", "layer", "none"]))
    .addOption(new Option("--mode <m>", "LiBRU mode").choices(["probs", "logprobs", "geomean", "ligru"]))
    .addOption(new Option("--scan <s>", "minGRU scan").choices(["sequential", "parallel", "log"]))
    .addOption(new Option("--candidate <c>", "minGRU candidate").choices(["linear", "g"]))
    .option("--no-bias", "no biases in the cells")
    .option("--embedding <n>", "embedding width for token inputs", int("embedding"))
    .option("--dropout <p>", "dropout after the recurrent stack", num("dropout"))
    .option("--recurrent-dropout <p>", "dropout on the recurrent connections, one mask per sequence", num("recurrent-dropout"))
    .option("--layer-norm", "layer normalisation after the recurrent stack")
    .option("--head <widths>", "hidden dense layers of the head (comma-separated)", list)
    .addOption(new Option("--distribution <kind>", "forecasting: predict a distribution per value (intervals): its head and loss").choices(["gaussian", "student-t", "quantile"]))
    .option("--quantiles <levels>", "with --distribution quantile: the levels (default 0.025,0.1,0.5,0.9,0.975)", list)
    .addOption(new Option("--backend <kind>", "kernels: auto (native AVX-512/AVX2 where its binary loads, else WebAssembly SIMD), native, wasm or reference").choices(["auto", "native", "wasm", "reference"]).default("auto"));
}

export function addFitOptions(c: Command): Command {
  return c
    .option("--epochs <n>", "training epochs", int("epochs"))
    .option("--batch-size <n>", "sequences per batch", int("batch-size"))
    .option("--seed <n>", "seed of initialisation, shuffling and dropout", num("seed"), 1)
    .addOption(new Option("--optimizer <kind>", "optimiser").choices(OPTIMIZERS).default("adam"))
    .option("--lr <rate>", "learning rate", num("lr"))
    .option("--momentum <m>", "SGD / RMSprop momentum", num("momentum"))
    .option("--weight-decay <w>", "weight decay", num("weight-decay"))
    .option("--clip-norm <n>", "clip gradients to this global norm", num("clip-norm"))
    .addOption(new Option("--schedule <kind>", "learning-rate schedule").choices(["constant", "cosine", "step"]).default("constant"))
    .option("--warmup <steps>", "linear learning-rate warm-up steps", int("warmup"))
    .option("--patience <n>", "early stopping: epochs without validation improvement", int("patience"))
    .option("--bptt <n>", "truncated BPTT window (per-step tasks)", int("bptt"));
}

export interface ModelArgs {
  /** A cell kind, or "none" for the frame-wise baseline (specOf). */
  cell: CellKind | "none"; context?: number; hidden?: number; layers?: number; direction?: "forward" | "reverse" | "bidirectional";
  reset?: string; update?: string; gates?: string; gateActivation?: string; candidateActivation?: string; outputActivation?: string;
  activation?: string; clip?: number; normalisation?: string; mode?: string; scan?: string; candidate?: string; bias: boolean;
  embedding?: number; dropout?: number; recurrentDropout?: number; layerNorm?: boolean; head?: string[]; backend?: "auto" | "native" | "wasm" | "reference";
  distribution?: "gaussian" | "student-t" | "quantile"; quantiles?: string[];
}

export interface FitArgs {
  epochs?: number; batchSize?: number; seed: number; optimizer: OptimizerKind; lr?: number; momentum?: number; weightDecay?: number;
  clipNorm?: number; schedule: "constant" | "cosine" | "step"; warmup?: number; patience?: number; bptt?: number;
}

/** The cell options given on the command line (only those given: the cell validates them). */
export function cellOptionsOf(a: ModelArgs): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const keys = ["reset", "update", "gates", "gateActivation", "candidateActivation", "outputActivation", "activation", "clip", "normalisation", "mode", "scan", "candidate"] as const;
  for (const k of keys) if (a[k] !== undefined) o[k] = a[k];
  if (a.bias === false) o.bias = false;
  return o;
}

/** --distribution (and --quantiles) as createSpec's task.distribution, or undefined. */
export function distributionOf(a: ModelArgs): DistributionOption | undefined {
  if (a.quantiles && a.distribution !== "quantile") throw new OptionError("--quantiles are the levels of --distribution quantile");
  if (a.distribution !== "quantile") return a.distribution;
  if (a.quantiles) {
    const levels = a.quantiles.map((q) => (/^\s*(0?\.\d+)\s*$/.test(q) ? Number(q) : NaN));
    const bad = levels.findIndex((q) => !(q > 0 && q < 1));
    if (bad >= 0) throw new OptionError(`--quantiles: expected levels between 0 and 1 such as 0.1,0.5,0.9, got ${JSON.stringify(a.quantiles[bad])}`);
    return { quantiles: levels };
  }
  return { quantiles: [...DEFAULT_QUANTILES] };
}

/**
 * The model a command line describes: createSpec's recurrent preset, or with --cell none the
 * frame-wise baseline: context window (±--context frames) → --layers × dense(--hidden, Relu) →
 * [dropout] → dense(outputs), for per-step tasks (phoneme recognition's non-recurrent reference).
 */
export function specOf(a: ModelArgs, kind: DataKind, base: Pick<CreateOptions, "input" | "task" | "data">): ModelSpec {
  if (a.cell !== "none") {
    if (a.context !== undefined) throw new OptionError("--context is the window of --cell none (the frame-wise baseline); a recurrent cell sees the whole sequence");
    return createSpec(createOptionsOf({ ...a, cell: a.cell }, kind, base));
  }
  if (!base.task.perStep) throw new OptionError("--cell none (the frame-wise baseline) scores every step; this data's task has one target per sequence: choose a cell");
  if (base.input.kind === "tokens") throw new OptionError("--cell none (the frame-wise baseline) reads feature values; this data gives token ids: choose a cell");
  if (a.distribution) throw new OptionError("--distribution needs a cell; --cell none is the frame-wise baseline of per-step class tasks");
  const recurrentOnly = (["direction", "recurrentDropout", "layerNorm"] as const).filter((k) => a[k] !== undefined && a[k] !== false && !(k === "direction" && a[k] === "forward"));
  const cellOnly = Object.keys(cellOptionsOf(a));
  if (recurrentOnly.length + cellOnly.length > 0) throw new OptionError(`--cell none (the frame-wise baseline) has no recurrent layer; leave out ${[...recurrentOnly, ...cellOnly].map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}`);
  const d = defaultsFor(kind), k = a.context ?? 4, H = a.hidden ?? d.hidden;
  const defs: LayerDef[] = [context({ left: k, right: k })];
  for (let i = 0; i < (a.layers ?? 2); i++) defs.push(dense({ units: H, activation: "Relu" }));
  if (a.dropout) defs.push({ layer: "dropout", options: { rate: a.dropout } });
  defs.push(dense({ units: base.task.outputs }));
  return composeSpec("--cell none", base.input, defs, base.task.target, base.task.loss, base.data);
}

export function createOptionsOf(a: ModelArgs & { cell: CellKind }, kind: DataKind, base: Pick<CreateOptions, "input" | "task" | "data">): CreateOptions {
  const d = defaultsFor(kind), distribution = distributionOf(a);
  if (distribution && base.task.target !== "regression") throw new OptionError("--distribution forecasts values; this data's target is classes");
  return {
    ...base,
    ...(distribution ? { task: { ...base.task, distribution } } : {}),
    cell: a.cell, hiddenSize: a.hidden ?? d.hidden, layers: a.layers ?? d.layers, direction: a.direction ?? d.direction,
    cellOptions: cellOptionsOf(a) as never,
    ...(base.input.kind === "tokens" ? { embedding: a.embedding ?? d.embedding } : {}),
    ...(a.dropout ? { dropout: a.dropout } : {}),
    ...(a.recurrentDropout ? { recurrentDropout: a.recurrentDropout } : {}),
    ...(a.layerNorm ? { layerNorm: true } : {}),
    ...(a.head ? { head: a.head.map(Number) } : {}),
  };
}

export function fitOptionsOf(a: FitArgs, kind: DataKind, steps: number): Omit<FitOptions, "validation"> {
  const d = defaultsFor(kind);
  const epochs = a.epochs ?? d.epochs, lr = a.lr ?? d.lr;
  return {
    epochs, batchSize: a.batchSize ?? d.batchSize, seed: a.seed,
    optimizer: { kind: a.optimizer, lr, ...(a.momentum !== undefined ? { momentum: a.momentum } : {}), ...(a.weightDecay !== undefined ? { weightDecay: a.weightDecay } : {}) },
    ...(a.clipNorm !== undefined ? { clipNorm: a.clipNorm } : {}),
    schedule: a.schedule === "cosine" ? { kind: "cosine", total: Math.max(1, epochs * steps), ...(a.warmup ? { warmup: a.warmup } : {}) }
      : a.schedule === "step" ? { kind: "step", every: Math.max(1, Math.round((epochs * steps) / 3)), gamma: 0.3, ...(a.warmup ? { warmup: a.warmup } : {}) }
      : { kind: "constant", ...(a.warmup ? { warmup: a.warmup } : {}) },
    ...(a.patience ? { earlyStopping: { patience: a.patience, restoreBest: true } } : {}),
    ...(a.bptt ? { window: a.bptt } : {}),
  };
}
