/**
 * Getting operands into the kernel module's memory for one call, and results back out.
 *
 * An array that already lives in the module's memory (a resident buffer, see ResidentMemory) is
 * used in place. Any other array is copied into a temporary block of the heap before the call and,
 * if the call writes it, copied back afterwards; the temporaries are released when the call ends.
 * No view of the memory is kept across an allocation (an unshared memory detaches its views when it
 * grows): every copy takes the runtime's current view.
 *
 * Parameter blocks of the bound layer (WeightBinding) are different: they are packed once into the
 * panel layout of the matrix multiply and cached, keyed on their position in the parameter buffer,
 * until the layer's parameter version changes (see PackCache).
 */
import type { Vec } from "../types.js";
import type { WasmRuntime } from "./runtime.js";

/** How a cached block is laid out: B = wᵀ (NT), B = w (NN), a plain copy (biases), or quantised rows (int8, wasm/int8.ts). */
export const Orient = { NT: 0, NN: 1, Copy: 2, Int8: 3 } as const;
export type Orient = (typeof Orient)[keyof typeof Orient];

/** The parameters a kernels instance may cache packed forms of (a Recurrent binds its own). */
export interface WeightBinding {
  /** The flat parameter buffer; only blocks inside it are cached. */
  params(): Vec;
  /** Changes whenever any parameter changes (Recurrent.version). */
  version(): number;
}

const SAMPLES = 16;

interface PackEntry {
  ptr: number;
  bytes: number;
  rows: number; cols: number; ld: number;
  version: number;
  /** The epoch in which its samples were last checked. */
  checked: number;
  /** Values at SAMPLES fixed positions of the block when it was packed (a safety net, see below). */
  readonly at: Int32Array;
  readonly seen: Float32Array;
}

/**
 * Packed parameter blocks of one binding. A block is repacked when the binding's version changes
 * or, as a safety net for code that writes parameters without bumping the version, when any of 16
 * sampled values differs from what was packed (an optimiser step moves them all; a change that
 * avoids every sample still needs Recurrent.markChanged()). The samples are checked once per
 * epoch: the driver starts a new one with Kernels.begin() before every forward, backward or
 * streaming step, and parameters cannot change within one.
 */
export class PackCache {
  private readonly entries = new Map<number, PackEntry>();
  /** Bumped by begin(); see above. */
  epoch = 0;
  private params: Vec | null = null;
  private static readonly registry = new FinalizationRegistry<() => void>((free) => free());

  constructor(private readonly rt: WasmRuntime, private readonly binding: WeightBinding, owner: object) {
    const entries = this.entries, heap = rt.heap;
    PackCache.registry.register(owner, () => { for (const e of entries.values()) heap.release(e.ptr); entries.clear(); });
  }

  /** Is v a view into the bound parameter buffer? */
  covers(v: Vec): boolean {
    const p = this.binding.params();
    return v.buffer === p.buffer && v.byteOffset >= p.byteOffset && v.byteOffset < p.byteOffset + p.byteLength;
  }

  /**
   * The packed block w[off ..] with `rows` rows of `cols` (leading dimension ld): for NT the rows
   * are B's columns (n = rows, k = cols), for NN the rows are B's rows (k = rows, n = cols).
   */
  get(m: Marshal, w: Vec, off: number, ld: number, rows: number, cols: number, orient: Orient): number {
    // parameters moved to another buffer (Recurrent.attach): the old packs are of no further use
    const params = this.binding.params();
    if (params !== this.params) { this.clear(); this.params = params; }
    const key = (w.byteOffset + off * 4) * 4 + orient;
    const version = this.binding.version();
    let e = this.entries.get(key);
    if (e && e.rows === rows && e.cols === cols && e.ld === ld && e.version === version) {
      if (e.checked === this.epoch) return e.ptr;
      if (this.unchanged(e, w)) { e.checked = this.epoch; return e.ptr; }
    }
    const bytes = packedBytes(this.rt, rows, cols, orient);
    if (!e || e.bytes !== bytes) {
      if (e) this.rt.heap.release(e.ptr);
      e = { ptr: this.rt.heap.alloc(bytes), bytes, rows, cols, ld, version, checked: this.epoch, at: new Int32Array(SAMPLES), seen: new Float32Array(SAMPLES) };
      this.entries.set(key, e);
    }
    e.rows = rows; e.cols = cols; e.ld = ld; e.version = version; e.checked = this.epoch;
    m.packInto(e.ptr, w, off, ld, rows, cols, orient);
    const n = rows * cols;
    for (let s = 0; s < SAMPLES; s++) {
      const flat = Math.round((s * (n - 1)) / (SAMPLES - 1));
      e.at[s] = off + Math.floor(flat / cols) * ld + (flat % cols);
      e.seen[s] = w[e.at[s]!]!;
    }
    return e.ptr;
  }

  /** The binding's current version. */
  version(): number {
    return this.binding.version();
  }

  private unchanged(e: PackEntry, w: Vec): boolean {
    const at = e.at, seen = e.seen;
    for (let s = 0; s < SAMPLES; s++) if (w[at[s]!] !== seen[s]) return false;
    return true;
  }

  /** Frees every packed block now. */
  clear(): void {
    for (const e of this.entries.values()) this.rt.heap.release(e.ptr);
    this.entries.clear();
  }
}

function packedBytes(rt: WasmRuntime, rows: number, cols: number, orient: Orient): number {
  if (orient === Orient.Copy) return rows * cols * 4;
  if (orient === Orient.Int8) return rt.x.int8WeightBytes(rows, cols);
  return orient === Orient.NT ? rt.x.packedSize(rows, cols) * 4 : rt.x.packedSize(cols, rows) * 4;
}

/** The operands of one kernel call. Use begin(), then in/out/scratch/weight, then end(). */
export class Marshal {
  private readonly temps: number[] = [];
  private readonly outs: { v: Vec; off: number; len: number; ptr: number }[] = [];

  constructor(readonly rt: WasmRuntime, readonly cache: PackCache | null) {}

  begin(): void {
    this.temps.length = 0;
    this.outs.length = 0;
  }

  /** Address of v[off] for a call that reads `len` elements from there. */
  in(v: Vec, off: number, len: number): number {
    if (this.rt.resident(v)) return v.byteOffset + off * 4;
    const p = this.temp(len);
    this.rt.f32.set(v.subarray(off, off + len), p >> 2);
    return p;
  }

  /** Address of v[off] for a call that writes `len` elements there; `read`: it also reads them first. */
  out(v: Vec, off: number, len: number, read: boolean): number {
    if (this.rt.resident(v)) return v.byteOffset + off * 4;
    const p = read ? this.in(v, off, len) : this.temp(len);
    this.outs.push({ v, off, len, ptr: p });
    return p;
  }

  /** Address of working memory of `len` elements: v itself when resident, else a temporary. */
  scratch(v: Vec, off: number, len: number): number {
    if (this.rt.resident(v) && v.length >= off + len) return v.byteOffset + off * 4;
    return this.temp(len);
  }

  /** Address of a copy of v (per-row lengths), for this call. */
  ints(v: Int32Array): number {
    const p = this.temp(v.length);
    this.rt.i32.set(v, p >> 2);
    return p;
  }

  /** Address of working memory of `len` elements. */
  temp(len: number): number {
    const p = this.rt.heap.alloc(Math.max(1, len) * 4);
    this.temps.push(p);
    return p;
  }

  /**
   * A block of weights laid out for the kernels (see PackCache.get): cached when it belongs to the
   * bound parameters, else packed into a temporary for this call.
   */
  weight(w: Vec, off: number, ld: number, rows: number, cols: number, orient: Orient): number {
    if (this.cache && this.cache.covers(w)) return this.cache.get(this, w, off, ld, rows, cols, orient);
    if (orient === Orient.Copy && this.rt.resident(w)) return w.byteOffset + off * 4;
    const p = this.temp(packedBytes(this.rt, rows, cols, orient) / 4);
    this.packInto(p, w, off, ld, rows, cols, orient);
    return p;
  }

  /** Lays out w[off ..] (rows × cols, leading dimension ld) at dst. */
  packInto(dst: number, w: Vec, off: number, ld: number, rows: number, cols: number, orient: Orient): void {
    const span = (rows - 1) * ld + cols;
    if (orient === Orient.Copy) {
      if (ld === cols || rows === 1) { this.rt.f32.set(w.subarray(off, off + rows * cols), dst >> 2); return; }
      for (let r = 0; r < rows; r++) this.rt.f32.set(w.subarray(off + r * ld, off + r * ld + cols), (dst >> 2) + r * cols);
      return;
    }
    const resident = this.rt.resident(w);
    const src = resident ? w.byteOffset + off * 4 : this.rt.heap.alloc(span * 4);
    if (!resident) this.rt.f32.set(w.subarray(off, off + span), src >> 2);
    if (orient === Orient.NT) this.rt.x.packNT(dst, src, ld, rows, cols);
    else if (orient === Orient.Int8) this.rt.x.int8Weights(dst, src, ld, rows, cols);
    else this.rt.x.packNN(dst, src, ld, cols, rows);
    if (!resident) this.rt.heap.release(src);
  }

  /** Copies results back and releases the temporaries. */
  end(): void {
    const f32 = this.rt.f32;
    for (const o of this.outs) o.v.set(f32.subarray(o.ptr >> 2, (o.ptr >> 2) + o.len), o.off);
    for (let i = this.temps.length - 1; i >= 0; i--) this.rt.heap.release(this.temps[i]!);
    this.temps.length = 0;
    this.outs.length = 0;
  }
}
