/**
 * The native kernels' addon as the library sees it, and whether it is loaded. Browser-safe: this
 * file holds a handle that the Node-only loader (load-node.ts, reached from gated/node's useNative()
 * and the gated command) sets; nothing here loads anything.
 *
 * Shape legend: out[M, N] = op(A)·op(B), K the inner size; the GRU loop's as native/gated.h.
 */

/** A pack slot of native/pack.c: packed weights a loop keeps between calls (opaque). */
export type PackSlot = { readonly __packSlot: unique symbol };

/** Two trailing arguments of every loop: the slot (or null) and fresh = 1 when the weights may have changed since it was filled. */
type Slot = [slot?: PackSlot | null, fresh?: 0 | 1];

/** The functions of native/addon.c (see its header for the arguments). */
export interface NativeAddon {
  isa(): "avx512" | "avx2" | null;
  setIsa(name: "avx512" | "avx2" | "auto"): boolean;
  /** The products' thread count (with n: set to n, 1..16, the caller included). */
  threads(n?: number): number;
  /** The int8 product in use; with an argument, chosen again (null, and "auto" chosen, when this CPU lacks it). */
  int8(want?: "auto" | "avx512-vnni" | "avx-vnni" | "portable"): "avx512-vnni" | "avx-vnni" | "portable" | null;
  gemm(
    out: Float32Array, oOff: number, ldo: number,
    a: Float32Array, aOff: number, ars: number, acs: number,
    b: Float32Array, bOff: number, ldb: number, bT: 0 | 1,
    m: number, n: number, k: number, beta: 0 | 1,
  ): void;
  sumRows(out: Float32Array, oOff: number, a: Float32Array, aOff: number, lda: number, m: number, n: number): void;
  gruForward(
    spec: Int32Array, clip: number, dims: Int32Array, lengths: Int32Array | null,
    xp: Float32Array, h: Float32Array, cache: Float32Array, scratch: Float32Array,
    U: Float32Array, b: Float32Array | null, c: Float32Array | null, x: Float32Array | null, W: Float32Array | null, ...slot: Slot
  ): boolean;
  gruBackward(
    spec: Int32Array, dims: Int32Array, lengths: Int32Array | null, cache: Float32Array, h: Float32Array, dxp: Float32Array, dRec: Float32Array,
    dOut: Float32Array, dh: Float32Array, dPrev: Float32Array, dCell: Float32Array, U: Float32Array, ...slot: Slot
  ): boolean;
  lightForward(
    spec: Int32Array, dims: Int32Array, lengths: Int32Array | null, xp: Float32Array, h: Float32Array, cache: Float32Array, scratch: Float32Array,
    U: Float32Array | null, b: Float32Array | null, x: Float32Array | null, W: Float32Array | null, ...slot: Slot
  ): boolean;
  lightBackward(
    spec: Int32Array, dims: Int32Array, lengths: Int32Array | null, cache: Float32Array, h: Float32Array, dxp: Float32Array,
    dOut: Float32Array, dh: Float32Array, dPrev: Float32Array, dCell: Float32Array, U: Float32Array | null, ...slot: Slot
  ): boolean;
  lstmForward(
    dims: Int32Array, lengths: Int32Array | null, xp: Float32Array, h: Float32Array, c: Float32Array,
    cache: Float32Array, scratch: Float32Array, U: Float32Array, b: Float32Array | null, x: Float32Array | null, W: Float32Array | null, ...slot: Slot
  ): boolean;
  lstmBackward(
    dims: Int32Array, lengths: Int32Array | null, cache: Float32Array, c: Float32Array, dxp: Float32Array, dOut: Float32Array,
    dh: Float32Array, dc: Float32Array, dhPrev: Float32Array, dcPrev: Float32Array, dhCell: Float32Array, dcCell: Float32Array, U: Float32Array, ...slot: Slot
  ): boolean;
  rnnForward(
    spec: Int32Array, dims: Int32Array, lengths: Int32Array | null, xp: Float32Array, h: Float32Array, cache: Float32Array,
    U: Float32Array, b: Float32Array | null, x: Float32Array | null, W: Float32Array | null, ...slot: Slot
  ): boolean;
  rnnBackward(
    spec: Int32Array, dims: Int32Array, lengths: Int32Array | null, cache: Float32Array, dxp: Float32Array, dOut: Float32Array,
    dh: Float32Array, dPrev: Float32Array, dCell: Float32Array, U: Float32Array, ...slot: Slot
  ): boolean;
  /** A new, empty pack slot (freed when collected). */
  packSlot(): PackSlot;
}

let addon: NativeAddon | null = null;
let why = "the native kernels are not loaded: call useNative() from gated/node first (Node on linux-x64 only)";

/** The loaded addon, or null. */
export function nativeAddon(): NativeAddon | null {
  return addon;
}

/** Why the addon is not loaded (meaningful while nativeAddon() is null). */
export function nativeUnavailable(): string {
  return why;
}

/** Records the loader's outcome: the addon, or the reason it could not be loaded. */
export function setNativeAddon(a: NativeAddon | null, reason?: string): void {
  addon = a;
  if (reason !== undefined) why = reason;
}
