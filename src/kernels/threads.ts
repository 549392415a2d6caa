/**
 * Threads for the WebAssembly kernels (`gated/threads`): call `enableThreads()` to spread large
 * calls (the whole-sequence input projection, the weight gradients, the per-step recurrent
 * products and gate work of large batches) over the cores. The library's core never imports this
 * module; it bundles for a browser (no static `node:` import).
 *
 * The pool (pool.ts) is platform-free; its workers are started by one of two back ends, chosen at
 * run time: Node's worker_threads (host-node.ts) under Node, dedicated Web Workers (host-web.ts)
 * elsewhere. In a browser, threads need shared memory, that is a cross-origin-isolated page
 * (`crossOriginIsolated === true`: COOP/COEP headers) or a worker started by one; otherwise
 * enableThreads resolves to 1 and every call runs on the calling thread. Either way the results
 * are the same bits. From a page's main thread the calling thread polls for the chunks in flight
 * on workers instead of sleeping (Atomics.wait is refused there); the library inside a dedicated
 * worker (a playground that keeps its page responsive) sleeps, as in Node.
 * @module gated/threads
 */
import { nodeHost } from "./host-node.js";
import { webHost } from "./host-web.js";
import { WorkerPool, type ThreadHost } from "./pool.js";
import { loadWasm, MAX_THREADS, wasmRuntime, type WasmRuntime } from "./wasm/runtime.js";

export { SplitJudge } from "./split-judge.js";
export { WEB_WORKER_SOURCE } from "./pool-worker.js";

export interface ThreadOptions {
  /**
   * Stop splitting calls while the workers take few chunks (their cores busy with other
   * processes), probing now and then (default true). false: split every large call.
   */
  readonly adaptive?: boolean;
  /**
   * Browsers: the URL of a classic script holding WEB_WORKER_SOURCE, for a page whose Content
   * Security Policy refuses blob: workers. By default each worker runs from a Blob URL made here,
   * and no file has to be served.
   */
  readonly workerUrl?: string | URL;
}

/** Where the kernels' threads stand (threadInfo()). */
export interface ThreadInfo {
  /** Threads in use: this one and the healthy workers (1 without a pool). */
  readonly threads: number;
  /** The back end: "node worker_threads", "web workers", or null (one thread). */
  readonly host: string | null;
  /** Whether the calling thread sleeps while it waits for workers (false: it polls, a page's main thread). */
  readonly blocks: boolean | null;
  /** Why there are no worker threads, when there are none. */
  readonly reason: string | null;
}

let pool: WorkerPool | null = null;
let host: ThreadHost | null = null;
let reason: string | null = "enableThreads() has not been called";

async function runtime(): Promise<WasmRuntime | null> {
  // synchronous compile first (Node, workers), asynchronous where an engine refuses it (a page's main thread)
  return wasmRuntime() ?? ((await loadWasm()) ? wasmRuntime() : null);
}

/**
 * Spreads large kernel calls over `threads` threads in all (this one and threads − 1 workers;
 * default 2; at most 8). Resolves to the number of threads in use once the workers are ready: 1
 * where worker threads cannot help (no WebAssembly backend, no shared memory — a page that is not
 * cross-origin isolated —, no way to start workers, threads ≤ 1); threadInfo() says why.
 */
export async function enableThreads(threads = 2, options: ThreadOptions = {}): Promise<number> {
  disableThreads();
  const rt = await runtime();
  if (!(threads > 1)) return off("one thread asked for");
  if (!rt) return off("no WebAssembly SIMD backend in this engine");
  if (!rt.shared) return off("no shared memory (a browser page must be cross-origin isolated: COOP/COEP headers)");
  const h = (await nodeHost()) ?? webHost(options.workerUrl);
  if (!h) return off("this engine has neither worker_threads nor Web Workers");
  if (pool) disableThreads(); // a call made while this one awaited
  const p = new WorkerPool(rt, h, Math.min(threads, MAX_THREADS) - 1, options.adaptive !== false);
  pool = p;
  host = h;
  rt.parallel = p;
  const n = 1 + (await p.ready);
  if (n === 1 && pool === p) { disableThreads(); return off(`no worker thread started (${h.name})`); }
  reason = null;
  return n;
}

function off(why: string): 1 {
  reason = why;
  return 1;
}

/** Back to one thread; the workers end. */
export function disableThreads(): void {
  const rt = wasmRuntime();
  if (rt && rt.parallel === pool) rt.parallel = null;
  pool?.stop();
  pool = null;
  host = null;
  reason = "threads disabled";
}

/** The threads in use now, the back end, and why there are none when there are none. */
export function threadInfo(): ThreadInfo {
  if (!pool || !host) return { threads: 1, host: null, blocks: null, reason };
  return { threads: 1 + pool.workers, host: host.name, blocks: pool.blocks, reason: null };
}
