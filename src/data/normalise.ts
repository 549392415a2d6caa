/**
 * Per-feature affine normalisation x_norm = (x − mean) / std, with the statistics fitted on the
 * training rows only. std is the population standard deviation (divide by n); a constant feature
 * gets std 1 so it maps to 0 instead of dividing by zero.
 *
 * values [rows, F] row-major.
 */
import type { Normalisation } from "./types.js";

/** Mean and std of each of the F features over rows [0, rows). */
export function fitNormalisation(values: Float32Array, features: number, rows: number): Normalisation {
  const mean = new Array<number>(features).fill(0);
  const std = new Array<number>(features).fill(0);
  for (let f = 0; f < features; f++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += values[r * features + f]!;
    const m = sum / rows;
    let sq = 0;
    for (let r = 0; r < rows; r++) sq += (values[r * features + f]! - m) ** 2;
    mean[f] = m;
    std[f] = Math.sqrt(sq / rows) || 1;
  }
  return { mean, std };
}

/** The identity normalisation (mean 0, std 1), for `normalisation: "none"`. */
export function identityNormalisation(features: number): Normalisation {
  return { mean: new Array<number>(features).fill(0), std: new Array<number>(features).fill(1) };
}

/** A normalised copy of values [rows, F]. */
export function applyNormalisation(values: Float32Array, features: number, norm: Normalisation): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const f = i % features;
    out[i] = (values[i]! - norm.mean[f]!) / norm.std[f]!;
  }
  return out;
}

/**
 * Back to original units: x = x_norm · std + mean, for values laid out [..., C] whose C columns are
 * the features `columns` (e.g. a forecast [S, H, C] with the target columns).
 */
export function denormalise(values: Float32Array, norm: Normalisation, columns: readonly number[]): Float32Array {
  const out = new Float32Array(values.length);
  const C = columns.length;
  for (let i = 0; i < values.length; i++) {
    const f = columns[i % C]!;
    out[i] = values[i]! * norm.std[f]! + norm.mean[f]!;
  }
  return out;
}
