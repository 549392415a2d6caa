/**
 * The WebAssembly kernel module at run time: which build to load, its linear memory, and a heap
 * over that memory from which every wasm-side buffer is allocated.
 *
 * Builds (scripts/build-wasm.mjs, embedded base64 in module.generated.ts): plain SIMD or relaxed
 * SIMD (fused multiply-add), chosen with WebAssembly.validate, never with a flag; each with an
 * unshared or a shared memory. Shared memory is used wherever it exists (Node; cross-origin-isolated
 * pages): its views never detach when it grows, so wasm-resident buffers can be held across calls,
 * and worker threads can run kernels on it. Without it (an ordinary browser page) kernels copy
 * their operands in and out per call.
 *
 * Browser-safe: no `node:` imports. Compilation is synchronous on first use (Node, workers, Chromium); an
 * engine may refuse a synchronous compile on a page's main thread, so in a browser call
 * `loadWasm()` (async) once before selecting the backend.
 */
import { MAX_PAGES, WASM_BASE64 } from "./module.generated.js";
import { base64Bytes } from "../../util/base64.js";

/** The exports of wasm/index.ts (pointers are byte addresses in the module's memory). */
export interface WasmExports {
  gemm(out: number, ldo: number, a: number, ars: number, acs: number, b: number, bks: number, bps: number, edge: number,
    m: number, n: number, k: number, beta: number, tmp: number): void;
  packNT(dst: number, w: number, ldw: number, n: number, k: number): void;
  packNN(dst: number, b: number, ldb: number, n: number, k: number): void;
  packedSize(n: number, k: number): number;
  packBytes(): number;
  setPackBuffer(p: number): void;
  gemmJob(desc: number): void;
  packJob(desc: number): void;
  sumRowsJob(desc: number): void;
  actForward(code: number, a: number, b: number, clip: number, x: number, y: number, n: number): void;
  actDerivative(code: number, a: number, b: number, lo: number, hi: number, y: number, d: number, n: number): void;
  expForward(x: number, y: number, n: number): void;
  initConstants(): void;
  gatedForward(desc: number): void;
  gatedBackward(desc: number): void;
  lstmForward(desc: number): void;
  lstmBackward(desc: number): void;
  rnnForward(desc: number): void;
  rnnBackward(desc: number): void;
  seqForward(desc: number): void;
  seqBackward(desc: number): void;
  lightForward(desc: number): void;
  lightBackward(desc: number): void;
  libruForward(desc: number): void;
  libruBackward(desc: number): void;
  logForward(x: number, y: number, n: number): void;
  int8WeightBytes(n: number, k: number): number;
  int8RowBytes(k: number): number;
  int8Weights(dst: number, w: number, ldw: number, n: number, k: number): void;
  int8Rows(q: number, a: number, lda: number, m: number, k: number): void;
  int8Gemm(out: number, ldo: number, q: number, m: number, wq: number, n: number, k: number): void;
  int8Product(out: number, ldo: number, a: number, lda: number, m: number, wq: number, n: number, k: number, q: number): void;
  int8Job(desc: number): void;
  bnStats(x: number, T: number, B: number, F: number, len: number, M: number, mean: number, sq: number): void;
  bnApply(x: number, N: number, F: number, mean: number, inv: number, gamma: number, beta: number, work: number, ld: number): void;
  bnGradSums(dx: number, T: number, B: number, F: number, len: number, work: number, ld: number, sdy: number, sdyx: number): void;
  bnGradApply(dx: number, T: number, B: number, F: number, len: number, work: number, ld: number, c: number, mdy: number, mdyx: number, fromBatch: number): void;
}

/** Entry points a worker thread can run: a job is (index in this list, descriptor address). */
export const JOB_NAMES = [
  "gemmJob", "packJob", "sumRowsJob", "gatedForward", "gatedBackward", "lstmForward", "lstmBackward", "rnnForward", "rnnBackward",
  "seqForward", "seqBackward", "lightForward", "lightBackward", "libruForward", "libruBackward", "int8Job",
] as const;
export type JobName = (typeof JOB_NAMES)[number];

export type WasmVariant = keyof typeof WASM_BASE64;

// The subset of the WebAssembly JS API used here (the project's TypeScript lib has no DOM types).
interface WasmMemory { readonly buffer: ArrayBuffer | SharedArrayBuffer; grow(pages: number): number }
interface WasmModule { readonly __brand?: "module" }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

const PAGE = 65536;
/** Columns per panel of a packed B operand (wasm/matmul.ts NR). */
export const PANEL = 24;

/**
 * Calls smaller than this many floating-point operations stay on one thread: handing work to a
 * worker costs a few microseconds (PERFORMANCE.md), so splitting pays above ~50–100 µs of work.
 */
export const PARALLEL_MIN_FLOPS = 4e6;
/**
 * Bytes per chunk slot (they sit below the heap: see SLOTS_AT): a descriptor block (DESC_SLOTS 4-byte slots: a
 * step kernel's fields, then wasm/sequence.ts's) and a gemm edge tile (128). A call runs as one
 * chunk (slot 0) or, split between threads, as up to MAX_CHUNKS chunks, each with its own slot
 * whatever thread picks it up.
 */
export const DESC_SLOTS = 128;
export const CHUNK_SLOT = DESC_SLOTS * 4 + 128;
export const MAX_CHUNKS = 32;
/** Threads at most: this one and up to 7 workers (enableThreads' cap). */
export const MAX_THREADS = 8;
/**
 * The layout of the module's memory: bytes 0–1023 reserved (256–1023: the activations' constant
 * table), then the chunk slots, then one buffer per thread for a packed block of a product's A
 * operand (wasm/matmul.ts: packBytes() each), then the heap.
 */
const SLOTS_AT = 1024;
const PACKS_AT = SLOTS_AT + MAX_CHUNKS * CHUNK_SLOT;


function sharedMemoryWorks(): boolean {
  if (!WA || typeof SharedArrayBuffer === "undefined") return false;
  try {
    return new WA.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** The build this engine should load, or null when it has no WebAssembly SIMD. */
export function chooseVariant(): { variant: WasmVariant; bytes: Uint8Array } | null {
  if (!WA) return null;
  const shared = sharedMemoryWorks();
  for (const simd of ["relaxed", "simd"] as const) {
    const variant: WasmVariant = shared ? `${simd}Shared` : simd;
    const bytes = base64Bytes(WASM_BASE64[variant]);
    if (WA.validate(bytes)) return { variant, bytes };
  }
  return null;
}

/**
 * First-fit allocator over [base, memory end), 64-byte aligned; grows the memory when nothing fits.
 * Freed blocks coalesce with their neighbours, so a workload that allocates the same shapes again
 * reuses the same memory and the total stays at the peak of what is live at once.
 */
export class Heap {
  private readonly free: { start: number; size: number }[] = [];
  private readonly sizes = new Map<number, number>();
  private end: number;
  /** Bytes currently allocated, and the most ever allocated at once. */
  live = 0;
  peak = 0;

  constructor(private readonly rt: WasmRuntime, base: number) {
    this.end = rt.memory.buffer.byteLength;
    if (this.end > base) this.free.push({ start: base, size: this.end - base });
  }

  alloc(bytes: number): number {
    const size = Math.max(64, Math.ceil(bytes / 64) * 64);
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      if (f.size < size) continue;
      const p = f.start;
      if (f.size === size) this.free.splice(i, 1); else { f.start += size; f.size -= size; }
      this.sizes.set(p, size);
      this.live += size;
      if (this.live > this.peak) this.peak = this.live;
      return p;
    }
    this.grow(size);
    return this.alloc(bytes);
  }

  release(p: number): void {
    const size = this.sizes.get(p);
    if (size === undefined) return;
    this.sizes.delete(p);
    this.live -= size;
    this.insertFree(p, size);
  }

  private insertFree(start: number, size: number): void {
    const fl = this.free;
    let i = 0;
    while (i < fl.length && fl[i]!.start < start) i++;
    fl.splice(i, 0, { start, size });
    const next = fl[i + 1];
    if (next && start + size === next.start) { fl[i]!.size += next.size; fl.splice(i + 1, 1); }
    const prev = fl[i - 1];
    if (prev && prev.start + prev.size === start) { prev.size += fl[i]!.size; fl.splice(i, 1); }
  }

  private grow(size: number): void {
    const have = this.rt.memory.buffer.byteLength;
    // at least the request, and at least half again the current size, to keep grows rare
    const pages = Math.max(Math.ceil(size / PAGE) + 1, Math.ceil(have / PAGE / 2));
    const limit = this.rt.maxPages - have / PAGE;
    if (limit <= 0) throw new RangeError(`wasm kernels: out of WebAssembly memory (${have} bytes in use, maximum ${this.rt.maxPages * PAGE})`);
    this.rt.memory.grow(Math.min(pages, limit));
    this.rt.refresh();
    const now = this.rt.memory.buffer.byteLength;
    this.insertFree(this.end, now - this.end);
    this.end = now;
  }
}

/** Runs the chunks of a call on several threads (src/kernels/threads.ts sets one in Node). */
export interface Parallel {
  /** Worker threads ready besides the calling thread. */
  readonly workers: number;
  /** Calls split into chunks, of them pipelined (start()), and chunks run by workers, so far (diagnostics, tests). */
  readonly splits: number;
  readonly pipelined: number;
  readonly dispatched: number;
  /** Whether splitting a call of `flops` operations is likely to pay (false while the workers' cores are busy elsewhere). */
  admit(flops: number): boolean;
  /**
   * Runs entry point `fn` (JOB_NAMES index) on the descriptors at descOf(first) … descOf(first +
   * chunks − 1) (first: 0 unless given):
   * the calling thread and the workers take chunks until none is left; returns when all are done.
   * `flops`: the call's size (for admit()).
   */
  run(fn: number, chunks: number, flops: number, first?: number): void;
  /**
   * A call whose chunks the caller needs one by one, in order, while it does other work (the input
   * projection of a time loop: each stretch of steps waits only for its own rows). Offers entry
   * point `fn` on the descriptors at descOf(first) … descOf(first + chunks − 1) to the workers and
   * returns at once; then need(c) for c = 0, 1, … returns when chunk c is done (running it on this
   * thread when no worker has taken it yet), and finish() once after the last (also after an error).
   */
  start(fn: number, first: number, chunks: number, flops: number): void;
  need(c: number): void;
  finish(): void;
}

export class WasmRuntime {
  readonly variant: WasmVariant;
  readonly relaxed: boolean;
  readonly shared: boolean;
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly maxPages: number;
  readonly x: WasmExports;
  readonly heap: Heap;
  /** Bytes of one thread's buffer for packing A (the module says: packBytes()). */
  private readonly packBytes: number;
  readonly jobs: readonly ((desc: number) => void)[];
  /** Views of the whole memory; refreshed whenever it grows (never keep one across an allocation). */
  f32!: Float32Array;
  i32!: Int32Array;
  /** Every ArrayBuffer the memory has had (a shared memory's old buffers stay valid after a grow). */
  private readonly buffers = new WeakSet<ArrayBuffer | SharedArrayBuffer>();
  /** Threads besides this one, or null (src/kernels/threads.ts). */
  parallel: Parallel | null = null;

  constructor(variant: WasmVariant, module: WasmModule) {
    this.variant = variant;
    this.relaxed = variant.startsWith("relaxed");
    this.shared = variant.endsWith("Shared");
    this.module = module;
    const { memory, maximum } = WasmRuntime.createMemory(this.shared);
    this.memory = memory;
    this.maxPages = maximum;
    const inst = new WA!.Instance(module, { env: { memory: this.memory, abort: () => { throw new Error("wasm kernels: abort"); } } });
    this.x = inst.exports as WasmExports;
    this.jobs = JOB_NAMES.map((n) => this.x[n]);
    this.refresh();
    // the memory's layout: SLOTS_AT
    this.x.initConstants();
    this.packBytes = this.x.packBytes();
    this.x.setPackBuffer(this.packBufferOf(0));
    this.heap = new Heap(this, this.packBufferOf(MAX_THREADS));
  }

  private static createMemory(shared: boolean): { memory: WasmMemory; maximum: number } {
    // A shared memory reserves its maximum up front: ask for all of it, then for less if refused.
    if (!shared) return { memory: new WA!.Memory({ initial: 16, maximum: MAX_PAGES }), maximum: MAX_PAGES };
    for (const maximum of [MAX_PAGES, MAX_PAGES / 4, MAX_PAGES / 16]) {
      try { return { memory: new WA!.Memory({ initial: 16, maximum, shared: true }), maximum }; } catch { /* try a smaller reservation */ }
    }
    throw new RangeError("wasm kernels: could not reserve a shared WebAssembly memory");
  }

  refresh(): void {
    this.lastResident = null;
    const buf = this.memory.buffer;
    this.buffers.add(buf);
    this.f32 = new Float32Array(buf);
    this.i32 = new Int32Array(buf);
  }

  private lastResident: ArrayBufferLike | null = null;

  /** Does this array live in the module's memory (so kernels can use it in place)? */
  resident(v: ArrayBufferView): boolean {
    const b = v.buffer;
    if (b === this.lastResident && v.byteLength > 0) return true;
    if (!this.buffers.has(b) || v.byteLength === 0) return false;
    this.lastResident = b;
    return true;
  }

  /** Is this array a view of the module's memory (whatever its length)? */
  viewsMemory(v: ArrayBufferView): boolean {
    return this.buffers.has(v.buffer);
  }

  /** Chunk c's descriptor block (DESC_SLOTS · 4 bytes) and gemm edge tile (128 bytes). */
  descOf(c: number): number { return SLOTS_AT + c * CHUNK_SLOT; }
  tmpOf(c: number): number { return SLOTS_AT + c * CHUNK_SLOT + DESC_SLOTS * 4; }

  /** Thread t's buffer for packing A, which its instance of the module is given (0: this thread's). */
  packBufferOf(t: number): number { return PACKS_AT + t * this.packBytes; }

  /**
   * How many chunks of rows a call of `rows` rows and `flops` operations should be cut into, and
   * their size (a multiple of `align`): 1 when it runs on this thread alone. Several chunks per
   * thread, taken as threads become free, so that a thread slowed down by another process (a busy
   * core) holds nobody up; at least `minRows` rows a chunk, and at most `slots` chunks.
   */
  chunking(rows: number, flops: number, align: number, minRows: number, slots = MAX_CHUNKS): { chunks: number; size: number } {
    const par = this.parallel;
    if (!par || !this.splittable(rows, flops, align) || !par.admit(flops)) return { chunks: 1, size: rows };
    const threads = 1 + par.workers;
    const up = (v: number) => Math.ceil(v / align) * align;
    const size = Math.max(up(Math.ceil(rows / (2 * threads))), Math.min(minRows, up(Math.ceil(rows / threads))));
    const chunks = Math.ceil(rows / size);
    if (chunks <= slots) return { chunks, size };
    const capped = up(Math.ceil(rows / slots));
    return { chunks: Math.ceil(rows / capped), size: capped };
  }

  /**
   * Whether a call of `rows` rows (chunks a multiple of `align`) and `flops` operations is large
   * enough to be cut up, workers permitting (chunking() also asks the workers' recent share).
   */
  splittable(rows: number, flops: number, align: number): boolean {
    const par = this.parallel;
    return par !== null && par.workers > 0 && flops >= PARALLEL_MIN_FLOPS && rows >= 2 * align;
  }

  /** A Float32Array of n elements inside the module's memory (shared memory only: it never detaches). */
  residentArray(n: number): { array: Float32Array; ptr: number } {
    const ptr = this.heap.alloc(Math.max(1, n) * 4);
    this.f32.fill(0, ptr >> 2, (ptr >> 2) + n);
    return { array: new Float32Array(this.memory.buffer, ptr, n), ptr };
  }
}

/**
 * A separate runtime on a given build (tests: the unshared-memory build in Node, the relaxed build
 * where it validates). Null when this engine cannot run that build.
 */
export function createRuntime(variant: WasmVariant): WasmRuntime | null {
  if (!WA) return null;
  const bytes = base64Bytes(WASM_BASE64[variant]);
  if (!WA.validate(bytes)) return null;
  if (variant.endsWith("Shared") && !sharedMemoryWorks()) return null;
  return new WasmRuntime(variant, new WA.Module(bytes));
}

let runtime: WasmRuntime | null | undefined;

/**
 * The loaded kernel module, compiling it synchronously on first use; null when this engine has no
 * WebAssembly SIMD or refuses a synchronous compile (some browsers' main threads: use loadWasm()).
 */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime !== undefined) return runtime;
  const chosen = chooseVariant();
  if (!chosen) return (runtime = null);
  try {
    runtime = new WasmRuntime(chosen.variant, new WA!.Module(chosen.bytes));
  } catch {
    // a synchronous compile refused (browser main thread): stay unloaded so loadWasm() can retry
    return null;
  }
  return runtime;
}

/** Does this engine validate the relaxed-SIMD build now? */
export function relaxedSimdValidates(): boolean {
  return !!WA && WA.validate(base64Bytes(WASM_BASE64.relaxed));
}

/** The kernel module if it has been loaded already (never loads it), else undefined; null when it could not be. */
export function loadedRuntime(): WasmRuntime | null | undefined {
  return runtime;
}

/** Compiles the kernel module asynchronously (needed on a browser main thread); true when available. */
export async function loadWasm(): Promise<boolean> {
  if (runtime !== undefined) return runtime !== null;
  const chosen = chooseVariant();
  if (!chosen) { runtime = null; return false; }
  const module = await WA!.compile(chosen.bytes);
  runtime ??= new WasmRuntime(chosen.variant, module);
  return true;
}
