/**
 * What `model.predict` and `model.forecast` return: the values in one typed array with their shape,
 * and `toArray()` for plain nested arrays. Per-step outputs [B, T, O] past a row's length are zero,
 * and `toArray()` cuts each row to its length (batch-major), so ragged input gives ragged output.
 */
import type { Layout } from "./inputs.js";

export type NestedOutput = number[][] | number[][][];

/**
 * A distribution head's forecast beside its point forecast (Outputs.data): each array has the
 * point forecast's shape, in the same units; `parameters` are the head's own, P per target
 * (in the data's units: locations by std and mean, scales by std, ν as is).
 */
export interface ForecastIntervals {
  readonly lower80: Float64Array;
  readonly upper80: Float64Array;
  readonly lower95: Float64Array;
  readonly upper95: Float64Array;
  readonly parameters: Float64Array;
  /** "gaussian-nll" (point = mean), "student-t-nll" (mean), "pinball" (median, or the middle quantile). */
  readonly distribution: string;
}

export class Outputs {
  /**
   * data: the values, in the model's dtype; shape: [B, O] per sequence, [B, T, O] per step
   * ([T, B, O] when time-major), [steps, C] for a forecast; lengths: each row's valid steps (per
   * step outputs of rows with lengths), or null.
   */
  constructor(
    readonly data: Float32Array | Float64Array,
    readonly shape: readonly number[],
    readonly layout: Layout = "batch-major",
    readonly lengths: Int32Array | null = null,
    /** A distribution head's intervals and parameters (distribution.ts), else undefined. */
    readonly intervals?: ForecastIntervals,
  ) {}

  /** The values as nested arrays of numbers, [B][O] or [B][T][O] (rows cut to their lengths). */
  toArray(): NestedOutput {
    const s = this.shape, d = this.data;
    if (s.length === 2) return Array.from({ length: s[0]! }, (_, i) => Array.from(d.subarray(i * s[1]!, (i + 1) * s[1]!)));
    const [n0, n1, O] = s as [number, number, number];
    const cut = this.layout === "batch-major" && this.lengths;
    return Array.from({ length: n0 }, (_, i) => Array.from({ length: cut ? this.lengths![i]! : n1 },
      (_, j) => Array.from(d.subarray((i * n1 + j) * O, (i * n1 + j + 1) * O))));
  }
}
