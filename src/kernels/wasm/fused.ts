/**
 * The fused per-step cell kernels on the WebAssembly backend: the TypeScript half of
 * wasm/gated.ts, lstm.ts, rnn.ts, light.ts (LiGRU, minGRU, LiBRU "ligru"/"geomean") and libru.ts.
 * Each call gathers the step's operands (in place when resident, see marshal.ts), the layer's
 * recurrent weights packed once per parameter version,
 * fills a descriptor and runs the step, its batch rows split between threads when the step is
 * large enough (rows are independent, so the split changes no bit). Given a SequenceLoop, the same
 * descriptor runs the whole time loop in one call (wasm/sequence.ts), and a thread then takes a
 * group of rows through every step: one hand-off per sequence instead of one per step.
 *
 * Shape legend: B batch rows, H hidden; the layouts are the cells' own.
 *
 * One file (over 700 lines) because every cell's forward and backward here are the same few moves
 * on this class's shared machinery — the descriptor plans, the marshalling, runLoop and the row
 * split — each a short method; split by cell, every file would need all of that private state.
 */
import type { ParamViews, StepBackward, StepForward } from "../../cells/types.js";
import type { Vec } from "../types.js";
import type { ActivationConfig, ActivationName } from "../activations.js";
import type { FusedKernels, GatedSpec, LibruSpec, LightSpec, LstmSpec, RnnSpec, SequenceLoop, SequenceLoopBackward } from "../fused.js";
import { int8Project, int8Runs, int8RowsTemp, int8RowWords, int8Weights } from "./int8.js";
import { Orient, type Marshal } from "./marshal.js";
import { JOB_GEMM, packedB, productChunk, runProduct, type Product } from "./product.js";
import { DESC_SLOTS, PARALLEL_MIN_FLOPS, type WasmRuntime } from "./runtime.js";

/** Activation codes of wasm/activations.ts: every ONNX activation has one. */
export const ACT_CODE: Partial<Record<ActivationName, number>> = {
  Sigmoid: 0, Tanh: 1, Relu: 2, HardSigmoid: 3, Affine: 4, LeakyRelu: 5, ThresholdedRelu: 6, ScaledTanh: 7, Softsign: 8, Softplus: 10, Elu: 11,
};
/** minGRU's candidate g (not an ONNX activation): wasm/activations.ts MIN_G. */
export const MIN_G_CODE = 9;

/**
 * An activation as the kernels take it (code, float32 α and β), or null without a fused form.
 * ThresholdedRelu compares a float32 x with α: x > α (float64) is x > α′ for the float32 α′ below,
 * so the threshold decides exactly as the TypeScript cell does.
 */
export function kernelActivation(cfg: ActivationConfig): { code: number; a: number; b: number } | null {
  const code = ACT_CODE[cfg.name];
  if (code === undefined) return null;
  let a = Math.fround(cfg.alpha);
  if (cfg.name === "ThresholdedRelu" && a > cfg.alpha) a = prevFloat32(a);
  return { code, a, b: Math.fround(cfg.beta) };
}

function prevFloat32(v: number): number {
  const f = new Float32Array([v]), i = new Int32Array(f.buffer);
  if (v === 0) return -1.4e-45;
  i[0]! += v > 0 ? -1 : 1;
  return f[0]!;
}

/** An activation as the kernels take it, with the clip bounds of its derivative mask. */
interface ActPlan { readonly code: number; readonly a: number; readonly b: number; readonly lo: number; readonly hi: number }

// descriptor slots: wasm/gated.ts, wasm/lstm.ts, wasm/rnn.ts
const G = {
  B: 0, H: 1, NG: 2, GX: 3, GH: 4, GB: 5, FLAGS: 6, XP: 7, LDX: 8, HP: 9, OUT: 10, CACHE: 11, SCR: 12, UA: 13, UC: 14,
  BIAS: 15, CB: 16, ACTG: 17, ACTC: 20, CLIP: 23, GLO: 24, CLO: 26, TMP: 28, DH: 29, DPREV: 30, DXP: 31, DREC: 32, UGN: 33, UCN: 34, Q8: 35,
} as const;
const L_ = {
  B: 0, H: 1, XP: 2, HP: 3, CP: 4, HOUT: 5, COUT: 6, CACHE: 7, SCR: 8, UP: 9, BIAS: 10, ACTG: 11, ACTC: 14, ACTH: 17,
  CLIP: 20, GLO: 21, CLO: 23, TMP: 25, DH: 26, DC: 27, DHPREV: 28, DCPREV: 29, DXP: 30, UN: 31, Q8: 32,
} as const;
const R = { B: 0, H: 1, XP: 2, HP: 3, OUT: 4, CACHE: 5, UP: 6, BIAS: 7, ACT: 8, CLIP: 11, LO: 12, TMP: 14, DH: 15, DPREV: 16, DXP: 17, UN: 18 } as const;
const LI = { B: 0, H: 1, FLAGS: 2, XP: 3, HP: 4, OUT: 5, CACHE: 6, SCR: 7, UP: 8, BIAS: 9, ACTZ: 10, ACTN: 13, TMP: 16, DH: 17, DPREV: 18, DXP: 19, UN: 20 } as const;
const LB = { B: 0, H: 1, MODE: 2, XP: 3, HP: 4, OUT: 5, CACHE: 6, SCR: 7, UP: 8, BIAS: 9, EPS: 10, TMP: 11, DH: 12, DPREV: 13, DXP: 14, UN: 15 } as const;
// the time loop's fields, after the step's: wasm/sequence.ts
const SQ = {
  T: 64, REV: 65, LEN: 66, STEP: 67, NADV: 68, ADV: 69, NST: 93, SLOT_A: 94, SLOT_B: 96,
  DOUT: 98, DOUT_DT: 99, DOUT_LD: 100, BUF_A: 101, BUF_B: 103, BUF_CELL: 105, FROM: 107, TO: 108,
} as const;
/** A pipelined input projection (see pipelined()) comes in about this many stretches of steps. */
const STRETCHES = 16;
const MAX_MOVING = 8;
// job indices: runtime.ts JOB_NAMES
const JOB = {
  gatedForward: 3, gatedBackward: 4, lstmForward: 5, lstmBackward: 6, rnnForward: 7, rnnBackward: 8, seqForward: 9, seqBackward: 10,
  lightForward: 11, lightBackward: 12, libruForward: 13, libruBackward: 14,
} as const;

/** A slot that moves with time in a loop: at time t it holds base + t·delta (bytes). */
type Moving = readonly [slot: number, base: number, delta: number];

/**
 * A forward loop's operands: [base, delta per step] of x projection, state before, state after,
 * cache (then the LSTM's cell state before and after), the lengths' address, and the input
 * projection still to compute (SequenceLoop.project), or null.
 */
interface LoopOperands { readonly moving: [number, number][]; readonly lens: number; readonly proj: Product | null }

/** The descriptor slots a one-state step kernel's forward loop moves (G, R, LI, LB all have them). */
interface ForwardSlots { readonly B: number; readonly TMP: number; readonly XP: number; readonly HP: number; readonly OUT: number; readonly CACHE: number }

/** What a backward loop adds to the descriptor (addresses). */
interface LoopBack { readonly dOut: number; readonly dt: number; readonly ld: number; readonly a: readonly number[]; readonly b: readonly number[]; readonly cell: readonly number[] }

/** Row slots of a descriptor: [slot, row length in elements], advanced per row when rows are split. */
type RowSlots = readonly (readonly [number, number])[];

/** The weight addresses of a plan's forward (0) or backward (1) call, valid for one epoch and version. */
interface WeightMemo { readonly epoch: number; readonly version: number; readonly U: Vec | undefined; readonly b: Vec | undefined; readonly c: Vec | undefined; readonly ptrs: readonly number[] }
interface Memos { readonly memos: (WeightMemo | undefined)[] }

interface GatedPlan extends Memos {
  readonly g: ActPlan; readonly c: ActPlan; readonly clip: number; readonly flags: number;
  readonly fwdRows: RowSlots; readonly bwdRows: RowSlots;
}
interface LstmPlan extends Memos { readonly g: ActPlan; readonly c: ActPlan; readonly h: ActPlan; readonly clip: number; readonly fwdRows: RowSlots; readonly bwdRows: RowSlots }
interface LightPlan extends Memos { readonly z: ActPlan; readonly n: ActPlan; readonly flags: number; readonly fwdRows: RowSlots; readonly bwdRows: RowSlots }
interface LibruPlan extends Memos { readonly fwdRows: RowSlots; readonly bwdRows: RowSlots }
interface RnnPlan extends Memos { readonly f: ActPlan; readonly clip: number; readonly fwdRows: RowSlots; readonly bwdRows: RowSlots }

export class WasmFused implements FusedKernels {
  private readonly plans = new WeakMap<object, GatedPlan | LstmPlan | RnnPlan | LightPlan | LibruPlan | null>();

  constructor(private readonly rt: WasmRuntime, private readonly m: Marshal) {}

  // Each call: every allocation first (a growing unshared memory detaches views), then the
  // descriptor from the runtime's current views, then the run; m.end() copies results back.

  gatedForward(spec: GatedSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean {
    if (loop?.int8) return this.gatedForward8(spec, p, s, loop);
    const { hidden: H, nG, gx, gh } = spec, B = s.B, X = gx + 1, ldc = (nG + 2) * H, ldp = (gh + 1) * H;
    const after = spec.reset === "after", rowsNow = after ? gh + 1 : gh;
    const m = this.m;
    return this.call(this.gatedPlan(spec), 0, p, () => [
      rowsNow > 0 ? m.weight(p.U!, 0, H, rowsNow * H, H, Orient.NT) : 0,
      after ? 0 : m.weight(p.U!, gh * H * H, H, H, H, Orient.NT),
      spec.bias ? m.weight(p.b!, 0, 0, 1, (spec.gb + 1) * H, Orient.Copy) : 0,
      spec.hasC ? m.weight(p.c!, 0, 0, 1, H, Orient.Copy) : 0,
    ], (plan, w) => {
      const [uA, uC, bp, cp] = w as [number, number, number, number];
      const flops = 2 * B * H * H * (gh + 1);
      if (loop) {
        const L = this.loopForward(loop, B, H, s, X * H, ldc);
        const scr = m.scratch(s.scratch, 0, B * ldp);
        const d = this.gatedDesc(spec, plan, B, bp, cp), i32 = this.rt.i32;
        i32[d + G.UA] = uA; i32[d + G.UC] = uC; i32[d + G.SCR] = scr;
        this.runForwardLoop(JOB.gatedForward, d, G, B, flops, plan.fwdRows, loop, L);
        return;
      }
      const xp = m.in(s.xp, s.xpOff, B * X * H), hp = m.in(s.prev[0]!, s.prevOff, B * H);
      const out = m.out(s.next[0]!, s.nextOff, B * H, false), cache = m.out(s.cache, s.cacheOff, B * ldc, false);
      const scr = m.scratch(s.scratch, 0, B * ldp);
      const d = this.gatedDesc(spec, plan, B, bp, cp), i32 = this.rt.i32;
      i32[d + G.UA] = uA; i32[d + G.UC] = uC; i32[d + G.XP] = xp; i32[d + G.HP] = hp;
      i32[d + G.OUT] = out; i32[d + G.CACHE] = cache; i32[d + G.SCR] = scr;
      this.dispatch(JOB.gatedForward, d, G.B, G.TMP, B, flops, plan.fwdRows);
    });
  }

  gatedBackward(spec: GatedSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean {
    const { hidden: H, nG, gx, gh } = spec, B = s.B, X = gx + 1, ldc = (nG + 2) * H;
    const ldr = (gx > 0 ? 0 : nG * H) + H;
    const m = this.m;
    return this.call(this.gatedPlan(spec), 1, p, () => [
      gh > 0 ? m.weight(p.U!, 0, H, gh * H, H, Orient.NN) : 0,
      m.weight(p.U!, gh * H * H, H, H, H, Orient.NN),
    ], (plan, w) => {
      const [uGn, uCn] = w as [number, number];
      const flops = 2 * B * H * H * (gh + 1);
      if (loop) {
        const N = loop.T * B;
        const cache = m.in(s.cache, 0, N * ldc), prev = this.statesIn(s.prev[0]!, loop, B, H);
        const dxp = m.out(s.dxp, 0, N * X * H, true), dRec = m.out(s.dRec, 0, N * ldr, true);
        const back = this.loopBack(loop, B, H), scr = m.scratch(s.scratch, 0, B * H);
        const d = this.gatedDesc(spec, plan, B, 0, 0), i32 = this.rt.i32;
        i32[d + G.UGN] = uGn; i32[d + G.UCN] = uCn; i32[d + G.SCR] = scr;
        this.runLoop(JOB.gatedBackward, d, G.B, G.TMP, B, flops, plan.bwdRows, loop, back.lens,
          [[G.CACHE, cache, B * ldc * 4], [G.HP, ...prev], [G.DXP, dxp, B * X * H * 4], [G.DREC, dRec, B * ldr * 4]], [G.DH], [G.DPREV], { back });
        return;
      }
      const cache = m.in(s.cache, s.cacheOff, B * ldc), hp = m.in(s.prev[0]!, s.prevOff, B * H), dh = m.in(s.dNext[0]!, 0, B * H);
      const dPrev = m.out(s.dPrev[0]!, 0, B * H, true), dxp = m.out(s.dxp, s.dxpOff, B * X * H, true);
      const dRec = m.out(s.dRec, s.dRecOff, B * ldr, true), scr = m.scratch(s.scratch, 0, B * H);
      const d = this.gatedDesc(spec, plan, B, 0, 0), i32 = this.rt.i32;
      i32[d + G.UGN] = uGn; i32[d + G.UCN] = uCn; i32[d + G.CACHE] = cache; i32[d + G.HP] = hp; i32[d + G.DH] = dh;
      i32[d + G.DPREV] = dPrev; i32[d + G.DXP] = dxp; i32[d + G.DREC] = dRec; i32[d + G.SCR] = scr;
      this.dispatch(JOB.gatedBackward, d, G.B, G.TMP, B, flops, plan.bwdRows);
    });
  }

  lstmForward(spec: LstmSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean {
    if (loop?.int8) return this.lstmForward8(spec, p, s, loop);
    const H = spec.hidden, B = s.B;
    const m = this.m;
    return this.call(this.lstmPlan(spec), 0, p, () => [
      m.weight(p.U!, 0, H, 4 * H, H, Orient.NT), spec.bias ? m.weight(p.b!, 0, 0, 1, 4 * H, Orient.Copy) : 0,
    ], (plan, w) => {
      const [up, bp] = w as [number, number];
      if (loop) {
        const L = this.loopForward(loop, B, H, s, 4 * H, 5 * H);
        const scr = m.scratch(s.scratch, 0, B * 4 * H);
        const d = this.lstmDesc(spec, plan, B, bp), i32 = this.rt.i32;
        i32[d + L_.UP] = up; i32[d + L_.SCR] = scr;
        this.runLstmLoop(d, B, H, plan.fwdRows, loop, L);
        return;
      }
      const xp = m.in(s.xp, s.xpOff, B * 4 * H), hp = m.in(s.prev[0]!, s.prevOff, B * H), cp = m.in(s.prev[1]!, s.prevOff, B * H);
      const hOut = m.out(s.next[0]!, s.nextOff, B * H, false), cOut = m.out(s.next[1]!, s.nextOff, B * H, false);
      const cache = m.out(s.cache, s.cacheOff, B * 5 * H, false), scr = m.scratch(s.scratch, 0, B * 4 * H);
      const d = this.lstmDesc(spec, plan, B, bp), i32 = this.rt.i32;
      i32[d + L_.UP] = up; i32[d + L_.XP] = xp; i32[d + L_.HP] = hp; i32[d + L_.CP] = cp;
      i32[d + L_.HOUT] = hOut; i32[d + L_.COUT] = cOut; i32[d + L_.CACHE] = cache; i32[d + L_.SCR] = scr;
      this.dispatch(JOB.lstmForward, d, L_.B, L_.TMP, B, 8 * B * H * H, plan.fwdRows);
    });
  }

  lstmBackward(spec: LstmSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean {
    const H = spec.hidden, B = s.B;
    const m = this.m;
    return this.call(this.lstmPlan(spec), 1, p, () => [m.weight(p.U!, 0, H, 4 * H, H, Orient.NN)], (plan, w) => {
      const [un] = w as [number];
      if (loop) {
        const N = loop.T * B;
        const cache = m.in(s.cache, 0, N * 5 * H), cPrev = this.statesIn(s.prev[1]!, loop, B, H);
        const dxp = m.out(s.dxp, 0, N * 4 * H, true), back = this.loopBack(loop, B, H);
        const d = this.lstmDesc(spec, plan, B, 0), i32 = this.rt.i32;
        i32[d + L_.UN] = un;
        this.runLoop(JOB.lstmBackward, d, L_.B, L_.TMP, B, 8 * B * H * H, plan.bwdRows, loop, back.lens,
          [[L_.CACHE, cache, B * 5 * H * 4], [L_.CP, ...cPrev], [L_.DXP, dxp, B * 4 * H * 4]], [L_.DH, L_.DC], [L_.DHPREV, L_.DCPREV], { back });
        return;
      }
      const cache = m.in(s.cache, s.cacheOff, B * 5 * H), cp = m.in(s.prev[1]!, s.prevOff, B * H);
      const dh = m.in(s.dNext[0]!, 0, B * H), dc = m.in(s.dNext[1]!, 0, B * H);
      const dhPrev = m.out(s.dPrev[0]!, 0, B * H, true), dcPrev = m.out(s.dPrev[1]!, 0, B * H, true);
      const dxp = m.out(s.dxp, s.dxpOff, B * 4 * H, true);
      const d = this.lstmDesc(spec, plan, B, 0), i32 = this.rt.i32;
      i32[d + L_.UN] = un; i32[d + L_.CACHE] = cache; i32[d + L_.CP] = cp; i32[d + L_.DH] = dh; i32[d + L_.DC] = dc;
      i32[d + L_.DHPREV] = dhPrev; i32[d + L_.DCPREV] = dcPrev; i32[d + L_.DXP] = dxp;
      this.dispatch(JOB.lstmBackward, d, L_.B, L_.TMP, B, 8 * B * H * H, plan.bwdRows);
    });
  }

  rnnForward(spec: RnnSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean {
    if (loop?.int8) return false; // int8 covers the GRU family and the LSTM
    const H = spec.hidden, B = s.B;
    const m = this.m;
    return this.call(this.rnnPlan(spec), 0, p, () => [
      m.weight(p.U!, 0, H, H, H, Orient.NT), spec.bias ? m.weight(p.b!, 0, 0, 1, H, Orient.Copy) : 0,
    ], (plan, w) => {
      const [up, bp] = w as [number, number];
      if (loop) {
        const L = this.loopForward(loop, B, H, s, H, H);
        const d = this.rnnDesc(spec, plan, B, bp), i32 = this.rt.i32;
        i32[d + R.UP] = up;
        this.runForwardLoop(JOB.rnnForward, d, R, B, 2 * B * H * H, plan.fwdRows, loop, L);
        return;
      }
      const xp = m.in(s.xp, s.xpOff, B * H), hp = m.in(s.prev[0]!, s.prevOff, B * H);
      const out = m.out(s.next[0]!, s.nextOff, B * H, false), cache = m.out(s.cache, s.cacheOff, B * H, false);
      const d = this.rnnDesc(spec, plan, B, bp), i32 = this.rt.i32;
      i32[d + R.UP] = up; i32[d + R.XP] = xp; i32[d + R.HP] = hp; i32[d + R.OUT] = out; i32[d + R.CACHE] = cache;
      this.dispatch(JOB.rnnForward, d, R.B, R.TMP, B, 2 * B * H * H, plan.fwdRows);
    });
  }

  rnnBackward(spec: RnnSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean {
    const H = spec.hidden, B = s.B;
    const m = this.m;
    return this.call(this.rnnPlan(spec), 1, p, () => [m.weight(p.U!, 0, H, H, H, Orient.NN)], (plan, w) => {
      const [un] = w as [number];
      if (loop) {
        const N = loop.T * B;
        const cache = m.in(s.cache, 0, N * H), dxp = m.out(s.dxp, 0, N * H, true), back = this.loopBack(loop, B, H);
        const d = this.rnnDesc(spec, plan, B, 0), i32 = this.rt.i32;
        i32[d + R.UN] = un;
        this.runLoop(JOB.rnnBackward, d, R.B, R.TMP, B, 2 * B * H * H, plan.bwdRows, loop, back.lens,
          [[R.CACHE, cache, B * H * 4], [R.DXP, dxp, B * H * 4]], [R.DH], [R.DPREV], { back });
        return;
      }
      const cache = m.in(s.cache, s.cacheOff, B * H), dh = m.in(s.dNext[0]!, 0, B * H);
      const dPrev = m.out(s.dPrev[0]!, 0, B * H, true), dxp = m.out(s.dxp, s.dxpOff, B * H, true);
      const d = this.rnnDesc(spec, plan, B, 0), i32 = this.rt.i32;
      i32[d + R.UN] = un; i32[d + R.CACHE] = cache; i32[d + R.DH] = dh; i32[d + R.DPREV] = dPrev; i32[d + R.DXP] = dxp;
      this.dispatch(JOB.rnnBackward, d, R.B, R.TMP, B, 2 * B * H * H, plan.bwdRows);
    });
  }

  lightForward(spec: LightSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean {
    if (loop?.int8) return false; // int8 covers the GRU family and the LSTM
    const H = spec.hidden, B = s.B, H2 = 2 * H;
    const m = this.m;
    return this.call(this.lightPlan(spec), 0, p, () => [
      spec.recurrent ? m.weight(p.U!, 0, H, H2, H, Orient.NT) : 0, spec.bias ? m.weight(p.b!, 0, 0, 1, H2, Orient.Copy) : 0,
    ], (plan, w) => {
      const [up, bp] = w as [number, number];
      const flops = spec.recurrent ? 2 * B * H2 * H : 8 * B * H;
      if (loop) {
        const L = this.loopForward(loop, B, H, s, H2, H2);
        const scr = spec.recurrent ? m.scratch(s.scratch, 0, B * H2) : 0;
        const d = this.lightDesc(plan, B, H, up, bp), i32 = this.rt.i32;
        i32[d + LI.SCR] = scr;
        this.runForwardLoop(JOB.lightForward, d, LI, B, flops, plan.fwdRows, loop, L);
        return;
      }
      const xp = m.in(s.xp, s.xpOff, B * H2), hp = m.in(s.prev[0]!, s.prevOff, B * H);
      const out = m.out(s.next[0]!, s.nextOff, B * H, false), cache = m.out(s.cache, s.cacheOff, B * H2, false);
      const scr = spec.recurrent ? m.scratch(s.scratch, 0, B * H2) : 0;
      const d = this.lightDesc(plan, B, H, up, bp), i32 = this.rt.i32;
      i32[d + LI.XP] = xp; i32[d + LI.HP] = hp; i32[d + LI.OUT] = out; i32[d + LI.CACHE] = cache; i32[d + LI.SCR] = scr;
      this.dispatch(JOB.lightForward, d, LI.B, LI.TMP, B, flops, plan.fwdRows);
    });
  }

  lightBackward(spec: LightSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean {
    const H = spec.hidden, B = s.B, H2 = 2 * H;
    const m = this.m;
    return this.call(this.lightPlan(spec), 1, p, () => [spec.recurrent ? m.weight(p.U!, 0, H, H2, H, Orient.NN) : 0], (plan, w) => {
      const [un] = w as [number];
      const flops = spec.recurrent ? 2 * B * H2 * H : 8 * B * H;
      if (loop) {
        const N = loop.T * B;
        const cache = m.in(s.cache, 0, N * H2), prev = this.statesIn(s.prev[0]!, loop, B, H);
        const dxp = m.out(s.dxp, 0, N * H2, true), back = this.loopBack(loop, B, H);
        const d = this.lightDesc(plan, B, H, 0, 0), i32 = this.rt.i32;
        i32[d + LI.UN] = un;
        this.runLoop(JOB.lightBackward, d, LI.B, LI.TMP, B, flops, plan.bwdRows, loop, back.lens,
          [[LI.CACHE, cache, B * H2 * 4], [LI.HP, ...prev], [LI.DXP, dxp, B * H2 * 4]], [LI.DH], [LI.DPREV], { back });
        return;
      }
      const cache = m.in(s.cache, s.cacheOff, B * H2), hp = m.in(s.prev[0]!, s.prevOff, B * H), dh = m.in(s.dNext[0]!, 0, B * H);
      const dPrev = m.out(s.dPrev[0]!, 0, B * H, true), dxp = m.out(s.dxp, s.dxpOff, B * H2, true);
      const d = this.lightDesc(plan, B, H, 0, 0), i32 = this.rt.i32;
      i32[d + LI.UN] = un; i32[d + LI.CACHE] = cache; i32[d + LI.HP] = hp; i32[d + LI.DH] = dh; i32[d + LI.DPREV] = dPrev; i32[d + LI.DXP] = dxp;
      this.dispatch(JOB.lightBackward, d, LI.B, LI.TMP, B, flops, plan.bwdRows);
    });
  }

  libruForward(spec: LibruSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean {
    if (loop?.int8) return false; // int8 covers the GRU family and the LSTM
    const H = spec.hidden, B = s.B, H2 = 2 * H, ldc = libruCacheWidth(spec);
    const m = this.m;
    return this.call(this.libruPlan(spec), 0, p, () => [
      m.weight(p.U!, 0, H, H2, H, Orient.NT), spec.bias ? m.weight(p.b!, 0, 0, 1, H2, Orient.Copy) : 0,
    ], (plan, w) => {
      const [up, bp] = w as [number, number];
      const flops = 2 * B * H2 * H;
      if (loop) {
        const L = this.loopForward(loop, B, H, s, H2, ldc);
        const scr = m.scratch(s.scratch, 0, B * H2);
        const d = this.libruDesc(spec, B, up, bp), i32 = this.rt.i32;
        i32[d + LB.SCR] = scr;
        this.runForwardLoop(JOB.libruForward, d, LB, B, flops, plan.fwdRows, loop, L);
        return;
      }
      const xp = m.in(s.xp, s.xpOff, B * H2), hp = m.in(s.prev[0]!, s.prevOff, B * H);
      const out = m.out(s.next[0]!, s.nextOff, B * H, false), cache = m.out(s.cache, s.cacheOff, B * ldc, false);
      const scr = m.scratch(s.scratch, 0, B * H2);
      const d = this.libruDesc(spec, B, up, bp), i32 = this.rt.i32;
      i32[d + LB.XP] = xp; i32[d + LB.HP] = hp; i32[d + LB.OUT] = out; i32[d + LB.CACHE] = cache; i32[d + LB.SCR] = scr;
      this.dispatch(JOB.libruForward, d, LB.B, LB.TMP, B, flops, plan.fwdRows);
    });
  }

  libruBackward(spec: LibruSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean {
    const H = spec.hidden, B = s.B, H2 = 2 * H, ldc = libruCacheWidth(spec);
    const m = this.m;
    return this.call(this.libruPlan(spec), 1, p, () => [m.weight(p.U!, 0, H, H2, H, Orient.NN)], (plan, w) => {
      const [un] = w as [number];
      const flops = 2 * B * H2 * H;
      if (loop) {
        const N = loop.T * B;
        const cache = m.in(s.cache, 0, N * ldc), prev = this.statesIn(s.prev[0]!, loop, B, H);
        const dxp = m.out(s.dxp, 0, N * H2, true), back = this.loopBack(loop, B, H), scr = m.scratch(s.scratch, 0, B * H);
        const d = this.libruDesc(spec, B, 0, 0), i32 = this.rt.i32;
        i32[d + LB.UN] = un; i32[d + LB.SCR] = scr;
        this.runLoop(JOB.libruBackward, d, LB.B, LB.TMP, B, flops, plan.bwdRows, loop, back.lens,
          [[LB.CACHE, cache, B * ldc * 4], [LB.HP, ...prev], [LB.DXP, dxp, B * H2 * 4]], [LB.DH], [LB.DPREV], { back });
        return;
      }
      const cache = m.in(s.cache, s.cacheOff, B * ldc), hp = m.in(s.prev[0]!, s.prevOff, B * H), dh = m.in(s.dNext[0]!, 0, B * H);
      const dPrev = m.out(s.dPrev[0]!, 0, B * H, true), dxp = m.out(s.dxp, s.dxpOff, B * H2, true), scr = m.scratch(s.scratch, 0, B * H);
      const d = this.libruDesc(spec, B, 0, 0), i32 = this.rt.i32;
      i32[d + LB.UN] = un; i32[d + LB.CACHE] = cache; i32[d + LB.HP] = hp; i32[d + LB.DH] = dh;
      i32[d + LB.DPREV] = dPrev; i32[d + LB.DXP] = dxp; i32[d + LB.SCR] = scr;
      this.dispatch(JOB.libruBackward, d, LB.B, LB.TMP, B, flops, plan.bwdRows);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Whole time loops (wasm/sequence.ts)

  /**
   * A forward loop's operands: [base, delta] of xp, the previous and next state of each state
   * component (h first), the cache; rows of N = T·B, the states in [(T + 1)·B, H] blocks (the
   * forward direction reads block t, writes t + 1; the reverse one reads t + 1, writes t).
   * Order: xp, prev h, next h, cache, then prev c, next c for a second state.
   */
  private loopForward(loop: SequenceLoop, B: number, H: number, s: StepForward, xpWidth: number, cacheWidth: number): LoopOperands {
    const m = this.m, N = loop.T * B, BH4 = B * H * 4, pj = loop.project;
    const xp = pj ? m.out(s.xp, 0, N * xpWidth, false) : m.in(s.xp, 0, N * xpWidth);
    // int8: the projection now, whole (wasm/int8.ts), before the loop's other operands
    if (pj && loop.int8) int8Project(m, xp, xpWidth, pj.x, pj.ldx, N, pj.W, xpWidth, pj.I);
    const proj: Product | null = pj && !loop.int8 ? {
      op: xp, ldo: xpWidth, ap: m.in(pj.x, 0, (N - 1) * pj.ldx + pj.I), ars: pj.ldx * 4, acs: 4,
      ...packedB(m.weight(pj.W, 0, pj.I, xpWidth, pj.I, Orient.NT), xpWidth, pj.I), m: N, n: xpWidth, k: pj.I, beta: 0,
    } : null;
    const cache = m.out(s.cache, 0, (loop.keepCache ? N : B) * cacheWidth, false);
    const moving: [number, number][] = [[xp, B * xpWidth * 4]];
    s.prev.forEach((states, c) => {
      const at = m.out(states, 0, (loop.T + 1) * B * H, true);
      const pair: [number, number][] = [[at + (loop.reverse ? BH4 : 0), BH4], [at + (loop.reverse ? 0 : BH4), BH4]];
      if (c === 0) moving.push(...pair, [cache, loop.keepCache ? B * cacheWidth * 4 : 0]); else moving.push(...pair);
    });
    return { moving, lens: this.lengthsIn(loop), proj };
  }

  /** The LSTM's forward time loop: x projection, both states and the cache move with t. */
  private runLstmLoop(d: number, B: number, H: number, rows: RowSlots, loop: SequenceLoop, L: LoopOperands): void {
    const [xp, hPrev, hNext, cache, cPrev, cNext] = L.moving;
    this.runLoop(JOB.lstmForward, d, L_.B, L_.TMP, B, 8 * B * H * H, rows, loop, L.lens,
      [[L_.XP, ...xp!], [L_.HP, ...hPrev!], [L_.CP, ...cPrev!], [L_.HOUT, ...hNext!], [L_.COUT, ...cNext!], [L_.CACHE, ...cache!]],
      [L_.HP, L_.CP], [L_.HOUT, L_.COUT], { proj: L.proj });
  }

  // precision "int8" (src/kernels/wasm/int8.ts): the same loops with the weights quantised as they
  // start and every product in int8; false (nothing done) where int8 does not cover the layer
  // (as native: σ gates, tanh, no clip) or this build has no int8 (plain SIMD)

  private gatedForward8(spec: GatedSpec, p: ParamViews, s: StepForward, loop: SequenceLoop): boolean {
    const plan = this.gatedPlan(spec);
    if (!plan || !int8Runs(this.rt) || !int8Covers(plan.g, plan.c, plan.clip)) return false;
    const { hidden: H, nG, gx, gh } = spec, B = s.B, ldc = (nG + 2) * H, ldp = (gh + 1) * H;
    const after = spec.reset === "after", rowsNow = after ? gh + 1 : gh, m = this.m;
    m.begin();
    try {
      const uA = rowsNow > 0 ? int8Weights(m, p.U!, 0, H, rowsNow * H, H) : 0;
      const uC = after ? 0 : int8Weights(m, p.U!, gh * H * H, H, H, H);
      const bp = spec.bias ? m.weight(p.b!, 0, 0, 1, (spec.gb + 1) * H, Orient.Copy) : 0;
      const cp = spec.hasC ? m.weight(p.c!, 0, 0, 1, H, Orient.Copy) : 0;
      const L = this.loopForward(loop, B, H, s, (gx + 1) * H, ldc);
      const scr = m.scratch(s.scratch, 0, B * ldp), q8 = int8RowsTemp(m, B, H);
      const d = this.gatedDesc(spec, plan, B, bp, cp, q8), i32 = this.rt.i32;
      i32[d + G.UA] = uA; i32[d + G.UC] = uC; i32[d + G.SCR] = scr;
      const rows: RowSlots = [...plan.fwdRows, [G.Q8, int8RowWords(this.rt, H)]];
      this.runForwardLoop(JOB.gatedForward, d, G, B, 2 * B * H * H * (gh + 1), rows, loop, L);
    } finally {
      m.end();
    }
    return true;
  }

  private lstmForward8(spec: LstmSpec, p: ParamViews, s: StepForward, loop: SequenceLoop): boolean {
    const plan = this.lstmPlan(spec);
    if (!plan || !int8Runs(this.rt) || !int8Covers(plan.g, plan.c, plan.clip) || plan.h.code !== ACT_CODE.Tanh) return false;
    const H = spec.hidden, B = s.B, m = this.m;
    m.begin();
    try {
      const up = int8Weights(m, p.U!, 0, H, 4 * H, H), bp = spec.bias ? m.weight(p.b!, 0, 0, 1, 4 * H, Orient.Copy) : 0;
      const L = this.loopForward(loop, B, H, s, 4 * H, 5 * H);
      const scr = m.scratch(s.scratch, 0, B * 4 * H), q8 = int8RowsTemp(m, B, H);
      const d = this.lstmDesc(spec, plan, B, bp, q8), i32 = this.rt.i32;
      i32[d + L_.UP] = up; i32[d + L_.SCR] = scr;
      this.runLstmLoop(d, B, H, [...plan.fwdRows, [L_.Q8, int8RowWords(this.rt, H)]], loop, L);
    } finally {
      m.end();
    }
    return true;
  }

  /** [base, delta] of the previous state in a backward loop (read only). */
  private statesIn(states: Vec, loop: SequenceLoop, B: number, H: number): [number, number] {
    const BH4 = B * H * 4, at = this.m.in(states, 0, (loop.T + 1) * B * H);
    return [at + (loop.reverse ? BH4 : 0), BH4];
  }

  private lengthsIn(loop: SequenceLoop): number {
    return loop.lengths ? this.m.ints(loop.lengths) : 0;
  }

  /** A backward loop's dL/dy and its per-state gradient buffers. */
  private loopBack(loop: SequenceLoopBackward, B: number, H: number): LoopBack & { lens: number } {
    const m = this.m, N = loop.T * B;
    const dOut = m.in(loop.dOut, 0, (N - 1) * loop.ldo + loop.col + H) + loop.col * 4;
    const a = loop.dh.map((v) => m.out(v, 0, B * H, true)), b = loop.dPrev.map((v) => m.out(v, 0, B * H, false));
    const cell = loop.lengths ? loop.dCell.map((v) => m.scratch(v, 0, B * H)) : [];
    return { dOut, dt: B * loop.ldo * 4, ld: loop.ldo * 4, a, b, cell, lens: this.lengthsIn(loop) };
  }

  /** The forward time loop of a one-state cell: its input projection, state before and after, and cache move with t. */
  private runForwardLoop(step: number, d: number, S: ForwardSlots, B: number, stepFlops: number, rows: RowSlots, loop: SequenceLoop, L: LoopOperands): void {
    const [xp, prev, next, cache] = L.moving;
    this.runLoop(step, d, S.B, S.TMP, B, stepFlops, rows, loop, L.lens,
      [[S.XP, ...xp!], [S.HP, ...prev!], [S.OUT, ...next!], [S.CACHE, ...cache!]], [S.HP], [S.OUT], { proj: L.proj });
  }

  /**
   * Runs a whole time loop: d holds the step kernel's fields for rows [0, B), `moving` the slots
   * that move with time, slotsA / slotsB the state slots (forward: previous, next; backward: the
   * step's dNext, dPrev). Split between threads by groups of rows, each through every step. `back`:
   * a backward loop's operands; `proj`: a forward loop's input projection still to compute.
   */
  private runLoop(
    step: number, d: number, slotB: number, slotTmp: number, B: number, stepFlops: number, rows: RowSlots,
    loop: SequenceLoop, lens: number, moving: readonly Moving[], slotsA: readonly number[], slotsB: readonly number[],
    { back, proj }: { readonly back?: LoopBack; readonly proj?: Product | null } = {},
  ): void {
    if (moving.length > MAX_MOVING) throw new Error("wasm kernels: too many moving slots");
    const i32 = this.rt.i32, ldOf = new Map(rows);
    const chunkRows: (readonly [number, number])[] = [...rows];
    i32[d + SQ.T] = loop.T; i32[d + SQ.REV] = loop.reverse ? 1 : 0; i32[d + SQ.LEN] = lens; i32[d + SQ.STEP] = step;
    i32[d + SQ.FROM] = 0; i32[d + SQ.TO] = loop.T;
    i32[d + SQ.NADV] = moving.length;
    moving.forEach(([slot, base, delta], k) => {
      const f = SQ.ADV + 3 * k;
      i32[d + f] = slot; i32[d + f + 1] = base; i32[d + f + 2] = delta;
      const ld = ldOf.get(slot);
      if (ld === undefined) throw new Error(`wasm kernels: moving slot ${slot} has no row length`);
      chunkRows.push([f + 1, ld]);
    });
    i32[d + SQ.NST] = slotsA.length;
    slotsA.forEach((slot, c) => { i32[d + SQ.SLOT_A + c] = slot; i32[d + SQ.SLOT_B + c] = slotsB[c]!; });
    if (lens) chunkRows.push([SQ.LEN, 1]);
    if (back) {
      const H = i32[d + 1]!;
      i32[d + SQ.DOUT] = back.dOut; i32[d + SQ.DOUT_DT] = back.dt; i32[d + SQ.DOUT_LD] = back.ld;
      chunkRows.push([SQ.DOUT, back.ld / 4]);
      back.a.forEach((v, c) => { i32[d + SQ.BUF_A + c] = v; chunkRows.push([SQ.BUF_A + c, H]); });
      back.b.forEach((v, c) => { i32[d + SQ.BUF_B + c] = v; chunkRows.push([SQ.BUF_B + c, H]); });
      back.cell.forEach((v, c) => { i32[d + SQ.BUF_CELL + c] = v; chunkRows.push([SQ.BUF_CELL + c, H]); });
    }
    if (proj) {
      // the loop on this thread alone: its stretches of steps wait for their rows of the projection
      // only; else the projection first, whole (its chunks' descriptors after the loop's in slot 0)
      if (!this.rt.splittable(B, stepFlops * loop.T, 4) && this.pipelined(proj, d, slotTmp, loop, B)) return;
      runProduct(this.rt, proj, 1);
    }
    this.dispatch(back ? JOB.seqBackward : JOB.seqForward, d, slotB, slotTmp, B, stepFlops * loop.T, chunkRows);
  }

  /**
   * A forward loop on this thread overlapped with its input projection P on the workers: the
   * projection is cut into chunks of S steps' rows, in the order the loop reads them (the reverse
   * direction from the last step), offered to the workers; the loop runs S steps at a time, each
   * stretch once its chunk is done (taking the chunk itself if no worker has). So the projection
   * costs the loop about one chunk instead of all of it when a worker is free, and nothing more
   * than before when none is. False, having done nothing, when the call is too small to pay or the
   * workers are busy (the caller then runs the projection whole, then the loop).
   */
  private pipelined(P: Product, d: number, slotTmp: number, loop: SequenceLoop, B: number): boolean {
    const rt = this.rt, par = rt.parallel, T = loop.T, flops = 2 * P.m * P.n * P.k;
    if (!par || par.workers === 0 || flops < PARALLEL_MIN_FLOPS) return false;
    // S·B rows a multiple of 4 where B allows (the product's 4-row kernel)
    const q = B % 4 === 0 ? 1 : B % 2 === 0 ? 2 : 4;
    const S = Math.ceil(Math.ceil(T / STRETCHES) / q) * q, chunks = Math.ceil(T / S);
    if (chunks < 2 || !par.admit(flops)) return false;
    for (let c = 0; c < chunks; c++) {
      const s0 = c * S, s1 = Math.min(T, s0 + S);
      productChunk(rt, 1 + c, P, (loop.reverse ? T - s1 : s0) * B, (loop.reverse ? T - s0 : s1) * B);
    }
    const i32 = rt.i32, run = rt.jobs[JOB.seqForward]!;
    i32[d + slotTmp] = rt.tmpOf(0);
    par.start(JOB_GEMM, 1, chunks, flops);
    try {
      for (let c = 0; c < chunks; c++) {
        par.need(c);
        i32[d + SQ.FROM] = c * S; i32[d + SQ.TO] = Math.min(T, (c + 1) * S);
        run(d << 2);
      }
    } finally {
      par.finish();
    }
    return true;
  }

  /**
   * A call's frame: false, doing nothing, when the configuration has no plan; else begin(), the
   * packed weights (dir 0: forward, 1: backward; see weights()), the body, end() (which copies
   * results back into arrays outside the module's memory).
   */
  private call<P extends Memos>(plan: P | null, dir: 0 | 1, p: ParamViews, resolve: () => number[], body: (plan: P, w: readonly number[]) => void): boolean {
    if (!plan) return false;
    this.m.begin();
    try {
      body(plan, this.weights(plan, dir, p, resolve));
    } finally {
      this.m.end();
    }
    return true;
  }

  /**
   * The addresses of a call's packed weights: looked up in the pack cache once per epoch (see
   * marshal.ts PackCache) and parameter version, then reused by every step. Weights outside the
   * bound parameters are packed per call into temporaries and never remembered.
   */
  private weights(plan: Memos, slot: number, p: ParamViews, resolve: () => number[]): readonly number[] {
    const cache = this.m.cache;
    if (!cache) return resolve();
    const memo = plan.memos[slot], version = cache.version();
    if (memo && memo.epoch === cache.epoch && memo.version === version && memo.U === p.U && memo.b === p.b && memo.c === p.c) return memo.ptrs;
    const anchor = p.U ?? p.b; // minGRU has no U
    if (!anchor || !cache.covers(anchor)) return resolve();
    const ptrs = resolve();
    plan.memos[slot] = { epoch: cache.epoch, version, U: p.U, b: p.b, c: p.c, ptrs };
    return ptrs;
  }

  // -------------------------------------------------------------------------------------------
  // Descriptors: the fields that do not depend on the step's positions

  private gatedDesc(spec: GatedSpec, plan: GatedPlan, B: number, bias: number, c: number, q8 = 0): number {
    const H = spec.hidden;
    const d = this.rt.descOf(0) >> 2, i32 = this.rt.i32, f32 = this.rt.f32;
    i32[d + G.Q8] = q8; i32[d + G.B] = B; i32[d + G.H] = H; i32[d + G.NG] = spec.nG; i32[d + G.GX] = spec.gx; i32[d + G.GH] = spec.gh; i32[d + G.GB] = spec.gb;
    i32[d + G.FLAGS] = plan.flags; i32[d + G.LDX] = (spec.gx + 1) * H; i32[d + G.BIAS] = bias; i32[d + G.CB] = c;
    putAct(i32, f32, d + G.ACTG, plan.g); putAct(i32, f32, d + G.ACTC, plan.c);
    f32[d + G.CLIP] = plan.clip;
    f32[d + G.GLO] = plan.g.lo; f32[d + G.GLO + 1] = plan.g.hi; f32[d + G.CLO] = plan.c.lo; f32[d + G.CLO + 1] = plan.c.hi;
    return d;
  }

  private lstmDesc(spec: LstmSpec, plan: LstmPlan, B: number, bias: number, q8 = 0): number {
    const d = this.rt.descOf(0) >> 2, i32 = this.rt.i32, f32 = this.rt.f32;
    i32[d + L_.Q8] = q8; i32[d + L_.B] = B; i32[d + L_.H] = spec.hidden; i32[d + L_.BIAS] = bias;
    putAct(i32, f32, d + L_.ACTG, plan.g); putAct(i32, f32, d + L_.ACTC, plan.c); putAct(i32, f32, d + L_.ACTH, plan.h);
    f32[d + L_.CLIP] = plan.clip;
    f32[d + L_.GLO] = plan.g.lo; f32[d + L_.GLO + 1] = plan.g.hi; f32[d + L_.CLO] = plan.c.lo; f32[d + L_.CLO + 1] = plan.c.hi;
    return d;
  }

  private lightDesc(plan: LightPlan, B: number, H: number, up: number, bias: number): number {
    const d = this.rt.descOf(0) >> 2, i32 = this.rt.i32, f32 = this.rt.f32;
    i32[d + LI.B] = B; i32[d + LI.H] = H; i32[d + LI.FLAGS] = plan.flags; i32[d + LI.UP] = up; i32[d + LI.BIAS] = bias;
    putAct(i32, f32, d + LI.ACTZ, plan.z); putAct(i32, f32, d + LI.ACTN, plan.n);
    return d;
  }

  private libruDesc(spec: LibruSpec, B: number, up: number, bias: number): number {
    const d = this.rt.descOf(0) >> 2, i32 = this.rt.i32, f32 = this.rt.f32;
    i32[d + LB.B] = B; i32[d + LB.H] = spec.hidden; i32[d + LB.MODE] = spec.mode === "probs" ? 0 : 1;
    i32[d + LB.UP] = up; i32[d + LB.BIAS] = bias; f32[d + LB.EPS] = spec.epsilon;
    return d;
  }

  private rnnDesc(spec: RnnSpec, plan: RnnPlan, B: number, bias: number): number {
    const d = this.rt.descOf(0) >> 2, i32 = this.rt.i32, f32 = this.rt.f32;
    i32[d + R.B] = B; i32[d + R.H] = spec.hidden; i32[d + R.BIAS] = bias;
    putAct(i32, f32, d + R.ACT, plan.f);
    f32[d + R.CLIP] = plan.clip; f32[d + R.LO] = plan.f.lo; f32[d + R.LO + 1] = plan.f.hi;
    return d;
  }

  /**
   * Runs job `fn` on descriptor d (an index into i32, chunk 0's block) for B rows: on this thread,
   * or cut into chunks of rows for the threads when the step is large enough; `rows` lists the
   * pointer slots that advance with the row and their row length in elements.
   */
  private dispatch(fn: number, d: number, slotB: number, slotTmp: number, B: number, flops: number, rows: RowSlots): void {
    const rt = this.rt, i32 = rt.i32;
    i32[d + slotTmp] = rt.tmpOf(0);
    // chunks of a multiple of 4 rows keep the product on its 4-row kernel, and of 8 rows where the
    // batch allows: each block of U read into L1 then serves two 4-row blocks, so U streams from L2
    // half as often (S2 on two threads: 16 rows as two chunks of 8, not four of 4; 3–5 % faster in
    // four interleaved A/B runs)
    const { chunks, size } = rt.chunking(B, flops, 4, 8);
    if (chunks === 1) {
      rt.jobs[fn]!(d << 2);
      return;
    }
    for (let c = chunks - 1; c >= 0; c--) {
      const r0 = c * size, r1 = Math.min(B, r0 + size);
      const dc = rt.descOf(c) >> 2;
      if (c > 0) i32.copyWithin(dc, d, d + DESC_SLOTS);
      i32[dc + slotB] = r1 - r0;
      i32[dc + slotTmp] = rt.tmpOf(c);
      if (c > 0) for (const [slot, ld] of rows) i32[dc + slot] = i32[d + slot]! + r0 * ld * 4;
    }
    rt.parallel!.run(fn, chunks, flops);
  }

  // -------------------------------------------------------------------------------------------
  // Plans: what a spec needs from the kernels, made once per spec object

  private gatedPlan(spec: GatedSpec): GatedPlan | null {
    let plan = this.plans.get(spec) as GatedPlan | null | undefined;
    if (plan !== undefined) return plan;
    const clip = spec.clip ?? Infinity;
    const g = this.actPlan(spec.gateActivation, clip), c = this.actPlan(spec.candidateActivation, clip);
    const flags = (spec.reset === "after" ? 1 : 0) | (spec.update === "replace" ? 2 : 0) | (spec.bias ? 4 : 0) | (spec.hasC ? 8 : 0);
    const H = spec.hidden, X = spec.gx + 1, ldc = (spec.nG + 2) * H, ldr = (spec.gx > 0 ? 0 : spec.nG * H) + H;
    const fwdRows: RowSlots = [[G.XP, X * H], [G.HP, H], [G.OUT, H], [G.CACHE, ldc], [G.SCR, (spec.gh + 1) * H]];
    const bwdRows: RowSlots = [[G.CACHE, ldc], [G.HP, H], [G.DH, H], [G.DPREV, H], [G.DXP, X * H], [G.DREC, ldr], [G.SCR, H]];
    plan = g && c ? { g, c, clip, flags, fwdRows, bwdRows, memos: [] } : null;
    this.plans.set(spec, plan);
    return plan;
  }

  private lstmPlan(spec: LstmSpec): LstmPlan | null {
    let plan = this.plans.get(spec) as LstmPlan | null | undefined;
    if (plan !== undefined) return plan;
    const clip = spec.clip ?? Infinity;
    const g = this.actPlan(spec.gateActivation, clip), c = this.actPlan(spec.candidateActivation, clip);
    const h = this.actPlan(spec.outputActivation, Infinity);
    const H = spec.hidden;
    const fwdRows: RowSlots = [[L_.XP, 4 * H], [L_.HP, H], [L_.CP, H], [L_.HOUT, H], [L_.COUT, H], [L_.CACHE, 5 * H], [L_.SCR, 4 * H]];
    const bwdRows: RowSlots = [[L_.CACHE, 5 * H], [L_.CP, H], [L_.DH, H], [L_.DC, H], [L_.DHPREV, H], [L_.DCPREV, H], [L_.DXP, 4 * H]];
    plan = g && c && h ? { g, c, h, clip, fwdRows, bwdRows, memos: [] } : null;
    this.plans.set(spec, plan);
    return plan;
  }

  private rnnPlan(spec: RnnSpec): RnnPlan | null {
    let plan = this.plans.get(spec) as RnnPlan | null | undefined;
    if (plan !== undefined) return plan;
    const clip = spec.clip ?? Infinity;
    const f = this.actPlan(spec.activation, clip);
    const H = spec.hidden;
    plan = f ? { f, clip, fwdRows: [[R.XP, H], [R.HP, H], [R.OUT, H], [R.CACHE, H]], bwdRows: [[R.CACHE, H], [R.DH, H], [R.DPREV, H], [R.DXP, H]], memos: [] } : null;
    this.plans.set(spec, plan);
    return plan;
  }

  private lightPlan(spec: LightSpec): LightPlan | null {
    let plan = this.plans.get(spec) as LightPlan | null | undefined;
    if (plan !== undefined) return plan;
    const z = this.actPlan(spec.gateActivation, Infinity);
    const n = spec.candidateActivation === "g"
      ? { code: MIN_G_CODE, a: 0, b: 0, lo: -Infinity, hi: Infinity }
      : this.actPlan(spec.candidateActivation, Infinity);
    const H = spec.hidden, H2 = 2 * H;
    const flags = (spec.recurrent ? 1 : 0) | (spec.update === "replace" ? 2 : 0);
    const fwdRows: RowSlots = [[LI.XP, H2], [LI.HP, H], [LI.OUT, H], [LI.CACHE, H2], [LI.SCR, H2]];
    const bwdRows: RowSlots = [[LI.CACHE, H2], [LI.HP, H], [LI.DH, H], [LI.DPREV, H], [LI.DXP, H2]];
    plan = z && n ? { z, n, flags, fwdRows, bwdRows, memos: [] } : null;
    this.plans.set(spec, plan);
    return plan;
  }

  private libruPlan(spec: LibruSpec): LibruPlan {
    let plan = this.plans.get(spec) as LibruPlan | undefined;
    if (plan !== undefined) return plan;
    const H = spec.hidden, H2 = 2 * H, ldc = libruCacheWidth(spec);
    const fwdRows: RowSlots = [[LB.XP, H2], [LB.HP, H], [LB.OUT, H], [LB.CACHE, ldc], [LB.SCR, H2]];
    const bwdRows: RowSlots = [[LB.CACHE, ldc], [LB.HP, H], [LB.DH, H], [LB.DPREV, H], [LB.DXP, H2], [LB.SCR, H]];
    plan = { fwdRows, bwdRows, memos: [] };
    this.plans.set(spec, plan);
    return plan;
  }

  /**
   * The kernel form of an activation, or null without one. With a clip, the derivative is masked
   * where the output reached f(±clip): those bounds are computed by the kernel's own f, so the
   * saved output at the clamp equals them exactly (as withClip() does with Math.* in TypeScript).
   */
  private actPlan(cfg: ActivationConfig, clip: number): ActPlan | null {
    const k = kernelActivation(cfg);
    if (!k) return null;
    if (!(clip < Infinity)) return { ...k, lo: -Infinity, hi: Infinity };
    const rt = this.rt, p = rt.heap.alloc(16);
    rt.f32[p >> 2] = -clip; rt.f32[(p >> 2) + 1] = clip;
    rt.x.actForward(k.code, k.a, k.b, clip, p, p + 8, 2);
    const f0 = rt.f32[(p >> 2) + 2]!, f1 = rt.f32[(p >> 2) + 3]!;
    rt.heap.release(p);
    return { ...k, lo: Math.min(f0, f1), hi: Math.max(f0, f1) };
  }
}

/** LiBRU's cache row: [z | c | ℓ] ("probs") or [z | c | w_h | w_c] ("logprobs"). */
function libruCacheWidth(spec: LibruSpec): number {
  return (spec.mode === "probs" ? 3 : 4) * spec.hidden;
}

/** int8's coverage (as the native backend's): σ gates, tanh candidate, no clip. */
function int8Covers(g: ActPlan, c: ActPlan, clip: number): boolean {
  return g.code === ACT_CODE.Sigmoid && c.code === ACT_CODE.Tanh && !(clip < Infinity);
}

function putAct(i32: Int32Array, f32: Float32Array, at: number, a: ActPlan): void {
  i32[at] = a.code;
  f32[at + 1] = a.a;
  f32[at + 2] = a.b;
}
