/**
 * Normalisation kernels shared by the LayerNorm layer and LiGRU's normalised projections.
 *
 * Shape legend: N rows, F features, ld the row length of the work buffer.
 *   layer norm (per row):      μ, σ² over the F features of the row
 *   batch norm (per feature):  μ, σ² over the active rows (padding excluded)
 *   x̂ = (x − μ)/√(σ² + ε),  y = γ ⊙ x̂ + β
 * Forward writes x̂ into work[r·ld + j] and 1/√(σ² + ε) beside it (layer: work[r·ld + F], one per
 * row; batch: work[F + j], one per feature in row 0), which is all backward reads. x and y (and dy
 * and dx) may be the same array.
 */
import type { Vec } from "./types.js";

export function layerNormForward(x: Vec, y: Vec, N: number, F: number, gamma: Vec, beta: Vec | undefined, eps: number, work: Vec, ld: number): void {
  for (let r = 0; r < N; r++) {
    const o = r * F, w = r * ld;
    let sum = 0, sq = 0;
    for (let j = 0; j < F; j++) sum += x[o + j]!;
    const mean = sum / F;
    for (let j = 0; j < F; j++) { const d = x[o + j]! - mean; sq += d * d; }
    const inv = 1 / Math.sqrt(sq / F + eps);
    work[w + F] = inv;
    for (let j = 0; j < F; j++) {
      const xh = (x[o + j]! - mean) * inv;
      work[w + j] = xh;
      y[o + j] = gamma[j]! * xh + (beta ? beta[j]! : 0);
    }
  }
}

export function layerNormBackward(dy: Vec, dx: Vec, N: number, F: number, gamma: Vec, dGamma: Vec, dBeta: Vec | undefined, work: Vec, ld: number): void {
  for (let r = 0; r < N; r++) {
    const o = r * F, w = r * ld;
    // y = γ ⊙ x̂ + β: dγ += dy ⊙ x̂, dβ += dy, dx̂ = γ ⊙ dy
    let s1 = 0, s2 = 0;
    for (let j = 0; j < F; j++) {
      const d = dy[o + j]!, xh = work[w + j]!, dxh = d * gamma[j]!;
      dGamma[j] += d * xh;
      if (dBeta) dBeta[j] += d;
      s1 += dxh; s2 += dxh * xh;
    }
    // x̂ = (x − μ)·inv, μ and σ² over the row: dx = inv·(dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂))
    const inv = work[w + F]!;
    for (let j = 0; j < F; j++) dx[o + j] = inv * (dy[o + j]! * gamma[j]! - s1 / F - work[w + j]! * (s2 / F));
  }
}

export interface BatchStats {
  /** Use these statistics instead of the batch's (eval mode). */
  readonly mean?: Vec;
  readonly variance?: Vec;
  /** Running statistics to update (train mode): running = (1 − m)·running + m·batch, unbiased variance. */
  readonly runningMean?: Vec;
  readonly runningVar?: Vec;
  readonly momentum?: number;
}

/** Which of the N time-major rows (r = t·B + b) are inside their sequence. */
function activeRows(lengths: Int32Array | null, N: number, B: number): Uint8Array | null {
  if (lengths === null) return null;
  const on = new Uint8Array(N);
  for (let r = 0; r < N; r++) on[r] = Math.floor(r / B) < lengths[r % B]! ? 1 : 0;
  return on;
}

// The batch-norm passes go row by row (the rows are contiguous) with one float64 accumulator per
// feature; each feature still sums its rows in order r = 0 … N − 1, as a column-by-column pass would.

/** M = the number of active rows. With `stats.mean` the given statistics are used (eval). */
export function batchNormForward(x: Vec, N: number, F: number, B: number, lengths: Int32Array | null, M: number, gamma: Vec, beta: Vec | undefined, eps: number, stats: BatchStats, work: Vec, ld: number): void {
  const m = stats.momentum ?? 0.1;
  const mean = new Float64Array(F), inv = new Float64Array(F);
  if (stats.mean && stats.variance) {
    for (let j = 0; j < F; j++) { mean[j] = stats.mean[j]!; inv[j] = 1 / Math.sqrt(stats.variance[j]! + eps); }
  } else {
    const on = activeRows(lengths, N, B), sq = new Float64Array(F);
    for (let r = 0; r < N; r++) {
      if (on && !on[r]) continue;
      for (let j = 0, o = r * F; j < F; j++) mean[j] += x[o + j]!;
    }
    for (let j = 0; j < F; j++) mean[j] = mean[j]! / M;
    for (let r = 0; r < N; r++) {
      if (on && !on[r]) continue;
      for (let j = 0, o = r * F; j < F; j++) { const d = x[o + j]! - mean[j]!; sq[j] += d * d; }
    }
    for (let j = 0; j < F; j++) {
      if (stats.runningMean) stats.runningMean[j] = (1 - m) * stats.runningMean[j]! + m * mean[j]!;
      if (stats.runningVar) stats.runningVar[j] = (1 - m) * stats.runningVar[j]! + m * (sq[j]! / (M - 1));
      inv[j] = 1 / Math.sqrt(sq[j]! / M + eps);
    }
  }
  for (let j = 0; j < F; j++) work[F + j] = inv[j]!;
  for (let r = 0; r < N; r++) {
    for (let j = 0, o = r * F, w = r * ld; j < F; j++) {
      const xh = (x[o + j]! - mean[j]!) * inv[j]!;
      work[w + j] = xh;
      x[o + j] = gamma[j]! * xh + (beta ? beta[j]! : 0);
    }
  }
}

/** In place on dx (= dy in): batch statistics in train mode (`fromBatch`), constants otherwise; padding gets 0. */
export function batchNormBackward(dx: Vec, N: number, F: number, B: number, lengths: Int32Array | null, M: number, fromBatch: boolean, gamma: Vec, dGamma: Vec, dBeta: Vec | undefined, work: Vec, ld: number): void {
  const on = activeRows(lengths, N, B);
  // y = γ ⊙ x̂ + β
  const sdy = new Float64Array(F), sdyx = new Float64Array(F), c = new Float64Array(F);
  for (let r = 0; r < N; r++) {
    if (on && !on[r]) continue;
    for (let j = 0, o = r * F, w = r * ld; j < F; j++) {
      const dy = dx[o + j]!;
      sdy[j] += dy; sdyx[j] += dy * work[w + j]!;
    }
  }
  for (let j = 0; j < F; j++) {
    dGamma[j] += sdyx[j]!;
    if (dBeta) dBeta[j] += sdy[j]!;
    c[j] = gamma[j]! * work[F + j]!;
  }
  // x̂ = (x − μ)·inv, μ and σ² functions of every active x when taken from the batch
  for (let r = 0; r < N; r++) {
    const active = !on || on[r] === 1;
    for (let j = 0, o = r * F, w = r * ld; j < F; j++) {
      const at = o + j;
      if (!active) dx[at] = 0;
      else dx[at] = fromBatch ? c[j]! * (dx[at]! - sdy[j]! / M - work[w + j]! * (sdyx[j]! / M)) : c[j]! * dx[at]!;
    }
  }
}

/** The batch-normalisation passes as a backend supplies them (kernels.norm); the functions above are the reference. */
export interface NormKernels {
  batchNormForward: typeof batchNormForward;
  batchNormBackward: typeof batchNormBackward;
}

export const referenceNorm: NormKernels = { batchNormForward, batchNormBackward };
