/**
 * Probabilistic forecast metrics, in the data's own units, and the central intervals of each
 * distribution. Arrays are flat and aligned: one forecast per element of `y`.
 *
 *   coverage(lo, hi, y)     share of y inside [lo, hi]  (≈ the nominal level for a calibrated forecast)
 *   pinball_τ(q, y)         mean ρ_τ(y − q),  ρ_τ(u) = max(τu, (τ − 1)u)
 *   CRPS(F, y) = ∫ (F(x) − 1{x ≥ y})² dx = 2 ∫₀¹ ρ_τ(y − F⁻¹(τ)) dτ = E|X − y| − ½E|X − X′|
 *     Gaussian (closed form, Gneiting & Raftery 2007): σ[z(2Φ(z) − 1) + 2φ(z) − 1/√π], z = (y − μ)/σ
 *     quantiles: 2 Σ_j w_j ρ_τj(y − q_j), w the trapezoid weights of the levels on [0, 1]
 *     samples:   (1/n)Σ|x_i − y| − (1/n²)Σ_i (2i − n − 1) x_(i)   (sorted, O(n log n))
 *   MASE = MAE / (in-sample MAE of the seasonal-naive forecast, lag m; m = 1 without a season)
 *
 * Central interval at level c: [F⁻¹((1 − c)/2), F⁻¹((1 + c)/2)].
 */
import { OptionError } from "../errors/index.js";
import { normalCdf, normalPdf, normalQuantile, studentTQuantile } from "./distributions.js";

/** The nominal levels every forecast reports intervals at. */
export const INTERVAL_LEVELS = [0.8, 0.95] as const;

export interface Interval {
  readonly level: number;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

export function gaussianInterval(mu: ArrayLike<number>, sigma: ArrayLike<number>, level: number): Interval {
  const z = normalQuantile((1 + level) / 2), n = mu.length;
  const lower = new Float64Array(n), upper = new Float64Array(n);
  for (let i = 0; i < n; i++) { lower[i] = mu[i]! - z * sigma[i]!; upper[i] = mu[i]! + z * sigma[i]!; }
  return { level, lower, upper };
}

export function studentTInterval(mu: ArrayLike<number>, sigma: ArrayLike<number>, nu: ArrayLike<number>, level: number): Interval {
  const n = mu.length, lower = new Float64Array(n), upper = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = studentTQuantile((1 + level) / 2, nu[i]!);
    lower[i] = mu[i]! - t * sigma[i]!; upper[i] = mu[i]! + t * sigma[i]!;
  }
  return { level, lower, upper };
}

/** The interval at `level` from quantile forecasts [n, Q] at `levels` (which must hold both ends). */
export function quantileInterval(q: ArrayLike<number>, levels: readonly number[], level: number): Interval {
  const find = (p: number) => levels.findIndex((l) => Math.abs(l - p) < 1e-9);
  const a = find((1 - level) / 2), b = find((1 + level) / 2), Q = levels.length, n = q.length / Q;
  if (a < 0 || b < 0) throw new OptionError(`interval: a ${100 * level}% interval needs the levels ${(1 - level) / 2} and ${(1 + level) / 2}; the quantiles are ${levels.join(", ")}`);
  const lower = new Float64Array(n), upper = new Float64Array(n);
  for (let i = 0; i < n; i++) { lower[i] = q[i * Q + a]!; upper[i] = q[i * Q + b]!; }
  return { level, lower, upper };
}

export function coverage(iv: Interval, y: ArrayLike<number>): number {
  let inside = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! >= iv.lower[i]! && y[i]! <= iv.upper[i]!) inside++;
  return inside / y.length;
}

export function meanWidth(iv: Interval): number {
  let s = 0;
  for (let i = 0; i < iv.lower.length; i++) s += iv.upper[i]! - iv.lower[i]!;
  return s / iv.lower.length;
}

const rho = (tau: number, u: number) => Math.max(tau * u, (tau - 1) * u);

/** Mean pinball loss over the levels and the forecasts: q [n, Q]. */
export function pinballLoss(q: ArrayLike<number>, levels: readonly number[], y: ArrayLike<number>): number {
  const Q = levels.length;
  let s = 0;
  for (let i = 0; i < y.length; i++) for (let j = 0; j < Q; j++) s += rho(levels[j]!, y[i]! - q[i * Q + j]!);
  return s / (y.length * Q);
}

export function crpsGaussian(mu: number, sigma: number, y: number): number {
  const z = (y - mu) / sigma;
  return sigma * (z * (2 * normalCdf(z) - 1) + 2 * normalPdf(z) - 1 / Math.sqrt(Math.PI));
}

/** Mean CRPS of Gaussian forecasts. */
export function meanCrpsGaussian(mu: ArrayLike<number>, sigma: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += crpsGaussian(mu[i]!, sigma[i]!, y[i]!);
  return s / y.length;
}

/** Mean CRPS approximated from quantile forecasts q [n, Q] (trapezoid rule over the levels). */
export function crpsFromQuantiles(q: ArrayLike<number>, levels: readonly number[], y: ArrayLike<number>): number {
  const Q = levels.length, w = levels.map((_, j) => ((j + 1 < Q ? levels[j + 1]! : 1) - (j > 0 ? levels[j - 1]! : 0)) / 2);
  w[0]! += levels[0]! / 2;
  w[Q - 1]! += (1 - levels[Q - 1]!) / 2;
  let s = 0;
  for (let i = 0; i < y.length; i++) for (let j = 0; j < Q; j++) s += 2 * w[j]! * rho(levels[j]!, y[i]! - q[i * Q + j]!);
  return s / y.length;
}

/** CRPS of one forecast given by samples (the energy form, exact for the empirical distribution). */
export function crpsFromSamples(samples: ArrayLike<number>, y: number): number {
  const x = Float64Array.from(samples).sort(), n = x.length;
  let a = 0, b = 0;
  for (let i = 0; i < n; i++) { a += Math.abs(x[i]! - y); b += (2 * (i + 1) - n - 1) * x[i]!; }
  return a / n - b / (n * n);
}

/** The MAE of seasonal-naive forecasts of lag m inside `train` (the scale of MASE). */
export function naiveScale(train: ArrayLike<number>, m = 1): number {
  let s = 0;
  for (let i = m; i < train.length; i++) s += Math.abs(train[i]! - train[i - m]!);
  return s / Math.max(1, train.length - m);
}

export function mase(pred: ArrayLike<number>, y: ArrayLike<number>, scale: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(pred[i]! - y[i]!);
  return s / y.length / scale;
}
