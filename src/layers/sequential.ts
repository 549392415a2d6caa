/**
 * A sequential model: layers applied in order, every parameter in one flat buffer with named views
 * ("1.recurrent.layer0.forward.U", "2.dense.W"), gradients in a mirror buffer, so an optimiser is one
 * loop over both and a model file is a header plus one buffer.
 *
 * Shape legend: T time, B batch, F features (time-major activations, see layer.ts).
 */
import { GatedError, OptionError, ShapeError } from "../errors/index.js";
import { layer as layerSchema, layers as layersSchema, modelOptions, validate } from "../model/schema.js";
import { checkParameterBudget } from "../sequence/limits.js";
import { selectKernels, type Backend } from "../kernels/select.js";
import type { DType, Kernels, Vec } from "../kernels/types.js";
import { Rng } from "../util/random.js";
import { ContextWindow } from "./context.js";
import { Dense } from "./dense.js";
import { Dropout } from "./dropout.js";
import { Embedding } from "./embedding.js";
import { GaussianHead } from "./gaussian-head.js";
import type { InitScheme } from "./init.js";
import { LastStep } from "./last-step.js";
import type { Act, Context, Layer } from "./layer.js";
import { LayerNorm } from "./layer-norm.js";
import { QuantileHead } from "./quantile-head.js";
import { RecurrentLayer } from "./recurrent.js";
import { StudentTHead } from "./student-t-head.js";

export type LayerConfig = Readonly<Record<string, unknown>> & { readonly kind: string };

/** Builds a layer from its serialised configuration (checked against the model schema first: an OptionError names the field). */
export function buildLayer(c: LayerConfig, dtype: DType, backend: Backend = "auto"): Layer {
  validate(layerSchema, c, "model", OptionError, "layer");
  return makeLayer(c, dtype, backend);
}

function makeLayer(c: LayerConfig, dtype: DType, backend: Backend): Layer {
  switch (c.kind) {
    case "dense": return new Dense(c as never);
    case "embedding": return new Embedding(c as never);
    case "dropout": return new Dropout(c as never);
    case "context": return new ContextWindow(c as never);
    case "layer-norm": return new LayerNorm(c as never);
    case "last-step": return new LastStep(c as never);
    case "gaussian-head": return new GaussianHead(c as never);
    case "student-t-head": return new StudentTHead(c as never);
    case "quantile-head": return new QuantileHead(c as never);
    case "recurrent": {
      const { kind: _kind, ...options } = c;
      return new RecurrentLayer({ ...options, dtype, backend } as never);
    }
    default:
      throw new OptionError(`model: unknown layer kind ${JSON.stringify(c.kind)}; valid kinds: dense, embedding, dropout, context, layer-norm, last-step, recurrent, gaussian-head, student-t-head, quantile-head`);
  }
}

export interface ModelEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
  readonly trainable: boolean;
  readonly doc: string;
}

export class Sequential {
  readonly layers: readonly Layer[];
  readonly dtype: DType;
  readonly kernels: Kernels;
  readonly params: Vec;
  readonly grads: Vec;
  readonly entries: readonly ModelEntry[];
  /** 1 where the value is learned by gradient, 0 for saved statistics. */
  readonly trainable: Uint8Array;

  /**
   * backend: the kernels of every layer ("auto": native where loaded, else WebAssembly SIMD, for float32).
   * Every configuration is checked against the model schema (OptionError naming the field), the
   * widths must chain (ShapeError naming both layers), and the parameters must fit the limit of
   * sequence/limits.ts before anything is allocated.
   */
  constructor(layers: readonly LayerConfig[], opts: { dtype?: DType; seed?: number; init?: InitScheme; backend?: Backend } = {}) {
    validate(layersSchema, layers, "model", OptionError, "layers");
    validate(modelOptions, opts, "model options");
    this.dtype = opts.dtype ?? "float32";
    // the layers between the recurrent ones (dense heads, context windows, layer norm) on the same
    // backend as the recurrent layers ("auto": native, else WebAssembly, else the reference)
    this.kernels = selectKernels("model", opts.backend ?? "auto", this.dtype);
    this.layers = layers.map((c, i) => {
      try {
        return makeLayer(c, this.dtype, opts.backend ?? "auto");
      } catch (e) {
        // the layer's own message, with where it is in the model
        if (e instanceof GatedError) e.message = `model: layers[${i}] (${c.kind}): ${e.message}`;
        throw e;
      }
    });
    for (let i = 1; i < this.layers.length; i++) {
      const a = this.layers[i - 1]!, b = this.layers[i]!;
      if (a.outputFeatures !== b.inputFeatures) {
        throw new ShapeError(`model: layer ${i} (${b.kind}) expects ${b.inputFeatures} input features, but layer ${i - 1} (${a.kind}) gives ${a.outputFeatures}; the widths of consecutive layers must chain`);
      }
    }
    checkParameterBudget("model", this.layers.reduce((s, l) => s + l.paramCount, 0), this.dtype, `a model of ${this.layers.length} layer(s)`);
    const entries: ModelEntry[] = [];
    let offset = 0;
    this.layers.forEach((l, i) => {
      for (const p of l.params) {
        const size = p.shape.reduce((x, y) => x * y, 1);
        entries.push({ name: `${i}.${l.kind}.${p.name}`, shape: p.shape, offset, size, trainable: p.trainable, doc: p.doc });
        offset += size;
      }
    });
    this.entries = entries;
    this.params = this.kernels.alloc(offset);
    this.grads = this.kernels.alloc(offset);
    this.trainable = new Uint8Array(offset);
    for (const e of entries) if (e.trainable) this.trainable.fill(1, e.offset, e.offset + e.size);
    let at = 0;
    for (const l of this.layers) {
      l.bind(this.params.subarray(at, at + l.paramCount), this.grads.subarray(at, at + l.paramCount));
      at += l.paramCount;
    }
    this.initialise(opts.init ?? "glorot", new Rng(opts.seed ?? 0));
  }

  get configs(): LayerConfig[] {
    return this.layers.map((l) => l.config);
  }

  /** Every stored value: learned parameters and saved statistics (batch-norm running mean/variance). */
  get paramCount(): number {
    return this.params.length;
  }

  /** Learned values only (saved statistics excluded). */
  get trainableCount(): number {
    return this.entries.filter((e) => e.trainable).reduce((s, e) => s + e.size, 0);
  }

  initialise(scheme: InitScheme, rng: Rng): void {
    for (const l of this.layers) l.init(rng, scheme);
    this.markChanged();
  }

  /** The view of a named block of the parameters (or of any buffer with their layout). */
  view(name: string, flat: Vec = this.params): Vec {
    const e = this.entries.find((x) => x.name === name);
    if (!e) throw new OptionError(`model: no parameter "${name}"; parameters: ${this.entries.map((x) => x.name).join(", ")}`);
    return flat.subarray(e.offset, e.offset + e.size);
  }

  /** Tell the layers their parameters changed (after an optimiser step or a load). */
  markChanged(): void {
    for (const l of this.layers) if (l instanceof RecurrentLayer) l.rnn.markChanged();
  }

  /** Carry recurrent state from one forward to the next (truncated BPTT), or stop doing so. */
  setCarry(on: boolean): void {
    for (const l of this.layers) if (l instanceof RecurrentLayer) { l.carry = on; l.resetCarry(); }
  }

  resetCarry(): void {
    for (const l of this.layers) if (l instanceof RecurrentLayer) l.resetCarry();
  }

  forward(x: Act, ctx: Context): Act {
    let a = x;
    for (const l of this.layers) a = l.forward(a, ctx);
    return a;
  }

  /** Backpropagates dL/d(output) through every layer, accumulating into `grads`. */
  backward(dOut: Vec, ctx: Context): void {
    let d: Vec | null = dOut;
    for (let i = this.layers.length - 1; i >= 0 && d !== null; i--) d = this.layers[i]!.backward(d, ctx);
  }

  zeroGrads(): void {
    this.grads.fill(0);
  }

  /** A context for forward/backward on this model's backend. */
  context(train: boolean, rng: Rng): Context {
    return { train, rng, kernels: this.kernels };
  }
}
