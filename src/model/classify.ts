/**
 * `model.classify` and `model.generate`: a classifier's texts or sequences to classes with their
 * probabilities (the saved class names and vocabulary), and a text model's continuation of a prompt.
 *
 * classify takes texts (a string or an array of strings; tokenised as training did, see texts.ts)
 * or sequences (as predict takes them); each row gives {class, index, probabilities}, with
 * probabilities = softmax(logits) in float64 (the same numbers `gated predict` prints).
 */
import { OptionError, checkOptions, show } from "../errors/index.js";
import { checkSampling, generateText } from "../train/generate.js";
import { Rng } from "../util/random.js";
import { readInput, type ModelInput } from "./inputs.js";
import type { Model } from "./model.js";
import { inputKind, run } from "./predict.js";
import { encodeTexts } from "./texts.js";

export interface Classification {
  /** The class name saved with the model, or its index when the model has no names. */
  readonly class: string | number;
  readonly index: number;
  /** One per class, summing to 1. */
  readonly probabilities: number[];
}

export function classify(model: Model, inputs: string | readonly string[] | ModelInput, o: { lengths?: ArrayLike<number>; batchSize?: number } = {}): Classification[] {
  checkOptions("classify", o, ["lengths", "batchSize"]);
  const { task, data } = model.spec;
  if (task.target !== "class" || task.perStep) {
    throw new OptionError(`classify: this model predicts ${task.perStep ? "per step" : "per sequence"} ${task.target === "class" ? "classes" : "regression values"}; classify needs one class per sequence (use predict for its raw outputs${task.perStep && data?.vocabulary ? ", generate for text" : ""})`);
  }
  const texts = typeof inputs === "string" ? [inputs] : Array.isArray(inputs) && inputs.length > 0 && inputs.every((s) => typeof s === "string") ? inputs as readonly string[] : null;
  let seqs: ModelInput;
  if (texts) {
    if (!data?.vocabulary || model.spec.input.kind !== "tokens") throw new OptionError("classify: this model reads no text (it has no vocabulary); give sequences");
    seqs = encodeTexts(texts, data.vocabulary, "classify").map((ids) => Array.from(ids));
  } else {
    seqs = inputs as ModelInput;
  }
  const batchSize = o.batchSize ?? 256;
  if (!(Number.isSafeInteger(batchSize) && batchSize >= 1)) throw new OptionError(`classify: batchSize: expected a positive integer, got ${show(o.batchSize)}`);
  const r = readInput("classify", seqs, inputKind(model), "batch-major", o.lengths);
  const y = run(model, r, "batch-major", batchSize, null).data, O = task.outputs;
  return Array.from({ length: r.B }, (_, i) => {
    const logits = Array.from(y.subarray(i * O, (i + 1) * O));
    const m = Math.max(...logits), e = logits.map((q) => Math.exp(q - m)), s = e.reduce((p, q) => p + q);
    const p = e.map((q) => q / s), best = p.indexOf(Math.max(...p));
    return { class: data?.classes?.[best] ?? best, index: best, probabilities: p };
  });
}

export interface GenerateOptions {
  /** Characters to generate (default 100). */
  readonly length?: number;
  /** Softmax temperature; 0 takes the most likely character (default 1). */
  readonly temperature?: number;
  /** Keep only the k most likely characters at each step. */
  readonly topK?: number;
  /** Keep the most likely characters until their probability reaches p, in (0, 1]. */
  readonly topP?: number;
  /** Seed of the draws (default 0): the same seed gives the same text. */
  readonly seed?: number;
}

/** The continuation of `prompt` (without the prompt). */
export function generate(model: Model, prompt: string, o: GenerateOptions = {}): string {
  checkOptions("generate", o, ["length", "temperature", "topK", "topP", "seed"]);
  if (typeof prompt !== "string") throw new OptionError(`generate: prompt: expected a string, got ${show(prompt)}`);
  const length = o.length ?? 100, seed = o.seed ?? 0;
  if (!(Number.isSafeInteger(length) && length >= 0)) throw new OptionError(`generate: length: expected a non-negative integer, got ${show(o.length)}`);
  if (!Number.isSafeInteger(seed)) throw new OptionError(`generate: seed: expected an integer, got ${show(o.seed)}`);
  const temperature = o.temperature ?? 1;
  if (typeof temperature !== "number") throw new OptionError(`generate: temperature: expected a number ≥ 0, got ${show(o.temperature)}`);
  const sampling = { ...(o.topK !== undefined ? { topK: o.topK } : {}), ...(o.topP !== undefined ? { topP: o.topP } : {}) };
  checkSampling("generate", sampling);
  return generateText(model, prompt, length, temperature, new Rng(seed), sampling);
}
