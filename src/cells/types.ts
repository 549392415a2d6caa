/**
 * What every cell variant provides to the sequence driver.
 *
 * Shape legend: B batch, T time, N = T·B rows of a whole sequence (time-major, row = t·B + b),
 * I input, H hidden, X = xBlocks (how many H-wide blocks of the input projection W·x the cell uses).
 *
 * The driver owns the time loop and the input projection: before the loop it computes
 * xp[N, X·H] = x · Wᵀ for every step in one product; after the loop it computes dW = dxpᵀ · x and
 * dx = dxp · W. A cell owns everything else: one step forward (the recurrent product and its
 * gate work) and, beneath it, that step's backward, plus `backwardWeights`, which turns the
 * per-step gradients it kept into whole-sequence weight gradients (dU = Σ_t dAᵀ·h as one product).
 */
import type { Kernels, Vec } from "../kernels/types.js";
import type { SequenceLoop, SequenceLoopBackward } from "../kernels/fused.js";

import type { InitKind } from "../layers/init.js";

/** A named parameter block: one contiguous view inside the layer's flat parameter buffer. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: InitKind;
  /** Plain words: what the block holds and its gate order, e.g. "input weights, gates z, r, h". */
  readonly doc: string;
  /**
   * false for state that is saved with the model but not learned by gradient (batch-norm running
   * statistics). Its gradient stays zero and optimisers skip it. Default true.
   */
  readonly trainable?: boolean;
}

/** Named views of one cell's parameters (or of their gradients, with the same names). */
export type ParamViews = Readonly<Record<string, Vec>>;

/** One time step's positions. States, cache and projection are addressed by (array, offset). */
export interface StepForward {
  readonly B: number;
  readonly xp: Vec; readonly xpOff: number;            // [B, X·H]   x_t · Wᵀ (no bias)
  readonly prev: readonly Vec[]; readonly prevOff: number; // each state component [B, H] at t − 1
  readonly next: readonly Vec[]; readonly nextOff: number; // each state component [B, H] at t
  readonly cache: Vec; readonly cacheOff: number;      // [B, cacheWidth]  what backward reads
  readonly scratch: Vec;                                // [B, scratchWidth] reused by every step
  /**
   * Recurrent dropout (Gal & Ghahramani 2016): the previous state as the recurrent products see
   * it, m ⊙ h [B, H] at hrOff, with one mask m per sequence. Absent: prev[0] itself. Cells use it
   * wherever h enters a product with U, and h itself everywhere else (the interpolation).
   */
  readonly hr?: Vec;
  readonly hrOff?: number;
}

export interface StepBackward extends StepForward {
  readonly dNext: readonly Vec[];                       // each [B, H]: dL/d state_t (read only)
  readonly dPrev: readonly Vec[];                       // each [B, H]: dL/d state_{t−1} (accumulated)
  readonly dxp: Vec; readonly dxpOff: number;           // [B, X·H]   accumulated
  readonly dRec: Vec; readonly dRecOff: number;         // [B, dRecWidth] accumulated, kept for the sequence
  /** With hr: dL/d hr [B, H] (accumulated); the driver adds m ⊙ dhr into dPrev[0]. Absent: into dPrev[0]. */
  readonly dhr?: Vec;
}

/** A whole sequence after the backward loop, for the weight-gradient products. */
export interface SequenceTape {
  readonly N: number;                                   // T·B rows
  readonly states: readonly Vec[];                      // each [(T + 1)·B, H]; rows 0..N−1 are the previous states
  readonly statesOff: number;                           // offset of row 0 (state at t = 0 − 1)
  readonly cache: Vec;                                  // [N, cacheWidth]
  readonly dxp: Vec;                                    // [N, X·H]
  readonly dRec: Vec;                                   // [N, dRecWidth]
  /** With recurrent dropout: the masked previous states m ⊙ h of all N rows (from recOff), for dU. */
  readonly rec?: Vec;
  readonly recOff?: number;
}

/** A named per-step quantity the cell exposes for inspection: columns [offset, offset + H) of the cache. */
export interface GateView {
  readonly name: string;
  readonly offset: number;
}

export interface Cell {
  /** The cell table's name, e.g. "gru". */
  readonly kind: string;
  /** The fully resolved options (every convention explicit), serialisable as JSON. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Parameter blocks in flat-buffer order. The first is always "W" with shape [X·H, I]. */
  readonly params: readonly ParamSpec[];
  readonly xBlocks: number;
  /** State components, "h" first (the output), e.g. ["h"] or ["h", "c"]. */
  readonly states: readonly string[];
  readonly cacheWidth: number;
  readonly scratchWidth: number;
  readonly dRecWidth: number;
  /** Per-step values that can be captured, by name. */
  readonly gates: readonly GateView[];

  /** true when the cell honours hr / dhr / rec (recurrent dropout). */
  readonly recurrentDropout?: boolean;

  forward(k: Kernels, p: ParamViews, s: StepForward): void;
  backward(k: Kernels, p: ParamViews, s: StepBackward): void;
  backwardWeights(k: Kernels, p: ParamViews, g: ParamViews, seq: SequenceTape): void;

  /**
   * Optional: the whole time loop in one backend call (kernels/fused.ts SequenceLoop), forward or
   * backward, without recurrent dropout. false when the backend cannot: the driver then calls
   * forward/backward step by step. Either way the results are the same, bit for bit.
   */
  forwardLoop?(k: Kernels, p: ParamViews, s: StepForward, loop: SequenceLoop): boolean;
  backwardLoop?(k: Kernels, p: ParamViews, s: StepBackward, loop: SequenceLoopBackward): boolean;

  /**
   * Optional, for cells that transform the whole input projection before the loop (LiGRU's
   * normalisation). Called with xp [N, X·H] right after xp = x · Wᵀ; may rewrite xp in place and keep
   * what its backward needs in `work` [N·prepareWidth]. In "train" mode it may update
   * non-trainable parameters (running statistics).
   */
  readonly prepareWidth?: number;
  prepare?(k: Kernels, p: ParamViews, xp: Vec, seq: PrepareInfo, work: Vec): void;
  /** Turns dxp (gradient w.r.t. the prepared xp) into the gradient w.r.t. the raw xp, in place, and accumulates the parameter gradients of the transform into g. */
  prepareBackward?(k: Kernels, p: ParamViews, g: ParamViews, dxp: Vec, seq: PrepareInfo, work: Vec): void;

  /**
   * Optional, for cells whose state update is linear in h (minGRU): runs the whole sequence at once
   * (a parallel scan) instead of T calls to `forward`, filling the states and the cache exactly as
   * the step loop would, including inactive rows (which keep their state). When present and
   * `useScan` is true the driver calls it; backward still runs step by step.
   */
  readonly useScan?: boolean;
  forwardScan?(k: Kernels, p: ParamViews, seq: ScanInfo): void;
}

/** What `prepare` may know about the sequence. */
export interface PrepareInfo {
  readonly T: number;
  readonly B: number;
  /** Per-row lengths [B] (row b is active at t when t < len[b]), or null when all rows are full. */
  readonly lengths: Int32Array | null;
  /** "train": batch statistics, running statistics updated; "eval": running statistics. */
  readonly mode: "train" | "eval";
}

/** The whole-sequence view `forwardScan` fills. Rows are time-major; the layout of states is as in SequenceTape. */
export interface ScanInfo {
  readonly T: number;
  readonly B: number;
  readonly reverse: boolean;
  readonly xp: Vec;                        // [N, X·H]
  readonly states: readonly Vec[];         // each [(T + 1)·B, H]; the initial state is already in place
  readonly cache: Vec;                     // [N, cacheWidth]
  readonly lengths: Int32Array | null;
}

/** Options every cell accepts. */
export interface CommonCellOptions {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Learnable biases (default true). */
  readonly bias?: boolean;
}
