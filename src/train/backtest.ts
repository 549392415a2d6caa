/**
 * Rolling-origin backtesting (Tashman 2000; FPP3 §5.10): forecast from several origins near the end
 * of a series, each fold fitted only on what came before its origin, and score every fold.
 *
 *   fold i (i = 0..N−1, oldest first): origin o_i = L − H − (N − 1 − i)·step
 *     train  [s_i, o_i)    s_i = 0 (expanding) or o_i − size (sliding)
 *     test   [o_i, o_i + H)
 *   so each fold's training data ends before its test data: no leakage by construction.
 *
 * refit "every-fold": fit on each fold's training rows; "first-fold": fit once on fold 0's and only
 * forecast from later origins (a trained model never refits). Forecasts are scored in the data's
 * units: RMSE, MAE, MASE (scaled by the seasonal-naive in-sample MAE of the fold's training part),
 * coverage of the 80% and 95% Gaussian intervals, the pinball loss averaged over the levels
 * 2.5, 10, 50, 90, 97.5% (of the Gaussian's quantiles μ + Φ⁻¹(τ)σ, or of a head's interval ends and
 * point) and the CRPS; the summary is the mean and the sample standard deviation over folds.
 */
import { OptionError, show } from "../errors/index.js";
import type { Model } from "../model/model.js";
import { forecastSeries } from "./forecast.js";
import { column, type Forecaster, type PointForecast, type SeriesRows } from "./baselines.js";
import { normalQuantile } from "./distributions.js";
import { coverage, crpsFromQuantiles, gaussianInterval, mase, meanCrpsGaussian, naiveScale, pinballLoss } from "./forecast-metrics.js";

export interface BacktestOptions {
  readonly folds: number;
  readonly horizon: number;
  /** Rows between consecutive origins (default: the horizon, so test parts do not overlap). */
  readonly step?: number;
  readonly window?: "expanding" | "sliding";
  /** Training rows of a sliding window; the least training rows of an expanding one (default 1). */
  readonly size?: number;
  readonly refit?: "every-fold" | "first-fold";
  /** Season of the MASE scale (default 1). */
  readonly season?: number;
}

export interface Fold {
  readonly index: number;
  readonly trainStart: number;
  readonly trainEnd: number;   // exclusive: the origin
  readonly testStart: number;
  readonly testEnd: number;    // exclusive
}

export interface FoldScore {
  readonly fold: Fold;
  readonly rmse: number;
  readonly mae: number;
  readonly mase: number;
  readonly coverage80: number;
  readonly coverage95: number;
  /** Mean pinball loss over the levels PINBALL_LEVELS (NaN for a point forecaster). */
  readonly pinball: number;
  readonly crps: number;
}

export type ScoreName = Exclude<keyof FoldScore, "fold">;
export const SCORES: readonly ScoreName[] = ["rmse", "mae", "mase", "coverage80", "coverage95", "pinball", "crps"];

/** The levels of the backtest's pinball loss and quantile CRPS: the 95% and 80% interval ends and the median. */
export const PINBALL_LEVELS: readonly number[] = [0.025, 0.1, 0.5, 0.9, 0.975];

export interface BacktestResult {
  readonly name: string;
  readonly folds: readonly FoldScore[];
  readonly mean: Readonly<Record<ScoreName, number>>;
  /** Sample standard deviation over folds (0 for one fold). */
  readonly std: Readonly<Record<ScoreName, number>>;
}

/** The folds of a series of `length` rows, oldest first. */
export function rollingOrigins(length: number, o: BacktestOptions): Fold[] {
  const where = "backtest";
  for (const k of ["folds", "horizon"] as const) if (!Number.isSafeInteger(o[k]) || o[k] < 1) throw new OptionError(`${where}: ${k} must be a positive integer, got ${show(o[k])}`);
  const step = o.step ?? o.horizon, size = o.size ?? 1, sliding = o.window === "sliding";
  if (!Number.isSafeInteger(step) || step < 1) throw new OptionError(`${where}: step must be a positive integer, got ${show(o.step)}`);
  const firstOrigin = length - o.horizon - (o.folds - 1) * step;
  if (firstOrigin < size) {
    throw new OptionError(`${where}: ${o.folds} fold(s) of horizon ${o.horizon} every ${step} row(s) need at least ${size + o.horizon + (o.folds - 1) * step} rows, the series has ${length}; use fewer folds or a shorter horizon`);
  }
  return Array.from({ length: o.folds }, (_, index) => {
    const origin = firstOrigin + index * step;
    return { index, trainStart: sliding ? origin - size : 0, trainEnd: origin, testStart: origin, testEnd: origin + o.horizon };
  });
}

const rowsOf = (s: SeriesRows, start: number, end: number): SeriesRows => ({
  values: Array.prototype.slice.call(s.values, start * s.features, end * s.features) as number[], features: s.features, target: s.target,
});

/** Backtests one forecaster over the folds of `series`. */
export function backtest(series: SeriesRows, forecaster: Forecaster, o: BacktestOptions): BacktestResult {
  const L = series.values.length / series.features, folds = rollingOrigins(L, o), y = column(series);
  const scores: FoldScore[] = [];
  for (const fold of folds) {
    const train = rowsOf(series, fold.trainStart, fold.trainEnd);
    if (o.refit !== "first-fold" || fold.index === 0) forecaster.fit(train);
    const f = forecaster.forecast(train, o.horizon), actual = y.subarray(fold.testStart, fold.testEnd);
    let sq = 0, abs = 0;
    for (let h = 0; h < o.horizon; h++) { const d = f.mean[h]! - actual[h]!; sq += d * d; abs += Math.abs(d); }
    scores.push({
      fold, rmse: Math.sqrt(sq / o.horizon), mae: abs / o.horizon,
      mase: mase(f.mean, actual, naiveScale(column(train), o.season ?? 1)), ...intervalScores(f, actual),
    });
  }
  return { name: forecaster.name, folds: scores, ...summarise(scores) };
}

/**
 * Coverage and CRPS of a forecast's intervals: Gaussian from σ; a distribution head's own ends, its
 * CRPS from the five quantiles they and the point make (2.5, 10, 50, 90, 97.5%: coarse, but the
 * same for every head). A point forecaster (σ not finite, no intervals) has none: NaN, never 0.
 */
function intervalScores(f: PointForecast, actual: Float64Array): Pick<FoldScore, "coverage80" | "coverage95" | "pinball" | "crps"> {
  const iv = f.intervals, n = actual.length, q = new Float64Array(n * 5);
  if (iv) {
    for (let i = 0; i < n; i++) q.set([iv.lower95[i]!, iv.lower80[i]!, f.mean[i]!, iv.upper80[i]!, iv.upper95[i]!], i * 5);
    return {
      coverage80: coverage({ level: 0.8, lower: iv.lower80, upper: iv.upper80 }, actual),
      coverage95: coverage({ level: 0.95, lower: iv.lower95, upper: iv.upper95 }, actual),
      pinball: pinballLoss(q, PINBALL_LEVELS, actual),
      crps: crpsFromQuantiles(q, PINBALL_LEVELS, actual),
    };
  }
  const spread = f.sigma.every((v) => Number.isFinite(v) && v > 0);
  if (!spread) return { coverage80: NaN, coverage95: NaN, pinball: NaN, crps: NaN };
  for (let i = 0; i < n; i++) PINBALL_LEVELS.forEach((tau, j) => { q[i * 5 + j] = f.mean[i]! + normalQuantile(tau) * f.sigma[i]!; });
  return {
    coverage80: coverage(gaussianInterval(f.mean, f.sigma, 0.8), actual),
    coverage95: coverage(gaussianInterval(f.mean, f.sigma, 0.95), actual),
    pinball: pinballLoss(q, PINBALL_LEVELS, actual),
    crps: meanCrpsGaussian(f.mean, f.sigma, actual),
  };
}

export function summarise(scores: readonly FoldScore[]): Pick<BacktestResult, "mean" | "std"> {
  const mean = {} as Record<ScoreName, number>, std = {} as Record<ScoreName, number>, n = scores.length;
  for (const k of SCORES) {
    const m = scores.reduce((s, x) => s + x[k], 0) / n;
    mean[k] = m;
    std[k] = n > 1 ? Math.sqrt(scores.reduce((s, x) => s + (x[k] - m) ** 2, 0) / (n - 1)) : 0;
  }
  return { mean, std };
}

/**
 * A trained forecaster as a Forecaster: fit learns nothing (its training data must end before the
 * first fold's origin for an honest backtest); forecasts are its point forecasts (σ = NaN), with a
 * distribution head's own 80% and 95% intervals. A model trained with known-future covariates
 * needs the series' covariate table `known` [rows, K] (SeriesInfo.covariates.table); its histories
 * must then start at the series' row 0 (an expanding window).
 */
export function modelForecaster(model: Model, name = "model", known?: ArrayLike<number>): Forecaster {
  const cols = model.spec.data?.targetColumns ?? [];
  return {
    name,
    fit: () => {},
    forecast(history, steps) {
      const c = cols.indexOf(history.target);
      if (c < 0) throw new OptionError(`backtest: the model forecasts columns ${cols.join(", ")}, not column ${history.target}`);
      if (model.spec.task.distribution) return headForecast(model, history, steps, c, cols.length, known);
      const out = forecastSeries(model, Float32Array.from(history.values), steps, known), C = cols.length;
      return { mean: Float64Array.from({ length: steps }, (_, h) => out[h * C + c]!), sigma: new Float64Array(steps).fill(NaN) };
    },
  };
}

/** A distribution head's forecast of column c (of C) with its intervals (model.forecast: at most its horizon). */
function headForecast(model: Model, history: SeriesRows, steps: number, c: number, C: number, known: ArrayLike<number> | undefined): PointForecast {
  const f = model.forecast({ data: history.values, shape: [history.values.length / history.features, history.features] }, steps, known ? { known } : {}), iv = f.intervals!;
  const pick = (a: ArrayLike<number>) => Float64Array.from({ length: steps }, (_, h) => a[h * C + c]!);
  // a Gaussian head is scored like the Gaussian baselines: its σ (parameters [μ, σ] per value), CRPS in closed form
  if (iv.distribution === "gaussian-nll") return { mean: pick(f.data), sigma: Float64Array.from({ length: steps }, (_, h) => iv.parameters[(h * C + c) * 2 + 1]!) };
  return {
    mean: pick(f.data), sigma: new Float64Array(steps).fill(NaN),
    intervals: { lower80: pick(iv.lower80), upper80: pick(iv.upper80), lower95: pick(iv.lower95), upper95: pick(iv.upper95) },
  };
}
