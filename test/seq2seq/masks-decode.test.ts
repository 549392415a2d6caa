import assert from "node:assert/strict";
import { test } from "node:test";
import { lossAndGradient } from "../../src/seq2seq/backward.js";
import { makeBatch } from "../../src/seq2seq/batch.js";
import { ModelStepper, beamDecode, greedyDecode, sampleDecode } from "../../src/seq2seq/decode.js";
import { beamSearch, sampleSearch, type StepSource } from "../../src/seq2seq/search.js";
import { Rng } from "../../src/util/random.js";
import { tinyBatch, tinyModel } from "./helpers.js";

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string, tol = 1e-12): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

for (const attention of ["additive", "luong", "none", "bahdanau"] as const) {
  test(`seq2seq masks (${attention}): extra source padding and garbage past the lengths change neither loss nor gradients`, () => {
    const m = tinyModel({ attention });
    const base = tinyBatch();
    const l0 = lossAndGradient(m, base), g0 = Float64Array.from(m.grads);
    const padded = tinyBatch(7);
    // garbage in every padding position, on both sides
    for (let s = 0; s < padded.S; s++) for (let b = 0; b < padded.B; b++) if (s >= padded.sourceLengths[b]!) padded.source[s * padded.B + b] = 5;
    for (let t = 0; t < padded.T; t++) for (let b = 0; b < padded.B; b++) if (t >= padded.targetLengths[b]!) { padded.targetIn[t * padded.B + b] = 3; padded.targetOut[t * padded.B + b] = 4; }
    const l1 = lossAndGradient(m, padded);
    assert.ok(Math.abs(l0 - l1) <= 1e-13, `loss ${l0} vs ${l1}`);
    close(m.grads, g0, "grads");
  });
}

for (const attention of ["luong", "bahdanau"] as const) {
  test(`seq2seq: step-by-step decoding gives the teacher-forced logits (${attention})`, () => {
    const m = tinyModel({ attention, decoder: { cell: attention === "luong" ? "gru" : "lstm", hiddenSize: 4, layers: 2 } });
    const batch = makeBatch([{ source: [3, 4, 5], target: [3, 4, 3] }], 1, 2);
    const { logits } = m.forward(batch, false);
    const stepper = new ModelStepper(m, [[3, 4, 5]]), V = 5;
    for (let t = 0; t < batch.T; t++) close(stepper.step(batch.targetIn.subarray(t, t + 1)), logits.subarray(t * V, (t + 1) * V), `step ${t}`, 1e-10);
  });
}

test("seq2seq bahdanau: step t attends from the state before its input (Luong's placement from the state after it)", () => {
  const grab = (attention: "bahdanau" | "luong", target: number[]) => {
    const m = tinyModel({ attention }), batch = makeBatch([{ source: [3, 4, 5, 1], target }], 1, 2);
    let w = new Float64Array(0);
    m.forward(batch, false, batch.targetIn, (a) => (w = Float64Array.from(a)));
    return w;
  };
  // the inputs are [bos, 3, 4, y]: only the last step's input differs
  const S = 4, last = (w: Float64Array) => Array.from(w.subarray(3 * S, 4 * S));
  assert.deepEqual(last(grab("bahdanau", [3, 4, 3])), last(grab("bahdanau", [3, 4, 4])));
  assert.notDeepEqual(last(grab("luong", [3, 4, 3])), last(grab("luong", [3, 4, 4])));
});

test("seq2seq: beam width 1 is greedy (tokens and score), on several sources", () => {
  const m = tinyModel({ dtype: "float32", seed: 9 });
  const sources = [[3, 4, 5, 1], [2, 5], [4], [5, 5, 3, 2, 1]];
  const greedy = greedyDecode(m, sources, { bos: 1, eos: 2, maxLength: 8 });
  sources.forEach((src, i) => {
    const g = sampleSearch(new ModelStepper(m, [src]), 1, { bos: 1, eos: 2, maxLength: 8 });
    const [best] = beamDecode(m, src, { bos: 1, eos: 2, maxLength: 8, width: 1 });
    assert.deepEqual(best!.tokens, g[0]!.tokens);
    assert.ok(Math.abs(best!.score - g[0]!.score) <= 1e-9);
    assert.deepEqual(best!.finished ? best!.tokens.slice(0, -1) : best!.tokens, greedy[i]);
  });
});

/** Tokens: 0 pad, 1 bos, 2 eos, 3 "a", 4 "b". After bos: a 0.6, b 0.4; after a: eos / a / b ≈ 1/3 each; after b: eos 0.9. */
class Table implements StepSource {
  readonly vocabulary = 5;
  constructor(readonly rows: number) {}
  step(tokens: Int32Array): Float64Array {
    const out = new Float64Array(this.rows * 5).fill(-30);
    tokens.forEach((tok, r) => {
      const p = tok === 1 ? [0, 0, 0, 0.6, 0.4] : tok === 3 ? [0, 0, 0.34, 0.33, 0.33] : tok === 4 ? [0, 0, 0.9, 0.05, 0.05] : [0, 0, 1, 0, 0];
      p.forEach((v, j) => { if (v > 0) out[r * 5 + j] = Math.log(v); });
    });
    return out;
  }
  reorder(): void {} // stateless: the scores depend on the last token only
}

test("seq2seq: beam search finds a sequence greedy misses (constructed case)", () => {
  const greedy = sampleSearch(new Table(1), 1, { bos: 1, eos: 2, maxLength: 5 })[0]!;
  assert.deepEqual(greedy.tokens, [3, 2]);
  const [best] = beamSearch(new Table(2), 2, { bos: 1, eos: 2, maxLength: 5 });
  assert.deepEqual(best!.tokens, [4, 2]);
  assert.ok(best!.score > greedy.score, `beam ${best!.score} vs greedy ${greedy.score}`);
  close([best!.score, greedy.score], [Math.log(0.4 * 0.9), Math.log(0.6 * 0.34)], "scores", 1e-6);
});

test("seq2seq: sampling is seeded; temperature 0 is greedy; top-k 1 is greedy", () => {
  const m = tinyModel({ dtype: "float32", seed: 9 });
  const sources = [[3, 4, 5, 1], [2, 5]], o = { bos: 1, eos: 2, maxLength: 8 };
  const greedy = greedyDecode(m, sources, o);
  assert.deepEqual(sampleDecode(m, sources, { ...o, temperature: 0, rng: new Rng(1) }), greedy);
  assert.deepEqual(sampleDecode(m, sources, { ...o, temperature: 1, topK: 1, rng: new Rng(1) }), greedy);
  const a = sampleDecode(m, sources, { ...o, temperature: 1.5, topP: 0.9, rng: new Rng(4) });
  assert.deepEqual(sampleDecode(m, sources, { ...o, temperature: 1.5, topP: 0.9, rng: new Rng(4) }), a);
});

test("fitSeq2seq: scheduled sampling and label smoothing still lower the loss; bad options name themselves", async () => {
  const { fitSeq2seq } = await import("../../src/seq2seq/fit.js");
  const m = tinyModel({ dtype: "float32" });
  const pairs = [{ source: [3, 4, 5], target: [3, 4] }, { source: [5, 4], target: [4, 3, 3] }, { source: [4], target: [3] }];
  const r = fitSeq2seq(m, pairs, { bos: 1, eos: 2, epochs: 60, batchSize: 3, samplingProbability: 0.3, labelSmoothing: 0.1, optimizer: { kind: "adam", lr: 0.02 } });
  assert.ok(r.losses[r.losses.length - 1]! < 0.5 * r.losses[0]!, `loss ${r.losses[0]} → ${r.losses[r.losses.length - 1]}`);
  assert.throws(() => fitSeq2seq(m, pairs, { bos: 1, eos: 2, samplingProbability: 1 }), /samplingProbability must be in \[0, 1\), got 1/);
});
