/**
 * Cutting a (normalised) series into forecasting windows.
 *
 * Shape legend: S windows, W window (= T steps), F features, H horizon, C target columns.
 * x [S, W, F]: rows s..s+W−1 of the series. y [S, O] with O = H·C, laid out [S, H, C]: rows
 * s+W..s+W+H−1 of the target columns. So window k followed by its targets is the series itself.
 */
import type { SequenceSet } from "./types.js";
import type { WindowRange } from "./time-split.js";

export function makeWindows(
  series: Float32Array, // [L, F]
  features: number,
  targetColumns: readonly number[],
  window: number,
  horizon: number,
  range: WindowRange,
  relative = false,
): SequenceSet {
  const S = range.count, F = features, C = targetColumns.length, O = horizon * C;
  const x = new Float32Array(S * window * F); // [S, W, F]
  const y = new Float32Array(S * O);           // [S, H, C]
  for (let k = 0; k < S; k++) {
    const s = range.first + k;
    x.set(series.subarray(s * F, (s + window) * F), k * window * F);
    for (let h = 0; h < horizon; h++) {
      const row = (s + window + h) * F;
      for (let c = 0; c < C; c++) y[k * O + h * C + c] = series[row + targetColumns[c]!]!;
    }
    if (!relative) continue;
    const last = (s + window - 1) * F;
    for (let t = 0; t < window; t++) for (let f = 0; f < F; f++) x[(k * window + t) * F + f]! -= series[last + f]!;
    for (let h = 0; h < horizon; h++) for (let c = 0; c < C; c++) y[k * O + h * C + c]! -= series[last + targetColumns[c]!]!;
  }
  return { x, count: S, steps: window, features: F, y, target: "regression", perStep: false, outputs: O };
}
