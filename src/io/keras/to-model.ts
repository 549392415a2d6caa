/**
 * Keras layers (TF.js or Keras 3) → a gated model, with exact weight mappings:
 *   GRU   kernel [I, 3H] and recurrent_kernel [H, 3H] (in, out; gates z, r, h as gated) → W, U
 *         transposed; reset_after = false: bias [3H] → b (reset "before");
 *         reset_after = true: bias (2, 3H) = [input row; recurrent row] → b_z,r = sum of the rows,
 *         b_h = input row, c = recurrent row (inside r ⊙ (·)), reset "after".
 *   LSTM  gates i, f, c, o as gated; `activation` is both the candidate and the output activation.
 *   SimpleRNN, Dense (kernel [I, O] → W [O, I]), Embedding, LayerNormalization, Dropout.
 *   Bidirectional (merge_mode "concat") → a bidirectional stack; go_backwards → direction "reverse".
 *   return_sequences = false → a last-step layer (forward: last step; reverse: where it finished).
 *   A final Dense softmax is the class task's link (gated outputs logits).
 *   Masking / Embedding(mask_zero) → the model needs per-row lengths (trailing padding); reported.
 * hardSigmoid follows the source (TF.js 0.2x + 0.5, Keras 3 x/6 + 0.5).
 * Refused with the reason: return_state, stateful, time_major, go_backwards with
 * return_sequences (Keras returns those outputs in reverse time order), merge modes other than
 * concat, activations outside gated's set, softmax before the last layer, unknown layer classes.
 */
import { FormatError, OptionError, fmtShape } from "../../errors/index.js";
import type { ActivationConfig } from "../../kernels/activations.js";
import type { Model } from "../../model/model.js";
import { transpose } from "../blocks.js";
import { assembleModel, type LayerOut } from "../assemble.js";
import { checkFinite, type NonFiniteOption } from "../finite.js";
import { kerasActivation, type KerasSource } from "./activations.js";
import { boolField, countField, innerLayer, inputShapeField, numberField, stringField, type KerasLayer } from "./config.js";

export interface KerasTensor { readonly shape: readonly number[]; readonly data: ArrayLike<number> }

/** Finds a layer's variables: `part` is "self", or "forward"/"backward" inside a Bidirectional. */
export type KerasWeightLookup = (layerIndex: number, layer: KerasLayer, part: "self" | "forward" | "backward", variable: string) => KerasTensor | undefined;

export interface KerasImport {
  readonly model: Model;
  /** Set when a Masking layer or Embedding(mask_zero) marks padding: pass per-row lengths (trailing padding) to the gated model. */
  readonly masking: { readonly value: number } | null;
  readonly notes: readonly string[];
}

const RNN_CLASSES = new Set(["GRU", "LSTM", "SimpleRNN"]);
const GATES: Record<string, number> = { GRU: 3, LSTM: 4, SimpleRNN: 1 };

interface State {
  width: number;
  tokens: number | null;
  features: number | null;
  perStep: boolean;
  softmax: boolean;
  masking: { value: number } | null;
  readonly layers: LayerOut[];
  readonly notes: string[];
}

export function kerasToModel(where: string, list: readonly KerasLayer[], lookup: KerasWeightLookup, source: KerasSource, opts: NonFiniteOption = {}): KerasImport {
  // every variable is checked where it is read, by its layer and name: a NaN or infinite weight is refused
  const weights: KerasWeightLookup = opts.allowNonFinite ? lookup : (i, l, part, variable) => {
    const t = lookup(i, l, part, variable);
    if (t) checkFinite(`${where}: layer ${JSON.stringify(l.name)}${part === "self" ? "" : ` (${part} layer)`}`, variable, t.data, "weight");
    return t;
  };
  const s: State = { width: NaN, tokens: null, features: null, perStep: true, softmax: false, masking: null, layers: [], notes: [] };
  list.forEach((l, i) => {
    const w = `${where}: layer "${l.name}" (${l.className})`;
    if (s.softmax) throw new OptionError(`${w}: follows a softmax; only the last layer's softmax is a gated class link`);
    const shape = inputShapeField(w, l);
    if (shape && Number.isNaN(s.width)) {
      if (shape.length === 3 && typeof shape[2] === "number") { s.width = shape[2]; s.features = shape[2]; }
    }
    layer(w, i, l, list.length, weights, source, s);
  });
  const input = s.tokens !== null ? { kind: "tokens" as const, vocabularySize: s.tokens } : { kind: "features" as const, features: s.features ?? NaN };
  if (input.kind === "features" && !(input.features > 0)) throw new FormatError(`${where}: the number of input features is unknown (no input shape and no weights to tell it)`);
  if (s.softmax) s.notes.push("the final softmax is the class task's link: the gated model outputs logits");
  const model = assembleModel(where, input, s.layers, { target: s.softmax ? "class" : "regression", perStep: s.perStep, outputs: s.width }, undefined, opts);
  return { model, masking: s.masking, notes: s.notes };
}

function layer(w: string, i: number, l: KerasLayer, count: number, weights: KerasWeightLookup, source: KerasSource, s: State): void {
  const c = l.config;
  switch (l.className) {
    case "InputLayer": case "Input": {
      const shape = inputShapeField(w, l);
      if (shape && shape.length === 3 && typeof shape[2] === "number") { s.width = shape[2]; s.features = shape[2]; }
      return;
    }
    case "Masking":
      s.masking = { value: numberField(w, c, "mask_value", 0, () => true, "(finite)") };
      s.notes.push(`Masking(mask_value=${s.masking.value}): the gated model reads per-row lengths instead (trailing padding only)`);
      return;
    case "Dropout": case "SpatialDropout1D": case "GaussianDropout": case "GaussianNoise":
      if (l.className !== "Dropout") throw new OptionError(`${w}: has no gated form; only Dropout is supported`);
      s.layers.push({ config: { kind: "dropout", features: s.width, rate: numberField(w, c, "rate", 0, (v) => v >= 0 && v < 1, "in [0, 1)") }, params: new Map() });
      return;
    case "Embedding": return embedding(w, i, l, weights, s);
    case "Dense": return dense(w, i, l, i === count - 1, weights, source, s);
    case "Activation": return activationLayer(w, l, i === count - 1, source, s);
    case "LayerNormalization": return layerNorm(w, i, l, weights, s);
    case "Bidirectional": return bidirectional(w, i, l, weights, source, s);
    default:
      if (RNN_CLASSES.has(l.className)) return recurrent(w, i, l, weights, source, s);
      throw new OptionError(`${w}: layer class ${l.className} is not supported; supported: InputLayer, Masking, Embedding, GRU, LSTM, SimpleRNN, Bidirectional, Dropout, LayerNormalization, Dense, Activation`);
  }
}

function need(w: string, t: KerasTensor | undefined, name: string, shape: readonly number[]): ArrayLike<number> {
  if (!t) throw new FormatError(`${w}: missing weight "${name}" ${fmtShape(shape)}`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== n || t.shape.reduce((a, b) => a * b, 1) !== n) throw new FormatError(`${w}: weight "${name}" has shape ${fmtShape(t.shape)}, expected ${fmtShape(shape)}`);
  return t.data;
}

function embedding(w: string, i: number, l: KerasLayer, weights: KerasWeightLookup, s: State): void {
  const V = countField(w, l.config, "input_dim"), E = countField(w, l.config, "output_dim");
  if (s.layers.length > 0) throw new FormatError(`${w}: must be the first layer`);
  s.tokens = V;
  if (boolField(w, l.config, "mask_zero", false)) {
    s.masking = { value: 0 };
    s.notes.push("Embedding(mask_zero=true): token 0 is padding; the gated model reads per-row lengths instead (trailing padding only)");
  }
  s.layers.push({ config: { kind: "embedding", vocabularySize: V, embeddingSize: E }, params: new Map([["table", need(w, weights(i, l, "self", "embeddings"), "embeddings", [V, E])]]) });
  s.width = E;
}

function activationOf(w: string, c: Readonly<Record<string, unknown>>, key: string, dflt: string, source: KerasSource): ActivationConfig {
  return kerasActivation(w, stringField(w, c, key, dflt), source);
}

/** gated cell options and parameter blocks of one Keras recurrent layer (one direction). */
function cellOf(w: string, l: KerasLayer, source: KerasSource, inputSize: number, get: (v: string) => KerasTensor | undefined): { options: Record<string, unknown>; params: Map<string, ArrayLike<number>>; H: number } {
  const c = l.config, H = countField(w, c, "units");
  for (const flag of ["return_state", "stateful", "time_major"]) {
    if (boolField(w, c, flag, false)) throw new OptionError(`${w}: ${flag} = true has no gated model form`);
  }
  const G = GATES[l.className]!, bias = boolField(w, c, "use_bias", true);
  const act = activationOf(w, c, "activation", "tanh", source);
  const rec = l.className === "SimpleRNN" ? act : activationOf(w, c, "recurrent_activation", source === "keras3" ? "sigmoid" : "hard_sigmoid", source);
  const options: Record<string, unknown> =
    l.className === "GRU" ? { cell: "gru", update: "keep", gateActivation: rec, candidateActivation: act }
      : l.className === "LSTM" ? { cell: "lstm", gateActivation: rec, candidateActivation: act, outputActivation: act }
        : { cell: "rnn", activation: act };
  options.bias = bias;
  const params = new Map<string, ArrayLike<number>>();
  params.set("W", transpose(need(w, get("kernel"), "kernel", [inputSize, G * H]), inputSize, G * H));
  params.set("U", transpose(need(w, get("recurrent_kernel"), "recurrent_kernel", [H, G * H]), H, G * H));
  const resetAfter = l.className === "GRU" && boolField(w, c, "reset_after", source === "keras3");
  if (l.className === "GRU") options.reset = resetAfter ? "after" : "before";
  if (bias && resetAfter) {
    // (2, 3H): input bias row, recurrent bias row
    const rows = need(w, get("bias"), "bias", [2, 3 * H]);
    params.set("b", Float32Array.from({ length: 3 * H }, (_, j) => (j < 2 * H ? rows[j]! + rows[3 * H + j]! : rows[j]!)));
    params.set("c", Float32Array.from({ length: H }, (_, j) => rows[5 * H + j]!));
  } else if (bias) {
    params.set("b", need(w, get("bias"), "bias", [G * H]));
  }
  const rate = (k: string) => numberField(w, c, k, 0, (v) => v >= 0 && v < 1, "in [0, 1)");
  if (rate("dropout") > 0 || rate("recurrent_dropout") > 0) options.__dropoutNote = true;
  return { options, params, H };
}

function pushRecurrent(w: string, s: State, options: Record<string, unknown>, params: Map<string, ArrayLike<number>>, direction: string, H: number, returnSequences: boolean, reverseOptions?: Record<string, unknown>): void {
  const { __dropoutNote: drop, ...opts } = options;
  if (drop) s.notes.push(`${w}: dropout / recurrent_dropout act in training only; inference is exact`);
  const config: Record<string, unknown> = { kind: "recurrent", ...opts, inputSize: s.width, hiddenSize: H, layers: 1, direction };
  if (reverseOptions) config.reverseOptions = reverseOptions;
  s.layers.push({ config: config as never, params });
  const D = direction === "bidirectional" ? 2 : 1;
  s.width = D * H;
  s.perStep = returnSequences;
  if (!returnSequences) {
    const dirs = direction === "bidirectional" ? ["forward", "reverse"] : [direction];
    s.layers.push({ config: { kind: "last-step", hiddenSize: H, directions: dirs }, params: new Map() });
  }
}

function recurrent(w: string, i: number, l: KerasLayer, weights: KerasWeightLookup, source: KerasSource, s: State): void {
  if (Number.isNaN(s.width)) s.width = weights(i, l, "self", "kernel")?.shape[0] ?? NaN;
  if (s.features === null && s.tokens === null) s.features = s.width;
  const returnSequences = boolField(w, l.config, "return_sequences", false), back = boolField(w, l.config, "go_backwards", false);
  if (back && returnSequences) throw new OptionError(`${w}: go_backwards with return_sequences returns the outputs in reverse time order, which a gated layer does not`);
  const { options, params, H } = cellOf(w, l, source, s.width, (v) => weights(i, l, "self", v));
  const prefixed = new Map([...params].map(([k, v]) => [`layer0.${back ? "reverse" : "forward"}.${k}`, v] as const));
  pushRecurrent(w, s, options, prefixed, back ? "reverse" : "forward", H, returnSequences);
}

function bidirectional(w: string, i: number, l: KerasLayer, weights: KerasWeightLookup, source: KerasSource, s: State): void {
  const inner = innerLayer(w, l, "layer");
  if (!inner || !RNN_CLASSES.has(inner.className)) throw new OptionError(`${w}: wraps ${inner?.className ?? "nothing"}; gated reads Bidirectional(GRU | LSTM | SimpleRNN)`);
  const m = l.config.merge_mode;
  if (m !== undefined && m !== null && typeof m !== "string") throw new FormatError(`${w}: config field "merge_mode" must be a string (concat, sum, mul, ave) or null, got ${JSON.stringify(m)?.slice(0, 60)}`);
  if (m !== undefined && m !== "concat") throw new OptionError(`${w}: merge_mode ${JSON.stringify(m)} has no gated form (a bidirectional gated layer concatenates [forward, reverse]); supported: "concat"`);
  const backward = innerLayer(w, l, "backward_layer") ?? inner;
  if (boolField(`${w} layer`, inner.config, "go_backwards", false)) throw new OptionError(`${w}: the wrapped layer runs backwards; gated needs the forward one first`);
  if (Number.isNaN(s.width)) s.width = weights(i, l, "forward", "kernel")?.shape[0] ?? NaN;
  if (s.features === null && s.tokens === null) s.features = s.width;
  const f = cellOf(`${w} forward`, inner, source, s.width, (v) => weights(i, l, "forward", v));
  const b = cellOf(`${w} backward`, { ...backward, className: backward.className }, source, s.width, (v) => weights(i, l, "backward", v));
  const params = new Map<string, ArrayLike<number>>();
  for (const [k, v] of f.params) params.set(`layer0.forward.${k}`, v);
  for (const [k, v] of b.params) params.set(`layer0.reverse.${k}`, v);
  const { __dropoutNote: _d, ...bo } = b.options;
  const diff = Object.fromEntries(Object.entries(bo).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(f.options[k])));
  if ("cell" in diff || "bias" in diff || "reset" in diff) throw new OptionError(`${w}: the forward and backward layers differ in ${Object.keys(diff).join(", ")}, which one gated stack cannot hold`);
  pushRecurrent(w, s, f.options, params, "bidirectional", f.H, boolField(`${w} layer`, inner.config, "return_sequences", false), Object.keys(diff).length ? diff : undefined);
}

function dense(w: string, i: number, l: KerasLayer, last: boolean, weights: KerasWeightLookup, source: KerasSource, s: State): void {
  const O = countField(w, l.config, "units");
  if (Number.isNaN(s.width)) { s.width = weights(i, l, "self", "kernel")?.shape[0] ?? NaN; s.features ??= s.width; }
  const I = s.width;
  const W = transpose(need(w, weights(i, l, "self", "kernel"), "kernel", [I, O]), I, O);
  const b = !boolField(w, l.config, "use_bias", true) ? new Float32Array(O) : need(w, weights(i, l, "self", "bias"), "bias", [O]);
  const config: Record<string, unknown> = { kind: "dense", inputSize: I, outputSize: O };
  const a = stringField(w, l.config, "activation", "linear", true);
  if (a === "softmax") {
    if (!last) throw new OptionError(`${w}: softmax before the last layer has no gated form`);
    s.softmax = true;
  } else if (a !== "linear") {
    config.activation = kerasActivation(w, a, source);
  }
  s.layers.push({ config: config as never, params: new Map([["W", W], ["b", b]]) });
  s.width = O;
}

function activationLayer(w: string, l: KerasLayer, last: boolean, source: KerasSource, s: State): void {
  const prev = s.layers[s.layers.length - 1];
  const a = stringField(w, l.config, "activation", "linear");
  if (a === "linear") return;
  if (!prev || prev.config.kind !== "dense" || prev.config.activation !== undefined) throw new OptionError(`${w}: an activation has a gated form only right after a Dense layer without one`);
  if (a === "softmax") {
    if (!last) throw new OptionError(`${w}: softmax before the last layer has no gated form`);
    s.softmax = true;
    return;
  }
  (prev.config as Record<string, unknown>).activation = kerasActivation(w, a, source);
}

function layerNorm(w: string, i: number, l: KerasLayer, weights: KerasWeightLookup, s: State): void {
  const axis = l.config.axis;
  const ax = Array.isArray(axis) ? axis : [axis ?? -1];
  if (ax.length !== 1 || !(ax[0] === -1 || ax[0] === (s.perStep ? 2 : 1))) throw new OptionError(`${w}: axis ${JSON.stringify(axis)}; gated normalises the features (the last axis)`);
  const F = s.width;
  const gamma = !boolField(w, l.config, "scale", true) ? new Float32Array(F).fill(1) : need(w, weights(i, l, "self", "gamma"), "gamma", [F]);
  const beta = !boolField(w, l.config, "center", true) ? new Float32Array(F) : need(w, weights(i, l, "self", "beta"), "beta", [F]);
  const epsilon = numberField(w, l.config, "epsilon", 1e-3, (v) => v > 0, "> 0");
  s.layers.push({ config: { kind: "layer-norm", features: F, epsilon }, params: new Map([["gamma", gamma], ["beta", beta]]) });
}

