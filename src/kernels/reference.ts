/**
 * The plain TypeScript reference backend, in float32 and float64. It stays forever as the oracle
 * that fast backends are tested against, and as their fallback. Loops are written for clarity
 * first; each output element is a sum over k in increasing order, independent of M, so a
 * one-row call (streaming) gives exactly what a many-row call gives for that row.
 */
import type { DType, Kernels, Vec } from "./types.js";

function matmul(
  out: Vec, oOff: number, ldo: number,
  a: Vec, aOff: number, lda: number,
  b: Vec, bOff: number, ldb: number,
  m: number, n: number, k: number, beta: 0 | 1,
): void {
  for (let i = 0; i < m; i++) {
    const o = oOff + i * ldo;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOff + i * lda + p]! * b[bOff + p * ldb + j]!;
      out[o + j] = beta === 0 ? s : out[o + j]! + s;
    }
  }
}

function matmulNT(
  out: Vec, oOff: number, ldo: number,
  a: Vec, aOff: number, lda: number,
  b: Vec, bOff: number, ldb: number,
  m: number, n: number, k: number, beta: 0 | 1,
): void {
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * lda;
    const o = oOff + i * ldo;
    for (let j = 0; j < n; j++) {
      const bj = bOff + j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
      out[o + j] = beta === 0 ? s : out[o + j]! + s;
    }
  }
}

function matmulTN(
  out: Vec, oOff: number, ldo: number,
  a: Vec, aOff: number, lda: number,
  b: Vec, bOff: number, ldb: number,
  m: number, n: number, k: number, beta: 0 | 1,
): void {
  for (let i = 0; i < m; i++) {
    const o = oOff + i * ldo;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOff + p * lda + i]! * b[bOff + p * ldb + j]!;
      out[o + j] = beta === 0 ? s : out[o + j]! + s;
    }
  }
}

function sumRows(out: Vec, oOff: number, a: Vec, aOff: number, lda: number, m: number, n: number): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += a[aOff + i * lda + j]!;
    out[oOff + j] = out[oOff + j]! + s;
  }
}

function addBias(
  out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number,
  bias: Vec, bOff: number, m: number, n: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) out[oOff + i * ldo + j] = a[aOff + i * lda + j]! + bias[bOff + j]!;
  }
}

function makeReference(dtype: DType): Kernels {
  return {
    name: `reference-${dtype}`,
    dtype,
    alloc: dtype === "float32" ? (n) => new Float32Array(n) : (n) => new Float64Array(n),
    matmul,
    matmulNT,
    matmulTN,
    sumRows,
    addBias,
  };
}

export const reference32: Kernels = makeReference("float32");
export const reference64: Kernels = makeReference("float64");

/** The reference backend for a dtype. */
export function referenceKernels(dtype: DType): Kernels {
  return dtype === "float32" ? reference32 : reference64;
}
