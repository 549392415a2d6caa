// What the thread-pool browser test computes, the same code in the page, in a page's worker and in
// Node: a GRU layer's forward pass and a training step (forward, backward, an SGD update, forward
// again) on a batch that the pool splits between threads, and the browser data entry's CO2 set and
// a CSV string. Results are compared by digests of their bytes: equal digests, equal bits.
import { disableThreads, enableThreads, threadInfo } from "../../src/kernels/threads.js";
import { loadWasm } from "../../src/kernels/select.js";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.js";
import { loadCsv, loadDataset } from "../../src/data/browser.js";
import { Recurrent } from "../../src/sequence/recurrent.js";

/** Two FNV-1a digests (different offsets) over an array's bytes, as 16 hex digits. */
export function digest(a: ArrayBufferView): string {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < u.length; i++) { h1 = Math.imul(h1 ^ u[i]!, 16777619); h2 = Math.imul(h2 ^ u[i]!, 16777619) ^ (h2 >>> 13); }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

function rand(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1) * scale));
}

/** T 8, B 16, I 64, H 256: each forward product ≥ 4e6 operations, so the pool splits it (by rows of B). */
export const SHAPE = { T: 8, B: 16, I: 64, H: 256 } as const;

/** The layer's results as digests: forward output and state, a training step's gradients, the updated output. */
export function gruDigests(): Record<string, string> {
  const { T, B, I, H } = SHAPE;
  const net = new Recurrent({ cell: "gru", inputSize: I, hiddenSize: H, seed: 5, backend: "wasm" });
  const x = { data: rand(T * B * I, 1), shape: [T, B, I] };
  const inference = net.forward(x);
  const out: Record<string, string> = { output: digest(inference.output.data), state: digest(inference.finalState.data) };
  const r = net.forward(x, { train: true });
  const g = net.backward(r.tape!, { data: rand(T * B * H, 2, 0.1), shape: [T, B, H] });
  out.dInput = digest(g.dInput.data);
  out.dParams = digest(g.dParams);
  const p = net.params, lr = Math.fround(0.05);
  for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * g.dParams[i]!;
  net.markChanged();
  out.updated = digest(net.forward(x).output.data);
  return out;
}

export interface ThreadRun {
  /** What enableThreads resolved to, and threadInfo() then. */
  readonly threads: number;
  readonly host: string | null;
  readonly blocks: boolean | null;
  readonly reason: string | null;
  /** The kernel build (its memory shared or not), calls split and chunks run by workers. */
  readonly variant: string;
  readonly splits: number;
  readonly dispatched: number;
  readonly digests: Record<string, string>;
}

/**
 * gruDigests() on `threads` threads (1: no pool), every large call split (not adaptive); in a
 * browser the workers run from a Blob URL, or from `workerUrl` when given.
 */
export async function threadRun(threads: number, workerUrl?: string): Promise<ThreadRun> {
  if (!(await loadWasm())) throw new Error("threadRun: expected the WebAssembly kernels, got none in this engine");
  const rt = wasmRuntime()!;
  const n = threads > 1 ? await enableThreads(threads, { adaptive: false, ...(workerUrl !== undefined ? { workerUrl } : {}) }) : 1;
  try {
    const info = threadInfo();
    const splits0 = rt.parallel?.splits ?? 0, ran0 = rt.parallel?.dispatched ?? 0;
    const digests = gruDigests();
    return {
      threads: n, host: info.host, blocks: info.blocks, reason: info.reason, variant: rt.variant,
      splits: (rt.parallel?.splits ?? 0) - splits0, dispatched: (rt.parallel?.dispatched ?? 0) - ran0, digests,
    };
  } finally {
    disableThreads();
  }
}

/** A small CSV as a user might drop it on a page: a date column, two numeric columns, CRLF line ends. */
export const CSV_TEXT = ["date,load,temp", ...Array.from({ length: 40 }, (_, i) => `2024-01-${String(i + 1).padStart(2, "0")},${(100 + 10 * Math.sin(i / 3)).toFixed(3)},${(5 + i * 0.25).toFixed(2)}`)].join("\r\n");

/** The browser data entry: CO2 and CSV_TEXT loaded, as shapes and digests. */
export async function dataDigests(): Promise<Record<string, string | number>> {
  const co2 = await loadDataset("co2");
  const csv = loadCsv(CSV_TEXT, { window: 5, target: "load", validation: 0.2, test: 0 });
  return {
    co2Rows: co2.series!.length, co2Train: co2.train.count, co2X: digest(co2.train.x), co2Y: digest(co2.train.y),
    csvRows: csv.series!.length, csvColumns: csv.series!.columns.join(","), csvLabel: csv.series!.labels![0]!,
    csvTrain: csv.train.count, csvX: digest(csv.train.x), csvY: digest(csv.train.y),
  };
}
