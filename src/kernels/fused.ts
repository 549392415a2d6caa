/**
 * Fused per-step kernels: one call does a cell's recurrent product(s) and all its gate work for one
 * time step (forward), or that step's backward. Optional on a backend (`Kernels.fused`); the
 * reference backend has none, and each cell's own TypeScript loop is the reference they are tested
 * against. A call returns false when the backend cannot do this configuration (an activation it
 * has no fused form for, a float64 buffer): the cell then runs its TypeScript loop.
 *
 * The spec objects are made once per cell and never change, so a backend may cache what it
 * derives from them (keyed on the object).
 *
 * Shape legend: B batch, H hidden; layouts of xp, cache, dRec are the cells' own (gated-unit.ts,
 * lstm.ts, rnn.ts, li-gru.ts, min-gru.ts, li-bru.ts).
 */
import type { ParamViews, StepBackward, StepForward } from "../cells/types.js";
import type { ActivationConfig } from "./activations.js";
import type { Vec } from "./types.js";

/** The GRU/MGU family step (src/cells/gated-unit.ts). */
export interface GatedSpec {
  readonly hidden: number;            // H
  readonly nG: number;                // gates: 2 (z, r) or 1 (f, tied)
  readonly gx: number;                // gates that see x (0 or nG)
  readonly gh: number;                // gates that see h (0 or nG)
  readonly gb: number;                // gates with a bias (0 or nG)
  readonly reset: "before" | "after";
  readonly update: "keep" | "replace";
  readonly bias: boolean;             // candidate bias b_h present
  readonly hasC: boolean;             // recurrent candidate bias c_h present (reset after)
  readonly gateActivation: ActivationConfig;
  readonly candidateActivation: ActivationConfig;
  readonly clip: number | null;
}

/** The LSTM step (src/cells/lstm.ts). */
export interface LstmSpec {
  readonly hidden: number;
  readonly bias: boolean;
  readonly gateActivation: ActivationConfig;
  readonly candidateActivation: ActivationConfig;
  readonly outputActivation: ActivationConfig;
  readonly clip: number | null;
}

/** The Elman RNN step (src/cells/rnn.ts). */
export interface RnnSpec {
  readonly hidden: number;
  readonly bias: boolean;
  readonly activation: ActivationConfig;
  readonly clip: number | null;
}

/**
 * The two-block cells' step (LiGRU, minGRU, LiBRU in modes "ligru" and "geomean"): a = xp
 * (+ h·Uᵀ) (+ b) in blocks z, n; z = f_z(a_z), n = f_n(a_n); cache [z | n]; h' by the update
 * convention, as in src/cells/li-gru.ts, min-gru.ts and li-bru.ts.
 */
export interface LightSpec {
  readonly hidden: number;
  /** a includes h·Uᵀ (LiGRU, LiBRU); false: the gates see x only (minGRU). */
  readonly recurrent: boolean;
  /** The step adds b [2H] (minGRU, LiBRU); LiGRU's bias belongs to its normalisation. */
  readonly bias: boolean;
  readonly update: "keep" | "replace";
  readonly gateActivation: ActivationConfig;
  /** "g": minGRU's g(v) = v + 0.5 for v ≥ 0, σ(v) below. */
  readonly candidateActivation: ActivationConfig | "g";
}

/** LiBRU's "probs" and "logprobs" modes (src/cells/li-bru.ts; cache [z | c | ℓ] or [z | c | w_h | w_c]). */
export interface LibruSpec {
  readonly hidden: number;
  readonly mode: "probs" | "logprobs";
  readonly bias: boolean;
  /** ε of log(h + ε) ("probs"). */
  readonly epsilon: number;
}

/**
 * A whole time loop handed to the backend in one call (src/sequence/run.ts's loop, with the same
 * positions, lengths and order of operations). The step record then describes whole buffers, its
 * offsets unused: xp [N, X·H], prev = next = the states [(T + 1)·B, H] each (the initial state in
 * place), cache [N, width] (or [B, width] when not kept), scratch; for backward also dxp, dRec
 * [N, width], with the step's own dNext/dPrev ignored in favour of the buffers below.
 */
export interface SequenceLoop {
  readonly T: number;
  readonly reverse: boolean;
  /** The cache of every step is kept ([N, width]); else one [B, width] block is reused. */
  readonly keepCache: boolean;
  /** Per-row lengths [B], or null when every row is full. */
  readonly lengths: Int32Array | null;
  /**
   * Forward only: the input projection, not yet computed. The backend computes xp = x · Wᵀ ([T·B,
   * X·H]; x [T·B, I] with row stride ldx, W [X·H, I]) as part of the loop, each row before the
   * step that reads it (so it may overlap the two); when it returns false it has computed nothing.
   */
  readonly project?: { readonly x: Vec; readonly ldx: number; readonly W: Vec; readonly I: number };
  /**
   * Forward only: every product of the loop (the projection when `project` is given, and the
   * recurrent ones) in dynamic int8 — weights per output row, activations per row (native/int8.c;
   * the WebAssembly backend's relaxed-SIMD build: wasm/int8.ts, with 7-bit activations).
   * A backend without int8 loops returns false for it, never runs it in float32.
   */
  readonly int8?: boolean;
}

export interface SequenceLoopBackward extends SequenceLoop {
  /** dL/d(layer output) [N, ldo]; this direction's columns start at col. */
  readonly dOut: Vec;
  readonly ldo: number;
  readonly col: number;
  /** Per state, [B, H] each: dh holds dL/d(final state) on entry; the result (dL/d(initial state)) ends in dh when T is even, in dPrev when odd. */
  readonly dh: readonly Vec[];
  readonly dPrev: readonly Vec[];
  /** Per state, [B, H]: working buffers for dh with the rows past their length zeroed. */
  readonly dCell: readonly Vec[];
}

/**
 * Each method runs one step (`loop` absent) or the whole time loop (`loop` given). It returns false,
 * having done nothing, when the backend cannot run this configuration that way.
 */
export interface FusedKernels {
  gatedForward(spec: GatedSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean;
  gatedBackward(spec: GatedSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean;
  lstmForward(spec: LstmSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean;
  lstmBackward(spec: LstmSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean;
  rnnForward(spec: RnnSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean;
  rnnBackward(spec: RnnSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean;
  lightForward(spec: LightSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean;
  lightBackward(spec: LightSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean;
  libruForward(spec: LibruSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean;
  libruBackward(spec: LibruSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean;
}
