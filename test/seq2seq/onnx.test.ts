// The encoder and the decoder step as ONNX (io/onnx/export-seq2seq.ts), run by ONNX Runtime in a
// greedy loop written here (as docs/seq2seq.md shows): the same tokens as gated's greedy decode,
// logits within 1e-5 at every step, for every attention placement and native or Scan cells.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import ort from "onnxruntime-node";
import { loadDates } from "../../src/data/dates.js";
import { OptionError } from "../../src/errors/index.js";
import { seq2seqToOnnx } from "../../src/io/onnx/export-seq2seq.js";
import { ModelStepper, greedyDecode } from "../../src/seq2seq/decode.js";
import { fitSeq2seq } from "../../src/seq2seq/fit.js";
import { Seq2seq, type Seq2seqOptions } from "../../src/seq2seq/model.js";
import { Rng } from "../../src/util/random.js";

const OPTS = { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 } as const;

interface Loop { tokens: number[][]; logits: Float32Array[] }

/** Greedy decoding with ONNX Runtime: encoder once, then the decoder step until every row emitted eos. */
async function ortGreedy(encoderBytes: Uint8Array, stepBytes: Uint8Array, sources: readonly ArrayLike<number>[], bos: number, eos: number, maxLength: number): Promise<Loop> {
  const encoder = await ort.InferenceSession.create(encoderBytes, OPTS), step = await ort.InferenceSession.create(stepBytes, OPTS);
  const B = sources.length, S = Math.max(...sources.map((s) => s.length));
  const ids = new BigInt64Array(S * B);
  sources.forEach((src, b) => { for (let s = 0; s < src.length; s++) ids[s * B + b] = BigInt(src[s]!); });
  const enc = await encoder.run({ source: new ort.Tensor("int64", ids, [S, B]), lengths: new ort.Tensor("int32", Int32Array.from(sources, (s) => s.length), [B]) });
  const feeds: Record<string, ort.Tensor> = { memory: enc.memory!, keys: enc.keys!, mask: enc.mask!, summary: enc.summary!, state_h: enc.state_h! };
  if (step.inputNames.includes("state_c")) feeds.state_c = enc.state_c!;
  const tokens: number[][] = sources.map(() => []), logits: Float32Array[] = [], done = new Array<boolean>(B).fill(false);
  let last = new BigInt64Array(B).fill(BigInt(bos));
  for (let t = 0; t < maxLength && done.some((d) => !d); t++) {
    const out = await step.run({ ...feeds, token: new ort.Tensor("int64", last, [B]) });
    const o = out.logits!.data as Float32Array, V = o.length / B;
    logits.push(o);
    last = new BigInt64Array(B).fill(BigInt(eos));
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      let best = 0;
      for (let v = 1; v < V; v++) if (o[b * V + v]! > o[b * V + best]!) best = v;
      if (best === eos) done[b] = true; else tokens[b]!.push(best);
      last[b] = BigInt(best);
    }
    feeds.state_h = out.new_state_h!;
    if (out.new_state_c) feeds.state_c = out.new_state_c;
  }
  return { tokens, logits };
}

/** gated's own step logits along the ORT loop's inputs (rows that finished feed eos, as the loop does). */
function gatedStepLogits(m: Seq2seq, sources: readonly ArrayLike<number>[], loop: Loop, bos: number, eos: number): Float32Array[] {
  const stepper = new ModelStepper(m, sources), B = sources.length, out: Float32Array[] = [];
  for (let t = 0; t < loop.logits.length; t++) {
    const prev = Int32Array.from({ length: B }, (_, b) => (t === 0 ? bos : (loop.tokens[b]![t - 1] ?? eos)));
    out.push(Float32Array.from(stepper.step(prev)));
  }
  return out;
}

function assertClose(a: readonly Float32Array[], b: readonly Float32Array[], tol: number, what: string): number {
  assert.equal(a.length, b.length, `${what}: steps`);
  let worst = 0;
  a.forEach((row, t) => row.forEach((v, i) => {
    const d = Math.abs(v - b[t]![i]!);
    worst = Math.max(worst, d);
    if (!(d <= tol)) assert.fail(`${what}: step ${t} logit ${i}: ORT ${v}, gated ${b[t]![i]} (|Δ| ${d.toExponential(2)} > ${tol})`);
  }));
  return worst;
}

function randomModel(over: Partial<Seq2seqOptions>, seed: number): Seq2seq {
  const m = new Seq2seq({
    sourceVocabulary: 9, targetVocabulary: 7, embeddingSize: 4, encoder: { cell: "gru", hiddenSize: 3, direction: "bidirectional" },
    decoder: { cell: "gru", hiddenSize: 5 }, attention: "additive", attentionSize: 4, seed, ...over,
  });
  const rng = new Rng(seed);
  for (let i = 0; i < m.params.length; i++) m.params[i] = rng.range(-1, 1);
  m.markChanged();
  return m;
}

describe("seq2seq ONNX export, run by ONNX Runtime", () => {
  const sources = [[3, 4, 5, 8, 2], [7, 2], [4, 4, 6], [8]];
  const cases: [string, Partial<Seq2seqOptions>][] = [
    ["additive, GRU, bridge", {}],
    ["luong, LSTM decoder of two layers, context initial-only", { attention: "luong", context: "initial-only", decoder: { cell: "lstm", hiddenSize: 6, layers: 2 } }],
    ["bahdanau, GRU", { attention: "bahdanau" }],
    ["bahdanau, MGU encoder and decoder (Scan), context every step", { attention: "bahdanau", context: "every-step", encoder: { cell: "mgu", hiddenSize: 3, direction: "bidirectional" }, decoder: { cell: "mgu", hiddenSize: 6 } }],
    ["none, LSTM encoder (forward, two layers) → GRU", { attention: "none", encoder: { cell: "lstm", hiddenSize: 5, layers: 2 } }],
  ];
  for (const [name, over] of cases) {
    it(`greedy loop equals gated (${name})`, async () => {
      const m = randomModel(over, 4), vocab = { source: [], target: [], pad: 0, bos: 1, eos: 2 };
      const onnx = seq2seqToOnnx(m, vocab as never);
      const loop = await ortGreedy(onnx.encoder, onnx.decoderStep, sources, 1, 2, 12);
      assert.deepEqual(loop.tokens, greedyDecode(m, sources, { bos: 1, eos: 2, maxLength: 12 }));
      const worst = assertClose(loop.logits, gatedStepLogits(m, sources, loop, 1, 2), 1e-5, name);
      console.log(`  ${name}: ${loop.logits.length} steps, worst |Δ logit| ${worst.toExponential(2)}`);
    });
  }

  it("attention weights of the step graph are gated's (bahdanau), zero on padding", async () => {
    const m = randomModel({ attention: "bahdanau" }, 6), onnx = seq2seqToOnnx(m, { source: [], target: [], pad: 0, bos: 1, eos: 2 } as never);
    const encoder = await ort.InferenceSession.create(onnx.encoder, OPTS), step = await ort.InferenceSession.create(onnx.decoderStep, OPTS);
    const enc = await encoder.run({ source: new ort.Tensor("int64", BigInt64Array.from([3n, 7n, 4n, 0n, 5n, 0n]), [3, 2]), lengths: new ort.Tensor("int32", Int32Array.of(3, 1), [2]) });
    const out = await step.run({ token: new ort.Tensor("int64", BigInt64Array.of(1n, 1n), [2]), memory: enc.memory!, keys: enc.keys!, mask: enc.mask!, summary: enc.summary!, state_h: enc.state_h! });
    const a = out.attention!.data as Float32Array;
    let w = new Float64Array(0);
    const { makeBatch } = await import("../../src/seq2seq/batch.js");
    const batch = makeBatch([{ source: [3, 4, 5], target: [3] }, { source: [7], target: [3] }], 1, 2);
    m.forward(batch, false, batch.targetIn, (x) => (w = Float64Array.from(x)));
    // step 0: [B, S] from ORT, [T, B, S] from gated
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(a[i]! - w[i]!) <= 1e-6, `α ${i}: ${a[i]} vs ${w[i]}`);
    assert.equal(a[4], 0);
    assert.equal(a[5], 0);
  });

  it("on dates: a trained model, ORT's greedy loop gives gated's tokens and logits", { timeout: 60_000 }, async () => {
    const d = loadDates({ count: 400, validationCount: 0, testCount: 60, seed: 2 });
    for (const attention of ["luong", "bahdanau"] as const) {
      const m = new Seq2seq({ sourceVocabulary: d.sourceVocabulary.length, targetVocabulary: d.targetVocabulary.length, embeddingSize: 8,
        encoder: { cell: "gru", hiddenSize: 8, direction: "bidirectional" }, decoder: { cell: "gru", hiddenSize: 16 }, attention, seed: 3 });
      fitSeq2seq(m, d.train, { bos: d.bos, eos: d.eos, epochs: 2, batchSize: 32, optimizer: { kind: "adam", lr: 0.01 }, seed: 1 });
      const vocab = { source: d.sourceVocabulary, target: d.targetVocabulary, pad: 0, bos: 1, eos: 2 };
      const onnx = seq2seqToOnnx(m, vocab);
      const sources = d.test.map((p) => p.source);
      const loop = await ortGreedy(onnx.encoder, onnx.decoderStep, sources, d.bos, d.eos, 16);
      const mine = greedyDecode(m, sources, { bos: d.bos, eos: d.eos, maxLength: 16 });
      assert.deepEqual(loop.tokens, mine);
      const worst = assertClose(loop.logits, gatedStepLogits(m, sources, loop, d.bos, d.eos), 1e-5, `dates ${attention}`);
      const lengths = new Set(mine.map((t) => t.length));
      console.log(`  dates ${attention}: ${sources.length} sources, output lengths ${[...lengths].join(", ")}, worst |Δ logit| ${worst.toExponential(2)}`);
    }
  });

  it("refuses a float64 model, naming the fix", () => {
    assert.throws(() => seq2seqToOnnx(new Seq2seq({ sourceVocabulary: 4, targetVocabulary: 4, encoder: { cell: "gru", hiddenSize: 2 }, decoder: { cell: "gru", hiddenSize: 2 }, dtype: "float64" }), { source: [], target: [], pad: 0, bos: 1, eos: 2 }),
      (e: unknown) => e instanceof OptionError && /float64; the ONNX graphs are float32/.test(e.message));
  });
});
