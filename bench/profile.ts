// Where gated's time goes, one thread, inference: the same forward timed three ways on the same
// layer — as is; with the time loop (wasm/sequence.ts: every step's recurrent product and gate
// math) made a no-op; and with every matrix product a no-op as well. The differences are the
// per-step work, the whole-sequence input projection (one product), and what is left (the
// TypeScript driver: input checks, copies, descriptors). Also the ceiling: one large packed product
// alone, timed the same way.
import { JOB_NAMES, wasmRuntime, type WasmExports } from "../src/kernels/wasm/runtime.js";
import { wasmKernels } from "../src/kernels/wasm/kernels.js";
import { Recurrent } from "../src/sequence/recurrent.js";
import { median, timePerCall } from "./measure.js";
import { random, type Workload } from "./workloads.js";

export interface Breakdown {
  readonly workload: string;
  readonly totalMs: number;
  readonly stepMs: number; readonly stepGflops: number;
  readonly projectionMs: number; readonly projectionGflops: number;
  readonly driverMs: number;
}


/**
 * The three variants are timed in turn, ROUNDS times, and each part is the median over rounds of
 * the difference within a round: on a machine whose speed drifts, only figures taken close
 * together can be subtracted.
 */
export function breakdown(w: Workload, seconds: number, rounds = 7): Breakdown {
  const rt = wasmRuntime()!;
  const saved = rt.parallel;
  rt.parallel = null;
  const net = new Recurrent({ cell: "gru", inputSize: w.I, hiddenSize: w.H, backend: "wasm" });
  const x = { data: random(w.T * w.B * w.I, 7), shape: [w.T, w.B, w.I] };
  const run = () => { net.forward(x); };
  run();
  const jobs = rt.jobs as ((d: number) => void)[];
  const loop = JOB_NAMES.indexOf("seqForward");
  const real = rt.x, step = jobs[loop]!, noProduct = { ...real, gemm: () => {} };
  const win = seconds / rounds / 3;
  const totals: number[] = [], steps: number[] = [], projections: number[] = [], drivers: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const total = timePerCall(run, win);
    jobs[loop] = () => {};
    const noStep = timePerCall(run, win);
    (rt as { x: WasmExports }).x = noProduct;
    const driver = timePerCall(run, win);
    (rt as { x: WasmExports }).x = real;
    jobs[loop] = step;
    totals.push(total); steps.push(total - noStep); projections.push(noStep - driver); drivers.push(driver);
  }
  rt.parallel = saved;
  const stepFlops = 2 * w.B * w.T * 3 * w.H * w.H, projFlops = 2 * w.B * w.T * 3 * w.H * w.I;
  const stepMs = median(steps), projectionMs = median(projections);
  return {
    workload: w.name, totalMs: median(totals), stepMs, stepGflops: stepFlops / stepMs / 1e6,
    projectionMs, projectionGflops: projFlops / projectionMs / 1e6, driverMs: median(drivers),
  };
}

/** GFLOP/s of a 256 × 512 × 512 product with packed B, repeated (the single-thread ceiling here). */
export function ceiling(seconds: number): number {
  const rt = wasmRuntime()!;
  const saved = rt.parallel;
  rt.parallel = null;
  const [m, n, k] = [256, 512, 512];
  const params = random(n * k, 3);
  const kern = wasmKernels({ params: () => params, version: () => 0 })!;
  const a = random(m * k, 4), out = new Float32Array(m * n);
  const mem = kern.resident!;
  const ra = mem.alloc(a.length), ro = mem.alloc(out.length);
  ra.set(a);
  const ms = timePerCall(() => kern.matmulNT(ro, 0, n, ra, 0, k, params, 0, k, m, n, k, 0), seconds);
  mem.release(ra); mem.release(ro);
  rt.parallel = saved;
  return (2 * m * n * k) / ms / 1e6;
}
