/**
 * One matrix product on the module (wasm/matmul.ts gemm) as the TypeScript side describes it:
 * out[m, n] (+)= A · B with every operand already in the module's memory (byte addresses), run on
 * this thread or cut into chunks of rows for the threads. Shared by the products of kernels.ts and
 * the input projection that fused.ts computes with a time loop.
 */
import { MAX_CHUNKS, PANEL, type WasmRuntime } from "./runtime.js";

/** JOB_NAMES index of wasm/matmul.ts gemmJob. */
export const JOB_GEMM = 0;

/**
 * A product's operands: out (row stride ldo elements), A (row and column strides in bytes), B as
 * the kernel reads it (panels of PANEL columns: bks bytes from one k to the next, bps from one
 * panel to the next, the partial panel packed apart at `edge`, or 0 when there is none).
 */
export interface Product {
  readonly op: number; readonly ldo: number;
  readonly ap: number; readonly ars: number; readonly acs: number;
  readonly bp: number; readonly bks: number; readonly bps: number; readonly edge: number;
  readonly m: number; readonly n: number; readonly k: number; readonly beta: number;
}

/** The B fields of a product whose B (k × n) was packed whole (packNT / packNN) at bp. */
export function packedB(bp: number, n: number, k: number): { bp: number; bks: number; bps: number; edge: number } {
  return { bp, bks: PANEL * 4, bps: k * PANEL * 4, edge: bp + Math.floor(n / PANEL) * k * PANEL * 4 };
}

/** Writes the descriptor of rows [r0, r1) of P into chunk slot c (runtime.ts descOf / tmpOf). */
export function productChunk(rt: WasmRuntime, c: number, P: Product, r0: number, r1: number): void {
  rt.i32.set([
    P.op + r0 * P.ldo * 4, P.ldo, P.ap + r0 * P.ars, P.ars, P.acs, P.bp, P.bks, P.bps, P.edge, r1 - r0, P.n, P.k, P.beta, rt.tmpOf(c),
  ], rt.descOf(c) >> 2);
}

/**
 * Runs a product, its rows cut into chunks for the threads when it is large enough, their
 * descriptors in chunk slots `first` onwards (a caller keeps its own in the slots before).
 */
export function runProduct(rt: WasmRuntime, P: Product, first = 0): void {
  // a chunk of at least 64 rows streams B once, as the product's own row blocks do
  const flops = 2 * P.m * P.n * P.k;
  const { chunks, size } = rt.chunking(P.m, flops, 4, 64, MAX_CHUNKS - first);
  if (chunks === 1) {
    rt.x.gemm(P.op, P.ldo, P.ap, P.ars, P.acs, P.bp, P.bks, P.bps, P.edge, P.m, P.n, P.k, P.beta, rt.tmpOf(0));
    return;
  }
  for (let c = 0; c < chunks; c++) productChunk(rt, first + c, P, c * size, Math.min(P.m, (c + 1) * size));
  rt.parallel!.run(JOB_GEMM, chunks, flops, first);
}
