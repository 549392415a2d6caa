/**
 * A model: a sequential network plus what it is for (its input, task and loss) and the data facts
 * needed to use it later (normalisation statistics, vocabulary, class names, forecast window).
 * `spec` is plain JSON and, with the parameters, the whole model: a model file stores exactly that.
 */
import type { CellKind, CellOptionsByKind } from "../cells/index.js";
import { OptionError } from "../errors/index.js";
import type { Backend } from "../kernels/select.js";
import type { DType } from "../kernels/types.js";
import type { InitScheme } from "../layers/init.js";
import { Sequential, type LayerConfig } from "../layers/sequential.js";
import type { Direction } from "../sequence/recurrent.js";
import { resolveLoss, type LossName, type LossSpec } from "../train/losses.js";
import type { Normalisation } from "../data/types.js";
import { checkModelSpec, createOptions, modelOptions, validate } from "./schema.js";

export type InputSpec = { readonly kind: "features"; readonly features: number } | { readonly kind: "tokens"; readonly vocabularySize: number };

export interface TaskSpec {
  readonly target: "regression" | "class";
  /** One target per step (sequence → sequence) or one per sequence. */
  readonly perStep: boolean;
  readonly outputs: number;
  readonly loss: Required<LossSpec>;
}

/** Facts about the training data that using the model needs. */
export interface DataInfo {
  readonly name?: string;
  readonly normalisation?: Normalisation;
  readonly vocabulary?: readonly string[];
  readonly classes?: readonly string[];
  readonly columns?: readonly string[];
  readonly targetColumns?: readonly number[];
  readonly window?: number;
  readonly horizon?: number;
  readonly season?: number;
  /** Forecast windows relative to their last input row. */
  readonly relative?: boolean;
  /** The options that chose the data, so eval, predict and inspect open the same part again. */
  readonly limit?: number;
  readonly steps?: number;
  readonly seed?: number;
}

/** Where an imported model came from, and every fact the import did not read from the file's tensors. */
export interface OriginInfo {
  /** The format read: "pytorch state dict (.pt)", "onnx", "keras 3"… */
  readonly format: string;
  /** Each fact in words, with where it came from: "(read from the file)", "(given)". */
  readonly facts: readonly string[];
}

export interface ModelSpec {
  readonly format: "gated-model";
  readonly version: 1;
  readonly input: InputSpec;
  readonly layers: readonly LayerConfig[];
  readonly task: TaskSpec;
  readonly data?: DataInfo;
  readonly origin?: OriginInfo;
}

export class Model {
  readonly spec: ModelSpec;
  readonly net: Sequential;

  /** Throws an OptionError naming the field of an invalid spec or option (schema.ts), a ShapeError when the layers' widths do not chain. */
  constructor(spec: ModelSpec, opts: { dtype?: DType; seed?: number; init?: InitScheme; backend?: Backend } = {}) {
    checkModelSpec(spec, "model spec");
    validate(modelOptions, opts, "model options");
    // a spec written by hand may leave out huber's delta: the model holds the resolved loss
    const loss = spec.task.loss.delta === undefined ? resolveLoss("model", spec.task.loss) : null;
    this.spec = loss ? { ...spec, task: { ...spec.task, loss } } : spec;
    this.net = new Sequential(spec.layers, opts);
    const first = this.net.layers[0]!, last = this.net.layers[this.net.layers.length - 1]!;
    const inWidth = spec.input.kind === "features" ? spec.input.features : spec.input.vocabularySize;
    if (first.inputFeatures !== inWidth) throw new OptionError(`model: the first layer takes ${first.inputFeatures} features, the input has ${inWidth}`);
    if (last.outputFeatures !== spec.task.outputs) throw new OptionError(`model: the last layer gives ${last.outputFeatures} outputs, the task needs ${spec.task.outputs}`);
  }

  /** A copy of this model's spec with other data facts. */
  withData(data: DataInfo): ModelSpec {
    return { ...this.spec, data };
  }
}

/** The common shape: [embedding] → recurrent stack → [layer norm] → [dropout] → [last step] → dense head. */
export interface CreateOptions<K extends CellKind = CellKind> {
  readonly input: InputSpec;
  /** Embedding width for token inputs (default 32). */
  readonly embedding?: number;
  readonly cell: K;
  readonly hiddenSize: number;
  readonly layers?: number;
  readonly direction?: Direction;
  /** Options of the cell (conventions, activations...). */
  readonly cellOptions?: Partial<Omit<CellOptionsByKind[K], "inputSize" | "hiddenSize">>;
  /** Recurrent dropout inside the recurrent layers: one mask per sequence (Gal & Ghahramani). */
  readonly recurrentDropout?: number;
  readonly layerNorm?: boolean;
  /** Dropout rate after the recurrent stack, and its mask kind. */
  readonly dropout?: number;
  readonly dropoutMask?: "element" | "sequence";
  /** Hidden widths of the head before the output layer, and their activation (default Relu). */
  readonly head?: readonly number[];
  readonly headActivation?: string;
  readonly task: { readonly target: "regression" | "class"; readonly perStep: boolean; readonly outputs: number; readonly loss?: LossSpec | LossName };
  readonly data?: DataInfo;
}

/** Throws an OptionError naming the option (createSpec's own) or the spec field that is invalid. */
export function createSpec<K extends CellKind>(o: CreateOptions<K>): ModelSpec {
  validate(createOptions, o, "createSpec");
  const layers: LayerConfig[] = [];
  let width = o.input.kind === "features" ? o.input.features : o.embedding ?? 32;
  if (o.input.kind === "tokens") layers.push({ kind: "embedding", vocabularySize: o.input.vocabularySize, embeddingSize: width });
  const direction = o.direction ?? "forward";
  layers.push({
    kind: "recurrent", cell: o.cell, inputSize: width, hiddenSize: o.hiddenSize, layers: o.layers ?? 1, direction,
    ...(o.recurrentDropout ? { recurrentDropout: o.recurrentDropout } : {}), ...(o.cellOptions ?? {}),
  });
  const D = direction === "bidirectional" ? 2 : 1;
  width = D * o.hiddenSize;
  if (o.layerNorm) layers.push({ kind: "layer-norm", features: width });
  if (o.dropout) layers.push({ kind: "dropout", features: width, rate: o.dropout, mask: o.dropoutMask ?? "element" });
  if (!o.task.perStep) {
    const dirs = direction === "bidirectional" ? ["forward", "reverse"] : [direction];
    layers.push({ kind: "last-step", hiddenSize: o.hiddenSize, directions: dirs });
  }
  for (const h of o.head ?? []) {
    layers.push({ kind: "dense", inputSize: width, outputSize: h, activation: o.headActivation ?? "Relu" });
    width = h;
  }
  layers.push({ kind: "dense", inputSize: width, outputSize: o.task.outputs });
  const loss = resolveLoss("model", o.task.loss ?? (o.task.target === "class" ? "cross-entropy" : "mse"));
  if ((loss.name === "cross-entropy") !== (o.task.target === "class")) {
    throw new OptionError(`model: loss "${loss.name}" does not fit a ${o.task.target} target (class targets use cross-entropy; regression uses mse, mae, huber or binary-cross-entropy)`);
  }
  return checkModelSpec<ModelSpec>({
    format: "gated-model", version: 1, input: o.input, layers,
    task: { target: o.task.target, perStep: o.task.perStep, outputs: o.task.outputs, loss },
    ...(o.data ? { data: o.data } : {}),
  }, "createSpec");
}
