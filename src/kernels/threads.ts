/**
 * Worker threads for the WebAssembly kernels. Node only (worker_threads): the library's core never
 * imports this module, so browser builds do not see it. Import it and call `enableThreads()` to
 * spread large calls (the whole-sequence input projection, the weight gradients, the per-step
 * recurrent products and gate work of large batches) over the cores.
 *
 * Each worker instantiates the same compiled module on the same shared memory. A large call is cut
 * into chunks of rows (runtime.ts chunking(): a few per thread), each with its own descriptor; the
 * calling thread and the workers take chunks from a shared counter until none is left, so a thread
 * that another process slows down (a busy core) takes fewer chunks instead of holding the others up.
 * Nobody spins: an idle worker sleeps in Atomics.wait, and the caller, once it finds no chunk
 * left, sleeps in Atomics.wait until the chunks in flight are done (spinning collapses when another
 * process holds a core, PERFORMANCE.md). Waking a worker costs a few microseconds, so only calls
 * above PARALLEL_MIN_FLOPS are cut up. Rows are independent and every output element is computed the
 * same way on any thread, so the result does not depend on how the chunks fall.
 *
 * Falls back to one thread cleanly: without shared memory, or while workers start, or if one
 * fails, every chunk runs on the calling thread.
 */
import { Worker } from "node:worker_threads";
import { CHUNK_SLOT, JOB_NAMES, MAX_THREADS, wasmRuntime, type Parallel, type WasmRuntime } from "./wasm/runtime.js";

// control words: the job (generation, entry point, chunk count, chunk descriptors), the shared
// chunk counter (generation tag << 16 | next chunk), chunks done, a failure flag; then one
// ready flag per worker
const SEQ = 0, FN = 1, COUNT = 2, DESC0 = 3, STRIDE = 4, NEXT = 5, DONE = 6, FAILED = 7, READY = 16;

const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { module, memory, control, index, names, pack } = workerData;
const c = new Int32Array(control);
let fns;
try {
  const inst = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error("wasm kernels: abort"); } } });
  inst.exports.setPackBuffer(pack);
  fns = names.map((n) => inst.exports[n]);
} catch (e) {
  parentPort.postMessage("failed");
  throw e;
}
Atomics.store(c, ${READY} + index, 1);
parentPort.postMessage("ready");
let seen = Atomics.load(c, ${SEQ});
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  seen = Atomics.load(c, ${SEQ});
  const f = c[${FN}];
  if (f < 0) break;
  const n = c[${COUNT}], d0 = c[${DESC0}], stride = c[${STRIDE}], tag = (seen & 0x7fff) << 16;
  for (;;) {
    const cur = Atomics.load(c, ${NEXT});
    if ((cur & 0x7fff0000) !== tag || (cur & 0xffff) >= n) break;
    if (Atomics.compareExchange(c, ${NEXT}, cur, cur + 1) !== cur) continue;
    try { fns[f](d0 + (cur & 0xffff) * stride); } catch (e) { Atomics.store(c, ${FAILED}, 1); }
    Atomics.add(c, ${READY + 8} + index, 1);
    if (Atomics.add(c, ${DONE}, 1) + 1 === n) Atomics.notify(c, ${DONE});
  }
}
`;

/** Below this share of the chunks done by workers (moving average), splitting is not worth it. */
const MIN_SHARE = 0.35;
/**
 * While splitting is not worth it, a call is split anyway to notice a free core again: one in
 * PROBE_EVERY, and any call when none of its size class was split for PROBE_MS (long calls come
 * one every second or so: counting alone took minutes to look again).
 */
const PROBE_EVERY = 64;
const PROBE_MS = 100;
/** Calls above this many operations (a few milliseconds of work) are judged apart from the short ones. */
const LARGE_FLOPS = 2e7;

/**
 * Whether splitting a call pays, from the share of chunks the workers took in recent splits:
 * low when the workers' cores are busy elsewhere, or when calls are so short that a worker wakes
 * up too late to take much. Calls below and above LARGE_FLOPS are judged apart. Exported for tests.
 */
export class SplitJudge {
  /** Moving averages of the workers' share of the chunks, per size class. */
  private readonly share = [0.5, 0.5];
  private readonly skipped = [0, 0];
  private readonly lastSplit = [0, 0];

  constructor(private readonly adaptive: boolean, private readonly now: () => number = () => performance.now()) {}

  admit(flops: number): boolean {
    const b = flops < LARGE_FLOPS ? 0 : 1;
    if (!this.adaptive || this.share[b]! >= MIN_SHARE) return true;
    const t = this.now();
    if (++this.skipped[b]! % PROBE_EVERY !== 0 && t - this.lastSplit[b]! < PROBE_MS) return false;
    this.lastSplit[b] = t;
    return true;
  }

  /** After a split call: the share of its chunks the workers took. */
  record(flops: number, workerShare: number): void {
    const b = flops < LARGE_FLOPS ? 0 : 1;
    this.share[b] = 0.8 * this.share[b]! + 0.2 * workerShare;
    this.lastSplit[b] = this.now();
  }
}

class WorkerPool implements Parallel {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * 32));
  private readonly workersList: Worker[] = [];
  private seq = 0;
  /** Calls split into chunks so far. */
  splits = 0;
  private readonly judge: SplitJudge;
  readonly ready: Promise<number>;

  constructor(private readonly rt: WasmRuntime, count: number, adaptive: boolean) {
    this.judge = new SplitJudge(adaptive);
    const started: Promise<boolean>[] = [];
    for (let index = 0; index < count; index++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        // the source is CommonJS: none of this process's options (--input-type=module, loaders)
        execArgv: [],
        workerData: { module: rt.module, memory: rt.memory, control: this.control.buffer, index, names: JOB_NAMES, pack: rt.packBufferOf(index + 1) },
      });
      const down = () => Atomics.store(this.control, READY + index, 0);
      w.on("error", down);
      // referenced until it reports, so that `await enableThreads()` keeps the process alive while
      // workers start (with nothing else pending, Node would exit mid-await); then it never holds
      // the process open
      started.push(new Promise((resolve) => {
        w.once("message", (m) => { w.unref(); resolve(m === "ready"); });
        w.once("exit", () => { down(); resolve(false); });
      }));
      this.workersList.push(w);
    }
    this.ready = Promise.all(started).then(() => this.workers);
  }

  /** Workers started and healthy. */
  get workers(): number {
    let n = 0;
    for (let i = 0; i < this.workersList.length; i++) n += Atomics.load(this.control, READY + i);
    return n;
  }

  /** Chunks run by workers so far. */
  get dispatched(): number {
    let n = 0;
    for (let i = 0; i < this.workersList.length; i++) n += Atomics.load(this.control, READY + 8 + i);
    return n;
  }

  /**
   * Whether to split the next call. When the workers' cores are taken by other processes the
   * workers take few chunks, the caller waits for the ones they hold, and splitting makes calls
   * slower: then calls run on this thread alone, with a split now and then to look again.
   */
  admit(flops: number): boolean {
    return this.judge.admit(flops);
  }

  run(fn: number, chunks: number, flops: number): void {
    this.splits++;
    const before = this.dispatched;
    this.runChunks(fn, chunks);
    this.judge.record(flops, (this.dispatched - before) / chunks);
  }

  private runChunks(fn: number, chunks: number): void {
    const c = this.control, f = this.rt.jobs[fn]!, d0 = this.rt.descOf(0);
    const g = (this.seq = (this.seq + 1) & 0x7fff), tag = g << 16;
    c[FN] = fn; c[COUNT] = chunks; c[DESC0] = d0; c[STRIDE] = CHUNK_SLOT;
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, NEXT, tag);
    Atomics.store(c, SEQ, g);
    Atomics.notify(c, SEQ);
    // take chunks like any worker
    for (;;) {
      const cur = Atomics.load(c, NEXT);
      if ((cur & 0xffff) >= chunks) break;
      if (Atomics.compareExchange(c, NEXT, cur, cur + 1) !== cur) continue;
      f(d0 + (cur & 0xffff) * CHUNK_SLOT);
      Atomics.add(c, DONE, 1);
    }
    // then sleep until the chunks still in flight on workers are done
    const t0 = Date.now();
    for (let d = Atomics.load(c, DONE); d < chunks; d = Atomics.load(c, DONE)) {
      Atomics.wait(c, DONE, d, 100);
      if (this.workers === 0 && Date.now() - t0 > 1000) throw new Error("wasm kernels: the worker threads stopped during a call");
    }
    if (Atomics.load(c, FAILED) !== 0) throw new Error("wasm kernels: a chunk failed on a worker thread");
  }

  stop(): void {
    this.control[FN] = -1;
    Atomics.store(this.control, SEQ, (this.seq = (this.seq + 1) & 0x7fff));
    Atomics.notify(this.control, SEQ);
  }
}

let pool: WorkerPool | null = null;

export interface ThreadOptions {
  /**
   * Stop splitting calls while the workers take few chunks (their cores busy with other
   * processes), probing now and then (default true). false: split every large call.
   */
  readonly adaptive?: boolean;
}

/**
 * Spreads large kernel calls over `threads` threads in all (this one and threads − 1 workers;
 * default 2; at most 8). Resolves to the number of threads in use once the workers are ready: 1
 * where worker threads cannot help (no WebAssembly backend, no shared memory, threads ≤ 1).
 */
export async function enableThreads(threads = 2, options: ThreadOptions = {}): Promise<number> {
  disableThreads();
  const rt = wasmRuntime();
  if (!rt || !rt.shared || !(threads > 1)) return 1;
  const p = new WorkerPool(rt, Math.min(threads, MAX_THREADS) - 1, options.adaptive !== false);
  pool = p;
  rt.parallel = p;
  return 1 + (await p.ready);
}

/** Back to one thread; the workers end. */
export function disableThreads(): void {
  const rt = wasmRuntime();
  if (rt && rt.parallel === pool) rt.parallel = null;
  pool?.stop();
  pool = null;
}
