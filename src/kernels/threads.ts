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
 * Workers never spin: an idle worker sleeps in Atomics.wait, and the caller, once it finds no chunk
 * left, sleeps in Atomics.wait until the chunks in flight are done (spinning collapses when another
 * process holds a core, PERFORMANCE.md). Waking a worker costs a few microseconds to tens of them
 * (more when its core has been idle a while), so only calls above PARALLEL_MIN_FLOPS are cut up.
 * Rows are independent and every output element is computed the same way on any thread, so the
 * result does not depend on how the chunks fall.
 *
 * A pipelined call (start / need / finish: a time loop's input projection) is the same job, but
 * the caller needs its chunks one at a time, in order, between its own work: need(c) runs chunk c
 * on the calling thread when no worker has taken it yet, so a worker that wakes late costs nothing
 * but the chunks it did not take; when a worker has it, the caller looks at the chunk's done flag
 * for a bounded while (a chunk is microseconds of work) before sleeping on it.
 *
 * Falls back to one thread cleanly: without shared memory, or while workers start, or if one
 * fails, every chunk runs on the calling thread.
 */
import { Worker } from "node:worker_threads";
import { CHUNK_SLOT, JOB_NAMES, MAX_CHUNKS, MAX_THREADS, wasmRuntime, type Parallel, type WasmRuntime } from "./wasm/runtime.js";

// control words: the job (generation, entry point, chunk count, chunk descriptors), the shared
// chunk counter (generation tag << 16 | next chunk), chunks done, a failure flag; one ready flag
// and one count of chunks run per worker; one done flag per chunk (set to 1 by whoever ran it)
const SEQ = 0, FN = 1, COUNT = 2, DESC0 = 3, STRIDE = 4, NEXT = 5, DONE = 6, FAILED = 7, READY = 16, RAN = 24, FLAGS = 32;
const CONTROL_WORDS = FLAGS + MAX_CHUNKS;
/**
 * need(): how many times to look again at a chunk a worker is running before sleeping on it. A
 * chunk of a pipelined call is a few microseconds to tens of them: waking from Atomics.wait costs
 * as much, so look for about that long (bounded: a worker whose core is taken stalls nobody long).
 */
const NEED_SPINS = 1 << 14;

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
    Atomics.add(c, ${RAN} + index, 1);
    Atomics.store(c, ${FLAGS} + (cur & 0xffff), 1);
    Atomics.notify(c, ${FLAGS} + (cur & 0xffff));
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
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  private readonly workersList: Worker[] = [];
  private seq = 0;
  /** Calls split into chunks so far, and of them pipelined ones. */
  splits = 0;
  pipelined = 0;
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
    for (let i = 0; i < this.workersList.length; i++) n += Atomics.load(this.control, RAN + i);
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

  run(fn: number, chunks: number, flops: number, first = 0): void {
    this.post(fn, first, chunks, flops);
    try {
      // take chunks like any worker
      while (this.takeNext(chunks));
    } finally {
      this.finish();
    }
  }

  // the call in flight: entry point, chunks, size, first descriptor, chunks workers had run before it
  private fn = 0;
  private chunks = 0;
  private flops = 0;
  private d0 = 0;
  private ran = 0;

  start(fn: number, first: number, chunks: number, flops: number): void {
    this.pipelined++;
    this.post(fn, first, chunks, flops);
  }

  /** Offers a call's chunks to the workers (see start()). */
  private post(fn: number, first: number, chunks: number, flops: number): void {
    this.splits++;
    const c = this.control, d0 = this.rt.descOf(first);
    this.fn = fn; this.chunks = chunks; this.flops = flops; this.d0 = d0; this.ran = this.dispatched;
    const g = (this.seq = (this.seq + 1) & 0x7fff), tag = g << 16;
    c[FN] = fn; c[COUNT] = chunks; c[DESC0] = d0; c[STRIDE] = CHUNK_SLOT;
    c.fill(0, FLAGS, FLAGS + chunks);
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, NEXT, tag);
    Atomics.store(c, SEQ, g);
    Atomics.notify(c, SEQ);
  }

  need(i: number): void {
    const c = this.control;
    let spins = 0, t0 = 0;
    for (;;) {
      const flag = Atomics.load(c, FLAGS + i);
      if (flag === 1) return;
      // not taken yet (chunks are taken in order): run it here
      if (this.takeNext(i + 1)) continue;
      // a worker is running it
      if (++spins < NEED_SPINS) continue;
      Atomics.wait(c, FLAGS + i, flag, 100);
      if (t0 === 0) t0 = Date.now();
      else if (this.workers === 0 && Date.now() - t0 > 1000) throw new Error("wasm kernels: the worker threads stopped during a call");
    }
  }

  /**
   * Sleeps until the chunks in flight on workers are done, then judges the call. Chunks nobody has
   * taken (only after an error: run() and the need() calls take them all) are dropped.
   */
  finish(): void {
    const c = this.control, chunks = this.chunks;
    for (;;) {
      const cur = Atomics.load(c, NEXT), i = cur & 0xffff;
      if (i >= chunks) break;
      if (Atomics.compareExchange(c, NEXT, cur, cur - i + chunks) === cur) { Atomics.add(c, DONE, chunks - i); break; }
    }
    const t0 = Date.now();
    for (let d = Atomics.load(c, DONE); d < chunks; d = Atomics.load(c, DONE)) {
      Atomics.wait(c, DONE, d, 100);
      if (this.workers === 0 && Date.now() - t0 > 1000) throw new Error("wasm kernels: the worker threads stopped during a call");
    }
    this.judge.record(this.flops, (this.dispatched - this.ran) / chunks);
    if (Atomics.load(c, FAILED) !== 0) throw new Error("wasm kernels: a chunk failed on a worker thread");
  }

  /** Takes the next chunk not yet taken and runs it here, if its index is below `end`; false when there is none. */
  private takeNext(end: number): boolean {
    const c = this.control;
    for (;;) {
      const cur = Atomics.load(c, NEXT), i = cur & 0xffff;
      if (i >= end) return false;
      if (Atomics.compareExchange(c, NEXT, cur, cur + 1) === cur) { this.runChunk(i); return true; }
    }
  }

  /** Runs chunk i of the call in flight on this thread. */
  private runChunk(i: number): void {
    const c = this.control;
    try {
      this.rt.jobs[this.fn]!(this.d0 + i * CHUNK_SLOT);
    } finally {
      Atomics.store(c, FLAGS + i, 1);
      Atomics.add(c, DONE, 1);
    }
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
