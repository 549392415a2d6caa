/** Tiny float64 encoder–decoders and a central-difference check of every parameter of one. */
import assert from "node:assert/strict";
import { makeBatch, type Seq2seqBatch } from "../../src/seq2seq/batch.js";
import { lossAndGradient, lossOf } from "../../src/seq2seq/backward.js";
import { Seq2seq, type Seq2seqOptions } from "../../src/seq2seq/model.js";
import { Rng } from "../../src/util/random.js";

export function tinyModel(over: Partial<Seq2seqOptions> = {}): Seq2seq {
  return new Seq2seq({
    sourceVocabulary: 6, targetVocabulary: 5, embeddingSize: 3,
    encoder: { cell: "gru", hiddenSize: 3, direction: "bidirectional" },
    decoder: { cell: "gru", hiddenSize: 4 },
    attention: "additive", attentionSize: 3, dtype: "float64", seed: 5, ...over,
  });
}

/** Two rows of different source and target lengths (pad 0, bos 1, eos 2). */
export function tinyBatch(minSourceSteps = 0): Seq2seqBatch {
  return makeBatch([{ source: [3, 4, 5, 1], target: [3, 4] }, { source: [2, 5], target: [4] }], 1, 2, minSourceSteps);
}

/** Randomises the parameters (so biases and zero-initialised blocks matter too); returns the worst relative error. */
export function gradCheckSeq2seq(m: Seq2seq, batch: Seq2seqBatch, labelSmoothing = 0, seed = 11): number {
  const rng = new Rng(seed);
  for (let i = 0; i < m.params.length; i++) m.params[i] = rng.range(-0.6, 0.6);
  m.markChanged();
  lossAndGradient(m, batch, { labelSmoothing });
  const analytic = Float64Array.from(m.grads);
  const eps = 1e-6;
  let worst = 0;
  for (const e of m.entries) {
    for (let i = e.offset; i < e.offset + e.size; i++) {
      const old = m.params[i]!;
      m.params[i] = old + eps; m.markChanged();
      const lp = lossOf(m, batch, labelSmoothing);
      m.params[i] = old - eps; m.markChanged();
      const lm = lossOf(m, batch, labelSmoothing);
      m.params[i] = old; m.markChanged();
      const num = (lp - lm) / (2 * eps), a = analytic[i]!;
      const rel = Math.abs(a - num) / Math.max(Math.abs(a), Math.abs(num), 1e-2);
      if (!(rel <= 1e-6)) assert.fail(`${e.name}[${i - e.offset}]: analytic ${a}, numeric ${num}, relative error ${rel.toExponential(2)}`);
      worst = Math.max(worst, rel);
    }
  }
  return worst;
}
