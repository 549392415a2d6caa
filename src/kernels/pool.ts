/**
 * The thread pool of the WebAssembly kernels, platform-free: Node's worker_threads and a browser's
 * Web Workers are two back ends (ThreadHost: host-node.ts, host-web.ts) behind one small interface;
 * threads.ts picks one at run time.
 *
 * Each worker instantiates the same compiled module on the same shared memory (pool-worker.ts). A
 * large call is cut into chunks of rows (runtime.ts chunking(): a few per thread), each with its
 * own descriptor; the calling thread and the workers take chunks from a shared counter until none
 * is left, so a thread that another process slows down (a busy core) takes fewer chunks instead of
 * holding the others up. Workers never spin: an idle worker sleeps in Atomics.wait, and the caller,
 * once it finds no chunk left, sleeps in Atomics.wait until the chunks in flight are done (spinning
 * collapses when another process holds a core, PERFORMANCE.md). Waking a worker costs a few
 * microseconds to tens of them, so only calls above PARALLEL_MIN_FLOPS are cut up. Rows are
 * independent and every output element is computed the same way on any thread, so the result does
 * not depend on how the chunks fall.
 *
 * A page's main thread may not block (Atomics.wait throws there): on such a thread the caller,
 * having run every chunk nobody took, polls the done counter with Atomics.load until the chunks in
 * flight on workers are done; that is at most one chunk per worker (microseconds to a few
 * milliseconds), and the call is synchronous anyway. In a dedicated Web Worker it sleeps, as in Node.
 *
 * A pipelined call (start / need / finish: a time loop's input projection) is the same job, but
 * the caller needs its chunks one at a time, in order, between its own work: need(c) runs chunk c
 * on the calling thread when no worker has taken it yet, so a worker that wakes late costs nothing
 * but the chunks it did not take; when a worker has it, the caller looks at the chunk's done flag
 * for a bounded while (a chunk is microseconds of work) before sleeping on it.
 *
 * Falls back to one thread cleanly: while workers start, or if one fails, every chunk runs on the
 * calling thread.
 */
import { COUNT, DESC0, DONE, FAILED, FLAGS, FN, NEXT, RAN, READY, SEQ, STRIDE, type WorkerInit } from "./pool-worker.js";
import { SplitJudge } from "./split-judge.js";
import { CHUNK_SLOT, JOB_NAMES, MAX_CHUNKS, type Parallel, type WasmRuntime } from "./wasm/runtime.js";

const CONTROL_WORDS = FLAGS + MAX_CHUNKS;
/**
 * need(): how many times to look again at a chunk a worker is running before sleeping on it. A
 * chunk of a pipelined call is a few microseconds to tens of them: waking from Atomics.wait costs
 * as much, so look for about that long (bounded: a worker whose core is taken stalls nobody long).
 */
const NEED_SPINS = 1 << 14;
/** With no worker left alive, a call waiting this long for a chunk in flight gives up with an error. */
const STALL_MS = 1000;

/** One started worker: `ready` resolves true once it reports ready, false if it failed or ended. */
export interface WorkerHandle {
  readonly ready: Promise<boolean>;
  /** Ends the worker if it does not end by itself once the pool has told it to stop. */
  end(): void;
}

/** A way to start worker threads (host-node.ts: worker_threads; host-web.ts: Web Workers). */
export interface ThreadHost {
  /** For messages and diagnostics: "node worker_threads", "web workers". */
  readonly name: string;
  /** Starts one worker on `init`; `down` is called if it dies later. */
  spawn(init: WorkerInit, down: () => void): WorkerHandle;
}

/** Whether this thread may block in Atomics.wait (false on a browser page's main thread). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // "not-equal" where allowed, at once
    return true;
  } catch {
    return false;
  }
}

export class WorkerPool implements Parallel {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  private readonly handles: WorkerHandle[] = [];
  private seq = 0;
  /** Calls split into chunks so far, and of them pipelined ones. */
  splits = 0;
  pipelined = 0;
  private readonly judge: SplitJudge;
  /** Whether the calling thread sleeps in Atomics.wait (else it polls: a page's main thread). */
  readonly blocks = canBlock();
  readonly ready: Promise<number>;

  constructor(private readonly rt: WasmRuntime, host: ThreadHost, count: number, adaptive: boolean) {
    this.judge = new SplitJudge(adaptive);
    const started: Promise<boolean>[] = [];
    for (let index = 0; index < count; index++) {
      const init: WorkerInit = { module: rt.module, memory: rt.memory, control: this.control.buffer as SharedArrayBuffer, index, names: JOB_NAMES, pack: rt.packBufferOf(index + 1) };
      const h = host.spawn(init, () => Atomics.store(this.control, READY + index, 0));
      started.push(h.ready);
      this.handles.push(h);
    }
    this.ready = Promise.all(started).then(() => this.workers);
  }

  /** Workers started and healthy. */
  get workers(): number {
    let n = 0;
    for (let i = 0; i < this.handles.length; i++) n += Atomics.load(this.control, READY + i);
    return n;
  }

  /** Chunks run by workers so far. */
  get dispatched(): number {
    let n = 0;
    for (let i = 0; i < this.handles.length; i++) n += Atomics.load(this.control, RAN + i);
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
      if (this.blocks) Atomics.wait(c, FLAGS + i, flag, 100);
      else if ((spins & 0xffff) !== 0) continue; // polling: check for a stall now and then
      if (t0 === 0) t0 = Date.now();
      else if (this.workers === 0 && Date.now() - t0 > STALL_MS) throw new Error("wasm kernels: the worker threads stopped during a call");
    }
  }

  /**
   * Waits until the chunks in flight on workers are done, then judges the call. Chunks nobody has
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
    let polls = 0;
    for (let d = Atomics.load(c, DONE); d < chunks; d = Atomics.load(c, DONE)) {
      if (this.blocks) Atomics.wait(c, DONE, d, 100);
      else if ((++polls & 0xffff) !== 0) continue; // polling: check for a stall now and then
      if (this.workers === 0 && Date.now() - t0 > STALL_MS) throw new Error("wasm kernels: the worker threads stopped during a call");
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

  /** Tells the workers to end their loops (and ends those that would not end by themselves). */
  stop(): void {
    this.control[FN] = -1;
    Atomics.store(this.control, SEQ, (this.seq = (this.seq + 1) & 0x7fff));
    Atomics.notify(this.control, SEQ);
    for (const h of this.handles) h.end();
  }
}
