/**
 * A model: a sequential network plus what it is for (its input, task and loss) and the data facts
 * needed to use it later (normalisation statistics, vocabulary, class names, forecast window).
 * `spec` is plain JSON and, with the parameters, the whole model: a model file stores exactly that.
 * Its methods are the API on plain arrays; each is implemented in its own file beside this one
 * (predict.ts, classify.ts, summary.ts; builder.ts and presets.ts make specs).
 */
import type { AudioFrontEnd } from "../audio/front-end.js";
import { FormatError, GatedError, OptionError } from "../errors/index.js";
import { encodeModelBytes, fillModelParams, readModelBytes } from "../io/model-bytes.js";
import type { NonFiniteOption } from "../io/finite.js";
import type { Backend } from "../kernels/select.js";
import type { DType } from "../kernels/types.js";
import type { InitScheme } from "../layers/init.js";
import { Sequential, type LayerConfig } from "../layers/sequential.js";
import { resolveLoss } from "../train/losses.js";
import type { DistributionLossSpec, ResolvedLoss } from "../train/losses.js";
import type { Normalisation } from "../data/types.js";
import type { CovariateInfo } from "../data/covariates.js";
import { checkHead } from "./distribution.js";
import { classify, generate, type Classification, type GenerateOptions } from "./classify.js";
import type { ModelInput } from "./inputs.js";
import type { Outputs } from "./outputs.js";
import { forecast, predict, type ForecastCallOptions, type PredictOptions } from "./predict.js";
import { checkModelSpec, modelOptions, validate } from "./schema.js";
import { precisionOf, specWithPrecision, type Precision } from "./precision.js";
import { nativeAddon, nativeUnavailable } from "../kernels/native/addon.js";
import { wasmRuntime } from "../kernels/wasm/runtime.js";
import { formatSummary, summaryRows, type SummaryRow } from "./summary.js";

export { createSpec, type CreateOptions } from "./presets.js";

export type InputSpec = { readonly kind: "features"; readonly features: number } | { readonly kind: "tokens"; readonly vocabularySize: number };

export interface TaskSpec {
  readonly target: "regression" | "class";
  /** One target per step (sequence → sequence) or one per sequence. */
  readonly perStep: boolean;
  readonly outputs: number;
  /** The loss with its defaults (ctc: per-step class scores against label sequences, its blank id). */
  readonly loss: ResolvedLoss;
  /** A distribution head's loss: the last layer gives P parameters for each of the `outputs` targets (distribution.ts). */
  readonly distribution?: DistributionLossSpec;
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
  /** Known-future covariates after the normalised columns of every input step (data/covariates.ts). */
  readonly covariates?: CovariateInfo;
  /** The options that chose the data, so eval, predict and inspect open the same part again. */
  readonly limit?: number;
  readonly steps?: number;
  readonly seed?: number;
  /** Audio models: the front end of the training data (audio/front-end.ts), so raw audio is featurised as in training. */
  readonly audio?: AudioFrontEnd;
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
    if (spec.task.distribution) checkHead("model", spec.task.distribution, last, spec.task.outputs);
    else if (last.outputFeatures !== spec.task.outputs) throw new OptionError(`model: the last layer gives ${last.outputFeatures} outputs, the task needs ${spec.task.outputs}`);
  }

  /** A copy of this model's spec with other data facts. */
  withData(data: DataInfo): ModelSpec {
    return { ...this.spec, data };
  }

  /**
   * Outputs for a batch: x as nested arrays ([B][T][F], or [B][T] token ids; rows may differ in
   * length) or {data, shape}. A forecaster's inputs and outputs are in the data's units (see
   * predict.ts for exactly what is normalised); class outputs are logits.
   */
  predict(x: ModelInput, options?: PredictOptions): Outputs {
    return predict(this, x, options);
  }

  /** A forecaster's next `steps` rows (default its horizon) of its target columns, [steps, C], in the data's units. */
  forecast(series: readonly number[] | readonly (readonly number[])[] | { readonly data: ArrayLike<number>; readonly shape: readonly number[] }, steps?: number, options?: ForecastCallOptions): Outputs {
    return forecast(this, series, steps, options);
  }

  /** A text model's continuation of `prompt`: seeded sampling with temperature, topK, topP. */
  generate(prompt: string, options?: GenerateOptions): string {
    return generate(this, prompt, options);
  }

  /** A classifier's class and probabilities for each text (tokenised as in training) or sequence. */
  classify(inputs: string | readonly string[] | ModelInput, options?: { lengths?: ArrayLike<number>; batchSize?: number }): Classification[] {
    return classify(this, inputs, options);
  }

  /** The layers, their output shapes and parameter counts: printed (to `print`, default console.log; null for none) and returned. */
  summary(options: { print?: ((text: string) => void) | null } = {}): SummaryRow[] {
    const rows = summaryRows(this);
    const print = options.print === undefined ? console.log : options.print;
    if (print) print(formatSummary(rows));
    return rows;
  }

  /** The model file (safetensors: the spec and every parameter), browser-safe. */
  toBytes(): Uint8Array {
    return encodeModelBytes(this.spec, this.net);
  }

  /** A model from the bytes of a model file (FormatError naming the problem otherwise). */
  static fromBytes(bytes: Uint8Array, options: NonFiniteOption & { where?: string; precision?: Precision } = {}): Model {
    const { where = "model file", precision, ...rest } = options;
    const file = readModelBytes(bytes, where);
    // the precision asked for (precision.ts), refused as an option, not as a damaged file
    const spec = precision === undefined ? file.spec : specWithPrecision(file.spec, precision);
    if (precisionOf(spec) === "int8" && !nativeAddon() && !wasmRuntime()?.relaxed) {
      throw new OptionError(`${where}: this model runs its recurrent layers in int8, which needs the native kernels (${nativeUnavailable()}) or WebAssembly relaxed SIMD (in Node 20: useRelaxedSimd() before the first model); load it with { precision: "float32" } to run it in float32`);
    }
    let model: Model;
    try {
      model = new Model(spec, { dtype: file.dtype, init: "none" });
    } catch (e) {
      if (e instanceof GatedError) throw new FormatError(`${where}: invalid model configuration: ${e.message}`);
      throw e;
    }
    fillModelParams(where, model.net, file.tensors, rest);
    return model;
  }
}
