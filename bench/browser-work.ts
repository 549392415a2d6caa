// What bench/browser.ts times, the same code in Node, on a page and in a page's dedicated worker:
// one GRU layer on the wasm backend (bench/peers/gated.ts), S2 inference and an S2 training step
// (forward, backward, SGD update), each on one thread and on two (the pool from enableThreads(2),
// switched on and off between windows as `npm run bench` does).
import { loadWasm } from "../src/kernels/select.js";
import { enableThreads, threadInfo } from "../src/kernels/threads.js";
import { wasmRuntime, type Parallel } from "../src/kernels/wasm/runtime.js";
import { measure } from "./measure.js";
import { gatedRunner } from "./peers/gated.js";
import { gruWeights } from "./peers/weights.js";
import { WORKLOADS, type Workload } from "./workloads.js";

/** The workloads timed: S2 inference and the S2 training step. */
export const BROWSER_WORKLOADS: readonly Workload[] = WORKLOADS.filter((w) => w.name === "S2" || w.name === "S2 train");

export interface BenchSetup {
  readonly threads: number;
  readonly host: string | null;
  readonly blocks: boolean | null;
  readonly reason: string | null;
  readonly variant: string;
}

/** ms per call by workload name: one thread, two threads (null when there is no second thread). */
export type RoundTimes = Record<string, { one: number; two: number | null }>;

let calls: { name: string; one: () => unknown; two: (() => unknown) | null }[] = [];
let rounds = 0;

/** Loads the kernels, starts the pool (adaptive unless told), builds each workload's calls. */
export async function setupBench(adaptive: boolean): Promise<BenchSetup> {
  if (!(await loadWasm())) throw new Error("bench: expected the WebAssembly kernels, got none in this engine");
  const rt = wasmRuntime()!;
  const threads = await enableThreads(2, { adaptive });
  const info = threadInfo();
  const pool: Parallel | null = threads > 1 ? rt.parallel : null;
  rt.parallel = null;
  const one = gatedRunner(1, pool, gruWeights), two = gatedRunner(2, pool, gruWeights);
  calls = [];
  for (const w of BROWSER_WORKLOADS) calls.push({ name: w.name, one: (await one.prepare(w))!, two: await two.prepare(w) });
  return { threads, host: info.host, blocks: info.blocks, reason: info.reason, variant: rt.variant };
}

/** One window of `seconds` per workload and thread count, in an order that alternates between rounds. */
export async function benchRound(seconds: number): Promise<RoundTimes> {
  const out: RoundTimes = {};
  const flip = rounds++ % 2 === 1;
  for (const c of calls) {
    c.one(); // warm after the other workload's windows
    c.two?.();
    const t1 = async () => (await measure(c.one, seconds, 1e6)).ms;
    const t2 = async () => (c.two ? (await measure(c.two, seconds, 1e6)).ms : null);
    if (flip) { const two = await t2(); out[c.name] = { one: await t1(), two }; }
    else { const one = await t1(); out[c.name] = { one, two: await t2() }; }
  }
  return out;
}
