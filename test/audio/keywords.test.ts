// On-line keyword spotting (model/keywords.ts) with the committed small spoken-digits model
// (scripts/speech/make-keyword-model.mjs) on the committed WAV of four digits by test-split voices
// (scripts/speech/gen-keyword-wav.mjs, word times in digits.json):
//   - the words heard, in order, with times within 0.12 s of where the generator put them;
//   - the hits do not depend on the chunk size, and each comes out while the audio is still pushed;
//   - stepping each segment frame by frame gives what model.classify gives on the segment's frames
//     computed offline (audioFeatures of the whole signal, standardised, deltas by withDeltas),
//     for the shipped model and for a Δ + ΔΔ model (random weights: only the arithmetic is checked);
//   - models that cannot spot are refused, naming why.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { audioFeatures, readWav, resample, standardiseFrame, withDeltas, type AudioFrontEnd } from "../../src/audio/index.js";
import { spokenDigitsFrontEnd } from "../../src/data/spoken-digits.js";
import { OptionError } from "../../src/errors/index.js";
import { KeywordSpotter, spotKeywords, type KeywordHit } from "../../src/model/keywords.js";
import { Model, createSpec } from "../../src/model/model.js";
import { assertClose } from "../helpers/close.js";

const dir = new URL("../fixtures/speech/", import.meta.url);
const model = Model.fromBytes(new Uint8Array(readFileSync(new URL("digits-ligru32.safetensors", dir))));
const truth = JSON.parse(readFileSync(new URL("digits.json", dir), "utf8")) as { words: { word: string; start: number; end: number }[] };
const { samples } = readWav(new Uint8Array(readFileSync(new URL("digits.wav", dir))), { sampleRate: 16000 });

/** The model's input frames of samples [from, to] (frame indices), computed offline. */
function offlineFrames(fe: AudioFrontEnd, x: Float32Array, from: number, to: number): Float32Array {
  const f = audioFeatures(x, { ...fe.features, deltas: 0 });
  const S = f.size, T = to - from + 1;
  const z = new Float64Array(T * S);
  for (let i = 0; i < T * S; i++) z[i] = f.data[from * S + i]!;
  for (let t = 0; t < T; t++) standardiseFrame(fe, z, t * S);
  return fe.deltas === 0 ? Float32Array.from(z) : withDeltas(z, T, S, fe.deltas, fe.deltaWidth);
}

function checkAgainstClassify(m: Model, hits: readonly KeywordHit[]): void {
  const fe = m.spec.data!.audio!, fps = fe.features.sampleRate / fe.features.hop, W = m.spec.input.kind === "features" ? m.spec.input.features : 0;
  for (const h of hits) {
    const from = Math.round(h.start * fps), to = Math.round(h.end * fps);
    const x = offlineFrames(fe, samples, from, to);
    const [ref] = m.classify({ data: x, shape: [1, x.length / W, W] });
    assertClose(h.probabilities, ref!.probabilities, { atol: 1e-5, rtol: 1e-4 }, `${h.word} at ${h.start} s`);
  }
}

describe("spotKeywords on four digits by unseen voices", () => {
  const hits = spotKeywords(model, samples, 16000);

  it("hears three, seven, one, nine, each where it was said", () => {
    assert.deepEqual(hits.map((h) => h.word), truth.words.map((w) => w.word));
    hits.forEach((h, i) => {
      const w = truth.words[i]!;
      assert.ok(Math.abs(h.start - w.start) <= 0.12 && Math.abs(h.end - w.end) <= 0.12, `${h.word}: heard ${h.start}–${h.end} s, said ${w.start}–${w.end} s`);
      assert.ok(h.probability > 0.5, `${h.word}: probability ${h.probability}`);
      assert.equal(h.probability, Math.max(...h.probabilities));
    });
  });

  it("gives the same hits whatever the chunk size, and from another sample rate", () => {
    assert.deepEqual(spotKeywords(model, samples, 16000, { chunk: 37 }), hits);
    const spotter = new KeywordSpotter(model), pushed: KeywordHit[] = [];
    for (let at = 0; at < samples.length; at += 4001) pushed.push(...spotter.push(samples.subarray(at, at + 4001)));
    pushed.push(...spotter.flush());
    assert.deepEqual(pushed, hits);
    // resampled up and back down inside spotKeywords: the same words, about the same times
    const up = spotKeywords(model, resample(samples, 16000, 22050), 22050);
    assert.deepEqual(up.map((h) => h.word), truth.words.map((w) => w.word));
  });

  it("reports each word on-line: within 0.5 s of its end, before the next word begins", () => {
    const spotter = new KeywordSpotter(model), chunk = 800, heardAt: number[] = []; // 50 ms chunks
    for (let at = 0; at < samples.length; at += chunk) {
      for (const _ of spotter.push(samples.subarray(at, at + chunk))) heardAt.push((at + chunk) / 16000);
    }
    assert.equal(heardAt.length, truth.words.length, "every word is heard before flush (the audio goes on 0.4 s after the last)");
    assert.deepEqual(spotter.flush(), []);
    heardAt.forEach((t, i) => {
      const next = truth.words[i + 1]?.start ?? Infinity;
      assert.ok(t - truth.words[i]!.end < 0.5 && t < next, `${truth.words[i]!.word} reported at ${t} s`);
    });
  });

  it("stepping each segment frame by frame equals model.classify on its frames", () => {
    checkAgainstClassify(model, hits);
  });

  it("with Δ and ΔΔ (a 39-feature model): stepping with the delta lag equals classify on the segment", () => {
    const audio = spokenDigitsFrontEnd(2);
    const classes = model.spec.data!.classes!;
    const spec = createSpec({
      input: { kind: "features", features: 39 }, cell: "gru", hiddenSize: 8, layers: 2,
      task: { target: "class", perStep: false, outputs: classes.length }, data: { name: "spoken-digits", classes, audio },
    });
    const m = new Model(spec, { seed: 3, dtype: "float64" });
    const h = spotKeywords(m, samples, 16000);
    assert.equal(h.length, 4);
    checkAgainstClassify(m, h);
  });
});

describe("spotKeywords refuses", () => {
  it("a model without its audio front end", () => {
    const { audio: _a, ...data } = model.spec.data!;
    const bare = new Model({ ...model.spec, data }, { seed: 1 });
    assert.throws(() => spotKeywords(bare, samples, 16000), (e: Error) => e instanceof OptionError && /holds no audio front end/.test(e.message));
  });

  it("a bidirectional model, bad options", () => {
    const spec = createSpec({
      input: { kind: "features", features: 13 }, cell: "gru", hiddenSize: 4, direction: "bidirectional",
      task: { target: "class", perStep: false, outputs: 16 }, data: { audio: spokenDigitsFrontEnd(0) },
    });
    assert.throws(() => new KeywordSpotter(new Model(spec)), /cannot run one frame at a time/);
    assert.throws(() => new KeywordSpotter(model, { hangover: -1 }), /hangover: expected seconds ≥ 0, got -1/);
    assert.throws(() => new KeywordSpotter(model, { threshhold: 3 } as never), /unknown option/);
  });

  it("a front end that does not fit the model's input", () => {
    const spec = { ...model.spec, data: { ...model.spec.data!, audio: spokenDigitsFrontEnd(1) } };
    assert.throws(() => new Model(spec), /front end that gives the 13 input features, got one of 26/);
  });
});
