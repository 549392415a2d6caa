/**
 * gated → TensorFlow.js layers model (model.json + one weights.bin), loadable with
 * tf.loadLayersModel. Exact mappings only:
 *   recurrent GRU (gates "full", reset "before", update "keep") → GRU(reset_after: false);
 *     LSTM (candidate activation = output activation, Keras has one `activation`) → LSTM;
 *     RNN → SimpleRNN; W, U transposed to (in, out); b as is. Each stack layer is one Keras layer.
 *     direction "bidirectional" → Bidirectional(merge_mode "concat"); "reverse" → go_backwards,
 *     only when a last-step layer reads it (Keras returns a backward sequence in reverse order).
 *   last-step → return_sequences: false on the last recurrent layer; layer-norm and dropout
 *     between them move after it (both act on each row alone; for a bidirectional layer only
 *     dropout, since its last step joins two different steps).
 *   embedding → Embedding; layer-norm → LayerNormalization; dropout → Dropout; dense → Dense.
 *   Activations: Sigmoid, HardSigmoid(0.2, 0.5), Tanh, Relu, Affine(1, 0) (linear), Softsign,
 *   Softplus, Elu(1).
 * Refused with the reason: reset "after" GRUs (TF.js cannot load reset_after: true), other GRU
 * gate types or updates, the cells Keras has no layer for, a cell clip, other activations
 * (e.g. Keras 3's hard sigmoid x/6 + 0.5), a reverse direction whose whole sequence is used,
 * a bidirectional stack whose directions differ.
 * The same layer list serves the Keras 3 export (keras3-export.ts, dialect "keras3"): there a
 * reset "after" GRU is GRU(reset_after: true) with bias (2, 3H) = [b; 0, 0, c], and hard_sigmoid
 * is Keras 3's x/6 + 0.5 (TF.js's 0.2x + 0.5 is refused).
 */
import { OptionError } from "../../errors/index.js";
import type { ActivationConfig } from "../../kernels/activations.js";
import type { Layer } from "../../layers/layer.js";
import type { LastStep } from "../../layers/last-step.js";
import type { RecurrentLayer } from "../../layers/recurrent.js";
import type { Model } from "../../model/model.js";
import type { Recurrent } from "../../sequence/recurrent.js";
import { allZero, transpose } from "../blocks.js";
import { refuseInt8Export } from "../../model/precision.js";

export interface TfjsArtifacts {
  /** The parsed model.json: format, modelTopology, weightsManifest (paths ["weights.bin"]). */
  readonly modelJson: Record<string, unknown>;
  readonly weightSpecs: readonly { name: string; shape: number[]; dtype: "float32" }[];
  /** The bytes of weights.bin. */
  readonly weightData: Uint8Array;
}

type Json = Record<string, unknown>;

/** Who reads the export: TF.js (hard_sigmoid 0.2x + 0.5, reset-before GRUs only) or Keras 3 (hard_sigmoid x/6 + 0.5). */
export type KerasDialect = "tfjs" | "keras3";

/** The Keras spelling of an activation TF.js (or Keras 3) computes exactly like gated. */
export function tfjsActivationName(where: string, a: ActivationConfig, dialect: KerasDialect = "tfjs"): string {
  const hard = dialect === "tfjs" ? 0.2 : 1 / 6;
  switch (a.name) {
    case "Sigmoid": return "sigmoid";
    case "Tanh": return "tanh";
    case "Relu": return "relu";
    case "Softsign": return "softsign";
    case "Softplus": return "softplus";
    case "HardSigmoid": if (Math.fround(a.alpha) === Math.fround(hard) && a.beta === 0.5) return "hard_sigmoid"; break;
    case "Affine": if (a.alpha === 1 && a.beta === 0) return "linear"; break;
    case "Elu": if (a.alpha === 1) return "elu"; break;
    default: break;
  }
  if (dialect === "keras3") throw new OptionError(`${where}: activation ${JSON.stringify(a)} has no Keras 3 equivalent (Keras 3: sigmoid, hard_sigmoid = clip(x/6 + 0.5), tanh, relu, linear, softsign, softplus, elu)`);
  throw new OptionError(`${where}: activation ${JSON.stringify(a)} has no TF.js equivalent (TF.js: sigmoid, hard_sigmoid = clip(0.2x + 0.5), tanh, relu, linear, softsign, softplus, elu)`);
}

class Writer {
  constructor(readonly dialect: KerasDialect) {}
  readonly layers: Json[] = [];
  readonly specs: { name: string; shape: number[]; dtype: "float32" }[] = [];
  readonly chunks: Float32Array[] = [];
  private n = 0;

  name(base: string): string {
    return `${base}_${++this.n}`;
  }

  weight(name: string, shape: number[], data: ArrayLike<number>): void {
    this.specs.push({ name, shape, dtype: "float32" });
    this.chunks.push(Float32Array.from(data));
  }

  add(className: string, config: Json): void {
    if (this.layers.length === 0 && this.inputShape) config.batch_input_shape = this.inputShape;
    this.layers.push({ class_name: className, config });
  }

  inputShape: (number | null)[] | null = null;
}

function cellLayer(where: string, net: Recurrent, l: number, d: number, dialect: KerasDialect): { className: string; config: Json; weights: [string, number[], ArrayLike<number>][] } {
  const act = (a: unknown) => tfjsActivationName(where, a as ActivationConfig, dialect);
  const cell = net.cells[l * net.numDirections + d]!, c = cell.config, H = net.hiddenSize, I = cell.inputSize;
  if (c.clip !== null && c.clip !== undefined) throw new OptionError(`${where}: cell clip ${c.clip} has no ${dialect === "tfjs" ? "TF.js" : "Keras"} counterpart`);
  const pre = `layer${l}.${net.direction === "bidirectional" ? (d === 0 ? "forward" : "reverse") : net.direction}`;
  let className: string, config: Json;
  if (cell.kind === "gru") {
    if (c.gates !== "full" || c.update !== "keep") throw new OptionError(`${where}: GRU gates "${c.gates}" with update "${c.update}" have no Keras layer (Keras: full gates, keep update)`);
    if (c.reset !== "before" && dialect === "keras3") return kerasResetAfter(net, pre, I, act(c.candidateActivation), act(c.gateActivation), c.bias === true);
    if (c.reset !== "before") {
      const cNonZero = c.bias === true && !allZero(net.param(`${pre}.c`));
      throw new OptionError(`${where}: reset "after" cannot be expressed in TF.js: its GRU is reset-before only (reset_after: true does not load)` +
        `${cNonZero ? `, and the recurrent candidate bias "${pre}.c" (PyTorch's b_hn) is non-zero, which TF.js's single bias has no slot for` : ""}; hint: export as ONNX, or as a PyTorch state dict`);
    }
    className = "GRU";
    config = { activation: act(c.candidateActivation), recurrent_activation: act(c.gateActivation), reset_after: false };
  } else if (cell.kind === "lstm") {
    if (JSON.stringify(c.candidateActivation) !== JSON.stringify(c.outputActivation)) throw new OptionError(`${where}: Keras's LSTM uses one activation for the candidate and the output, this LSTM has two`);
    className = "LSTM";
    config = { activation: act(c.candidateActivation), recurrent_activation: act(c.gateActivation), unit_forget_bias: false };
  } else if (cell.kind === "rnn") {
    className = "SimpleRNN";
    config = { activation: act(c.activation) };
  } else {
    throw new OptionError(`${where}: ${dialect === "tfjs" ? "TF.js" : "Keras"} has no layer for the "${cell.kind}" cell (GRU, LSTM and SimpleRNN only); hint: export it as ONNX, where it becomes a Scan`);
  }
  const G = net.param(`${pre}.W`).length / (H * I);
  const weights: [string, number[], ArrayLike<number>][] = [
    ["kernel", [I, G * H], transpose(net.param(`${pre}.W`), G * H, I)],
    ["recurrent_kernel", [H, G * H], transpose(net.param(`${pre}.U`), G * H, H)],
  ];
  if (c.bias === true) weights.push(["bias", [G * H], net.param(`${pre}.b`)]);
  return { className, config: { units: H, use_bias: c.bias === true, ...config, trainable: true }, weights };
}

/** Keras 3 GRU(reset_after=True): bias (2, 3H) = [input row b; recurrent row 0, 0, c], exact since gated's b_z, b_r are the rows' sums. */
function kerasResetAfter(net: Recurrent, pre: string, I: number, activation: string, recurrent: string, bias: boolean): ReturnType<typeof cellLayer> {
  const H = net.hiddenSize;
  const weights: [string, number[], ArrayLike<number>][] = [
    ["kernel", [I, 3 * H], transpose(net.param(`${pre}.W`), 3 * H, I)],
    ["recurrent_kernel", [H, 3 * H], transpose(net.param(`${pre}.U`), 3 * H, H)],
  ];
  if (bias) {
    const rows = new Float32Array(6 * H);
    rows.set(net.param(`${pre}.b`));
    rows.set(net.param(`${pre}.c`), 5 * H);
    weights.push(["bias", [2, 3 * H], rows]);
  }
  return { className: "GRU", config: { units: H, use_bias: bias, activation, recurrent_activation: recurrent, reset_after: true, trainable: true }, weights };
}

function recurrentLayers(w: Writer, where: string, net: Recurrent, readLast: boolean): void {
  if (net.direction === "reverse" && !readLast) throw new OptionError(`${where}: a reverse direction whose whole sequence is used cannot be expressed: Keras returns go_backwards outputs in reverse time order`);
  if (net.direction === "bidirectional") {
    const f = JSON.stringify(net.cells[0]!.config), r = JSON.stringify(net.cells[1]!.config);
    if (f !== r) throw new OptionError(`${where}: the two directions have different options, which a Keras Bidirectional (one layer, copied) cannot hold`);
  }
  for (let l = 0; l < net.layers; l++) {
    const returnSequences = !(readLast && l === net.layers - 1);
    if (net.direction !== "bidirectional") {
      const { className, config, weights } = cellLayer(where, net, l, 0, w.dialect);
      const name = w.name(className.toLowerCase());
      w.add(className, { name, ...config, return_sequences: returnSequences, go_backwards: net.direction === "reverse" });
      for (const [v, shape, data] of weights) w.weight(`${name}/${v}`, shape, data);
      continue;
    }
    const name = w.name("bidirectional");
    const fw = cellLayer(where, net, l, 0, w.dialect), bw = cellLayer(where, net, l, 1, w.dialect);
    const inner = `${fw.className.toLowerCase()}_${l + 1}`;
    w.add("Bidirectional", { name, merge_mode: "concat", layer: { class_name: fw.className, config: { name: inner, ...fw.config, return_sequences: returnSequences, go_backwards: false } } });
    for (const [v, shape, data] of fw.weights) w.weight(`${name}/forward_${inner}/${v}`, shape, data);
    for (const [v, shape, data] of bw.weights) w.weight(`${name}/backward_${inner}/${v}`, shape, data);
  }
}

/**
 * Whether a last-step layer reads this recurrent layer (with only layer norm or dropout between).
 * Layer norm commutes with taking the last step only when every block comes from one step: a
 * bidirectional layer's last step joins the forward block at T − 1 and the reverse block at 0,
 * which gated normalised in different rows.
 */
function readsLast(where: string, layers: readonly Layer[], i: number): boolean {
  let norm = false;
  for (let k = i + 1; k < layers.length; k++) {
    const kind = layers[k]!.kind;
    if (kind === "last-step") {
      const rnn = (layers[i] as RecurrentLayer).rnn;
      if ((layers[k] as LastStep).at === "last-step" && rnn.direction !== "forward") {
        throw new OptionError(`${where}: the last-step layer reads the ${rnn.direction} direction at the last step (PyTorch's out[:, -1]); Keras's return_sequences=False gives each direction where it finished, so no Keras layer gives the same values`);
      }
      if (norm && (layers[i] as RecurrentLayer).rnn.direction === "bidirectional") {
        throw new OptionError(`${where}: a layer norm between a bidirectional layer and its last step normalises forward and reverse outputs of the same step; Keras's Bidirectional(return_sequences=False) joins the forward last step with the reverse first step, so no Keras layer order gives the same values`);
      }
      return true;
    }
    if (kind === "layer-norm") norm = true;
    else if (kind !== "dropout") return false;
  }
  return false;
}

/** A Keras layer list: each layer {class_name, config} and its weights ("<layer>/<variable>", in Keras's order). */
export interface KerasLayerList {
  readonly layers: readonly Json[];
  readonly specs: readonly { name: string; shape: number[]; dtype: "float32" }[];
  readonly chunks: readonly Float32Array[];
  readonly inputShape: (number | null)[];
}

export function exportTfjs(model: Model, opts: { link?: boolean } = {}): TfjsArtifacts {
  const w = kerasLayerList(model, "tfjs", opts);
  const total = w.chunks.reduce((s, c) => s + c.length, 0), all = new Float32Array(total);
  let at = 0;
  for (const c of w.chunks) { all.set(c, at); at += c.length; }
  const modelTopology = { class_name: "Sequential", config: { name: "gated", layers: w.layers }, keras_version: "tfjs-layers (written by gated)", backend: "tensor_flow.js" };
  const modelJson = { format: "layers-model", generatedBy: "gated", convertedBy: null, modelTopology, weightsManifest: [{ paths: ["weights.bin"], weights: w.specs }] };
  return { modelJson, weightSpecs: w.specs, weightData: new Uint8Array(all.buffer) };
}

/** The model as Keras layers for TF.js or Keras 3; what neither can express is refused with the reason. */
export function kerasLayerList(model: Model, dialect: KerasDialect, opts: { link?: boolean } = {}): KerasLayerList {
  refuseInt8Export("keras/tfjs export", model.spec);
  const w = new Writer(dialect), net = model.net;
  w.inputShape = model.spec.input.kind === "features" ? [null, null, model.spec.input.features] : [null, null];
  net.layers.forEach((layer, i) => {
    const where = `${dialect === "tfjs" ? "tfjs" : "keras"} export: layer ${i} (${layer.kind})`;
    const v = (p: string) => net.view(`${i}.${layer.kind}.${p}`);
    switch (layer.kind) {
      case "embedding": {
        const name = w.name("embedding"), V = layer.inputFeatures, E = layer.outputFeatures;
        w.add("Embedding", { name, input_dim: V, output_dim: E, mask_zero: false });
        w.weight(`${name}/embeddings`, [V, E], v("table"));
        break;
      }
      case "recurrent": recurrentLayers(w, where, (layer as RecurrentLayer).rnn, readsLast(where, net.layers, i)); break;
      case "last-step": break; // the recurrent layer before returned its last step
      case "layer-norm": {
        const name = w.name("layer_normalization"), F = layer.inputFeatures;
        w.add("LayerNormalization", { name, axis: -1, epsilon: layer.config.epsilon, center: true, scale: true });
        w.weight(`${name}/gamma`, [F], v("gamma"));
        w.weight(`${name}/beta`, [F], v("beta"));
        break;
      }
      case "dropout": w.add("Dropout", { name: w.name("dropout"), rate: layer.config.rate }); break;
      case "dense": {
        const name = w.name("dense"), I = layer.inputFeatures, O = layer.outputFeatures;
        w.add("Dense", { name, units: O, activation: tfjsActivationName(where, layer.config.activation as ActivationConfig, dialect), use_bias: true });
        w.weight(`${name}/kernel`, [I, O], transpose(v("W"), O, I));
        w.weight(`${name}/bias`, [O], v("b"));
        break;
      }
      default: throw new OptionError(`${where}: no ${dialect === "tfjs" ? "TF.js" : "Keras"} layer for kind "${layer.kind}"`);
    }
  });
  const loss = model.spec.task.loss.name;
  if (opts.link && (loss === "cross-entropy" || loss === "binary-cross-entropy")) {
    const link = loss === "cross-entropy" ? "softmax" : "sigmoid";
    const last = w.layers[w.layers.length - 1]!;
    if (last.class_name === "Dense" && (last.config as Json).activation === "linear") (last.config as Json).activation = link;
    else w.add("Activation", { name: w.name("activation"), activation: link });
  }
  return { layers: w.layers, specs: w.specs, chunks: w.chunks, inputShape: w.inputShape! };
}
