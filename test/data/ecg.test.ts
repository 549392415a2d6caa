// The synthetic ECG (McSharry et al. 2003) against scipy's integration of the same equations, the
// R wave against a quadrature of the model's z equation, R-peak timing, heart rates of the classes
// from R peaks detected in the noisy signal, determinism by seed, and a short training run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ECG_CLASSES, ecgRhythmDataset } from "../../src/data/ecg-rhythm.js";
import { ECG_GAIN, MCSHARRY_WAVES, mcSharryEcg, scaleWaves } from "../../src/data/ecg.js";
import { OptionError } from "../../src/errors/index.js";
import { createSpec, Model } from "../../src/model/model.js";
import { evaluate } from "../../src/train/evaluate.js";
import { fit } from "../../src/train/fit.js";
import type { SequenceSet } from "../../src/data/types.js";
import { Rng } from "../../src/util/random.js";

const fixture = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../fixtures/ecg/mcsharry-scipy.json"), "utf8")) as
  { heartRate: number; phase: number; wander: number; respiration: number; rate: number; seconds: number; signal: number[] };

/** R peaks of a noisy ECG: local maxima of the signal minus its 0.2 s moving mean, above half the largest, 0.25 s apart. */
function detectR(v: Float32Array, rate: number): number[] {
  const n = v.length, half = Math.round(0.1 * rate), hp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0, c = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++) { s += v[j]!; c++; }
    hp[i] = v[i]! - s / c;
  }
  const top = Math.max(...hp), peaks: number[] = [];
  for (let i = 1; i < n - 1; i++) {
    if (hp[i]! < 0.5 * top || hp[i]! < hp[i - 1]! || hp[i]! < hp[i + 1]!) continue;
    const last = peaks[peaks.length - 1];
    if (last !== undefined && i - last < 0.25 * rate) { if (hp[i]! > hp[last]!) peaks[peaks.length - 1] = i; continue; }
    peaks.push(i);
  }
  return peaks.map((i) => i / rate);
}

const stats = (t: number[]) => {
  const rr = t.slice(1).map((v, i) => v - t[i]!), mean = rr.reduce((a, b) => a + b, 0) / rr.length;
  const sd = Math.sqrt(rr.reduce((a, b) => a + (b - mean) ** 2, 0) / rr.length);
  return { hr: 60 / mean, cv: sd / mean };
};

describe("McSharry ECG model", () => {
  it("equals scipy's DOP853 solution of the same equations (72 bpm, wander 0.15 mV) within RK4's error", () => {
    const f = fixture;
    const r = mcSharryEcg({ rate: f.rate, seconds: f.seconds, waves: MCSHARRY_WAVES, heartRate: f.heartRate, rrAt: () => 60 / f.heartRate, wander: f.wander, respiration: f.respiration, gain: 1, noise: 0, phase: f.phase }, new Rng(0));
    assert.equal(r.signal.length, f.signal.length);
    let worst = 0, at = 0;
    r.signal.forEach((v, i) => { const e = Math.abs(v - f.signal[i]!); if (e > worst) { worst = e; at = i; } });
    // RK4 at 2 ms: global error ~1e-7 mV here; float32 output ~1e-7 mV
    assert.ok(worst <= 2e-6, `worst |gated − scipy| ${worst} mV at sample ${at}`);
    // R events where θ = φ + ωt ≡ 0 (mod 2π), t from the end of the 3 s warm-up
    const omega = (2 * Math.PI * f.heartRate) / 60;
    r.rPeaks.forEach((t, k) => assert.ok(Math.abs(t - ((2 * Math.PI * (4 + k) - f.phase) / omega - 3)) < 1e-6, `R ${k} at ${t}`));
    assert.equal(r.rPeaks.length, 5);
  });

  it("the R wave's height is the model's z equation (a quadrature of it), just under the undamped 1 mV at every rate", () => {
    for (const hr of [50, 60, 120]) {
      const omega = (2 * Math.PI * hr) / 60, only = { ...MCSHARRY_WAVES, a: [0, 0, 30, 0, 0] };
      // θ = φ + ωt with φ chosen so θ = 0 at t = 3.25 s: the output sample k = 124 at 500 Hz
      const phase = -omega * 3.25;
      const r = mcSharryEcg({ rate: 500, seconds: 1, waves: only, heartRate: hr, rrAt: () => 60 / hr, wander: 0, respiration: 0.25, gain: 1, noise: 0, phase }, new Rng(0));
      // z(t) = ∫_0^t g(s) e^{−(t−s)} ds (z = 0 at the start, 3.25 s earlier) with g = −a Δθ e^{−Δθ²/(2b²)},
      // Δθ = ω(s − t) wrapped: the midpoint rule, s − t in (−3.25, 0)
      const b = scaleWaves(only, hr).b[2]!, ds = 1e-6;
      let z = 0;
      for (let s = -3.25 + ds / 2; s < 0; s += ds) {
        let d = (omega * s) % (2 * Math.PI);
        if (d < -Math.PI) d += 2 * Math.PI;
        z += -30 * d * Math.exp(-(d * d) / (2 * b * b)) * Math.exp(s) * ds;
      }
      assert.ok(Math.abs(r.signal[124]! - ECG_GAIN * z) < 1e-5, `${hr} bpm: ${r.signal[124]} vs ${ECG_GAIN * z}`);
      // G·a_R b_R²/(2π) = 1 mV undamped; the −(z − z0) term takes a few percent during the wave
      assert.ok(r.signal[124]! > 0.94 && r.signal[124]! < 1, `${hr} bpm: R ${r.signal[124]} mV`);
    }
  });
});

describe("ecg-rhythm data set", () => {
  const d = ecgRhythmDataset({ count: 64, validationCount: 0, testCount: 0, seed: 3 });

  it("classes, shapes and determinism by seed", () => {
    assert.deepEqual(d.classes, [...ECG_CLASSES]);
    assert.equal(d.train.steps, 1000);
    assert.equal(d.train.features, 1);
    assert.deepEqual(Array.from(d.train.y as Int32Array).slice(0, 8), [0, 1, 2, 3, 0, 1, 2, 3]);
    assert.match(d.description, /SYNTHETIC/);
    const again = ecgRhythmDataset({ count: 64, validationCount: 0, testCount: 0, seed: 3 });
    assert.deepEqual(again.train.x, d.train.x);
    const other = ecgRhythmDataset({ count: 64, validationCount: 0, testCount: 0, seed: 4 });
    assert.notDeepEqual(other.train.x, d.train.x);
  });

  it("heart rate from R peaks detected in the noisy signal lies in each class's range; irregular RR only in its class", () => {
    const x = d.train.x as Float32Array, T = d.train.steps;
    for (let s = 0; s < d.train.count; s++) {
      const c = ECG_CLASSES[(d.train.y as Int32Array)[s]!]!, { hr, cv } = stats(detectR(x.subarray(s * T, (s + 1) * T), 100));
      const ok = c === "normal" ? hr >= 60 && hr <= 100 && cv < 0.08 : c === "tachycardia" ? hr > 100 && cv < 0.08 : c === "bradycardia" ? hr < 60 && cv < 0.08 : cv > 0.1;
      assert.ok(ok, `window ${s} (${c}): ${hr.toFixed(1)} bpm, RR cv ${cv.toFixed(3)}`);
    }
  });

  it("options are checked", () => {
    assert.throws(() => ecgRhythmDataset({ rate: 300 }), (e: unknown) => e instanceof OptionError && /rate must divide 500/.test(e.message));
    assert.throws(() => ecgRhythmDataset({ sconds: 5 } as never), (e: unknown) => e instanceof OptionError && /"sconds".*seconds, rate/.test(e.message));
  });

  it("a small GRU tells tachycardia from bradycardia far above chance on subjects unseen in training", async () => {
    // the two classes apart by heart rate alone (105–150 vs 40–55 bpm): a short run learns them
    const data = ecgRhythmDataset({ count: 400, validationCount: 0, testCount: 200, seconds: 5, rate: 50, seed: 1 });
    const pick = (s: SequenceSet): SequenceSet => {
      const rows = [...(s.y as Int32Array)].flatMap((c, i) => (c === 1 || c === 2 ? [i] : [])), T = s.steps;
      const x = new Float32Array(rows.length * T);
      rows.forEach((r, k) => x.set((s.x as Float32Array).subarray(r * T, (r + 1) * T), k * T));
      return { ...s, x, count: rows.length, y: Int32Array.from(rows, (r) => (s.y as Int32Array)[r]! - 1), outputs: 2 };
    };
    const train = pick(data.train), test = pick(data.test!);
    const model = new Model(createSpec({ input: { kind: "features", features: 1 }, task: { target: "class", perStep: false, outputs: 2 }, cell: "gru", hiddenSize: 16 }), { seed: 1 });
    await fit(model, train, { epochs: 8, batchSize: 16, seed: 1, optimizer: { kind: "adam", lr: 0.01 }, clipNorm: 1 });
    const acc = evaluate(model, test).accuracy!;
    assert.ok(acc > 0.8, `test accuracy ${acc} on ${test.count} windows (chance 0.5)`);
  });
});
