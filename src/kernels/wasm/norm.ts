/**
 * Batch normalisation on the WebAssembly backend: the TypeScript half of wasm/norm.ts. The passes
 * over every element run in wasm, the per-feature steps between them (divide by M, the running
 * statistics, 1/√(σ² + ε), the γ and β gradients) here, in the reference's float64 arithmetic and
 * order (src/kernels/norm.ts): the results are the same bits as the reference's.
 */
import type { BatchStats, NormKernels } from "../norm.js";
import type { Vec } from "../types.js";
import type { Marshal } from "./marshal.js";
import type { WasmRuntime } from "./runtime.js";

export class WasmNorm implements NormKernels {
  constructor(private readonly rt: WasmRuntime, private readonly m: Marshal) {}

  batchNormForward(x: Vec, N: number, F: number, B: number, lengths: Int32Array | null, M: number, gamma: Vec, beta: Vec | undefined, eps: number, stats: BatchStats, work: Vec, ld: number): void {
    if (N <= 0 || F <= 0) return;
    const m = this.m, rt = this.rt, mom = stats.momentum ?? 0.1;
    m.begin();
    try {
      // every allocation first (a growing unshared memory detaches views)
      const xp = m.out(x, 0, N * F, true), wp = m.out(work, 0, N * ld, true);
      const gp = m.in(gamma, 0, F), bp = beta ? m.in(beta, 0, F) : 0, lp = lengths ? m.ints(lengths) : 0;
      const sp = m.temp(4 * F), second = sp + 8 * F; // float64 mean [F], then σ² sums / 1/√(σ² + ε) [F]
      const f64 = new Float64Array(rt.memory.buffer, sp, 2 * F);
      if (stats.mean && stats.variance) {
        for (let j = 0; j < F; j++) { f64[j] = stats.mean[j]!; f64[F + j] = 1 / Math.sqrt(stats.variance[j]! + eps); }
      } else {
        rt.x.bnStats(xp, N / B, B, F, lp, M, sp, second);
        for (let j = 0; j < F; j++) {
          const sq = f64[F + j]!;
          if (stats.runningMean) stats.runningMean[j] = (1 - mom) * stats.runningMean[j]! + mom * f64[j]!;
          if (stats.runningVar) stats.runningVar[j] = (1 - mom) * stats.runningVar[j]! + mom * (sq / (M - 1));
          f64[F + j] = 1 / Math.sqrt(sq / M + eps);
        }
      }
      rt.x.bnApply(xp, N, F, sp, second, gp, bp, wp, ld);
    } finally {
      m.end();
    }
  }

  batchNormBackward(dx: Vec, N: number, F: number, B: number, lengths: Int32Array | null, M: number, fromBatch: boolean, gamma: Vec, dGamma: Vec, dBeta: Vec | undefined, work: Vec, ld: number): void {
    if (N <= 0 || F <= 0) return;
    const m = this.m, rt = this.rt;
    m.begin();
    try {
      const dp = m.out(dx, 0, N * F, true), wp = m.in(work, 0, N * ld), lp = lengths ? m.ints(lengths) : 0;
      const sp = m.temp(10 * F); // float64 Σdy, Σdy·x̂, c = γ·inv, Σdy/M, Σdy·x̂/M: [F] each
      const f64 = new Float64Array(rt.memory.buffer, sp, 5 * F);
      rt.x.bnGradSums(dp, N / B, B, F, lp, wp, ld, sp, sp + 8 * F);
      for (let j = 0; j < F; j++) {
        const sdy = f64[j]!, sdyx = f64[F + j]!;
        dGamma[j] += sdyx;
        if (dBeta) dBeta[j] += sdy;
        f64[2 * F + j] = gamma[j]! * work[F + j]!;
        f64[3 * F + j] = sdy / M;
        f64[4 * F + j] = sdyx / M;
      }
      rt.x.bnGradApply(dp, N / B, B, F, lp, wp, ld, sp + 16 * F, sp + 24 * F, sp + 32 * F, fromBatch ? 1 : 0);
    } finally {
      m.end();
    }
  }
}
