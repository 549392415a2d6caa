/** Seeded shuffles for splitting data sets reproducibly. */
import { Rng } from "../util/random.js";

/** A permutation of 0..n−1 (Fisher–Yates) drawn from Rng(seed). */
export function permutation(n: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * Splits 0..n−1 into parts of the given sizes (the rest goes to the first part) by a seeded
 * shuffle; each part's indices are returned in ascending order, so a part keeps the file's order.
 */
export function seededSplit(n: number, heldOut: readonly number[], seed: number): Int32Array[] {
  const p = permutation(n, seed);
  const parts: Int32Array[] = [];
  let end = n;
  for (const size of heldOut) {
    parts.push(p.slice(end - size, end).sort());
    end -= size;
  }
  return [p.slice(0, end).sort(), ...parts];
}
