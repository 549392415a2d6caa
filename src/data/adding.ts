/**
 * The adding problem (Hochreiter & Schmidhuber 1997): each step carries a value u ~ U(0, 1) and a
 * marker; exactly two steps are marked (one in each half), and the target is the sum of their
 * values. Always predicting the mean (1) gives MSE 1/6 ≈ 0.167.
 *
 * x [T, B, 2] time-major (value, marker), y [B].
 */
import type { Rng } from "../util/random.js";

export function addingBatch(rng: Rng, T: number, B: number): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(T * B * 2);
  const y = new Float32Array(B);
  const half = Math.max(1, Math.floor(T / 2));
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) x[(t * B + b) * 2] = rng.uniform();
    const i = rng.int(half);
    const j = half + rng.int(T - half);
    x[(i * B + b) * 2 + 1] = 1;
    x[(j * B + b) * 2 + 1] = 1;
    y[b] = x[(i * B + b) * 2]! + x[(j * B + b) * 2]!;
  }
  return { x, y };
}
