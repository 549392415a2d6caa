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

/** Is row r (time-major, r = t·B + b) inside its sequence? */
export function activeRow(lengths: Int32Array | null, B: number, r: number): boolean {
  return lengths === null || Math.floor(r / B) < lengths[r % B]!;
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

/** M = the number of active rows. With `stats.mean` the given statistics are used (eval). */
export function batchNormForward(x: Vec, N: number, F: number, B: number, lengths: Int32Array | null, M: number, gamma: Vec, beta: Vec | undefined, eps: number, stats: BatchStats, work: Vec, ld: number): void {
  const m = stats.momentum ?? 0.1;
  for (let j = 0; j < F; j++) {
    let mean: number, v: number;
    if (stats.mean && stats.variance) {
      mean = stats.mean[j]!; v = stats.variance[j]!;
    } else {
      let sum = 0, sq = 0;
      for (let r = 0; r < N; r++) if (activeRow(lengths, B, r)) sum += x[r * F + j]!;
      mean = sum / M;
      for (let r = 0; r < N; r++) if (activeRow(lengths, B, r)) { const d = x[r * F + j]! - mean; sq += d * d; }
      v = sq / M;
      if (stats.runningMean) stats.runningMean[j] = (1 - m) * stats.runningMean[j]! + m * mean;
      if (stats.runningVar) stats.runningVar[j] = (1 - m) * stats.runningVar[j]! + m * (sq / (M - 1));
    }
    const inv = 1 / Math.sqrt(v + eps);
    work[F + j] = inv;
    for (let r = 0; r < N; r++) {
      const xh = (x[r * F + j]! - mean) * inv;
      work[r * ld + j] = xh;
      x[r * F + j] = gamma[j]! * xh + (beta ? beta[j]! : 0);
    }
  }
}

/** In place on dx (= dy in): batch statistics in train mode (`fromBatch`), constants otherwise; padding gets 0. */
export function batchNormBackward(dx: Vec, N: number, F: number, B: number, lengths: Int32Array | null, M: number, fromBatch: boolean, gamma: Vec, dGamma: Vec, dBeta: Vec | undefined, work: Vec, ld: number): void {
  for (let j = 0; j < F; j++) {
    // y = γ ⊙ x̂ + β
    let sdy = 0, sdyx = 0;
    for (let r = 0; r < N; r++) {
      if (!activeRow(lengths, B, r)) continue;
      const dy = dx[r * F + j]!;
      sdy += dy; sdyx += dy * work[r * ld + j]!;
    }
    dGamma[j] += sdyx;
    if (dBeta) dBeta[j] += sdy;
    // x̂ = (x − μ)·inv, μ and σ² functions of every active x when taken from the batch
    const c = gamma[j]! * work[F + j]!;
    for (let r = 0; r < N; r++) {
      const at = r * F + j;
      if (!activeRow(lengths, B, r)) dx[at] = 0;
      else dx[at] = fromBatch ? c * (dx[at]! - sdy / M - work[r * ld + j]! * (sdyx / M)) : c * dx[at]!;
    }
  }
}
