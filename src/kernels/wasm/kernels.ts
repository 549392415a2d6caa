/**
 * The WebAssembly backend of the kernel interface (float32): register-blocked SIMD matrix multiply
 * in the three orientations, bias sums, and the fused per-step cell kernels (fused.ts).
 *
 * Shape legend: out[M, N] = op(A)·op(B), K the inner size.
 *
 * Every output element of a product is computed the same way whatever M, the tiling or the thread
 * (wasm/matmul.ts): in blocks of 256 products summed in order from zero, each block then added to
 * out. So a row does not depend on the other rows: streaming one row equals that row of a batch,
 * and splitting rows between threads changes no bit.
 *
 * Memory: see marshal.ts (operands in place when resident, else copied per call; parameter blocks
 * of the bound layer packed once per parameter version) and ResidentMemory (shared memory only).
 */
import { reference32 } from "../reference.js";
import type { FusedKernels } from "../fused.js";
import type { NormKernels } from "../norm.js";
import type { Kernels, ResidentMemory, Vec } from "../types.js";
import { WasmFused } from "./fused.js";
import { WasmNorm } from "./norm.js";
import { Marshal, Orient, PackCache, type WeightBinding } from "./marshal.js";
import { packedB, runProduct } from "./product.js";
import { PANEL, wasmRuntime, type WasmRuntime } from "./runtime.js";

export type { WeightBinding } from "./marshal.js";

const residentRegistry = new FinalizationRegistry<() => void>((free) => free());

class WasmKernels implements Kernels {
  readonly name: string;
  readonly dtype = "float32" as const;
  readonly fused: FusedKernels;
  readonly norm: NormKernels;
  readonly resident?: ResidentMemory;
  readonly begin?: () => void;
  private readonly m: Marshal;
  private readonly cache: PackCache | null;

  constructor(readonly rt: WasmRuntime, binding: WeightBinding | undefined) {
    this.name = `wasm-${rt.relaxed ? "relaxed-simd" : "simd"}`;
    this.cache = binding ? new PackCache(rt, binding, this) : null;
    const cache = this.cache;
    if (cache) this.begin = () => { cache.epoch++; };
    this.m = new Marshal(rt, this.cache);
    this.fused = new WasmFused(rt, this.m);
    this.norm = new WasmNorm(rt, this.m);
    if (rt.shared) {
      // what is still allocated when this backend object is collected is freed then
      const live = new Set<number>();
      residentRegistry.register(this, () => { for (const p of live) rt.heap.release(p); live.clear(); });
      this.resident = {
        alloc: (n) => { const r = rt.residentArray(n); live.add(r.ptr); return r.array; },
        // by buffer, not rt.resident(): an empty array (a cell with nothing to keep) holds a block too
        release: (v) => { if (rt.viewsMemory(v) && live.delete(v.byteOffset)) rt.heap.release(v.byteOffset); },
      };
    }
  }

  alloc(n: number): Vec {
    return new Float32Array(n);
  }

  matmul(out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number, b: Vec, bOff: number, ldb: number, m: number, n: number, k: number, beta: 0 | 1): void {
    this.gemm(out, oOff, ldo, a, aOff, lda, false, b, bOff, ldb, false, m, n, k, beta);
  }

  matmulNT(out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number, b: Vec, bOff: number, ldb: number, m: number, n: number, k: number, beta: 0 | 1): void {
    this.gemm(out, oOff, ldo, a, aOff, lda, false, b, bOff, ldb, true, m, n, k, beta);
  }

  matmulTN(out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number, b: Vec, bOff: number, ldb: number, m: number, n: number, k: number, beta: 0 | 1): void {
    this.gemm(out, oOff, ldo, a, aOff, lda, true, b, bOff, ldb, false, m, n, k, beta);
  }

  sumRows(out: Vec, oOff: number, a: Vec, aOff: number, lda: number, m: number, n: number): void {
    if (m <= 0 || n <= 0) return;
    const M = this.m, rt = this.rt;
    M.begin();
    try {
      const op = M.out(out, oOff, n, true);
      const ap = M.in(a, aOff, (m - 1) * lda + n);
      const d = rt.descOf(0) >> 2, i32 = rt.i32;
      i32[d] = op; i32[d + 1] = ap; i32[d + 2] = lda; i32[d + 3] = m; i32[d + 4] = n;
      rt.x.sumRowsJob(d << 2);
    } finally {
      M.end();
    }
  }

  addBias(out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number, bias: Vec, bOff: number, m: number, n: number): void {
    // one add per element: the same float32 result as any other way of doing it
    reference32.addBias(out, oOff, ldo, a, aOff, lda, bias, bOff, m, n);
  }

  /** Frees the packed parameter blocks now (they are also freed when this object is collected). */
  release(): void {
    this.cache?.clear();
  }

  private gemm(
    out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number, aT: boolean,
    b: Vec, bOff: number, ldb: number, bNT: boolean, m: number, n: number, k: number, beta: 0 | 1,
  ): void {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
      if (beta === 0) for (let i = 0; i < m; i++) out.fill(0, oOff + i * ldo, oOff + i * ldo + n);
      return;
    }
    const M = this.m, rt = this.rt;
    M.begin();
    try {
      // B: packed (NT always; NN when it is a cached parameter block), else used in place by rows
      let B: { bp: number; bks: number; bps: number; edge: number };
      if (bNT || this.cache?.covers(b)) {
        B = packedB(M.weight(b, bOff, ldb, bNT ? n : k, bNT ? k : n, bNT ? Orient.NT : Orient.NN), n, k);
      } else {
        const bp = M.in(b, bOff, (k - 1) * ldb + n), nFull = Math.floor(n / PANEL), cols = n - nFull * PANEL;
        let edge = 0;
        if (cols > 0) { edge = M.temp(k * PANEL); rt.x.packNN(edge, bp + nFull * PANEL * 4, ldb, cols, k); }
        B = { bp, bks: ldb * 4, bps: PANEL * 4, edge };
      }
      const ap = M.in(a, aOff, aT ? (k - 1) * lda + m : (m - 1) * lda + k);
      const op = M.out(out, oOff, (m - 1) * ldo + n, beta === 1 || ldo !== n);
      runProduct(rt, { op, ldo, ap, ars: aT ? 4 : lda * 4, acs: aT ? lda * 4 : 4, ...B, m, n, k, beta });
    } finally {
      M.end();
    }
  }
}

/**
 * The WebAssembly backend, or null when this engine has no WebAssembly SIMD (or has not loaded it:
 * see loadWasm()). `binding`: the parameters whose blocks may be packed once per version.
 */
export function wasmKernels(binding?: WeightBinding): Kernels | null {
  const rt = wasmRuntime();
  return rt ? new WasmKernels(rt, binding) : null;
}

/** The backend on a given runtime (tests: another build than the one loaded by default). */
export function wasmKernelsOn(rt: WasmRuntime, binding?: WeightBinding): Kernels {
  return new WasmKernels(rt, binding);
}
