/**
 * Data for the CLI: a built-in data set by name or the user's CSV by path, the task and default
 * sizes each kind of data calls for, the model's own statistics and vocabulary applied to data it
 * is evaluated on, and the naive baselines a result is judged against.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { DATASETS, DATASET_NAMES, loadCsv, loadDataset, type DatasetName } from "../data/index.js";
import type { Dataset, SequenceSet } from "../data/types.js";
import type { DatasetInfo, TrainingDefaults } from "../data/catalog.js";
import { OptionError } from "../errors/index.js";
import type { CreateOptions, DataInfo, Model } from "../model/model.js";
import { checkInputSize, formatBytes } from "../util/limits.js";
import { UserError } from "./errors.js";

/** ctc: per-step class scores trained on label sequences (phoneme recognition). */
export type DataKind = "forecast" | "text" | "classification" | "regression" | "ctc";

export interface DataArgs {
  readonly window?: number;
  readonly horizon?: number;
  readonly steps?: number;
  readonly limit?: number;
  readonly columns?: readonly string[];
  readonly target?: readonly string[];
  /** Forecast windows relative to their last row (default true; --absolute turns it off). */
  readonly relative?: boolean;
  /** Known-future covariates, e.g. "calendar,holiday:closed" (data/covariates.ts). */
  readonly covariates?: string;
  /** Audio data (spoken-digits): Δ (1) or Δ and ΔΔ (2) appended to each frame. */
  readonly deltas?: number;
}

/** Loads `spec`: a built-in name, or a path to a CSV file (a series to forecast). */
export async function openData(spec: string, a: DataArgs, seed?: number): Promise<Dataset> {
  if (spec.toLowerCase().endsWith(".csv") || (!Object.hasOwn(DATASETS, spec) && existsSync(spec))) {
    if (!existsSync(spec)) throw new UserError(`CSV file not found: ${spec}`);
    // read as text, 2 bytes a character: refused before reading when that alone passes the limit
    const size = statSync(spec).size;
    checkInputSize(spec, `a CSV file of ${formatBytes(size)}`, 2 * size, `${size} bytes read as text, 2 bytes each`, "split the file, or keep only the rows and columns you need");
    return loadCsv(readFileSync(spec, "utf8"), {
      name: spec, window: a.window ?? 24, ...(a.horizon ? { horizon: a.horizon } : {}), relative: a.relative !== false,
      ...(a.limit !== undefined ? { limit: a.limit } : {}),
      ...(a.columns ? { columns: [...a.columns] } : {}), ...(a.target ? { target: [...a.target] } : {}),
      ...(a.covariates !== undefined ? { covariates: a.covariates } : {}),
    });
  }
  if (!Object.hasOwn(DATASETS, spec)) {
    throw new OptionError(`unknown data set "${spec}"; built-in data sets: ${DATASET_NAMES.join(", ")} (or give the path of a .csv file)`);
  }
  const info = DATASETS[spec as DatasetName];
  const o: Record<string, unknown> = {};
  const take = (name: string, v: unknown) => { if (v !== undefined && info.options.includes(name as never)) o[name] = v; };
  take("window", a.window);
  take("horizon", a.horizon);
  take("steps", a.steps);
  take("limit", a.limit);
  take("maxChars", a.limit);
  take("count", a.limit);
  take("seed", seed);
  take("relative", a.relative !== false);
  take("deltas", a.deltas);
  if (a.covariates !== undefined && !info.options.includes("covariates" as never)) throw new UserError(`--covariates: the data set "${spec}" is not a series to forecast`);
  take("covariates", a.covariates);
  return loadDataset(spec, o);
}

export function kindOf(d: Dataset): DataKind {
  if (d.series) return "forecast";
  if (d.train.labelLengths) return "ctc";
  if (d.train.target === "class") return d.train.perStep ? "text" : "classification";
  return "regression";
}

const FLAGS: Record<keyof TrainingDefaults, string> = { epochs: "--epochs", batchSize: "--batch-size", lr: "--lr", clipNorm: "--clip-norm", patience: "--patience" };

/**
 * A built-in data set's own training settings (catalog.ts `training`) in place of the options not
 * given, and the line that says which were used ("" when none).
 */
export function withDataDefaults<T extends { [K in keyof TrainingDefaults]?: number | undefined }>(data: string, a: T): { args: T; note: string } {
  const own = Object.hasOwn(DATASETS, data) ? (DATASETS[data as DatasetName] as DatasetInfo).training : undefined;
  if (!own) return { args: a, note: "" };
  const used = (Object.keys(own) as (keyof TrainingDefaults)[]).filter((k) => a[k] === undefined);
  if (used.length === 0) return { args: a, note: "" };
  const args = { ...a, ...Object.fromEntries(used.map((k) => [k, own[k]])) };
  return { args, note: `${data}'s own training settings: ${used.map((k) => `${FLAGS[k]} ${own[k]}`).join(" ")} (the options you give win)` };
}

/** Default sizes that train in reasonable time on a CPU for each kind of data. */
export function defaultsFor(kind: DataKind): { hidden: number; epochs: number; batchSize: number; lr: number; embedding: number; layers: number; direction: "forward" | "bidirectional" } {
  const one = { layers: 1, direction: "forward" as const };
  switch (kind) {
    case "forecast": return { hidden: 32, epochs: 40, batchSize: 32, lr: 0.01, embedding: 0, ...one };
    case "text": return { hidden: 128, epochs: 3, batchSize: 32, lr: 0.003, embedding: 32, ...one };
    case "classification": return { hidden: 64, epochs: 4, batchSize: 64, lr: 0.003, embedding: 32, ...one };
    case "regression": return { hidden: 32, epochs: 10, batchSize: 32, lr: 0.01, embedding: 0, ...one };
    // the light-GRU papers' speech recipe: a bidirectional stack of two layers
    case "ctc": return { hidden: 64, epochs: 30, batchSize: 16, lr: 0.003, embedding: 0, layers: 2, direction: "bidirectional" };
  }
}

/**
 * The model input and task a data set needs, and the facts to save with the model, with the options
 * that chose the data (limit, steps, seed), so eval, predict and inspect open the same data again.
 */
export function taskOf(d: Dataset, chosen: { limit?: number | undefined; steps?: number | undefined; seed?: number | undefined } = {}): Pick<CreateOptions, "input" | "task"> & { data: DataInfo } {
  const s = d.train;
  const input = s.x instanceof Int32Array ? { kind: "tokens" as const, vocabularySize: s.features } : { kind: "features" as const, features: s.features };
  const data: DataInfo = {
    name: d.name,
    ...(d.normalisation ? { normalisation: d.normalisation } : {}),
    ...(d.vocabulary ? { vocabulary: d.vocabulary } : {}),
    ...(d.classes ? { classes: d.classes } : {}),
    ...(d.series ? { columns: d.series.columns, targetColumns: d.series.targetColumns, window: d.series.window, horizon: d.series.horizon, relative: d.series.relative === true, ...(d.series.season ? { season: d.series.season } : {}) } : {}),
    ...(d.series?.covariates ? { covariates: { names: d.series.covariates.names, frequency: d.series.covariates.frequency } } : {}),
    ...(chosen.limit !== undefined ? { limit: chosen.limit } : {}),
    ...(chosen.steps !== undefined ? { steps: chosen.steps } : {}),
    ...(chosen.seed !== undefined ? { seed: chosen.seed } : {}),
    ...(d.audio ? { audio: d.audio } : {}),
  };
  const loss = s.labelLengths ? { loss: { name: "ctc" as const, blank: s.blank ?? 0 } } : {};
  return { input, task: { target: s.target, perStep: s.perStep, outputs: s.outputs, ...loss }, data };
}

/** What a data command line can say about the data (eval, predict, inspect, train --resume). */
export interface GivenData extends DataArgs {
  readonly data?: string;
  readonly absolute?: boolean;
}

const SHAPE_KEYS = ["window", "horizon", "columns", "target", "steps", "covariates"] as const;

/**
 * The options that open the data `model` was trained on the same way again: each option saved with
 * the model is reused, an option given (`given(name)`) that disagrees is refused naming both values.
 * The data set's own options (limit, seed) are reused only on that same data set.
 */
export function savedDataArgs(model: Model, a: GivenData, given: (option: string) => boolean, where: string): { name: string; args: DataArgs; seed?: number } {
  const info = model.spec.data ?? {};
  const name = given("data") || info.name === undefined ? a.data : info.name;
  if (name === undefined) throw new UserError(`${where}: the model file holds no data set name (an imported model?); give --data`);
  const same = info.name === undefined || name === info.name;
  const saved: Record<string, unknown> = {
    window: info.window, horizon: info.horizon, steps: info.steps,
    columns: info.columns, target: info.columns && info.targetColumns ? info.targetColumns.map((c) => info.columns![c]!) : undefined,
    covariates: info.covariates ? info.covariates.names.join(",") : undefined,
    ...(same ? { limit: info.limit } : {}),
    ...(same && info.audio?.deltas ? { deltas: info.audio.deltas } : {}),
  };
  const out: Record<string, unknown> = {};
  for (const k of [...SHAPE_KEYS, "limit", "deltas"] as const) {
    const mine = saved[k], theirs = (a as Record<string, unknown>)[k];
    if (mine !== undefined && given(k) && theirs !== undefined && JSON.stringify(theirs) !== JSON.stringify(mine)) {
      throw new UserError(`${where}: --${k} ${show(theirs)} conflicts with the model, which was trained with --${k} ${show(mine)}; leave --${k} out to use the model's`);
    }
    const v = mine ?? theirs;
    if (v !== undefined) out[k] = v;
  }
  if (info.relative !== undefined && given("absolute") && a.absolute === info.relative) {
    throw new UserError(`${where}: --absolute conflicts with the model, which was trained on ${info.relative ? "relative" : "absolute"} windows; leave --absolute out`);
  }
  out.relative = info.relative ?? a.absolute !== true;
  return { name, args: out as DataArgs, ...(same && info.seed !== undefined ? { seed: info.seed } : {}) };
}

const show = (v: unknown): string => (Array.isArray(v) ? v.join(",") : String(v));

/**
 * Re-expresses a data set in the model's terms: the model's normalisation statistics for series,
 * the model's vocabulary for tokens. Throws a UserError when the data cannot be expressed.
 */
export function conformToModel(d: Dataset, model: Model): Dataset {
  const info = model.spec.data ?? {};
  const remap = (s: SequenceSet | undefined) => {
    if (!s) return s;
    if (info.normalisation && d.normalisation && d.series) return renormalise(s, d, info);
    if (info.vocabulary && d.vocabulary && s.x instanceof Int32Array) return revocab(s, d.vocabulary, info.vocabulary);
    return s;
  };
  return { ...d, train: remap(d.train)!, ...(d.validation ? { validation: remap(d.validation)! } : {}), ...(d.test ? { test: remap(d.test)! } : {}) };
}

function renormalise(s: SequenceSet, d: Dataset, info: DataInfo): SequenceSet {
  const from = d.normalisation!, to = info.normalisation!, F = s.features;
  if ((d.series?.relative === true) !== (info.relative === true)) {
    throw new UserError(`the model was trained on ${info.relative ? "relative" : "absolute"} windows; load the data the same way (${info.relative ? "without" : "with"} --absolute)`);
  }
  // relative windows are differences: only the scale changes
  const m = info.relative ? 0 : 1;
  if (to.mean.length !== from.mean.length) throw new UserError(`the model was trained on ${to.mean.length} features per step, the data has ${from.mean.length}`);
  // known-future covariates (data/covariates.ts) follow the normalised columns in each step, as they are
  const FN = from.mean.length;
  const x = Float32Array.from(s.x as Float32Array, (v, i) => (i % F >= FN ? v : (v * from.std[i % F]! + m * (from.mean[i % F]! - to.mean[i % F]!)) / to.std[i % F]!));
  const cols = d.series!.targetColumns, C = cols.length;
  const y = Float32Array.from(s.y as Float32Array, (v, i) => {
    const f = cols[i % C]!;
    return (v * from.std[f]! + m * (from.mean[f]! - to.mean[f]!)) / to.std[f]!;
  });
  return { ...s, x, y };
}

function revocab(s: SequenceSet, from: readonly string[], to: readonly string[]): SequenceSet {
  const index = new Map(to.map((t, i) => [t, i]));
  const unk = index.get("<unk>");
  const map = from.map((t) => {
    const i = index.get(t) ?? unk;
    if (i === undefined) throw new UserError(`the data holds the token ${JSON.stringify(t)}, which is not in the model's vocabulary of ${to.length} tokens (hint: a model trained with --limit knows only the tokens of that part: give the same --limit and --steps as in training)`);
    return i;
  });
  const x = Int32Array.from(s.x as Int32Array, (v) => map[v]!);
  const y = s.perStep && s.y instanceof Int32Array ? Int32Array.from(s.y, (v) => map[v]!) : s.y;
  return { ...s, x, y, features: to.length, outputs: s.perStep ? to.length : s.outputs };
}
