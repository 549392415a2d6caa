// Log-mel, MFCC and deltas against librosa 0.11 (values recorded by scripts/audio/check_features.py),
// and the streaming front end against the whole signal, bit for bit, with random chunk sizes.
//
// Tolerance: |a − b| ≤ 2e-4 + 1e-6·|ref| (dB). Both sides compute in float64 from the same samples
// (the test mixes stereo down in float64, as librosa does); gated rounds its frames to float32
// (≈ 6e-8 relative: ≤ 1e-5 dB on values up to ~100 dB); the references keep 9 significant digits.
// One exception: 32-bit PCM is decoded to float32 samples (2⁻²⁴ relative, ≈ −150 dB), which moves
// bands ~100 dB down by up to ~0.02 dB; that file gets atol 0.05 dB (log-mel) and 0.05 (MFCC).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { FeatureStream, audioFeatures, decodeWav, type FeatureOptions } from "../../src/audio/index.js";
import { OptionError, ValueError } from "../../src/errors/index.js";
import { Rng } from "../../src/util/random.js";
import { assertClose } from "../helpers/close.js";

const dir = new URL("../fixtures/audio/", import.meta.url);
interface Case {
  file: string; sampleRate: number; frames: number; options: Omit<FeatureOptions, "sampleRate">;
  logMel: number[]; mfcc: number[]; mfccDeltas: number[];
}
const expected = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as { cases: Case[] };
const TIGHT = { atol: 2e-4, rtol: 1e-6 };
const worst: Record<string, number> = {};

describe("features against librosa", () => {
  for (const c of expected.cases) {
    const wav = decodeWav(new Uint8Array(readFileSync(new URL(c.file, dir))));
    const samples = new Float64Array(wav.frames); // float64 mixdown, as librosa.to_mono
    for (const ch of wav.channels) for (let i = 0; i < wav.frames; i++) samples[i] += ch[i]! / wav.channels.length;
    const base = { ...c.options, sampleRate: wav.sampleRate } as FeatureOptions;
    const TOL = c.file.includes("pcm32") ? { atol: 0.05 } : TIGHT;
    it(`${c.file}: log-mel, MFCC, MFCC + Δ + ΔΔ`, () => {
      const lm = audioFeatures(samples, { ...base, kind: "log-mel" });
      assert.equal(lm.frames, c.frames);
      worst[`${c.file} log-mel`] = assertClose(lm.data, c.logMel, TOL, `${c.file} log-mel`);
      const mf = audioFeatures(samples, { ...base, kind: "mfcc" });
      worst[`${c.file} mfcc`] = assertClose(mf.data, c.mfcc, TOL, `${c.file} mfcc`);
      const md = audioFeatures(samples, { ...base, kind: "mfcc", deltas: 2 });
      assert.equal(md.size, 3 * (c.options.nMfcc ?? 13));
      worst[`${c.file} mfcc+deltas`] = assertClose(md.data, c.mfccDeltas, TOL, `${c.file} mfcc+Δ+ΔΔ`);
    });
  }
  it("records the worst differences", () => {
    console.log("max |gated − librosa| (dB):", JSON.stringify(worst, null, 1));
    assert.ok(Object.keys(worst).length > 0);
  });
});

describe("streaming equals the whole signal", () => {
  const rng = new Rng(11);
  const x = new Float32Array(16000 * 0.7);
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin(0.07 * i + 1e-5 * i * i) + 0.05 * rng.range(-1, 1);
  const configs: FeatureOptions[] = [
    { sampleRate: 16000, kind: "log-mel" },
    { sampleRate: 16000, kind: "mfcc", deltas: 2 },
    { sampleRate: 16000, kind: "mfcc", deltas: 1, deltaWidth: 5, center: false, hop: 100, nFft: 256, winLength: 256 },
  ];
  for (const cfg of configs) {
    it(`random chunk sizes, ${JSON.stringify(cfg)}`, () => {
      const whole = audioFeatures(x, cfg);
      for (let trial = 0; trial < 4; trial++) {
        const s = new FeatureStream(cfg);
        const parts: Float32Array[] = [];
        let at = 0, frames = 0;
        while (at < x.length) {
          const n = Math.min(x.length - at, trial === 0 ? 1 + Math.floor(rng.range(0, 3)) : Math.floor(rng.range(0, 2000)));
          const f = s.push(x.subarray(at, at + n));
          parts.push(f.data);
          frames += f.frames;
          at += n;
        }
        const last = s.flush();
        parts.push(last.data);
        frames += last.frames;
        assert.equal(frames, whole.frames);
        const got = new Float32Array(whole.data.length);
        let o = 0;
        for (const p of parts) { got.set(p, o); o += p.length; }
        assert.deepEqual(got, whole.data, "bit for bit");
      }
    });
  }

  it("emits frames with bounded latency (a stream can drive step())", () => {
    const s = new FeatureStream({ sampleRate: 16000, kind: "mfcc", deltas: 2 });
    const f = s.push(x.subarray(0, 16000 * 0.5)); // 0.5 s: static frames 0…48, deltas hold back 4
    assert.equal(f.frames, Math.floor((8000 - 256) / 160) + 1 - 4);
  });

  it("global normalisation streams; per-utterance normalisation is refused in a stream", () => {
    const cfg: FeatureOptions = { sampleRate: 16000, kind: "mfcc" };
    const raw = audioFeatures(x, cfg);
    const mean = Array.from({ length: 13 }, (_, i) => i), std = Array.from({ length: 13 }, (_, i) => 1 + i);
    const g = audioFeatures(x, { ...cfg, normalize: { mean, std } });
    assert.ok(Math.abs(g.data[13 * 5 + 3]! - (raw.data[13 * 5 + 3]! - 3) / 4) < 1e-5);
    const u = audioFeatures(x, { ...cfg, normalize: "utterance" });
    let m = 0, v = 0;
    for (let t = 0; t < u.frames; t++) m += u.data[t * 13 + 2]!;
    m /= u.frames;
    for (let t = 0; t < u.frames; t++) v += (u.data[t * 13 + 2]! - m) ** 2;
    assert.ok(Math.abs(m) < 1e-5 && Math.abs(v / u.frames - 1) < 1e-4);
    assert.throws(() => new FeatureStream({ ...cfg, normalize: "utterance" }), OptionError);
  });

  it("validates options and short utterances with deltas", () => {
    assert.throws(() => audioFeatures(x, { sampleRate: 16000, nFft: 400 }), /nFft: expected a power of two/);
    assert.throws(() => audioFeatures(x, { sampleRate: 16000, fmax: 9000 }), /fmax ≤ sampleRate \/ 2|fmin < fmax/);
    assert.throws(() => audioFeatures(x.subarray(0, 800), { sampleRate: 16000, deltas: 1 }), ValueError);
  });
});
