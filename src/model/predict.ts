/**
 * `model.predict` and `model.forecast`: a model run on plain arrays, in batches, in the data's own
 * units.
 *
 * Units. A forecaster (spec.data holds normalisation, targetColumns, window, horizon) was trained on
 * normalised values, relative to each window's last row when `data.relative`. With `units: "data"`
 * (the default) predict does what training did to the inputs and undoes it on the outputs:
 *   input  x[t, f]  → n = (x − mean[f]) / std[f], then n − n[last, f] when relative
 *                     (last = the row's last valid step)
 *   output y[h·C + c] → (y + n[last, col] when relative) · std[col] + mean[col], col = targetColumns[c]
 * (float32 models round the normalised values to float32, as the training windows were stored).
 * Nothing else is denormalised: other regression outputs are returned as the network gives them,
 * class outputs are logits (classify gives probabilities). `units: "model"` skips both steps.
 * A distribution head's model (distribution.ts) gives its point forecast as the outputs, and its
 * 80%/95% intervals and parameters in `intervals`: with y → a·y + c as above (a = std[col],
 * c = std[col]·n[last, col] when relative + mean[col]), locations and interval ends map by it,
 * scales by a. A model trained with known-future covariates (data/covariates.ts) reads them after
 * the normalised columns of each input step: predict passes them as given; forecast computes them
 * from the history's dates (forecast-known.ts).
 *
 * Shape legend: B rows, T steps, W values per step, O outputs, C target columns, L history rows.
 */
import { OptionError, ShapeError, checkOptions, show } from "../errors/index.js";
import type { Act } from "../layers/layer.js";
import { forecastSeries } from "../train/forecast.js";
import { Rng } from "../util/random.js";
import { readInput, type InputKind, type Layout, type ModelInput, type ReadInput } from "./inputs.js";
import type { Model } from "./model.js";
import { denormalise, intervalsOf, parameterCount } from "./distribution.js";
import { Outputs, type ForecastIntervals } from "./outputs.js";
import { samplePaths } from "./sample-paths.js";
import { knownFor, withKnown, type KnownOptions } from "./forecast-known.js";
import { covariateWidth } from "../data/covariates.js";

export interface PredictOptions {
  /** Each row's valid steps (default: every step, or each nested row's own length). */
  readonly lengths?: ArrayLike<number>;
  /** Of the input and of per-step outputs (default "batch-major"). */
  readonly layout?: Layout;
  /** Rows run together (default 256); the outputs do not depend on it. */
  readonly batchSize?: number;
  /** "data" (default): a forecaster's inputs normalised and outputs denormalised; "model": as the network sees them. */
  readonly units?: "data" | "model";
}

const PREDICT_KEYS = ["lengths", "layout", "batchSize", "units"];

export function inputKind(model: Model): InputKind {
  const inp = model.spec.input;
  return inp.kind === "tokens" ? { tokens: true, width: inp.vocabularySize } : { tokens: false, width: inp.features };
}

interface Scaling { mean: readonly number[]; std: readonly number[]; cols: readonly number[]; relative: boolean }

/** The normalisation a forecaster's data went through, or null. */
function scaling(model: Model): Scaling | null {
  const d = model.spec.data;
  if (!d?.normalisation || !d.targetColumns || model.spec.input.kind !== "features") return null;
  return { mean: d.normalisation.mean, std: d.normalisation.std, cols: d.targetColumns, relative: d.relative === true };
}

export function predict(model: Model, x: ModelInput, o: PredictOptions = {}): Outputs {
  checkOptions("predict", o, PREDICT_KEYS);
  const batchSize = o.batchSize ?? 256;
  if (!(Number.isSafeInteger(batchSize) && batchSize >= 1)) throw new OptionError(`predict: batchSize: expected a positive integer, got ${show(o.batchSize)}`);
  if (o.units !== undefined && o.units !== "data" && o.units !== "model") throw new OptionError(`predict: units: expected "data" | "model", got ${show(o.units)}`);
  const layout = o.layout ?? "batch-major";
  const r = readInput("predict", x, inputKind(model), layout, o.lengths);
  return run(model, r, layout, batchSize, o.units === "model" ? null : scaling(model));
}

/** Runs read input through the model in batches of rows. */
export function run(model: Model, r: ReadInput, layout: Layout, batchSize: number, sc: Scaling | null): Outputs {
  const net = model.net, ctx = net.context(false, new Rng(0)), { B, T } = r;
  const { outputs: O, perStep, distribution: dist } = model.spec.task;
  const P = dist ? parameterCount(dist) : 1, R = O * P; // R raw values per position
  const per = perStep ? T * O : O;
  const out = net.kernels.alloc(B * per), params = dist ? new Float64Array(B * per * P) : null;
  net.setCarry(false);
  for (let at = 0; at < B; at += batchSize) {
    const n = Math.min(batchSize, B - at);
    const { act, last } = gather(model, r, at, n, sc);
    const y = net.forward(act, ctx).data; // [T', n, R]
    for (let b = 0; b < n; b++) {
      const row = at + b, len = r.lengths ? r.lengths[row]! : T;
      for (let t = 0; t < (perStep ? len : 1); t++) {
        const dst = !perStep ? row * O : layout === "batch-major" ? (row * T + t) * O : (t * B + row) * O, src = (t * n + b) * R;
        if (!params) {
          for (let j = 0; j < O; j++) out[dst + j] = sc ? unscale(sc, y[src + j]!, j, last, b) : y[src + j]!;
          continue;
        }
        for (let j = 0; j < R; j++) params[dst * P + j] = y[src + j]!;
        if (sc) for (let j = 0; j < O; j++) denormalise(dist!, params, (dst + j) * P, scaleOf(sc, j), unscale(sc, 0, j, last, b));
      }
    }
  }
  const shape = !perStep ? [B, O] : layout === "batch-major" ? [B, T, O] : [T, B, O];
  return new Outputs(out, shape, layout, perStep ? r.lengths : null, params ? withIntervals(dist!, params, out) : undefined);
}

/** The point forecast written into `out` and the intervals of parameters [N·O, P]. */
function withIntervals(dist: NonNullable<Model["spec"]["task"]["distribution"]>, params: Float64Array, out: Float32Array | Float64Array): ForecastIntervals {
  const iv = intervalsOf(dist, params);
  out.set(iv.point);
  return { lower80: iv.lower80, upper80: iv.upper80, lower95: iv.lower95, upper95: iv.upper95, parameters: params, distribution: dist.name };
}

const scaleOf = (sc: Scaling, j: number): number => sc.std[sc.cols[j % sc.cols.length]!]!;

/** Rows at..at+n as a time-major Act, scaled; `last` holds each row's last normalised row [n, FN] (FN normalised columns). */
function gather(model: Model, r: ReadInput, at: number, n: number, sc: Scaling | null): { act: Act; last: Float64Array } {
  const { T, W } = r, k = model.net.kernels, F = model.net.layers[0]!.inputFeatures;
  const lengths = r.lengths ? r.lengths.slice(at, at + n) : null;
  if (model.spec.input.kind === "tokens") {
    const ids = new Int32Array(T * n);
    for (let t = 0; t < T; t++) for (let b = 0; b < n; b++) ids[t * n + b] = r.x[(at + b) * T + t]!;
    return { act: { data: k.alloc(0), ids, T, B: n, F, lengths }, last: new Float64Array(0) };
  }
  const round = model.net.dtype === "float32" ? Math.fround : (v: number) => v;
  // the normalised columns come first; known-future covariates after them pass as they are (data/covariates.ts)
  const FN = sc ? sc.mean.length : W;
  const data = k.alloc(T * n * W), last = new Float64Array(n * FN); // last [n, FN]
  for (let b = 0; b < n; b++) {
    const src = (at + b) * T * W, len = lengths ? lengths[b]! : T;
    const norm = (t: number, f: number) => (sc && f < FN ? round((r.x[src + t * W + f]! - sc.mean[f]!) / sc.std[f]!) : r.x[src + t * W + f]!);
    if (sc?.relative && len > 0) for (let f = 0; f < FN; f++) last[b * FN + f] = norm(len - 1, f);
    for (let t = 0; t < len; t++) for (let f = 0; f < W; f++) data[(t * n + b) * W + f] = norm(t, f) - (f < FN ? last[b * FN + f]! : 0);
  }
  return { act: { data, T, B: n, F, lengths }, last };
}

function unscale(sc: Scaling, y: number, j: number, last: Float64Array, b: number): number {
  const C = sc.cols.length, col = sc.cols[j % C]!, W = sc.mean.length;
  return (y + (sc.relative ? last[b * W + col]! : 0)) * sc.std[col]! + sc.mean[col]!;
}

/** forecast's options: sampled paths (sample-paths.ts) for a Gaussian or Student-t head; a covariate model's dates (forecast-known.ts). */
export interface ForecastCallOptions extends KnownOptions {
  /** Draw this many recursive sampled paths: any number of steps, intervals from the paths. */
  readonly samples?: number;
  /** Seed of the sampled paths (default 1). */
  readonly seed?: number;
}

/**
 * `model.forecast(series, steps)`: the next `steps` rows of the target columns, [steps, C], in the
 * data's units, from the history `series` (rows in the data's units: number[] when the model reads
 * one column, number[][] [L][F], or {data, shape: [L, F]}). The same as forecastSeries. With
 * `samples`: the mean of that many sampled paths and their 80%/95% quantile bands (samplePaths).
 */
export function forecast(model: Model, series: unknown, steps?: number, options: ForecastCallOptions = {}): Outputs {
  checkOptions("forecast", options, ["samples", "seed", "dates", "holidays", "known"]);
  const d = model.spec.data;
  if (!d?.window || !d.horizon || !d.targetColumns || !d.normalisation) {
    throw new OptionError("forecast: this model is not a forecaster (its spec.data has no window, horizon, targetColumns and normalisation); use predict");
  }
  const F = d.normalisation.mean.length, n = steps ?? d.horizon;
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new OptionError(`forecast: steps: expected a positive integer, got ${show(steps)}`);
  const r = readInput("forecast", historyAsBatch(series, F), { tokens: false, width: F });
  if (r.T < d.window) throw new ShapeError(`forecast: the model reads windows of ${d.window} rows; the history has ${r.T}`);
  const known = knownFor(model, r.T, n, options);
  if (options.samples !== undefined) return sampledOutputs(model, r, n, options.samples, options.seed ?? 1, known);
  if (model.spec.task.distribution) return forecastIntervals(model, r, n, known);
  const values = forecastSeries(model, Float32Array.from(r.x), n, known);
  return new Outputs(values, [n, d.targetColumns.length]);
}

/**
 * A distribution head's forecast: the point forecast [steps, C] and its intervals, from the last
 * `window` rows. Only up to the horizon: feeding a point forecast back would give intervals that
 * ignore the uncertainty of what was fed back.
 */
function forecastIntervals(model: Model, r: ReadInput, steps: number, known: ArrayLike<number> | undefined): Outputs {
  const d = model.spec.data!, W = d.window!, H = d.horizon!, C = d.targetColumns!.length;
  if (steps > H) throw new OptionError(`forecast: a model with a ${model.spec.task.distribution!.name} head forecasts at most its horizon (${H} steps) directly; got steps ${steps} (train with a longer --horizon, or draw sampled paths: the samples option)`);
  const rows = r.x.subarray((r.T - W) * r.W), K = d.covariates ? covariateWidth(d.covariates.names) : 0;
  const x = known ? withKnown(rows, W, r.W, r.T - W, known, K, H) : Float64Array.from(rows);
  const o = run(model, readInput("forecast", { data: x, shape: [1, W, r.W + H * K] }, inputKind(model)), "batch-major", 1, scaling(model));
  const n = steps * C, cut = (a: Float64Array) => a.slice(0, n), iv = o.intervals!;
  const P = iv.parameters.length / (H * C);
  return new Outputs(o.data.slice(0, n), [steps, C], "batch-major", null, {
    lower80: cut(iv.lower80), upper80: cut(iv.upper80), lower95: cut(iv.lower95), upper95: cut(iv.upper95),
    parameters: iv.parameters.slice(0, n * P), distribution: iv.distribution,
  });
}

/** The path mean [steps, C] and the paths' 80% and 95% quantile bands as the intervals. */
function sampledOutputs(model: Model, r: ReadInput, steps: number, samples: number, seed: number, known: ArrayLike<number> | undefined): Outputs {
  const p = samplePaths(model, r.x, { steps, samples, seed, ...(known ? { known } : {}) });
  return new Outputs(p.mean, [steps, p.columns], "batch-major", null, {
    lower80: p.lower80, upper80: p.upper80, lower95: p.lower95, upper95: p.upper95,
    parameters: new Float64Array(0), distribution: `${model.spec.task.distribution!.name}, ${samples} sampled paths`,
  });
}

/** A history (number[], number[][] or {data, shape: [L, F]}) as a batch of one row. */
function historyAsBatch(series: unknown, F: number): ModelInput {
  const want = `a history of rows [L][${F}] or {data, shape: [L, ${F}]}`;
  if (series !== null && typeof series === "object" && !Array.isArray(series) && "shape" in series && "data" in series) {
    const s = (series as { shape: unknown }).shape;
    if (!Array.isArray(s)) throw new ShapeError(`forecast: expected ${want}, got shape ${show(s)}`);
    return { data: (series as { data: ArrayLike<number> }).data, shape: [1, ...(s as number[])] };
  }
  if (!Array.isArray(series)) throw new ShapeError(`forecast: expected ${want}, got ${show(series)}`);
  if (series.length > 0 && series.every((v) => typeof v === "number")) {
    if (F !== 1) throw new ShapeError(`forecast: expected ${want} (the model reads ${F} columns), got a flat array of numbers`);
    return [series.map((v: number) => [v])];
  }
  return [series as (readonly number[])[]];
}
