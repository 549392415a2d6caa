/**
 * The native backend of the kernel interface (float32, Node on linux-x64; native/*.c): the three
 * product orientations and bias sums in AVX-512 or AVX2+FMA code, and the whole forward time loops
 * (input projection, recurrent products and gates in one call) and backward loops of the GRU family,
 * the two-block light cells, the LSTM and the Elman RNN (tanh or ReLU). Everything else
 * a fast backend offers — the other fused loops and steps, batch normalisation, resident memory —
 * is the WebAssembly backend's, held inside; a loop handed to it gets its input projection computed
 * here first.
 *
 * Browser-safe: it only uses the addon handle of addon.ts, set by the Node-only loader.
 *
 * Shape legend: out[M, N] = op(A)·op(B), K the inner size; B batch, T time, H hidden, N = T·B.
 *
 * Sums: every product element is summed in blocks of 256 products from zero, each block then added
 * to out (native/kernels.inc.c), whatever M: a row of out does not depend on the other rows.
 *
 * Packed weights: a loop over a layer's own parameters (the WeightBinding a Recurrent gives its
 * kernels) keeps its packed U and W (in int8: quantised) in a pack slot (native/pack.c)
 * between calls, packing again only when the parameters' version changed (markChanged) or 16
 * sampled values of the weights differ from when it packed (a write without markChanged).
 */
import { reference32 } from "../reference.js";
import type { FusedKernels, GatedSpec, LightSpec, LstmSpec, RnnSpec, SequenceLoop, SequenceLoopBackward } from "../fused.js";
import type { NormKernels } from "../norm.js";
import type { Kernels, ResidentMemory, Vec } from "../types.js";
import { wasmKernels, type WeightBinding } from "../wasm/kernels.js";
import type { ParamViews, StepBackward, StepForward } from "../../cells/types.js";
import type { NativeAddon, PackSlot } from "./addon.js";

const f32 = (v: Vec | undefined): v is Float32Array => v instanceof Float32Array;

class NativeKernels implements Kernels {
  readonly name: string;
  readonly dtype = "float32" as const;
  readonly fused?: FusedKernels;
  readonly norm?: NormKernels;
  readonly resident?: ResidentMemory;
  readonly begin?: () => void;
  /**
   * The WebAssembly backend inside, held for as long as this object lives: its resident memory
   * (the workspaces handed out by `resident` above) is freed by a FinalizationRegistry when that
   * object is collected, so holding only its parts (norm, resident, fused) would let the garbage
   * collector free — and the heap hand out again — buffers still in use, at a moment that varies
   * from run to run.
   */
  readonly wasm: Kernels | null;

  constructor(private readonly x: NativeAddon, binding: WeightBinding | undefined) {
    this.name = `native-${x.isa()}`;
    const w = wasmKernels(binding);
    this.wasm = w;
    if (w?.begin) this.begin = w.begin;
    if (w?.norm) this.norm = w.norm;
    if (w?.resident) this.resident = w.resident;
    this.fused = new NativeFused(x, this, w?.fused, new PackSlots(x, binding));
  }

  alloc(n: number): Vec {
    return new Float32Array(n);
  }

  matmul(out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number, b: Vec, bOff: number, ldb: number, m: number, n: number, k: number, beta: 0 | 1): void {
    this.x.gemm(out as Float32Array, oOff, ldo, a as Float32Array, aOff, lda, 1, b as Float32Array, bOff, ldb, 0, m, n, k, beta);
  }

  matmulNT(out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number, b: Vec, bOff: number, ldb: number, m: number, n: number, k: number, beta: 0 | 1): void {
    this.x.gemm(out as Float32Array, oOff, ldo, a as Float32Array, aOff, lda, 1, b as Float32Array, bOff, ldb, 1, m, n, k, beta);
  }

  matmulTN(out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number, b: Vec, bOff: number, ldb: number, m: number, n: number, k: number, beta: 0 | 1): void {
    this.x.gemm(out as Float32Array, oOff, ldo, a as Float32Array, aOff, 1, lda, b as Float32Array, bOff, ldb, 0, m, n, k, beta);
  }

  sumRows(out: Vec, oOff: number, a: Vec, aOff: number, lda: number, m: number, n: number): void {
    this.x.sumRows(out as Float32Array, oOff, a as Float32Array, aOff, lda, m, n);
  }

  addBias(out: Vec, oOff: number, ldo: number, a: Vec, aOff: number, lda: number, bias: Vec, bOff: number, m: number, n: number): void {
    // one add per element: the same float32 result as any other way of doing it
    reference32.addBias(out, oOff, ldo, a, aOff, lda, bias, bOff, m, n);
  }
}

/**
 * The fused kernels: the GRU family's, the two-block cells' (LiGRU; ReLU or tanh candidate) and the
 * LSTM's forward and backward loops natively (gate σ = Sigmoid, candidate and output Tanh, no
 * clip); every other call goes to the WebAssembly backend's, a loop's input projection
 * computed natively first. Without a WebAssembly backend, only the native loop runs.
 */
class NativeFused implements FusedKernels {
  private readonly specs = new WeakMap<GatedSpec, Int32Array | null>();
  private readonly lightSpecs = new WeakMap<LightSpec, Int32Array | null>();
  private readonly rnnSpecs = new WeakMap<RnnSpec, Int32Array | null>();
  private readonly dims = new Int32Array(7);
  private readonly lstmDims = new Int32Array(9);
  private readonly lstmBackDims = new Int32Array(6);
  private readonly gruBackDims = new Int32Array(5);

  constructor(private readonly x: NativeAddon, private readonly k: Kernels, private readonly w: FusedKernels | undefined, private readonly packs: PackSlots) {}

  gatedForward(spec: GatedSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean {
    if (loop) {
      const sp = this.gatedSpec(spec);
      const U = p.U, b = spec.bias ? p.b : undefined, c = spec.hasC ? p.c : undefined, pr = loop.project;
      if (sp && s.prev.length === 1 && f32(s.xp) && f32(s.prev[0]) && f32(s.cache) && f32(s.scratch) && f32(U) &&
          (!spec.bias || f32(b)) && (!spec.hasC || f32(c)) && (!pr || (f32(pr.x) && f32(pr.W)))) {
        const d = this.dims;
        d[0] = loop.T; d[1] = s.B; d[2] = loop.reverse ? 1 : 0; d[3] = loop.keepCache ? 1 : 0; d[4] = pr ? pr.I : 0; d[5] = pr ? pr.ldx : 0;
        d[6] = loop.int8 ? 1 : 0;
        const W = (pr?.W ?? null) as Float32Array | null;
        return this.x.gruForward(sp, Infinity, d, loop.lengths, s.xp, s.prev[0], s.cache, s.scratch, U,
          (b ?? null) as Float32Array | null, (c ?? null) as Float32Array | null, (pr?.x ?? null) as Float32Array | null, W,
          ...this.packs.get(loop.int8 ? "gru8" : "gru", U, W));
      }
    }
    if (loop?.int8) return false; // no int8 loop for this configuration here (int8 is never handed to WebAssembly: other arithmetic)
    return this.delegate(s, loop, (l) => this.w!.gatedForward(spec, p, s, l));
  }

  gatedBackward(spec: GatedSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean {
    const sp = loop && !s.hr ? this.gatedSpec(spec) : null;
    if (loop && sp && s.prev.length === 1) {
      const U = p.U, h = s.prev[0], dh = loop.dh[0], dP = loop.dPrev[0], dC = loop.dCell[0];
      if (f32(U) && f32(h) && f32(s.cache) && f32(s.dxp) && f32(s.dRec) && f32(loop.dOut) && f32(dh) && f32(dP) && f32(dC)) {
        const d = this.gruBackDims;
        d[0] = loop.T; d[1] = s.B; d[2] = loop.reverse ? 1 : 0; d[3] = loop.ldo; d[4] = loop.col;
        return this.x.gruBackward(sp, d, loop.lengths, s.cache, h, s.dxp, s.dRec, loop.dOut, dh, dP, dC, U, ...this.packs.get("gruBack", U));
      }
    }
    return this.w?.gatedBackward(spec, p, s, loop) ?? false;
  }

  lstmForward(spec: LstmSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean {
    if (loop && lstmNative(spec)) {
      const U = p.U, b = spec.bias ? p.b : undefined, pr = loop.project;
      if (s.prev.length === 2 && f32(s.xp) && f32(s.prev[0]) && f32(s.prev[1]) && f32(s.cache) && f32(s.scratch) && f32(U) &&
          (!spec.bias || f32(b)) && (!pr || (f32(pr.x) && f32(pr.W)))) {
        const d = this.lstmDims;
        d[0] = loop.T; d[1] = s.B; d[2] = loop.reverse ? 1 : 0; d[3] = loop.keepCache ? 1 : 0; d[4] = pr ? pr.I : 0; d[5] = pr ? pr.ldx : 0;
        d[6] = spec.hidden; d[7] = spec.bias ? 1 : 0; d[8] = loop.int8 ? 1 : 0;
        const W = (pr?.W ?? null) as Float32Array | null;
        return this.x.lstmForward(d, loop.lengths, s.xp, s.prev[0], s.prev[1], s.cache, s.scratch, U,
          (b ?? null) as Float32Array | null, (pr?.x ?? null) as Float32Array | null, W, ...this.packs.get(loop.int8 ? "lstm8" : "lstm", U, W));
      }
    }
    if (loop?.int8) return false;
    return this.delegate(s, loop, (l) => this.w!.lstmForward(spec, p, s, l));
  }

  lstmBackward(spec: LstmSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean {
    if (loop && lstmNative(spec) && !s.hr) {
      const U = p.U, c = s.prev[1], [dh, dc] = loop.dh, [dhP, dcP] = loop.dPrev, [dhC, dcC] = loop.dCell;
      if (f32(U) && f32(c) && f32(s.cache) && f32(s.dxp) && f32(loop.dOut) && f32(dh) && f32(dc) && f32(dhP) && f32(dcP) && f32(dhC) && f32(dcC)) {
        const d = this.lstmBackDims;
        d[0] = loop.T; d[1] = s.B; d[2] = loop.reverse ? 1 : 0; d[3] = spec.hidden; d[4] = loop.ldo; d[5] = loop.col;
        return this.x.lstmBackward(d, loop.lengths, s.cache, c, s.dxp, loop.dOut, dh, dc, dhP, dcP, dhC, dcC, U, ...this.packs.get("lstmBack", U));
      }
    }
    return this.w?.lstmBackward(spec, p, s, loop) ?? false;
  }

  rnnForward(spec: RnnSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean {
    const sp = loop ? this.rnnSpec(spec) : null;
    if (loop && sp && !loop.int8) {
      const U = p.U, b = spec.bias ? p.b : undefined, pr = loop.project;
      if (s.prev.length === 1 && f32(s.xp) && f32(s.prev[0]) && f32(s.cache) && f32(U) && (!spec.bias || f32(b)) && (!pr || (f32(pr.x) && f32(pr.W)))) {
        const d = this.dims;
        d[0] = loop.T; d[1] = s.B; d[2] = loop.reverse ? 1 : 0; d[3] = loop.keepCache ? 1 : 0; d[4] = pr ? pr.I : 0; d[5] = pr ? pr.ldx : 0;
        const W = (pr?.W ?? null) as Float32Array | null;
        return this.x.rnnForward(sp, d, loop.lengths, s.xp, s.prev[0], s.cache, U, (b ?? null) as Float32Array | null,
          (pr?.x ?? null) as Float32Array | null, W, ...this.packs.get("rnn", U, W));
      }
    }
    if (loop?.int8) return false;
    return this.delegate(s, loop, (l) => this.w!.rnnForward(spec, p, s, l));
  }

  rnnBackward(spec: RnnSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean {
    const sp = loop && !s.hr ? this.rnnSpec(spec) : null;
    if (loop && sp && s.prev.length === 1) {
      const U = p.U, dh = loop.dh[0], dP = loop.dPrev[0], dC = loop.dCell[0];
      if (f32(U) && f32(s.cache) && f32(s.dxp) && f32(loop.dOut) && f32(dh) && f32(dP) && f32(dC)) {
        const d = this.gruBackDims;
        d[0] = loop.T; d[1] = s.B; d[2] = loop.reverse ? 1 : 0; d[3] = loop.ldo; d[4] = loop.col;
        return this.x.rnnBackward(sp, d, loop.lengths, s.cache, s.dxp, loop.dOut, dh, dP, dC, U, ...this.packs.get("rnnBack", U));
      }
    }
    return this.w?.rnnBackward(spec, p, s, loop) ?? false;
  }
  lightForward(spec: LightSpec, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean {
    const sp = loop ? this.lightSpec(spec) : null;
    if (loop && sp) {
      const U = spec.recurrent ? p.U : undefined, b = spec.bias ? p.b : undefined, pr = loop.project;
      if (s.prev.length === 1 && f32(s.xp) && f32(s.prev[0]) && f32(s.cache) && f32(s.scratch) && (!spec.recurrent || f32(U)) &&
          (!spec.bias || f32(b)) && (!pr || (f32(pr.x) && f32(pr.W)))) {
        const d = this.dims;
        d[0] = loop.T; d[1] = s.B; d[2] = loop.reverse ? 1 : 0; d[3] = loop.keepCache ? 1 : 0; d[4] = pr ? pr.I : 0; d[5] = pr ? pr.ldx : 0;
        return this.x.lightForward(sp, d, loop.lengths, s.xp, s.prev[0], s.cache, s.scratch, (U ?? null) as Float32Array | null,
          (b ?? null) as Float32Array | null, (pr?.x ?? null) as Float32Array | null, (pr?.W ?? null) as Float32Array | null, ...this.packs.get("light", U as Float32Array | undefined, (pr?.W ?? null) as Float32Array | null));
      }
    }
    if (loop?.int8) return false;
    return this.delegate(s, loop, (l) => this.w!.lightForward(spec, p, s, l));
  }

  lightBackward(spec: LightSpec, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean {
    const sp = loop && !s.hr ? this.lightSpec(spec) : null;
    if (loop && sp && s.prev.length === 1) {
      const U = spec.recurrent ? p.U : undefined, h = s.prev[0], dh = loop.dh[0], dP = loop.dPrev[0], dC = loop.dCell[0];
      if ((!spec.recurrent || f32(U)) && f32(h) && f32(s.cache) && f32(s.dxp) && f32(loop.dOut) && f32(dh) && f32(dP) && f32(dC)) {
        const d = this.gruBackDims;
        d[0] = loop.T; d[1] = s.B; d[2] = loop.reverse ? 1 : 0; d[3] = loop.ldo; d[4] = loop.col;
        return this.x.lightBackward(sp, d, loop.lengths, s.cache, h, s.dxp, loop.dOut, dh, dP, dC, (U ?? null) as Float32Array | null, ...this.packs.get("lightBack", U as Float32Array | undefined));
      }
    }
    return this.w?.lightBackward(spec, p, s, loop) ?? false;
  }

  libruForward: FusedKernels["libruForward"] = (spec, p, s, loop) => (loop?.int8 ? false : this.delegate(s, loop, (l) => this.w!.libruForward(spec, p, s, l)));
  libruBackward: FusedKernels["libruBackward"] = (spec, p, s, loop) => this.w?.libruBackward(spec, p, s, loop) ?? false;

  /**
   * A forward the WebAssembly backend runs: a loop's input projection xp = x · Wᵀ computed here
   * first (the loop handed on without it). When it then declines, xp is already right and the
   * driver's own projection recomputes the same values.
   */
  private delegate(s: StepForward, loop: SequenceLoop | undefined, run: (loop: SequenceLoop | undefined) => boolean): boolean {
    if (!this.w) return false;
    const pr = loop?.project;
    if (!loop || !pr) return run(loop);
    const XH = s.xp.length / (loop.T * s.B);
    if (!Number.isInteger(XH)) return run(loop);
    this.k.matmulNT(s.xp, 0, XH, pr.x, 0, pr.ldx, pr.W, 0, pr.I, loop.T * s.B, XH, pr.I, 0);
    const { project: _, ...rest } = loop;
    return run(rest);
  }

  /** [H, bias, relu] when the native loops run this Elman spec (tanh or ReLU, no clip), else null. */
  private rnnSpec(spec: RnnSpec): Int32Array | null {
    let sp = this.rnnSpecs.get(spec);
    if (sp === undefined) {
      const a = spec.activation.name;
      sp = (a === "Tanh" || a === "Relu") && spec.clip === null ? Int32Array.of(spec.hidden, spec.bias ? 1 : 0, a === "Relu" ? 1 : 0) : null;
      this.rnnSpecs.set(spec, sp);
    }
    return sp;
  }

  /** [H, recurrent, bias, replace, relu] when the native loops run this spec (σ gate; tanh or ReLU candidate), else null. */
  private lightSpec(spec: LightSpec): Int32Array | null {
    let sp = this.lightSpecs.get(spec);
    if (sp === undefined) {
      const c = spec.candidateActivation, relu = c !== "g" && c.name === "Relu";
      const ok = spec.gateActivation.name === "Sigmoid" && c !== "g" && (relu || c.name === "Tanh");
      sp = ok ? Int32Array.of(spec.hidden, spec.recurrent ? 1 : 0, spec.bias ? 1 : 0, spec.update === "replace" ? 1 : 0, relu ? 1 : 0) : null;
      this.lightSpecs.set(spec, sp);
    }
    return sp;
  }

  /** [H, nG, gx, gh, gb, after, keep, bias, hasC] when the native loop runs this spec, else null. */
  private gatedSpec(spec: GatedSpec): Int32Array | null {
    let sp = this.specs.get(spec);
    if (sp === undefined) {
      // a clip's backward recognises a clipped gate by its output being exactly f(±clip) as the
      // TypeScript activations round it (activations.ts withClip): those stay with WebAssembly
      const ok = spec.gateActivation.name === "Sigmoid" && spec.candidateActivation.name === "Tanh" && spec.clip === null;
      sp = ok
        ? Int32Array.of(spec.hidden, spec.nG, spec.gx, spec.gh, spec.gb, spec.reset === "after" ? 1 : 0, spec.update === "keep" ? 1 : 0, spec.bias ? 1 : 0, spec.hasC ? 1 : 0)
        : null;
      this.specs.set(spec, sp);
    }
    return sp;
  }
}

const SAMPLES = 16;

interface SlotEntry {
  readonly slot: PackSlot;
  params: Vec;
  version: number;
  /** The weights' values at SAMPLES spread positions (U's, then W's) when the slot was last filled. */
  readonly seen: Float32Array;
}

/** The pack slots of one backend object's loops: one per loop kind and weight block of the bound parameters. */
class PackSlots {
  private readonly slots = new Map<string, SlotEntry>();

  constructor(private readonly x: NativeAddon, private readonly binding: WeightBinding | undefined) {}

  /**
   * The slot of loop `kind` over U (and W, when the loop packs it too) and whether the weights may
   * have changed since it was filled (fresh = 1); [null, 1] when they are not the bound parameters'
   * (the loop then packs into memory of its own).
   */
  get(kind: string, U: Float32Array | undefined, W: Float32Array | null = null): [PackSlot | null, 0 | 1] {
    const b = this.binding;
    if (!b || !U) return [null, 1];
    const params = b.params();
    const inside = (v: Float32Array) => v.buffer === params.buffer && v.byteOffset >= params.byteOffset && v.byteOffset + v.byteLength <= params.byteOffset + params.byteLength;
    if (!inside(U) || (W && !inside(W))) return [null, 1];
    const key = `${kind}:${U.byteOffset}:${U.length}:${W ? `${W.byteOffset}:${W.length}` : ""}`;
    const version = b.version();
    let e = this.slots.get(key), fresh: 0 | 1 = 0;
    if (!e) {
      e = { slot: this.x.packSlot(), params, version, seen: new Float32Array(2 * SAMPLES) };
      this.slots.set(key, e);
      fresh = 1;
    } else if (e.params !== params || e.version !== version) {
      fresh = 1;
    }
    // the safety net: sampled values as when packed (NaN never equals, so NaN weights pack every time)
    for (let i = 0; i < SAMPLES; i++) {
      const u = U[Math.floor((i * U.length) / SAMPLES)]!, w = W ? W[Math.floor((i * W.length) / SAMPLES)]! : 0;
      if (e.seen[i] !== u || e.seen[SAMPLES + i] !== w) fresh = 1;
      e.seen[i] = u;
      e.seen[SAMPLES + i] = w;
    }
    e.params = params;
    e.version = version;
    return [e.slot, fresh];
  }
}

/** The native LSTM loop's configuration: σ gates, tanh candidate and output, no clip. */
function lstmNative(spec: LstmSpec): boolean {
  return spec.gateActivation.name === "Sigmoid" && spec.candidateActivation.name === "Tanh" && spec.outputActivation.name === "Tanh" && spec.clip === null;
}

/** The native backend on a loaded addon; `binding` is handed to the WebAssembly backend inside. */
export function nativeKernelsOn(addon: NativeAddon, binding?: WeightBinding): Kernels {
  return new NativeKernels(addon, binding);
}
