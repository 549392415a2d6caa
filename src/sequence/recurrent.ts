/**
 * A recurrent stack: L layers of one cell kind, each forward, reverse or bidirectional (each
 * direction with its own weights), all parameters in one flat buffer with named views
 * ("layer0.forward.W", "layer1.reverse.U", ...). Forward over whole sequences, BPTT backward, and
 * streaming (see stream.ts) all run the same cells.
 *
 * Shape legend: T time, B batch, I input, H hidden, L layers, D directions (1 or 2).
 * Inputs [T, B, I] (layout "time-major") or [B, T, I] ("batch-major"); outputs [T, B, D·H] in the
 * same layout (forward direction in columns 0..H−1); states [L·D, B, H], row l·D + d.
 */
import { makeCell, type CellKind, type CellOptionsByKind } from "../cells/index.js";
import { INIT_SCHEMES, initBlock, type InitScheme } from "../layers/init.js";
import type { Cell, ParamViews } from "../cells/types.js";
import { OptionError, ShapeError, StateError, ValueError, fmtShape } from "../errors/index.js";
import { selectKernels, type Backend } from "../kernels/select.js";
import type { DType, Kernels, ResidentMemory, Vec } from "../kernels/types.js";
import { Rng } from "../util/random.js";
import { allocDirection, backwardDirection, finalState, forwardDirection, type DirectionWork, type LayerIO } from "./run.js";
import { StreamState, streamStep } from "./stream.js";
import { expectFinite, expectShape, expectTensor, size, swap01, type Layout, type Tensor } from "./tensor.js";
import { checkOptions, oneOf, show } from "../errors/index.js";
import { nativeAddon } from "../kernels/native/addon.js";
import { BACKWARD_KEYS, STATE_KEYS, STEP_KEYS, checkForwardOptions, checkForwardWork, checkOutBuffer, checkStackOptions, checkStreamWork } from "./checks.js";
import { checkParameterBudget } from "./limits.js";

export type Direction = "forward" | "reverse" | "bidirectional";
export const DIRECTIONS: readonly Direction[] = ["forward", "reverse", "bidirectional"];

/** Options of the stack itself; the cell's own options sit beside them. */
export interface StackOptions<K extends CellKind> {
  readonly cell: K;
  readonly layers?: number;
  readonly direction?: Direction;
  readonly dtype?: DType;
  /** Seed of the parameter initialisation (default 0). */
  readonly seed?: number;
  /** "glorot" (default: Glorot-uniform input weights, orthogonal recurrent weights, zero biases), "uniform" (PyTorch's U(−1/√H, 1/√H)) or "none" (zeros, for weights about to be loaded). */
  readonly init?: InitScheme;
  /**
   * Kernels: "auto" (default: WebAssembly SIMD for float32 where available, else the TypeScript
   * reference), "wasm" (float32; an error where unavailable) or "reference".
   */
  readonly backend?: Backend;
  /**
   * Recurrent dropout rate p (Gal & Ghahramani 2016): in training, one mask per sequence, layer and
   * direction drops units of the previous state where it enters the recurrent products (U·h);
   * kept units are scaled by 1/(1 − p). Needs `rng` in forward's options. Default 0.
   */
  readonly recurrentDropout?: number;
  /**
   * Cell options of the reverse direction of a bidirectional stack that differ from the forward
   * one (ONNX gives each direction its own activations), e.g. { candidateActivation: "Relu" }.
   */
  readonly reverseOptions?: Partial<Omit<CellOptionsByKind[K], "inputSize" | "hiddenSize">>;
  /**
   * "float32" (default, or the dtype) or "int8": inference with every product of the time loop in
   * dynamic int8 (the weights quantised per output row when a forward starts, the activations per
   * row as they come; PyTorch's dynamic quantisation of GRU/LSTM, with per-row activation scales).
   * Needs the native kernels (useNative()) on a CPU with integer dot products (AVX512-VNNI or
   * AVX-VNNI), or the WebAssembly kernels' relaxed-SIMD build (7-bit activations there, see
   * wasm/int8.ts; useRelaxedSimd() in Node 20, on by default in Chromium), and a GRU-family or LSTM
   * stack with σ gates, tanh and no clip; training (forward with train: true) and step() are refused.
   */
  readonly precision?: Precision;
}
export type Precision = "float32" | "int8";
export const PRECISIONS: readonly Precision[] = ["float32", "int8"];
export type RecurrentOptions<K extends CellKind = CellKind> = StackOptions<K> & CellOptionsByKind[K];

export interface ForwardOptions {
  readonly layout?: Layout;
  /** Per-row sequence lengths [B], each in 0..T (ONNX sequence_lens). */
  readonly lengths?: ArrayLike<number>;
  /** h_0 [L·D, B, H]; zeros when absent. */
  readonly initialState?: Tensor;
  /** c_0 [L·D, B, H] for cells with a second state (LSTM). */
  readonly initialCell?: Tensor;
  /**
   * Training mode (default false): keep what backward needs and return a tape; cells with
   * normalisation use batch statistics and update their running statistics.
   */
  readonly train?: boolean;
  /** Return the per-step gate values of every layer and direction (default false). */
  readonly capture?: boolean;
  /** Source of the recurrent dropout masks (train mode with recurrentDropout > 0). */
  readonly rng?: Rng;
  /**
   * Write the output here instead of a new array (no allocation per call): T·B·D·H elements of the
   * stack's dtype, in the chosen layout; `output.data` is then this buffer. It must not share
   * memory with initialState or initialCell. The final states are always new arrays.
   */
  readonly out?: Vec;
}

export interface ForwardResult {
  readonly output: Tensor;
  readonly finalState: Tensor;
  readonly finalCell?: Tensor;
  /** "layer0.forward.z" → [T, B, H] (or [B, T, H] batch-major), when captured. */
  readonly gates?: Readonly<Record<string, Tensor>>;
  /** Pass to backward(); valid until the next forward() of this stack. */
  readonly tape?: Tape;
}

export interface BackwardOptions {
  readonly dFinalState?: Tensor;
  readonly dFinalCell?: Tensor;
  /** Add parameter gradients into this flat buffer (same layout as params) instead of a new one. */
  readonly into?: Vec;
}

export interface Gradients {
  readonly dInput: Tensor;
  readonly dInitialState: Tensor;
  readonly dInitialCell?: Tensor;
  /** Mirrors `params`: view it with `gradView(dParams, name)`. */
  readonly dParams: Vec;
}

export interface Tape {
  readonly owner: Recurrent;
  readonly generation: number;
  readonly T: number;
  readonly B: number;
  readonly layout: Layout;
  readonly lengths: Int32Array | null;
  readonly x: Vec; // [N, I] time-major
}

export interface ParamEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
  readonly doc: string;
  /** false for saved state that is not learned (running statistics): optimisers skip it. */
  readonly trainable: boolean;
}

interface Workspace {
  readonly T: number;
  readonly B: number;
  readonly keep: boolean;
  readonly dirs: DirectionWork[];      // l·D + d
  readonly outs: Vec[];                // per layer but the last [N, D·H] (the last writes the caller's result)
  readonly x: Vec;                     // [N, I]: the input, time-major (the tape's until the next forward)
  /** backward's buffers: dL/d(layer output) [N, D·H] (two, in turn, for stacks) and dL/dx [N, I]. */
  back?: { readonly dOut: Vec; readonly dMid: Vec | null; readonly dx: Vec };
  /** The backend's resident memory these buffers live in, or null (ordinary arrays). */
  readonly mem: ResidentMemory | null;
}

export class Recurrent {
  readonly kind: CellKind;
  readonly layers: number;
  readonly direction: Direction;
  readonly dtype: DType;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly cells: readonly Cell[];
  /** Every parameter of the stack, one flat buffer; named views via param(name). */
  params: Vec;
  readonly entries: readonly ParamEntry[];
  readonly kernels: Kernels;
  readonly recurrentDropout: number;
  /** "int8": inference products in dynamic int8 (see StackOptions.precision). */
  readonly precision: Precision;
  private views: ParamViews[];
  private ws: Workspace | null = null;
  private generation = 0;
  private paramVersion = 0;

  constructor(options: RecurrentOptions) {
    const where = "recurrent";
    checkStackOptions(where, options);
    const { cell: kind, layers = 1, direction = "forward", dtype = "float32", seed = 0, init = "glorot", backend = "auto", recurrentDropout = 0, reverseOptions, precision = "float32", ...cellOptions } = options as unknown as StackOptions<CellKind> & Record<string, unknown>;
    if (reverseOptions !== undefined && direction !== "bidirectional") {
      throw new OptionError(`${where}: reverseOptions is only for direction "bidirectional", got direction "${direction}"`);
    }
    if (!Number.isInteger(layers) || layers < 1) throw new OptionError(`${where}: layers must be a positive integer, got ${JSON.stringify(layers)}`);
    this.direction = oneOf(where, "direction", direction, DIRECTIONS);
    this.dtype = oneOf(where, "dtype", dtype, ["float32", "float64"] as const);
    // the binding lets a fast backend pack weight blocks once per parameter version
    this.kernels = selectKernels(where, backend, this.dtype, { params: () => this.params, version: () => this.paramVersion });
    this.precision = oneOf(where, "precision", precision, PRECISIONS);
    if (this.precision === "int8") {
      if (this.dtype !== "float32") throw new OptionError(`${where}: precision "int8" quantises a float32 stack; this one is ${this.dtype}`);
      const k = this.kernels.name;
      if (k === "wasm-simd") {
        throw new OptionError(`${where}: precision "int8" needs the native kernels (useNative() from gated/node) or the WebAssembly kernels' relaxed-SIMD build (its integer dot product), and this stack runs wasm-simd, the plain-SIMD build: in Node 20 call useRelaxedSimd() from gated/node before the first model is built; in a browser, use one with WebAssembly relaxed SIMD (Chromium has it on)`);
      }
      if (!k.startsWith("native") && !k.startsWith("wasm-relaxed")) {
        throw new OptionError(`${where}: precision "int8" needs the native kernels (useNative() from gated/node; Node on linux-x64) or the WebAssembly kernels with relaxed SIMD, and this stack runs ${k}`);
      }
      if (k.startsWith("native") && nativeAddon()?.int8() === "portable") {
        throw new OptionError(`${where}: precision "int8" needs integer dot products (AVX512-VNNI or AVX-VNNI), which this CPU lacks: int8 would run slower than float32 on the native kernels here; backend "wasm" runs it on the WebAssembly relaxed-SIMD kernels (7-bit activations), or keep precision "float32"`);
      }
      if (!["gru", "gru1", "gru2", "gru3", "mgu", "mgu1", "mgu2", "mgu3", "lstm"].includes(kind)) {
        throw new OptionError(`${where}: precision "int8" covers the GRU family and the LSTM, not ${kind}`);
      }
    }
    this.kind = kind;
    this.layers = layers;
    const D = this.numDirections;
    const make = (l: number, d: number, H: number): Cell =>
      makeCell(kind, { ...cellOptions, ...(d === 1 ? reverseOptions : undefined), ...(l === 0 ? {} : { inputSize: D * H }) } as never, this.dtype);
    // the first cell checks the options; the size of the whole stack is checked before the rest is made
    const first = make(0, 0, 0), H = first.hiddenSize;
    const count = (c: Cell) => c.params.reduce((n, p) => n + size(p.shape), 0);
    checkParameterBudget(where, D * (count(first) + (layers > 1 ? (layers - 1) * count(make(1, 0, H)) : 0)), this.dtype,
      `a ${kind} stack with inputSize ${first.inputSize}, hiddenSize ${H}, ${layers} layer(s) × ${D} direction(s)`);
    const cells: Cell[] = [];
    for (let l = 0; l < layers; l++) for (let d = 0; d < D; d++) cells.push(l === 0 && d === 0 ? first : make(l, d, H));
    this.cells = cells;
    if (!(typeof recurrentDropout === "number" && recurrentDropout >= 0 && recurrentDropout < 1)) {
      throw new OptionError(`${where}: recurrentDropout must be in [0, 1), got ${JSON.stringify(recurrentDropout)}`);
    }
    if (recurrentDropout > 0 && !cells[0]!.recurrentDropout) {
      throw new OptionError(`${where}: ${kind} has no recurrent product that recurrent dropout could act on in this configuration (minGRU has none; LiBRU "probs" feeds log h to it)`);
    }
    this.recurrentDropout = recurrentDropout;
    this.inputSize = cells[0]!.inputSize;
    this.hiddenSize = cells[0]!.hiddenSize;
    const entries: ParamEntry[] = [];
    let offset = 0;
    cells.forEach((c, i) => {
      for (const spec of c.params) {
        const n = size(spec.shape);
        entries.push({ name: `${this.prefix(i)}.${spec.name}`, shape: spec.shape, offset, size: n, doc: spec.doc, trainable: spec.trainable !== false });
        offset += n;
      }
    });
    this.entries = entries;
    this.params = this.kernels.alloc(offset);
    this.views = this.viewsOf(this.params);
    this.initialise(oneOf(where, "init", init, INIT_SCHEMES), new Rng(seed));
  }

  /** Refills every parameter by a scheme (see layers/init.ts). */
  initialise(scheme: InitScheme, rng: Rng): void {
    this.cells.forEach((c, i) => {
      for (const spec of c.params) initBlock(this.views[i]![spec.name]!, spec.init, spec.shape, c.hiddenSize, scheme, rng);
    });
    this.markChanged();
  }

  get numDirections(): 1 | 2 {
    return this.direction === "bidirectional" ? 2 : 1;
  }

  /**
   * Counts changes of the parameters, so backends can cache transformed weights (packed for a
   * fast matrix multiply). setParam, attach and optimisers bump it; code that writes into
   * `params` or a param() view directly must call markChanged() afterwards.
   */
  get version(): number {
    return this.paramVersion;
  }

  markChanged(): void {
    this.paramVersion++;
  }

  /**
   * Moves the parameters into `view` (a slice of a model's flat buffer), keeping their values; the
   * stack reads and writes them there from now on.
   */
  attach(view: Vec): void {
    if (!(view instanceof Float32Array || view instanceof Float64Array)) throw new OptionError(`recurrent: attach needs a ${this.dtype} buffer, got ${show(view)}`);
    if (view.length !== this.params.length) throw new ShapeError(`recurrent: attach needs ${this.params.length} values, got ${view.length}`);
    if (view.constructor !== this.params.constructor) throw new OptionError(`recurrent: attach needs a ${this.dtype} buffer`);
    view.set(this.params);
    this.params = view;
    this.views = this.viewsOf(view);
    this.markChanged();
  }

  /**
   * Every value the stack stores (what a file holds): the learned parameters and saved statistics
   * (a LiGRU's batch-norm running mean and variance). The learned ones alone: trainableCount.
   */
  get paramCount(): number {
    return this.params.length;
  }

  /** The values learned by gradient (parameterCount(kind, options) per cell): paramCount less saved statistics. */
  get trainableCount(): number {
    return this.entries.reduce((s, e) => s + (e.trainable ? e.size : 0), 0);
  }

  /** The view of one named parameter block, e.g. "layer0.forward.W". */
  param(name: string): Vec {
    return this.gradView(this.params, name);
  }

  /** The view of a named block inside any buffer with the params' layout (e.g. dParams). */
  gradView(flat: Vec, name: string): Vec {
    const e = this.entries.find((x) => x.name === name);
    if (!e) throw new OptionError(`recurrent: no parameter "${name}"; parameters: ${this.entries.map((x) => x.name).join(", ")}`);
    return flat.subarray(e.offset, e.offset + e.size);
  }

  /** Copies values into a named block, checking the shape. */
  setParam(name: string, data: ArrayLike<number>): void {
    const view = this.param(name);
    if (data === null || typeof data !== "object" || typeof data.length !== "number") {
      throw new ShapeError(`recurrent: parameter "${name}" needs an array of ${view.length} values, got ${show(data)}`);
    }
    if (data.length !== view.length) {
      const e = this.entries.find((x) => x.name === name)!;
      throw new ShapeError(`recurrent: parameter "${name}" has shape ${fmtShape(e.shape)} (${view.length} values), got ${data.length} values`);
    }
    view.set(data);
    this.markChanged();
  }

  private prefix(i: number): string {
    const D = this.numDirections;
    const dir = this.direction === "bidirectional" ? (i % D === 0 ? "forward" : "reverse") : this.direction;
    return `layer${Math.floor(i / D)}.${dir}`;
  }

  private viewsOf(flat: Vec): ParamViews[] {
    return this.cells.map((c, i) => {
      const v: Record<string, Vec> = {};
      for (const spec of c.params) v[spec.name] = this.gradView(flat, `${this.prefix(i)}.${spec.name}`);
      return v;
    });
  }

  /** Is direction index d of this stack the reverse one? */
  private isReverse(d: number): boolean {
    return this.direction === "reverse" || (this.direction === "bidirectional" && d === 1);
  }

  private workspace(T: number, B: number, keep: boolean): Workspace {
    const ws = this.ws;
    if (ws && ws.T === T && ws.B === B && ws.keep === keep) return ws;
    const D = this.numDirections, H = this.hiddenSize;
    // the stack's own buffers live where the cells' do (in the kernels' memory when it has one, so
    // that kernels use them in place): the old ones go back first
    if (ws?.mem) {
      const back = ws.back ? [ws.back.dOut, ws.back.dx, ...(ws.back.dMid ? [ws.back.dMid] : [])] : [];
      for (const v of [ws.x, ...ws.outs, ...back]) ws.mem.release(v);
    }
    const mem = this.kernels.resident ?? null;
    const dirs = this.cells.map((c, i) => allocDirection(this.kernels, c, this.isReverse(i % D), T, B, keep));
    const outs = Array.from({ length: this.layers - 1 }, () => this.buffer(mem, T * B * D * H));
    return (this.ws = { T, B, keep, dirs, outs, x: this.buffer(mem, T * B * this.inputSize), mem });
  }

  /** A zeroed buffer of n elements in `mem`, or an ordinary array of the kernels' dtype. */
  private buffer(mem: ResidentMemory | null, n: number): Vec {
    return mem ? mem.alloc(n) : this.kernels.alloc(n);
  }

  /** backward's buffers, allocated with the workspace's first backward and reused (zeroed per use). */
  private backWork(ws: Workspace): NonNullable<Workspace["back"]> {
    if (ws.back) return ws.back;
    const N = ws.T * ws.B, DH = this.numDirections * this.hiddenSize, mem = ws.mem;
    return (ws.back = { dOut: this.buffer(mem, N * DH), dMid: this.layers > 1 ? this.buffer(mem, N * DH) : null, dx: this.buffer(mem, N * this.inputSize) });
  }

  forward(input: Tensor, opts: ForwardOptions = {}): ForwardResult {
    const where = `${this.kind} forward`;
    checkForwardOptions(where, opts);
    expectTensor(where, "input", input);
    const layout = oneOf(where, "layout", opts.layout ?? "time-major", ["time-major", "batch-major"] as const);
    if (input.shape.length !== 3) {
      throw new ShapeError(`${where}: expected input of rank 3 (${layout === "time-major" ? "[T, B, I]" : "[B, T, I]"}), got ${fmtShape(input.shape)}`);
    }
    const [T, B] = layout === "time-major" ? [input.shape[0]!, input.shape[1]!] : [input.shape[1]!, input.shape[0]!];
    const I = this.inputSize, H = this.hiddenSize, D = this.numDirections, L = this.layers;
    expectShape(where, "input", input, layout === "time-major" ? [T, B, I] : [B, T, I]);
    if (T < 1 || B < 1) throw new ShapeError(`${where}: expected at least one step and one row, got ${fmtShape(input.shape)}`);
    expectFinite(where, "input", input);
    const lengths = this.checkLengths(where, opts.lengths, T, B);
    const nStates = this.cells[0]!.states.length;
    const inits = [opts.initialState, opts.initialCell].slice(0, nStates);
    if (opts.initialCell && nStates < 2) throw new OptionError(`${where}: initialCell is only for cells with a cell state (lstm)`);
    inits.forEach((t, c) => {
      if (t) { expectShape(where, c === 0 ? "initialState" : "initialCell", t, [L * D, B, H]); expectFinite(where, "initial state", t); }
    });
    const keep = opts.train === true || opts.capture === true;
    const mode: "train" | "eval" = opts.train === true ? "train" : "eval";
    if (!this.ws || this.ws.T !== T || this.ws.B !== B || this.ws.keep !== keep) checkForwardWork(where, this.cells, this.dtype, T, B, I, L, D, H, keep);
    const ws = this.workspace(T, B, keep);
    this.generation++;
    const x = ws.x;
    if (layout === "time-major") x.set(input.data); else swap01(x, input.data, B, T, I);
    const k = this.kernels;
    if (this.precision === "int8" && opts.train === true) throw new OptionError(`${where}: precision "int8" is for inference; train a float32 stack and quantise it`);
    const drop = opts.train === true && this.recurrentDropout > 0;
    if (drop && !opts.rng) throw new OptionError(`${where}: recurrentDropout needs an rng in forward's options when training`);
    // the last layer writes the result, in the caller's layout; the others their buffer in ws
    const y = opts.out !== undefined
      ? checkOutBuffer(where, opts.out, T * B * D * H, this.dtype, [opts.initialState?.data as ArrayBufferView | undefined, opts.initialCell?.data as ArrayBufferView | undefined])
      : k.alloc(T * B * D * H);
    for (let l = 0; l < L; l++) {
      const io0 = { x: l === 0 ? x : ws.outs[l - 1]!, ldx: l === 0 ? I : D * H, ldo: D * H, lengths, mode, ...(this.precision === "int8" ? { int8: true } : {}) };
      const out = l === L - 1 ? { y, batchMajor: layout === "batch-major" } : { y: ws.outs[l]!, batchMajor: false };
      for (let d = 0; d < D; d++) {
        const i = l * D + d;
        const init = inits.map((t) => (t ? t.data.subarray(i * B * H, (i + 1) * B * H) : null));
        const mask = drop ? this.dropMask(B, opts.rng!) : null;
        forwardDirection(k, ws.dirs[i]!, this.views[i]!, { ...io0, col: d * H, mask }, init, out);
      }
    }
    const output = { data: y, shape: layout === "time-major" ? [T, B, D * H] : [B, T, D * H] };
    const finals = Array.from({ length: nStates }, (_, c) => {
      const f = k.alloc(L * D * B * H);
      ws.dirs.forEach((w, i) => f.set(finalState(w, c), i * B * H));
      return { data: f, shape: [L * D, B, H] };
    });
    const result: { -readonly [K in keyof ForwardResult]: ForwardResult[K] } = { output, finalState: finals[0]! };
    if (finals[1]) result.finalCell = finals[1];
    if (opts.capture) result.gates = this.captureGates(ws, layout);
    if (opts.train) result.tape = { owner: this, generation: this.generation, T, B, layout, lengths, x };
    return result;
  }

  backward(tape: Tape, dOutput: Tensor, opts: BackwardOptions = {}): Gradients {
    const where = `${this.kind} backward`;
    checkOptions(where, opts, BACKWARD_KEYS);
    if (tape === null || typeof tape !== "object" || !("owner" in tape)) {
      throw new OptionError(`${where}: expected the tape of forward(x, { train: true }) (result.tape), got ${show(tape)}; forward returns a tape only when train is true`);
    }
    if (tape.owner !== this) throw new StateError(`${where}: this tape was made by another layer`);
    if (tape.generation !== this.generation || !this.ws) {
      throw new StateError(`${where}: the tape is stale: forward() ran again since it was made; call backward before the next forward`);
    }
    const { T, B, layout, lengths, x } = tape;
    const I = this.inputSize, H = this.hiddenSize, D = this.numDirections, L = this.layers;
    expectShape(where, "dOutput", dOutput, layout === "time-major" ? [T, B, D * H] : [B, T, D * H]);
    expectFinite(where, "dOutput", dOutput);
    const nStates = this.cells[0]!.states.length;
    if (opts.dFinalCell && nStates < 2) throw new OptionError(`${where}: dFinalCell is only for cells with a cell state (lstm)`);
    const dFinals = [opts.dFinalState, opts.dFinalCell].slice(0, nStates);
    dFinals.forEach((t, c) => {
      const name = c === 0 ? "dFinalState" : "dFinalCell";
      if (t) { expectShape(where, name, t, [L * D, B, H]); expectFinite(where, name, t); }
    });
    const k = this.kernels, ws = this.ws;
    const dParams = opts.into ?? k.alloc(this.params.length);
    if (dParams.constructor !== this.params.constructor) throw new ShapeError(`${where}: into must be a ${this.params.constructor.name} (the stack is ${this.dtype}), got ${show(dParams)}`);
    if (dParams.length !== this.params.length) throw new ShapeError(`${where}: into must have ${this.params.length} values, got ${dParams.length}`);
    const gViews = this.viewsOf(dParams);
    const bw = this.backWork(ws);
    let dOut = bw.dOut;
    if (layout === "time-major") dOut.set(dOutput.data); else swap01(dOut, dOutput.data, B, T, D * H);
    const dInits = Array.from({ length: nStates }, () => k.alloc(L * D * B * H));
    for (let l = L - 1; l >= 0; l--) {
      const xin = l === 0 ? x : ws.outs[l - 1]!, ldx = l === 0 ? I : D * H;
      // dL/d(this layer's input): accumulated over directions, so zeroed first
      const dIn = l === 0 ? bw.dx : dOut === bw.dOut ? bw.dMid! : bw.dOut;
      dIn.fill(0);
      for (let d = 0; d < D; d++) {
        const i = l * D + d;
        const io: LayerIO = { x: xin, ldx, ldo: D * H, col: d * H, lengths, mode: "train" };
        const dF = dFinals.map((t) => (t ? t.data.subarray(i * B * H, (i + 1) * B * H) : null));
        const dI = dInits.map((t) => t.subarray(i * B * H, (i + 1) * B * H));
        backwardDirection(k, ws.dirs[i]!, this.views[i]!, gViews[i]!, io, dOut, dF, dIn, dI);
      }
      dOut = dIn;
    }
    const dx = dOut;
    const result: { -readonly [K in keyof Gradients]: Gradients[K] } = {
      dInput: this.fromTimeMajor(dx, T, B, I, layout),
      dInitialState: { data: dInits[0]!, shape: [L * D, B, H] },
      dParams,
    };
    if (dInits[1]) result.dInitialCell = { data: dInits[1], shape: [L * D, B, H] };
    return result;
  }

  /**
   * A streaming state for B rows (forward-direction stacks only), starting from zeros or from
   * initialState / initialCell [L, B, H].
   */
  createState(B: number, opts: { initialState?: Tensor; initialCell?: Tensor } = {}): StreamState {
    const where = `${this.kind} stream`;
    checkOptions(where, opts, STATE_KEYS);
    if (this.direction !== "forward") {
      throw new OptionError(`${where}: streaming needs direction "forward", this stack is "${this.direction}" (a reverse pass needs the whole sequence)`);
    }
    if (!Number.isSafeInteger(B) || B < 1) throw new ShapeError(`${where}: batch size must be a positive integer, got ${show(B)}`);
    checkStreamWork(where, this.cells, this.dtype, B, this.inputSize);
    const st = new StreamState(this.kernels, this.cells, B);
    const H = this.hiddenSize, L = this.layers;
    [opts.initialState, opts.initialCell].forEach((t, c) => {
      if (!t) return;
      if (c >= this.cells[0]!.states.length) throw new OptionError(`${where}: initialCell is only for cells with a cell state (lstm)`);
      expectShape(where, c === 0 ? "initialState" : "initialCell", t, [L, B, H]);
      expectFinite(where, "initial state", t);
      for (let l = 0; l < L; l++) st.state(l, c).set(t.data.subarray(l * B * H, (l + 1) * B * H));
    });
    return st;
  }

  /**
   * One step: x [B, I] → the last layer's output [B, H]; the state advances. Equal to the
   * corresponding step of forward() over the whole sequence.
   */
  step(state: StreamState, x: Tensor, opts: { out?: Vec; capture?: boolean } = {}): { output: Tensor; gates?: Record<string, Tensor> } {
    if (this.precision === "int8") throw new OptionError(`${this.kind} step: precision "int8" covers forward() over whole sequences; step() runs float32 (make the stack with precision "float32" to stream)`);
    const where = `${this.kind} step`;
    checkOptions(where, opts, STEP_KEYS);
    if (!(state instanceof StreamState)) throw new OptionError(`${where}: expected the state of createState(B), got ${show(state)}`);
    const B = state.B, H = this.hiddenSize;
    if (state.layers.length !== this.cells.length || state.layers.some((l, i) => l.cell !== this.cells[i])) {
      throw new StateError(`${where}: this state was created by another layer`);
    }
    expectShape(where, "input", x, [B, this.inputSize]);
    expectFinite(where, "input", x);
    if (opts.capture !== undefined && typeof opts.capture !== "boolean") throw new OptionError(`${where}: capture must be true or false, got ${show(opts.capture)}`);
    const out = opts.out ?? this.kernels.alloc(B * H);
    if (out.constructor !== this.params.constructor) throw new ShapeError(`${where}: out must be a ${this.params.constructor.name} (the stack is ${this.dtype}), got ${show(out)}`);
    if (out.length !== B * H) throw new ShapeError(`${where}: out must have ${B * H} values, got ${out.length}`);
    let gates: Record<string, Tensor> | undefined;
    const grab = opts.capture
      ? (l: number, cache: Vec) => {
          const c = this.cells[l]!;
          for (const g of c.gates) {
            const v = this.kernels.alloc(B * H);
            for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) v[b * H + j] = cache[b * c.cacheWidth + g.offset + j]!;
            (gates ??= {})[`${this.prefix(l)}.${g.name}`] = { data: v, shape: [B, H] };
          }
          for (let sc = 1; sc < c.states.length; sc++) {
            const v = this.kernels.alloc(B * H);
            v.set(state.state(l, sc));
            (gates ??= {})[`${this.prefix(l)}.${c.states[sc]}`] = { data: v, shape: [B, H] };
          }
        }
      : undefined;
    streamStep(this.kernels, state, this.views, x.data, out, grab);
    return gates ? { output: { data: out, shape: [B, H] }, gates } : { output: { data: out, shape: [B, H] } };
  }

  /** One recurrent dropout mask [B, H]: 0 with probability p, else 1/(1 − p). */
  private dropMask(B: number, rng: Rng): Vec {
    const p = this.recurrentDropout, keep = 1 / (1 - p), m = this.kernels.alloc(B * this.hiddenSize);
    for (let i = 0; i < m.length; i++) m[i] = rng.uniform() >= p ? keep : 0;
    return m;
  }

  private checkLengths(where: string, lengths: ArrayLike<number> | undefined, T: number, B: number): Int32Array | null {
    if (lengths === undefined) return null;
    if (lengths === null || typeof lengths !== "object") throw new ShapeError(`${where}: expected lengths as an array of ${B} integers (one per batch row), got ${show(lengths)}`);
    if (lengths.length !== B) throw new ShapeError(`${where}: expected lengths of shape [${B}] (one per batch row), got ${lengths.length} values`);
    const out = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const v = lengths[b]!;
      if (!Number.isInteger(v) || v < 0 || v > T) {
        throw new ValueError(`${where}: lengths[${b}] must be an integer in 0..${T} (the sequence has T = ${T} steps), got ${v}`);
      }
      out[b] = v;
    }
    return out;
  }

  private fromTimeMajor(src: Vec, T: number, B: number, F: number, layout: Layout): Tensor {
    const out = this.kernels.alloc(T * B * F);
    if (layout === "time-major") { out.set(src.subarray(0, T * B * F)); return { data: out, shape: [T, B, F] }; }
    swap01(out, src, T, B, F);
    return { data: out, shape: [B, T, F] };
  }

  private captureGates(ws: Workspace, layout: Layout): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const { T, B } = ws, H = this.hiddenSize;
    this.cells.forEach((c, i) => {
      const cache = ws.dirs[i]!.cache;
      for (const g of c.gates) {
        const tm = this.kernels.alloc(T * B * H);
        for (let r = 0; r < T * B; r++) {
          for (let j = 0; j < H; j++) tm[r * H + j] = cache[r * c.cacheWidth + g.offset + j]!;
        }
        out[`${this.prefix(i)}.${g.name}`] = this.fromTimeMajor(tm, T, B, H, layout);
      }
      // state components beyond h (the LSTM's c) at every step
      const w = ws.dirs[i]!;
      for (let sc = 1; sc < c.states.length; sc++) {
        const tm = this.kernels.alloc(T * B * H);
        for (let t = 0; t < T; t++) {
          const at = (w.reverse ? t : t + 1) * B * H;
          tm.set(w.states[sc]!.subarray(at, at + B * H), t * B * H);
        }
        out[`${this.prefix(i)}.${c.states[sc]}`] = this.fromTimeMajor(tm, T, B, H, layout);
      }
    });
    return out;
  }
}
