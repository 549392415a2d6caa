/**
 * Weight-layout helpers shared by every format: transposes between (out, in) and (in, out), and
 * gate-block reordering along the packed axis. Exact copies, no arithmetic.
 */
import type { Vec } from "../kernels/types.js";

/** [R, C] → [C, R] */
export function transpose(a: ArrayLike<number>, R: number, C: number, out: Vec = new Float32Array(R * C)): Vec {
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = a[r * C + c]!;
  return out;
}

/**
 * Reorders the blocks of a packed [G·H, ...] array (row blocks of `blockSize` values):
 * output block g is input block from[g].
 */
export function reorderBlocks(a: ArrayLike<number>, blockSize: number, from: readonly number[], out: Vec = new Float32Array(from.length * blockSize)): Vec {
  from.forEach((src, g) => {
    for (let i = 0; i < blockSize; i++) out[g * blockSize + i] = a[src * blockSize + i]!;
  });
  return out;
}

/** Values [start, start + n) of `a` as a new Float32Array. */
export function slice(a: ArrayLike<number>, start: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = a[start + i]!;
  return out;
}

/** Concatenation of several arrays into one Float32Array. */
export function concat(parts: readonly ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p as ArrayLike<number>, at); at += p.length; }
  return out;
}

export function allZero(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}
