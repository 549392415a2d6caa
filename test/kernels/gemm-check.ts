// The float32 error bound check of a matrix product against the float64 reference, shared by
// matmul.test.ts and relaxed-child.ts (which runs it in a Node with relaxed SIMD enabled).
import assert from "node:assert/strict";
import { reference64 } from "../../src/kernels/reference.js";
import type { Kernels, Vec } from "../../src/kernels/types.js";
import { Rng } from "../../src/util/random.js";

const U32 = 2 ** -24;
type Orient = "NN" | "NT" | "TN";

export interface Case { m: number; n: number; k: number; beta: 0 | 1; orient: Orient; pad: number }

export function rand(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.range(-1, 1));
}

/** Runs one product of `c` on kernels k; returns the output buffer and the float64 check. */
export function check(k: Kernels, c: Case, rng: Rng, place: (v: Float32Array) => Vec = (v) => v): number {
  const { m, n, k: K, beta, orient, pad } = c;
  // A is [M, K] (TN: [K, M]); B is [K, N] (NT: [N, K]); every matrix sits at an offset with a wider row
  const aRows = orient === "TN" ? K : m, aCols = orient === "TN" ? m : K;
  const bRows = orient === "NT" ? n : K, bCols = orient === "NT" ? K : n;
  const lda = aCols + pad, ldb = bCols + 2 * pad, ldo = n + pad, off = 3 * pad;
  const a = place(rand(rng, off + aRows * lda)), b = place(rand(rng, off + bRows * ldb)), out = place(rand(rng, off + m * ldo));
  const before = Float64Array.from(out);
  const call = (kk: Kernels, o: Vec, A: Vec, Bm: Vec, bt: 0 | 1) => {
    const f = orient === "NN" ? kk.matmul : orient === "NT" ? kk.matmulNT : kk.matmulTN;
    f.call(kk, o, off, ldo, A, off, lda, Bm, off, ldb, m, n, K, bt);
  };
  call(k, out, a, b, beta);
  const exact = Float64Array.from(before);
  call(reference64, exact, Float64Array.from(a), Float64Array.from(b), beta);
  const mag = new Float64Array(before.length);
  call(reference64, mag, Float64Array.from(a, Math.abs), Float64Array.from(b, Math.abs), 0);
  // out = beta·out + Σ_p a·b: K + 1 terms, at most K + 1 roundings on any term's way (the kernels'
  // blocked sums take fewer: matmul.test.ts checks their own bound on long sums)
  const gamma = ((K + 1) * U32) / (1 - (K + 1) * U32);
  let worst = 0;
  for (let i = 0; i < out.length; i++) {
    const inside = i >= off && (i - off) % ldo < n && i < off + m * ldo;
    if (!inside) { assert.equal(out[i], before[i], `element ${i} outside the output was written`); continue; }
    const bound = gamma * (mag[i]! + beta * Math.abs(before[i]!)) + 1e-30;
    const err = Math.abs(out[i]! - exact[i]!);
    assert.ok(err <= bound, `${orient} m=${m} n=${n} k=${K} beta=${beta}: element ${i} off by ${err}, bound ${bound}`);
    worst = Math.max(worst, err / bound);
  }
  return worst;
}

// around the 4-row and 8-column tiles and the 24-column panels
const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 23, 24, 25, 31, 33, 49];

export function sweep(k: Kernels, seed: number, place?: (v: Float32Array) => Vec): number {
  const rng = new Rng(seed);
  let worst = 0;
  for (const orient of ["NN", "NT", "TN"] as const) {
    for (let trial = 0; trial < 60; trial++) {
      const pick = () => SIZES[Math.floor(rng.range(0, SIZES.length))]!;
      const c: Case = { m: pick(), n: pick(), k: pick(), beta: trial % 2 === 0 ? 0 : 1, orient, pad: trial % 3 };
      worst = Math.max(worst, check(k, c, rng, place));
    }
    // larger products: several 4×8 tiles, row blocks of the M loop, long K
    // (n ≥ 96: A packed first; m > 64: several blocks of rows; k > 256: several blocks of K)
    for (const [m, n, kk] of [[67, 45, 130], [130, 9, 257], [4, 520, 3], [1, 1000, 64], [67, 130, 131], [133, 100, 300]] as const) {
      worst = Math.max(worst, check(k, { m, n, k: kk, beta: 1, orient, pad: 1 }, rng, place));
    }
  }
  return worst;
}

