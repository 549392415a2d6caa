/**
 * Text from a character-level model: the prompt is read in one pass, then each next character is
 * drawn from softmax(logits / temperature) and fed back, the recurrent state carried step to step.
 * Temperature 0 takes the most likely character.
 *
 * Sampling (sampleToken), in this order, as Hugging Face's generate does: temperature, then top-k
 * (keep the k most likely tokens; ties broken by the lower id), then top-p (keep the most likely
 * tokens, by descending probability, until their probability sums to at least p; at least one is
 * kept). The draw is one uniform number from the seeded generator, walked over the kept tokens in
 * id order, so without topK/topP it is the plain softmax draw, and a seed repeats a text exactly.
 */
import { OptionError, ValueError, show } from "../errors/index.js";
import type { Model } from "../model/model.js";
import type { Rng } from "../util/random.js";

export interface SamplingOptions {
  /** Keep only the k most likely tokens (default: all). */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p, in (0, 1] (default 1: all). */
  readonly topP?: number;
}

export function generateText(model: Model, prompt: string, length: number, temperature: number, rng: Rng, sampling: SamplingOptions = {}): string {
  const vocab = model.spec.data?.vocabulary;
  if (!vocab || model.spec.input.kind !== "tokens" || !model.spec.task.perStep) {
    throw new OptionError("generate: this model does not predict the next token (it has no vocabulary or no per-step output)");
  }
  if (!(temperature >= 0)) throw new OptionError(`generate: temperature must be ≥ 0, got ${temperature}`);
  checkSampling("generate", sampling);
  const index = new Map(vocab.map((t, i) => [t, i]));
  const chars = [...prompt];
  if (chars.length === 0) throw new ValueError("generate: the prompt is empty; give at least one character");
  const ids = Int32Array.from(chars, (ch) => {
    const i = index.get(ch);
    if (i === undefined) throw new ValueError(`generate: the prompt holds ${JSON.stringify(ch)}, which the model never saw; its characters are ${JSON.stringify(vocab.join(""))}`);
    return i;
  });
  const net = model.net, ctx = net.context(false, rng), V = vocab.length;
  net.setCarry(true);
  try {
    let y = net.forward({ data: net.kernels.alloc(0), ids, T: ids.length, B: 1, F: V, lengths: null }, ctx);
    let logits = y.data.subarray((ids.length - 1) * V, ids.length * V);
    let out = "";
    for (let n = 0; n < length; n++) {
      const next = sampleToken(logits, temperature, rng, sampling);
      out += vocab[next]!;
      y = net.forward({ data: net.kernels.alloc(0), ids: Int32Array.of(next), T: 1, B: 1, F: V, lengths: null }, ctx);
      logits = y.data;
    }
    return out;
  } finally {
    net.setCarry(false);
  }
}

/** Throws an OptionError naming topK or topP when it is not a positive integer / a number in (0, 1]. */
export function checkSampling(where: string, s: SamplingOptions): void {
  if (s.topK !== undefined && !(Number.isSafeInteger(s.topK) && s.topK >= 1)) throw new OptionError(`${where}: topK: expected a positive integer, got ${show(s.topK)}`);
  if (s.topP !== undefined && !(typeof s.topP === "number" && s.topP > 0 && s.topP <= 1)) throw new OptionError(`${where}: topP: expected a number in (0, 1], got ${show(s.topP)}`);
}

/** One token id drawn from the logits (see the header for the order of temperature, top-k, top-p). */
export function sampleToken(logits: ArrayLike<number>, temperature: number, rng: Rng, sampling: SamplingOptions = {}): number {
  let best = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
  if (temperature === 0) return best;
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let j = 0; j < p.length; j++) sum += p[j] = Math.exp((logits[j]! - logits[best]!) / temperature);
  if (sampling.topK !== undefined || sampling.topP !== undefined) sum = restrict(p, sum, sampling);
  let u = rng.uniform() * sum;
  let lastKept = best;
  for (let j = 0; j < p.length; j++) {
    if (p[j]! === 0) continue;
    lastKept = j;
    if ((u -= p[j]!) < 0) return j;
  }
  return lastKept;
}

/** Zeroes the weights of the tokens top-k and top-p leave out; returns the sum of the kept ones. */
function restrict(p: Float64Array, sum: number, s: SamplingOptions): number {
  const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]! || a - b);
  let keep = Math.min(s.topK ?? p.length, p.length);
  if (s.topP !== undefined && s.topP < 1) {
    let total = 0;
    for (let i = 0; i < keep; i++) total += p[order[i]!]!;
    let acc = 0, n = 0;
    while (n < keep && (n === 0 || acc < s.topP * total)) acc += p[order[n++]!]!;
    keep = n;
  }
  let kept = 0;
  order.forEach((j, i) => { if (i < keep) kept += p[j]!; else p[j] = 0; });
  return keep === p.length ? sum : kept;
}
