/**
 * The one time loop: one layer in one direction, forward and backward (BPTT).
 *
 * Shape legend: T time, B batch, N = T·B rows (time-major, row = t·B + b), I this layer's input
 * width, H hidden, X·H the cell's input-projection width, D·H the layer's output width (D = 1 or 2
 * directions; this direction writes columns [col, col + H)).
 *
 * Forward: xp = x · Wᵀ for all T steps in one product, then per step only the cell's recurrent
 * product and gate work (a backend that takes the whole loop computes xp too, and may overlap the
 * two: SequenceLoop.project). States are kept for every step in [(T + 1)·B, H] buffers: the forward
 * direction reads block t and writes block t + 1; the reverse direction reads block t + 1 and
 * writes block t, so for either direction the previous states of all N rows start at `statesOff`
 * (0 or B·H) and line up with the rows of xp, the cache and the gradients.
 *
 * Sequence lengths (ONNX semantics): row b is active at time t when t < len[b]. An inactive row
 * keeps its state (h_t = h_{t−1}) and outputs 0, so the forward direction ends at each row's last
 * valid step and the reverse direction starts there. Backward passes the state gradient of an
 * inactive row straight through and hands the cell a zero gradient for it.
 *
 * Cells may add two whole-sequence stages: `prepare` rewrites xp before the loop (LiGRU's
 * normalisation) and `forwardScan` replaces the step loop by a parallel scan (minGRU). A backend may
 * take the whole loop (Cell.forwardLoop / backwardLoop: one call for all T steps, the same
 * positions and order of operations as the loops here, which stay the reference and the fallback).
 *
 * Nothing here allocates inside the loop: the step records are mutated in place.
 */
import type { Cell, ParamViews, StepBackward, StepForward } from "../cells/types.js";
import type { SequenceLoop } from "../kernels/fused.js";
import type { Kernels, ResidentMemory, Vec } from "../kernels/types.js";
import { OptionError, StateError } from "../errors/index.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Buffers of one layer-direction, allocated once per (T, B) and reused. */
export interface DirectionWork {
  readonly cell: Cell;
  readonly reverse: boolean;
  readonly T: number;
  readonly B: number;
  readonly xp: Vec;             // [N, X·H]; reused as dxp by backward (no cell's backward reads xp)
  readonly states: Vec[];       // each [(T + 1)·B, H]
  readonly cache: Vec;          // [N, cacheWidth], or [B, cacheWidth] when not kept for backward
  readonly keepCache: boolean;
  readonly scratch: Vec;        // [B, scratchWidth]
  readonly prepared: Vec;       // [N, prepareWidth]: what the cell's prepare() keeps for its backward
  back?: BackwardWork;
  /** Recurrent dropout of the last forward, or null (see RecurrentDrop). */
  drop: RecurrentDrop | null;
  /** The backend's resident memory these buffers live in, or null (ordinary arrays). */
  readonly mem: ResidentMemory | null;
  /** Set when a newer workspace of the same cell took the memory back (see allocDirection). */
  released?: boolean;
}

/**
 * Recurrent dropout (Gal & Ghahramani 2016): one mask m [B, H] per sequence (values 0 or 1/(1 − p)),
 * applied to the previous state wherever it enters a product with U: hr_t = m ⊙ h_{t−1}, kept for
 * every step [(T + 1)·B, H] in the states' layout for the weight gradients. Backward adds
 * m ⊙ dL/dhr to dL/dh_{t−1}.
 */
interface RecurrentDrop {
  readonly mask: Vec;           // [B, H]
  readonly hr: Vec;             // [(T + 1)·B, H]
  readonly dhr: Vec;            // [B, H]
}

interface BackwardWork {
  readonly dxp: Vec;            // [N, X·H]: the memory of xp
  readonly dRec: Vec;           // [N, dRecWidth]
  readonly dh: Vec[];           // each [B, H]: dL/d state at the current step
  readonly dPrev: Vec[];        // each [B, H]
  readonly dCell: Vec[];        // each [B, H]: dh with inactive rows zeroed (lengths only)
}

/**
 * The live workspace of each cell, per resident memory. A layer holds one workspace at a time, so
 * allocating a new one for a cell (a new T or B) hands the previous one's memory back at once:
 * memory stays at what the current shapes need however many shapes come and go.
 */
const liveWork = new WeakMap<ResidentMemory, Map<Cell, DirectionWork>>();

/**
 * Allocates a layer-direction's buffers: inside the backend's resident memory when it has one
 * (its kernels then use them in place, no copies per step), else as ordinary arrays.
 */
export function allocDirection(k: Kernels, cell: Cell, reverse: boolean, T: number, B: number, keepCache: boolean): DirectionWork {
  const H = cell.hiddenSize, N = T * B;
  const keep = keepCache || (cell.useScan === true && cell.forwardScan !== undefined);
  const mem = k.resident ?? null;
  if (mem) {
    let live = liveWork.get(mem);
    if (!live) liveWork.set(mem, (live = new Map()));
    const old = live.get(cell);
    if (old) releaseDirection(old);
  }
  const alloc = (n: number): Vec => (mem ? mem.alloc(n) : k.alloc(n));
  const w: DirectionWork = {
    cell, reverse, T, B, keepCache: keep, mem,
    xp: alloc(N * cell.xBlocks * H),
    states: cell.states.map(() => alloc((T + 1) * B * H)),
    cache: alloc((keep ? N : B) * cell.cacheWidth),
    scratch: alloc(Math.max(1, B * cell.scratchWidth)),
    prepared: alloc(N * (cell.prepareWidth ?? 0)),
    drop: null,
  };
  if (mem) liveWork.get(mem)!.set(cell, w);
  return w;
}

/** Returns a workspace's resident memory (nothing for ordinary arrays); it must not be used again. */
function releaseDirection(w: DirectionWork): void {
  if (!w.mem || w.released) return;
  const bufs = [w.xp, ...w.states, w.cache, w.scratch, w.prepared];
  if (w.back) bufs.push(w.back.dRec, ...w.back.dh, ...w.back.dPrev, ...w.back.dCell);
  for (const b of bufs) w.mem.release(b);
  w.released = true;
}

function checkLive(w: DirectionWork): void {
  if (w.released) throw new StateError(`${w.cell.kind}: this workspace was replaced by a newer one (a new sequence shape); run forward again`);
}

function allocBackward(k: Kernels, w: DirectionWork): BackwardWork {
  const { cell, B, T } = w, H = cell.hiddenSize, N = T * B;
  const alloc = (n: number): Vec => (w.mem ? w.mem.alloc(n) : k.alloc(n));
  const each = () => cell.states.map(() => alloc(B * H));
  return { dxp: w.xp, dRec: alloc(Math.max(1, N * cell.dRecWidth)), dh: each(), dPrev: each(), dCell: each() };
}

/** Where the layer's input lives and how its output is laid out (rows of N). */
export interface LayerIO {
  readonly x: Vec; readonly ldx: number;          // [N, I]
  readonly ldo: number;                           // the output's row: D·H
  readonly col: number;                           // this direction's first output column
  /** Recurrent dropout mask [B, H] for this forward (train mode), or null. */
  readonly mask?: Vec | null;
  readonly lengths: Int32Array | null;            // [B]
  readonly mode: "train" | "eval";
  /** Run the time loop's products in dynamic int8 (the stack's precision "int8"; eval mode only). */
  readonly int8?: boolean;
}

/**
 * Where forward writes a layer's output y [N, D·H]: in rows t·B + b (time-major), or b·T + t
 * (batch-major: the last layer writes straight into the caller's result in the caller's layout).
 */
export interface LayerOut { readonly y: Vec; readonly batchMajor: boolean }

export function forwardDirection(
  k: Kernels, w: DirectionWork, p: ParamViews, io: LayerIO, init: readonly (Vec | null)[], out: LayerOut,
): void {
  checkLive(w);
  k.begin?.();
  const { cell, T, B, reverse, states } = w;
  const H = cell.hiddenSize, XH = cell.xBlocks * H, I = cell.inputSize, N = T * B, BH = B * H;
  w.drop = io.mask ? { mask: io.mask, hr: k.alloc((T + 1) * BH), dhr: k.alloc(BH) } : null;
  const first = reverse ? T * BH : 0;
  for (let c = 0; c < states.length; c++) {
    const h0 = init[c];
    if (h0) states[c]!.set(h0, first); else states[c]!.fill(0, first, first + BH);
  }
  // xp = x · Wᵀ for all steps at once: here, first, unless the backend's time loop takes it (it may
  // overlap the two); a cell's prepare() rewrites the whole of it before the loop
  const scan = cell.forwardScan !== undefined && cell.useScan === true;
  const loopable = !scan && w.drop === null && cell.forwardLoop !== undefined;
  const deferred = loopable && cell.prepare === undefined;
  const project = () => k.matmulNT(w.xp, 0, XH, io.x, 0, io.ldx, p.W!, 0, I, N, XH, I, 0);
  if (!deferred) {
    project();
    if (cell.prepare) cell.prepare(k, p, w.xp, { T, B, lengths: io.lengths, mode: io.mode }, w.prepared);
  }
  if (scan) {
    cell.forwardScan!(k, p, { T, B, reverse, xp: w.xp, states, cache: w.cache, lengths: io.lengths });
  } else {
    const whole: StepForward = {
      B, xp: w.xp, xpOff: 0, prev: states, prevOff: 0, next: states, nextOff: 0, cache: w.cache, cacheOff: 0, scratch: w.scratch,
    };
    const loop: SequenceLoop = { T, reverse, keepCache: w.keepCache, lengths: io.lengths, ...(io.int8 ? { int8: true } : {}) };
    const looped = loopable && cell.forwardLoop!(k, p, whole, deferred ? { ...loop, project: { x: io.x, ldx: io.ldx, W: p.W!, I } } : loop);
    if (!looped && io.int8) {
      throw new OptionError(`precision "int8": the ${k.name} kernels have no int8 loop for this ${cell.kind} layer (int8 covers the GRU family and the LSTM with σ gates, tanh, no clip, on the native kernels or the relaxed-SIMD WebAssembly ones)`);
    }
    if (!looped) {
      if (deferred) project();
      stepLoop(k, w, p, io.lengths);
    }
  }
  // outputs: y_t = h_t for active rows, 0 past a row's length
  const h = states[0]!, len = io.lengths, from = reverse ? 0 : BH, y = out.y;
  if (len === null && io.ldo === H && io.col === 0 && (!out.batchMajor || B === 1)) {
    y.set(h.subarray(from, from + N * H));
    return;
  }
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const o = (out.batchMajor ? b * T + t : t * B + b) * io.ldo + io.col, at = from + (t * B + b) * H;
      if (len !== null && t >= len[b]!) y.fill(0, o, o + H);
      else y.set(h.subarray(at, at + H), o);
    }
  }
}

function stepLoop(k: Kernels, w: DirectionWork, p: ParamViews, len: Int32Array | null): void {
  const { cell, T, B, reverse, states, cache, drop } = w;
  const H = cell.hiddenSize, XH = cell.xBlocks * H, BH = B * H;
  const step: Mutable<StepForward> = {
    B, xp: w.xp, xpOff: 0, prev: states, prevOff: 0, next: states, nextOff: 0, cache, cacheOff: 0, scratch: w.scratch,
    ...(drop ? { hr: drop.hr, hrOff: 0 } : {}),
  };
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    step.xpOff = t * B * XH;
    step.prevOff = (reverse ? t + 1 : t) * BH;
    step.nextOff = (reverse ? t : t + 1) * BH;
    step.cacheOff = w.keepCache ? t * B * cell.cacheWidth : 0;
    if (drop) {
      // hr = m ⊙ h_{t−1}
      const h = states[0]!, at = step.prevOff;
      for (let i = 0; i < BH; i++) drop.hr[at + i] = drop.mask[i]! * h[at + i]!;
      step.hrOff = at;
    }
    cell.forward(k, p, step);
    if (len === null) continue;
    // an inactive row keeps its state
    for (let b = 0; b < B; b++) {
      if (t < len[b]!) continue;
      for (let c = 0; c < states.length; c++) {
        states[c]!.copyWithin(step.nextOff + b * H, step.prevOff + b * H, step.prevOff + (b + 1) * H);
      }
    }
  }
}

/** Final state component c of a direction: [B, H] view. */
export function finalState(w: DirectionWork, c: number): Vec {
  const BH = w.B * w.cell.hiddenSize;
  const at = w.reverse ? 0 : w.T * BH;
  return w.states[c]!.subarray(at, at + BH);
}

/**
 * BPTT for one direction. dOut holds dL/d(layer output) (this direction's columns); dFinal the
 * gradients of the final states (or null). Accumulates parameter gradients into g, the input
 * gradient into dx, and writes dL/d(initial state) into dInit.
 */
export function backwardDirection(
  k: Kernels, w: DirectionWork, p: ParamViews, g: ParamViews, io: LayerIO,
  dOut: Vec, dFinal: readonly (Vec | null)[], dx: Vec, dInit: readonly Vec[],
): void {
  const { cell, T, B, reverse, states, cache } = w;
  const H = cell.hiddenSize, XH = cell.xBlocks * H, I = cell.inputSize, N = T * B, BH = B * H;
  checkLive(w);
  k.begin?.();
  const bw = (w.back ??= allocBackward(k, w));
  bw.dxp.fill(0);
  bw.dRec.fill(0);
  bw.dh.forEach((d, c) => { const f = dFinal[c]; if (f) d.set(f); else d.fill(0); });
  let dh = bw.dh, dPrev = bw.dPrev;
  const len = io.lengths;
  const drop = w.drop;
  const step: Mutable<StepBackward> = {
    B, xp: w.xp, xpOff: 0, prev: states, prevOff: 0, next: states, nextOff: 0, cache, cacheOff: 0, scratch: w.scratch,
    dNext: len ? bw.dCell : dh, dPrev, dxp: bw.dxp, dxpOff: 0, dRec: bw.dRec, dRecOff: 0,
    ...(drop ? { hr: drop.hr, hrOff: 0, dhr: drop.dhr } : {}),
  };
  const looped = drop === null && cell.backwardLoop?.(k, p, step, {
    T, reverse, keepCache: true, lengths: len, dOut, ldo: io.ldo, col: io.col, dh: bw.dh, dPrev: bw.dPrev, dCell: bw.dCell,
  }) === true;
  // the loop ends with dL/d(initial state) in dh after an even number of swaps, else in dPrev
  if (looped && T % 2 === 1) dh = bw.dPrev;
  for (let s = looped ? -1 : T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    // dh_t += dL/dy_t for active rows (inactive rows output a constant 0)
    for (let b = 0; b < B; b++) {
      if (len !== null && t >= len[b]!) continue;
      const o = (t * B + b) * io.ldo + io.col;
      for (let j = 0; j < H; j++) dh[0]![b * H + j] += dOut[o + j]!;
    }
    if (len !== null) {
      for (let c = 0; c < dh.length; c++) {
        const dc = bw.dCell[c]!;
        dc.set(dh[c]!);
        for (let b = 0; b < B; b++) if (t >= len[b]!) dc.fill(0, b * H, (b + 1) * H);
      }
    } else {
      step.dNext = dh;
    }
    for (let c = 0; c < dPrev.length; c++) dPrev[c]!.fill(0);
    step.dPrev = dPrev;
    step.xpOff = t * B * XH;
    step.prevOff = (reverse ? t + 1 : t) * BH;
    step.nextOff = (reverse ? t : t + 1) * BH;
    step.cacheOff = t * B * cell.cacheWidth;
    step.dxpOff = t * B * XH;
    step.dRecOff = t * B * cell.dRecWidth;
    if (drop) { step.hrOff = step.prevOff; drop.dhr.fill(0); }
    cell.backward(k, p, step);
    if (drop) {
      // hr = m ⊙ h_{t−1}: dh_{t−1} += m ⊙ dhr
      const dp = dPrev[0]!;
      for (let i = 0; i < BH; i++) dp[i] += drop.mask[i]! * drop.dhr[i]!;
    }
    if (len !== null) {
      // an inactive row kept its state: its gradient passes straight through
      for (let b = 0; b < B; b++) {
        if (t < len[b]!) continue;
        for (let c = 0; c < dh.length; c++) {
          const d = dh[c]!, dp = dPrev[c]!;
          for (let j = b * H; j < (b + 1) * H; j++) dp[j] += d[j]!;
        }
      }
    }
    const swap = dh;
    dh = dPrev;
    dPrev = swap;
  }
  dh.forEach((d, c) => dInit[c]!.set(d));
  const statesOff = reverse ? BH : 0;
  cell.backwardWeights(k, p, g, { N, states, statesOff, cache, dxp: bw.dxp, dRec: bw.dRec, ...(drop ? { rec: drop.hr, recOff: statesOff } : {}) });
  if (cell.prepareBackward) cell.prepareBackward(k, p, g, bw.dxp, { T, B, lengths: len, mode: io.mode }, w.prepared);
  // dW = Σ_t dxpᵀ · x_t and dx = dxp · W, each one product over the whole sequence
  k.matmulTN(g.W!, 0, I, bw.dxp, 0, XH, io.x, 0, io.ldx, XH, I, N, 1);
  k.matmul(dx, 0, io.ldx, bw.dxp, 0, XH, p.W!, 0, I, N, I, XH, 1);
}
