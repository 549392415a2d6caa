/**
 * Δ and ΔΔ of frames already computed (a whole utterance, or a segment as it grows): the same
 * formulas as FeatureStream (stream.ts, librosa.feature.delta with mode "interp"), for features
 * that were not made by a stream, such as the shipped spoken-digits MFCCs at load time.
 *
 * With N = (width − 1) / 2 and window n = −N … N around frame c:
 *   Δ_c  = Σ n · x_{c+n} / Σ n²
 *   ΔΔ_c = 2 Σ (n² − m̄) x_{c+n} / Σ (n² − m̄)²,   m̄ = Σ n² / (2N + 1)
 * End rule ("interp"): frames t < N take the value at c = N, frames t > T − 1 − N the value at
 * c = T − 1 − N; so T ≥ width frames are needed.
 *
 * Both filters sum to zero, so Δ of (x − μ) / σ is Δx / σ: deltas of standardised frames are the
 * standardised deltas. Arithmetic is float64.
 *
 * Shape legend: T frames, S static size, F = (1 + order) · S.
 */
import { OptionError, ValueError } from "../errors/index.js";

export type DeltaOrder = 0 | 1 | 2;

/** Checks an order and a window width, returning N = (width − 1) / 2. */
export function deltaHalfWidth(where: string, order: number, width: number): number {
  if (order !== 0 && order !== 1 && order !== 2) throw new OptionError(`${where}: deltas: expected 0, 1 or 2, got ${String(order)}`);
  if (!Number.isInteger(width) || width < 3 || width % 2 === 0) throw new OptionError(`${where}: deltaWidth: expected an odd integer ≥ 3, got ${width}`);
  return (width - 1) >> 1;
}

/**
 * Writes the Δ (and ΔΔ when order is 2) of the window centred at frame c of `x` [T, S] into
 * out[at + S·1 …] and out[at + S·2 …] (the static block, out[at … at + S), is not touched).
 * Needs frames c − N … c + N.
 */
export function deltaAt(x: ArrayLike<number>, S: number, c: number, N: number, order: 1 | 2, out: Float32Array | Float64Array, at: number): void {
  let n2 = 0, m4 = 0;
  for (let n = -N; n <= N; n++) n2 += n * n;
  const mbar = n2 / (2 * N + 1);
  for (let n = -N; n <= N; n++) m4 += (n * n - mbar) ** 2;
  for (let f = 0; f < S; f++) {
    let d1 = 0, d2 = 0;
    for (let n = -N; n <= N; n++) {
      const v = x[(c + n) * S + f]!;
      d1 += n * v;
      d2 += (n * n - mbar) * v;
    }
    out[at + S + f] = d1 / n2;
    if (order === 2) out[at + 2 * S + f] = (2 * d2) / m4;
  }
}

/** The window centre frame t of a T-frame utterance reads ("interp" end rule). */
export function deltaCentre(t: number, T: number, N: number): number {
  return Math.min(Math.max(t, N), T - 1 - N);
}

/**
 * Frames [T, S] → [T, (1 + order) · S]: each row [static | Δ | ΔΔ]. A ValueError when T < width
 * (the end rule needs one full window), except T = 0.
 */
export function withDeltas(x: ArrayLike<number>, T: number, S: number, order: DeltaOrder, width = 9): Float32Array {
  const N = deltaHalfWidth("withDeltas", order, width), F = (1 + order) * S;
  if (x.length < T * S) throw new ValueError(`withDeltas: expected ${T} × ${S} values, got ${x.length}`);
  if (order > 0 && T > 0 && T < width) throw new ValueError(`withDeltas: deltas with deltaWidth ${width} need at least ${width} frames, got ${T}`);
  const out = new Float32Array(T * F);
  const row = new Float64Array(F);
  for (let t = 0; t < T; t++) {
    for (let f = 0; f < S; f++) row[f] = x[t * S + f]!;
    if (order !== 0) deltaAt(x, S, deltaCentre(t, T, N), N, order, row, 0);
    out.set(row, t * F);
  }
  return out;
}
