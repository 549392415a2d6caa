/**
 * precision "int8" on the WebAssembly backend: the TypeScript half of wasm/int8.ts (its opening
 * comment has the arithmetic: weights symmetric per output row in 8 bits, activations asymmetric
 * per row in 7 bits, so that relaxed SIMD's integer dot product gives the same bits on every engine).
 * The relaxed-SIMD build only: the plain build has no integer dot product to make int8 pay, and a
 * stack refuses int8 there (src/sequence/recurrent.ts).
 *
 * A forward loop's quantised weights are kept between calls (as the float32 packs, and as the native
 * backend keeps its own); the loop's input projection x · Wᵀ, when the loop computes it, runs here before
 * the steps; the recurrent products then run inside the step kernels (wasm/gated.ts, lstm.ts) on a
 * per-row buffer of quantised activations, so a split of rows between threads changes no bit.
 *
 * Shape legend: N = T·B rows of x, I input, n output columns, k the inner size.
 */
import type { Vec } from "../types.js";
import { Orient, type Marshal } from "./marshal.js";
import type { WasmRuntime } from "./runtime.js";

/** JOB_NAMES index of wasm/int8.ts int8Job. */
const JOB_INT8 = 15;

/** Can this module run int8 loops (the relaxed-SIMD build)? */
export function int8Runs(rt: WasmRuntime): boolean {
  return rt.relaxed;
}

/**
 * The address of w[off ..] ([n, k], row stride ld elements) quantised into an int8 weight block:
 * kept between calls like the float32 packs when w is the layer's own parameters (marshal.ts
 * PackCache: quantised again when their version changes), else a temporary of the call.
 */
export function int8Weights(m: Marshal, w: Vec, off: number, ld: number, n: number, k: number): number {
  return m.weight(w, off, ld, n, k, Orient.Int8);
}

/** Words (4 bytes) of one row of quantised activations of length k (a row slot's advance). */
export function int8RowWords(rt: WasmRuntime, k: number): number {
  return rt.x.int8RowBytes(k) / 4;
}

/** A temporary buffer for `rows` rows of quantised activations of length k. */
export function int8RowsTemp(m: Marshal, rows: number, k: number): number {
  return m.temp(rows * int8RowWords(m.rt, k));
}

/**
 * out [N, n] (address, row stride ldo elements) = x [N, I] (row stride ldx) · Wᵀ in int8, W [n, I]
 * quantised here: the input projection of an int8 loop, before it (its rows split between
 * threads when large enough).
 */
export function int8Project(m: Marshal, out: number, ldo: number, x: Vec, ldx: number, N: number, W: Vec, n: number, I: number): void {
  const rt = m.rt, wq = int8Weights(m, W, 0, I, n, I);
  const xa = m.in(x, 0, (N - 1) * ldx + I), q = int8RowsTemp(m, N, I), rowBytes = int8RowWords(rt, I) * 4;
  // rows in chunks for the threads when it pays (rows are independent: the same bits either way)
  const flops = 2 * N * n * I, { chunks, size } = rt.chunking(N, flops, 4, 64);
  if (chunks === 1) {
    rt.x.int8Product(out, ldo, xa, ldx, N, wq, n, I, q);
    return;
  }
  for (let c = 0; c < chunks; c++) {
    const r0 = c * size, r1 = Math.min(N, r0 + size);
    rt.i32.set([out + r0 * ldo * 4, ldo, xa + r0 * ldx * 4, ldx, r1 - r0, wq, n, I, q + r0 * rowBytes], rt.descOf(c) >> 2);
  }
  rt.parallel!.run(JOB_INT8, chunks, flops);
}
