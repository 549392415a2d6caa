// Δ / ΔΔ of frames already computed (audio/deltas.ts, used by spoken-digits at load time) against
// the streaming front end's own deltas (FeatureStream, itself checked against librosa in
// features.test.ts) on the same frames, and the spoken-digits `deltas` option.
//
// Tolerance: FeatureStream takes its deltas of float64 statics, withDeltas here of the float32
// frames it emitted (≈ 6e-8 relative on MFCCs up to ~300): |a − b| ≤ 1e-4 + 1e-6·|ref|.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FeatureStream, withDeltas } from "../../src/audio/index.js";
import { spokenDigitsDataset } from "../../src/data/spoken-digits.js";
import { OptionError, ValueError } from "../../src/errors/index.js";
import { Rng } from "../../src/util/random.js";
import { assertClose } from "../helpers/close.js";

/** A seeded test signal: a rising tone with bursts of noise, 0.6 s at 16 kHz. */
function signal(): Float64Array {
  const rng = new Rng(7), sr = 16000, x = new Float64Array(9600);
  for (let i = 0; i < x.length; i++) {
    const t = i / sr;
    x[i] = 0.3 * Math.sin(2 * Math.PI * (200 + 900 * t) * t) + (Math.floor(t * 10) % 2 ? 0.05 * rng.normal() : 0.002 * rng.normal());
  }
  return x;
}

function stream(x: Float64Array, deltas: 0 | 1 | 2, deltaWidth = 9): { data: Float32Array; frames: number } {
  const s = new FeatureStream({ sampleRate: 16000, kind: "mfcc", deltas, deltaWidth });
  const parts = [s.push(x.subarray(0, 3001)), s.push(x.subarray(3001)), s.flush()];
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) { data.set(p.data, at); at += p.data.length; }
  return { data, frames: parts.reduce((n, p) => n + p.frames, 0) };
}

describe("withDeltas", () => {
  const x = signal();
  const statics = stream(x, 0);
  for (const [order, width] of [[1, 9], [2, 9], [2, 5]] as const) {
    it(`order ${order}, width ${width}: equals FeatureStream's deltas of the same frames`, () => {
      const ref = stream(x, order, width);
      assert.equal(ref.frames, statics.frames);
      const mine = withDeltas(statics.data, statics.frames, 13, order, width);
      assertClose(mine, ref.data, { atol: 1e-4, rtol: 1e-6 }, `Δ order ${order} width ${width}`);
    });
  }

  it("refuses a bad order or width, and too few frames", () => {
    assert.throws(() => withDeltas(new Float32Array(26), 2, 13, 3 as never), OptionError);
    assert.throws(() => withDeltas(new Float32Array(26), 2, 13, 1, 4), /odd integer/);
    assert.throws(() => withDeltas(new Float32Array(8 * 13), 8, 13, 1), ValueError);
    assert.equal(withDeltas(new Float32Array(0), 0, 13, 2).length, 0);
  });
});

describe("spoken-digits deltas", () => {
  it("appends Δ and ΔΔ of each utterance's frames, padding untouched", () => {
    const plain = spokenDigitsDataset({ limit: 20 }), d2 = spokenDigitsDataset({ limit: 20, deltas: 2 });
    const a = plain.test!, b = d2.test!;
    assert.equal(b.features, 39);
    assert.equal(b.steps, a.steps);
    assert.deepEqual(b.lengths, a.lengths);
    assert.deepEqual(b.y, a.y);
    for (let s = 0; s < a.count; s++) {
      const T = a.lengths![s]!;
      const frames = (a.x as Float32Array).subarray(s * a.steps * 13, (s * a.steps + T) * 13);
      const want = withDeltas(frames, T, 13, 2);
      assert.deepEqual((b.x as Float32Array).subarray(s * b.steps * 39, (s * b.steps + T) * 39), want, `utterance ${s}`);
      assert.ok((b.x as Float32Array).subarray((s * b.steps + T) * 39, (s + 1) * b.steps * 39).every((v) => v === 0), `padding of ${s}`);
    }
    assert.equal(d2.audio?.deltas, 2);
    assert.equal(spokenDigitsDataset({ limit: 1, deltas: 1 }).train.features, 26);
  });

  it("refuses deltas other than 0, 1, 2", () => {
    assert.throws(() => spokenDigitsDataset({ deltas: 3 as never }), /deltas must be 0, 1 or 2, got 3/);
  });
});
