/**
 * The kernel interface: the only place with hot loops over matrices. Model code (cells, the
 * sequence driver) calls these and nothing else for matrix work.
 *
 * Conventions (BLAS-like, llm.c-like):
 * - every matrix is row-major inside a flat array, addressed by (array, offset, leading dimension);
 *   the leading dimension is the distance between rows, so a block of columns of a wider buffer
 *   can be used in place without a copy;
 * - outputs first, then inputs, then sizes;
 * - `beta` is 0 (overwrite the output) or 1 (add into it). Backward passes accumulate with beta 1;
 *   zeroing is separate.
 * - kernels trust their inputs: sizes are validated at the public boundary.
 *
 * Shape legend: M, N, K are the matrix sizes of out[M, N] = op(A)·op(B).
 */
import type { FusedKernels } from "./fused.js";
import type { NormKernels } from "./norm.js";

export type DType = "float32" | "float64";
export type Vec = Float32Array | Float64Array;

export interface Kernels {
  readonly name: string;
  readonly dtype: DType;
  /** A zeroed array of `n` elements of this backend's dtype. */
  alloc(n: number): Vec;

  /** out[M, N] = A[M, K] · B[K, N] + beta · out */
  matmul(
    out: Vec, oOff: number, ldo: number,
    a: Vec, aOff: number, lda: number,
    b: Vec, bOff: number, ldb: number,
    m: number, n: number, k: number, beta: 0 | 1,
  ): void;
  /** out[M, N] = A[M, K] · B[N, K]ᵀ + beta · out   (B stored as rows of length K) */
  matmulNT(
    out: Vec, oOff: number, ldo: number,
    a: Vec, aOff: number, lda: number,
    b: Vec, bOff: number, ldb: number,
    m: number, n: number, k: number, beta: 0 | 1,
  ): void;
  /** out[M, N] = A[K, M]ᵀ · B[K, N] + beta · out   (the weight-gradient orientation) */
  matmulTN(
    out: Vec, oOff: number, ldo: number,
    a: Vec, aOff: number, lda: number,
    b: Vec, bOff: number, ldb: number,
    m: number, n: number, k: number, beta: 0 | 1,
  ): void;
  /** out[N] += Σ_rows A[M, N]   (bias gradients) */
  sumRows(out: Vec, oOff: number, a: Vec, aOff: number, lda: number, m: number, n: number): void;
  /** out[M, N] = A[M, N] + bias[N] broadcast over rows (out may be A) */
  addBias(out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number, bias: Vec, bOff: number, m: number, n: number): void;

  /**
   * Called by the sequence driver at the start of every forward, backward and streaming step: the
   * parameters may have changed since the previous call. A backend that caches forms derived from
   * the parameters (packed weights) checks them again after this and may trust them until the next.
   */
  readonly begin?: () => void;
  /** Fused per-step cell kernels (fast backends only; see fused.ts). */
  readonly fused?: FusedKernels;
  /** Batch normalisation (fast backends only; the reference is norm.ts referenceNorm). */
  readonly norm?: NormKernels;
  /**
   * Buffers inside the backend's own memory, which its kernels use in place (fast backends whose
   * memory never moves only). The sequence driver keeps its per-sequence work there.
   */
  readonly resident?: ResidentMemory;
}

/** Arrays that live in a backend's memory: valid until released; release each exactly once. */
export interface ResidentMemory {
  alloc(n: number): Vec;
  release(v: Vec): void;
}
