/**
 * A model with a distribution head: its last layer (layers/*-head.ts) gives P parameters for each of
 * the task's K targets, target-major (y[k·P + j]); `task.distribution` names the loss fit trains
 * (gaussian-nll, student-t-nll, pinball at the head's levels) and `task.outputs` is K, the data's
 * targets. `task.loss` then names the error of the point forecast (mse for a mean, mae for a median).
 *
 *   head            parameters per target      point forecast   80% / 95% intervals
 *   gaussian-head   [μ, σ]                     μ                μ ± z σ,  z = Φ⁻¹((1 + level)/2)
 *   student-t-head  [μ, σ, ν]                  μ                μ ± t_ν σ
 *   quantile-head   [q₁ … q_Q] at τ₁ < … < τ_Q  the middle one   q at (1 ∓ level)/2 (the levels must hold them)
 *
 * Units: an affine map v → a·v + c (a > 0) of the data moves locations (μ, every q, interval ends)
 * by a·v + c and scales (σ) by a; ν is unchanged. Denormalising is that map with a = std, c = mean.
 *
 * Shape legend: N positions, K targets, P parameters per target.
 */
import { OptionError, show } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import { DEFAULT_QUANTILES } from "../layers/quantile-head.js";
import type { Layer } from "../layers/layer.js";
import { normalQuantile, studentTQuantile } from "../train/distributions.js";
import { crpsGaussian } from "../train/forecast-metrics.js";
import type { DistributionLossName, DistributionLossSpec, LossName } from "../train/losses.js";

/** What createSpec and the CLI take: "gaussian", "student-t" or { quantiles }. */
export type DistributionOption = "gaussian" | "student-t" | { readonly quantiles: readonly number[] };

export const HEAD_OF: Readonly<Record<DistributionLossName, string>> = { "gaussian-nll": "gaussian-head", "student-t-nll": "student-t-head", pinball: "quantile-head" };

/** The loss spec of a distribution option. */
export function distributionSpec(o: DistributionOption): DistributionLossSpec {
  if (o === "gaussian") return { name: "gaussian-nll" };
  if (o === "student-t") return { name: "student-t-nll" };
  return { name: "pinball", quantiles: [...o.quantiles] };
}

/** The head layer config of a distribution reading `inputSize` features for `targets` targets. */
export function headConfig(d: DistributionLossSpec, inputSize: number, targets: number): { kind: string; inputSize: number; targets: number; quantiles?: readonly number[] } {
  return { kind: HEAD_OF[d.name], inputSize, targets, ...(d.quantiles ? { quantiles: d.quantiles } : {}) };
}

/** The distribution a head layer config trains with, or null for any other layer. */
export function distributionOfLayer(c: Readonly<Record<string, unknown>>): DistributionLossSpec | null {
  if (c.kind === "gaussian-head") return { name: "gaussian-nll" };
  if (c.kind === "student-t-head") return { name: "student-t-nll" };
  if (c.kind === "quantile-head") return { name: "pinball", quantiles: [...((c.quantiles as number[] | undefined) ?? DEFAULT_QUANTILES)] };
  return null;
}

/** The point loss recorded beside a distribution: mse for a mean, mae for a median. */
export const pointLoss = (d: DistributionLossSpec): LossName => (d.name === "pinball" ? "mae" : "mse");

/** Throws an OptionError unless the last layer is the distribution's head, of `targets` targets and the same levels. */
export function checkHead(where: string, d: DistributionLossSpec, last: Layer, targets: number): void {
  const want = HEAD_OF[d.name], c = last.config as Readonly<Record<string, unknown>>;
  if (last.kind !== want) throw new OptionError(`${where}: a ${d.name} task ends with a ${want} layer, got ${last.kind}`);
  if (c.targets !== targets) throw new OptionError(`${where}: the ${want} gives ${show(c.targets)} target(s), the task needs ${targets}`);
  const mine = distributionOfLayer(c)!;
  if (d.quantiles && JSON.stringify(mine.quantiles) !== JSON.stringify(d.quantiles)) {
    throw new OptionError(`${where}: the task's quantiles ${d.quantiles.join(", ")} differ from the head's ${mine.quantiles!.join(", ")}`);
  }
}

export const parameterCount = (d: DistributionLossSpec): number => (d.name === "gaussian-nll" ? 2 : d.name === "student-t-nll" ? 3 : d.quantiles!.length);

/** Index of the point forecast among one target's parameters. */
export const pointIndex = (d: DistributionLossSpec): number => (d.name === "pinball" ? Math.floor((d.quantiles!.length - 1) / 2) : 0);

/** The quantile at level p of one target's parameters y[at..at+P); NaN for a level a quantile head does not predict. */
export function quantileOf(d: DistributionLossSpec, y: ArrayLike<number>, at: number, p: number): number {
  if (d.name === "gaussian-nll") return y[at]! + normalQuantile(p) * y[at + 1]!;
  if (d.name === "student-t-nll") return y[at]! + studentTQuantile(p, y[at + 2]!) * y[at + 1]!;
  const j = d.quantiles!.findIndex((l) => Math.abs(l - p) < 1e-9);
  return j < 0 ? NaN : y[at + j]!;
}

/** A point forecast and its 80% and 95% intervals, each [N·K] (NaN ends where a quantile head lacks the levels 0.025, 0.1, 0.9, 0.975). */
export interface Intervals {
  readonly point: Float64Array;
  readonly lower80: Float64Array;
  readonly upper80: Float64Array;
  readonly lower95: Float64Array;
  readonly upper95: Float64Array;
}

/** The point forecast and intervals of parameters y [N, K·P]. */
export function intervalsOf(d: DistributionLossSpec, y: ArrayLike<number>): Intervals {
  const P = parameterCount(d), n = Math.floor(y.length / P), pi = pointIndex(d);
  const r = { point: new Float64Array(n), lower80: new Float64Array(n), upper80: new Float64Array(n), lower95: new Float64Array(n), upper95: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const at = i * P;
    r.point[i] = y[at + pi]!;
    r.lower80[i] = quantileOf(d, y, at, 0.1); r.upper80[i] = quantileOf(d, y, at, 0.9);
    r.lower95[i] = quantileOf(d, y, at, 0.025); r.upper95[i] = quantileOf(d, y, at, 0.975);
  }
  return r;
}

/** One target's parameters y[at..at+P) moved to the data's units by v → a·v + c (a > 0), in place. */
export function denormalise(d: DistributionLossSpec, y: Vec | Float64Array, at: number, a: number, c: number): void {
  if (d.name === "pinball") { for (let j = 0; j < d.quantiles!.length; j++) y[at + j] = a * y[at + j]! + c; return; }
  y[at] = a * y[at]! + c;
  y[at + 1] = a * y[at + 1]!;
}

/** Levels of the pinball and CRPS of the parametric heads (1%..99%). */
const GRID = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
const rho = (tau: number, u: number) => Math.max(tau * u, (tau - 1) * u);

/** Sums over targets of the scores of one target: inside80/95 (0 or 1), pinball (mean over levels), CRPS. */
export interface ScoreSums { inside80: number; inside95: number; pinball: number; crps: number; n: number }

export const emptyScores = (): ScoreSums => ({ inside80: 0, inside95: 0, pinball: 0, crps: 0, n: 0 });

/**
 * Adds the scores of one target's parameters y[at..at+P) against t. Pinball: mean over the head's
 * levels (quantile head) or DEFAULT_QUANTILES (the others). CRPS: closed form (Gaussian), the
 * quantile sum 2·Σ w_j ρ_τj over the head's levels (quantile head) or over 1%..99% (Student-t).
 */
export function addScores(s: ScoreSums, d: DistributionLossSpec, y: ArrayLike<number>, at: number, t: number): void {
  const q = (p: number) => quantileOf(d, y, at, p);
  const l80 = q(0.1), u80 = q(0.9), l95 = q(0.025), u95 = q(0.975);
  // an interval the head cannot give makes its coverage NaN, never 0
  s.inside80 += Number.isNaN(l80 + u80) ? NaN : t >= l80 && t <= u80 ? 1 : 0;
  s.inside95 += Number.isNaN(l95 + u95) ? NaN : t >= l95 && t <= u95 ? 1 : 0;
  const levels = d.quantiles ?? DEFAULT_QUANTILES;
  let pin = 0;
  for (const tau of levels) pin += rho(tau, t - q(tau));
  s.pinball += pin / levels.length;
  if (d.name === "gaussian-nll") s.crps += crpsGaussian(y[at]!, y[at + 1]!, t);
  else s.crps += crpsSum(d.name === "pinball" ? levels : GRID, q, t);
  s.n++;
}

/** 2·Σ_j w_j ρ_τj(t − q_j), trapezoid weights over the levels (as forecast-metrics' crpsFromQuantiles). */
function crpsSum(levels: readonly number[], q: (p: number) => number, t: number): number {
  const Q = levels.length;
  let s = 0;
  for (let j = 0; j < Q; j++) {
    let w = ((j + 1 < Q ? levels[j + 1]! : 1) - (j > 0 ? levels[j - 1]! : 0)) / 2;
    if (j === 0) w += levels[0]! / 2;
    if (j === Q - 1) w += (1 - levels[Q - 1]!) / 2;
    s += 2 * w * rho(levels[j]!, t - q(levels[j]!));
  }
  return s;
}
