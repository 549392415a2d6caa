/**
 * Recursive sampled paths: a forecaster with a Gaussian or Student-t head forecasting further than
 * its horizon by ancestral sampling (as DeepAR does), so the uncertainty of every value fed back is
 * carried forward instead of being dropped.
 *
 * For each of N paths (all run together as one batch of N rows), k = 0..K−1:
 *   x_k      = the path's last W rows (history, then its own samples), normalised as in training
 *              (z-score; minus the last row when the model was trained on relative windows)
 *   (μ, σ[, ν]) = the head's distribution of the FIRST forecast step (h = 1) of x_k, per column
 *   v_{k}    = μ + σ·ε,  ε ~ N(0, 1) (Gaussian) or ε = Z / √(χ²_ν / ν) (Student-t; χ² by
 *              Marsaglia & Tsang's gamma sampler), plus the last row when relative
 *   the path's next row is v_k (rounded to float32 for a float32 model, as training windows are).
 * Only the one-step distribution is used, so each path is a draw from the model's own one-step
 * conditionals chained together (steps 2..H of a direct multi-horizon head are not used: their
 * joint distribution is not given by the head). Values are returned in the data's units
 * (v·std + mean). Per step and column: the path mean, and the empirical quantiles (linear
 * interpolation between order statistics, numpy's default) at 2.5, 10, 50, 90 and 97.5%.
 *
 * Refused: a model without such a head (a quantile head gives a few levels, not a distribution to
 * sample: train with --horizon K for direct quantiles), and a model that reads columns it does not
 * forecast (their future values are unknown).
 *
 * Shape legend: N paths, K steps, W window, C target columns (= F features), L history rows, R = H·C·P
 * raw outputs (P parameters per value), E known covariates per row (data/covariates.ts), X = F + H·E.
 */
import { OptionError, show } from "../errors/index.js";
import { covariateWidth, writeKnown } from "../data/covariates.js";
import { checkInputSize } from "../util/limits.js";
import { Rng } from "../util/random.js";
import { parameterCount } from "./distribution.js";
import type { Model } from "./model.js";

export interface SampleOptions {
  /** Steps ahead (any number, also beyond the horizon). */
  readonly steps: number;
  /** Paths drawn (default 1000). */
  readonly samples?: number;
  /** Seed of the draws (default 1): the same seed gives the same paths. */
  readonly seed?: number;
  /** Keep every path in the result (default false). */
  readonly keepPaths?: boolean;
  /** A covariate model's table [rows, K] whose row 0 is the history's row 0 (forecast-known.ts; forecast builds it from dates). */
  readonly known?: ArrayLike<number>;
}

/** Per step and target column, [K·C] each, in the data's units. */
export interface SampledForecast {
  readonly steps: number;
  readonly columns: number;
  readonly samples: number;
  readonly mean: Float64Array;
  readonly median: Float64Array;
  readonly lower80: Float64Array;
  readonly upper80: Float64Array;
  readonly lower95: Float64Array;
  readonly upper95: Float64Array;
  /** Every path [N, K, C] when keepPaths was asked for. */
  readonly paths?: Float64Array;
}

const SAMPLE_KEYS = ["steps", "samples", "seed", "keepPaths", "known"];

/** N sampled paths K steps past the end of `history` (rows [L, F] in the data's units). */
export function samplePaths(model: Model, history: ArrayLike<number>, o: SampleOptions): SampledForecast {
  const where = "forecast (sampled paths)";
  for (const k of Object.keys(o)) if (!SAMPLE_KEYS.includes(k)) throw new OptionError(`${where}: unknown option "${k}"; options: ${SAMPLE_KEYS.join(", ")}`);
  const d = model.spec.data, dist = model.spec.task.distribution;
  if (!d?.window || !d.horizon || !d.targetColumns || !d.normalisation) throw new OptionError(`${where}: this model is not a forecaster (its spec.data has no window, horizon, targetColumns and normalisation)`);
  if (!dist || dist.name === "pinball") {
    throw new OptionError(`${where}: needs a gaussian or student-t head to sample from, the model has ${dist ? "a quantile head (a few levels, not a distribution; train with --horizon for direct quantiles)" : "no distribution head (train with --distribution gaussian)"}`);
  }
  const K = o.steps, N = o.samples ?? 1000, seed = o.seed ?? 1;
  if (!(Number.isSafeInteger(K) && K >= 1)) throw new OptionError(`${where}: steps: expected a positive integer, got ${show(o.steps)}`);
  if (!(Number.isSafeInteger(N) && N >= 2)) throw new OptionError(`${where}: samples: expected an integer ≥ 2, got ${show(o.samples)}`);
  if (!Number.isFinite(seed)) throw new OptionError(`${where}: seed: expected a number, got ${show(o.seed)}`);
  const W = d.window, cols = d.targetColumns, C = cols.length, { mean, std } = d.normalisation, F = mean.length;
  if (!(C === F && cols.every((c, i) => c === i))) throw new OptionError(`${where}: the model reads ${F} column(s) and forecasts ${C} (${cols.join(", ")}); sampled paths feed the samples back, so the model must read only the columns it forecasts`);
  const L = history.length / F;
  if (!(Number.isInteger(L) && L >= W)) throw new OptionError(`${where}: the model reads windows of ${W} rows of ${F} values; the history has ${history.length / F} rows`);
  checkInputSize(where, `${N} paths of ${W + K} rows`, 8 * N * (W + K) * F * (o.keepPaths ? 2 : 1) + 4 * N * W * F, `${N} × ${W + K} × ${F} × 8 bytes`, "fewer samples or steps");
  const round = model.net.dtype === "float32" ? Math.fround : (v: number) => v;
  // every path's rows, normalised: the last W history rows, then its samples [N, W + K, F]
  const rows = W + K, path = new Float64Array(N * rows * F);
  for (let t = 0; t < W; t++) for (let f = 0; f < F; f++) {
    const v = round((history[(L - W + t) * F + f]! - mean[f]!) / std[f]!);
    for (let b = 0; b < N; b++) path[(b * rows + t) * F + f] = v;
  }
  const net = model.net, ctx = net.context(false, new Rng(0)), rng = new Rng(seed), P = parameterCount(dist), H = d.horizon, R = H * C * P;
  // a covariate model: after the F columns, the covariates of the H rows after each (data/covariates.ts)
  const E = d.covariates ? covariateWidth(d.covariates.names) : 0, X = F + H * E;
  if (E > 0 && !o.known) throw new OptionError(`${where}: the model was trained with the covariates ${d.covariates!.names.join(", ")}; give their table (the known option, or forecast with dates)`);
  const x = net.kernels.alloc(W * N * X); // [W, N, X] time-major
  net.setCarry(false);
  for (let k = 0; k < K; k++) {
    for (let b = 0; b < N; b++) {
      const last = (b * rows + k + W - 1) * F;
      for (let t = 0; t < W; t++) {
        for (let f = 0; f < F; f++) x[(t * N + b) * X + f] = path[(b * rows + k + t) * F + f]! - (d.relative ? path[last + f]! : 0);
        if (E > 0) writeKnown(x, (t * N + b) * X + F, o.known!, E, L - W + k + t, H); // path row k+t is history row L−W+k+t
      }
    }
    const y = net.forward({ data: x, T: W, B: N, F: X, lengths: null }, ctx).data; // [N, H·C·P]
    for (let b = 0; b < N; b++) {
      const last = (b * rows + k + W - 1) * F;
      for (let c = 0; c < C; c++) {
        const at = b * R + c * P, mu = y[at]!, sigma = y[at + 1]!;
        const eps = dist.name === "gaussian-nll" ? rng.normal() : studentT(rng, y[at + 2]!);
        path[(b * rows + k + W) * F + c] = round(mu + sigma * eps + (d.relative ? path[last + c]! : 0));
      }
    }
  }
  return summarisePaths(path, N, rows, W, K, C, (v, c) => v * std[c]! + mean[c]!, o.keepPaths === true);
}

/** Mean and empirical quantiles per step and column of the sampled rows W..W+K−1 of every path. */
function summarisePaths(path: Float64Array, N: number, rows: number, W: number, K: number, C: number, unit: (v: number, c: number) => number, keep: boolean): SampledForecast {
  const n = K * C, out = { mean: new Float64Array(n), median: new Float64Array(n), lower80: new Float64Array(n), upper80: new Float64Array(n), lower95: new Float64Array(n), upper95: new Float64Array(n) };
  const paths = keep ? new Float64Array(N * K * C) : undefined, v = new Float64Array(N);
  for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) {
    let s = 0;
    for (let b = 0; b < N; b++) { v[b] = unit(path[(b * rows + W + k) * C + c]!, c); s += v[b]!; if (paths) paths[(b * K + k) * C + c] = v[b]!; }
    v.sort();
    const i = k * C + c;
    out.mean[i] = s / N;
    out.median[i] = empiricalQuantile(v, 0.5);
    out.lower80[i] = empiricalQuantile(v, 0.1); out.upper80[i] = empiricalQuantile(v, 0.9);
    out.lower95[i] = empiricalQuantile(v, 0.025); out.upper95[i] = empiricalQuantile(v, 0.975);
  }
  return { steps: K, columns: C, samples: N, ...out, ...(paths ? { paths } : {}) };
}

/** The p-quantile of sorted values: linear interpolation at position p·(n − 1) (numpy's default, Hyndman & Fan type 7). */
export function empiricalQuantile(sorted: ArrayLike<number>, p: number): number {
  const pos = p * (sorted.length - 1), lo = Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/** A standard Student-t draw with ν degrees of freedom: Z / √(G / ν), G ~ χ²_ν = Gamma(ν/2, scale 2). */
function studentT(rng: Rng, nu: number): number {
  return rng.normal() / Math.sqrt((2 * gamma(rng, nu / 2)) / nu);
}

/** Gamma(shape a, scale 1) by Marsaglia & Tsang (2000); a < 1 through Gamma(a + 1)·U^(1/a). */
function gamma(rng: Rng, a: number): number {
  if (a < 1) return gamma(rng, a + 1) * Math.pow(1 - rng.uniform(), 1 / a);
  const dd = a - 1 / 3, c = 1 / Math.sqrt(9 * dd);
  for (;;) {
    let z: number, v: number;
    do { z = rng.normal(); v = 1 + c * z; } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.uniform(); // (0, 1]
    if (Math.log(u) < 0.5 * z * z + dd - dd * v + dd * Math.log(v)) return dd * v;
  }
}
