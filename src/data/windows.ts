/**
 * Cutting a (normalised) series into forecasting windows.
 *
 * Shape legend: S windows, W window (= T steps), F features, H horizon, C target columns, K known
 * covariates per row (covariates.ts), X = F + H·K values per input step.
 * x [S, W, X]: rows s..s+W−1 of the series, each followed (with covariates) by the covariates of
 * the H rows after it. y [S, O] with O = H·C, laid out [S, H, C]: rows s+W..s+W+H−1 of the target
 * columns. So window k followed by its targets is the series itself. `relative` subtracts the last
 * input row from the series' columns and the targets, never from the covariates.
 */
import type { SequenceSet } from "./types.js";
import type { WindowRange } from "./time-split.js";
import { writeKnown } from "./covariates.js";

/** Covariates of the rows [rows ≥ L, K] (covariates.ts covariateTable). */
export interface KnownCovariates {
  readonly table: ArrayLike<number>;
  readonly width: number;
}

export function makeWindows(
  series: Float32Array, // [L, F]
  features: number,
  targetColumns: readonly number[],
  window: number,
  horizon: number,
  range: WindowRange,
  relative = false,
  known?: KnownCovariates,
): SequenceSet {
  const S = range.count, F = features, C = targetColumns.length, O = horizon * C;
  const K = known ? known.width : 0, X = F + horizon * K;
  const x = new Float32Array(S * window * X); // [S, W, X]
  const y = new Float32Array(S * O);           // [S, H, C]
  for (let k = 0; k < S; k++) {
    const s = range.first + k;
    for (let t = 0; t < window; t++) {
      const at = (k * window + t) * X;
      x.set(series.subarray((s + t) * F, (s + t + 1) * F), at);
      if (known) writeKnown(x, at + F, known.table, K, s + t, horizon);
    }
    for (let h = 0; h < horizon; h++) {
      const row = (s + window + h) * F;
      for (let c = 0; c < C; c++) y[k * O + h * C + c] = series[row + targetColumns[c]!]!;
    }
    if (!relative) continue;
    const last = (s + window - 1) * F;
    for (let t = 0; t < window; t++) for (let f = 0; f < F; f++) x[(k * window + t) * X + f]! -= series[last + f]!;
    for (let h = 0; h < horizon; h++) for (let c = 0; c < C; c++) y[k * O + h * C + c]! -= series[last + targetColumns[c]!]!;
  }
  return { x, count: S, steps: window, features: X, y, target: "regression", perStep: false, outputs: O };
}
