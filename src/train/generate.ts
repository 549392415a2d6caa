/**
 * Text from a character-level model: the prompt is read in one pass, then each next character is
 * drawn from softmax(logits / temperature) and fed back, the recurrent state carried step to step.
 * Temperature 0 takes the most likely character.
 */
import { OptionError, ValueError } from "../errors/index.js";
import type { Model } from "../model/model.js";
import type { Rng } from "../util/random.js";

export function generateText(model: Model, prompt: string, length: number, temperature: number, rng: Rng): string {
  const vocab = model.spec.data?.vocabulary;
  if (!vocab || model.spec.input.kind !== "tokens" || !model.spec.task.perStep) {
    throw new OptionError("generate: this model does not predict the next token (it has no vocabulary or no per-step output)");
  }
  if (!(temperature >= 0)) throw new OptionError(`generate: temperature must be ≥ 0, got ${temperature}`);
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
      const next = sample(logits, temperature, rng);
      out += vocab[next]!;
      y = net.forward({ data: net.kernels.alloc(0), ids: Int32Array.of(next), T: 1, B: 1, F: V, lengths: null }, ctx);
      logits = y.data;
    }
    return out;
  } finally {
    net.setCarry(false);
  }
}

function sample(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  let best = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j]! > logits[best]!) best = j;
  if (temperature === 0) return best;
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let j = 0; j < p.length; j++) sum += p[j] = Math.exp((logits[j]! - logits[best]!) / temperature);
  let u = rng.uniform() * sum;
  for (let j = 0; j < p.length; j++) if ((u -= p[j]!) < 0) return j;
  return p.length - 1;
}
