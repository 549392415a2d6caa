// Windowed-sinc resampling against the analytic signal (a tone evaluated at the new instants),
// and against soxr_hq (librosa.resample's default; recorded by scripts/audio/check_features.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeWav, mixDown, resample } from "../../src/audio/index.js";
import { OptionError, ValueError } from "../../src/errors/index.js";

const dir = new URL("../fixtures/audio/", import.meta.url);

function toneError(from: number, to: number, f: number): number {
  const N = Math.round(from * 0.5);
  const x = new Float64Array(N);
  for (let n = 0; n < N; n++) x[n] = 0.9 * Math.sin((2 * Math.PI * f * n) / from + 0.3);
  const y = resample(x, from, to);
  assert.equal(y.length, Math.ceil((N * to) / from));
  const edge = Math.ceil((40 * to) / Math.min(from, to)) + 8; // kernel half-width (32 / 0.945 zeros) and a margin
  let worst = 0;
  for (let m = edge; m < y.length - edge; m++) {
    worst = Math.max(worst, Math.abs(y[m]! - 0.9 * Math.sin((2 * Math.PI * f * m) / to + 0.3)));
  }
  return worst;
}

describe("resample", () => {
  // [from, to, tone, bound]: tones up to 0.75 × the lower Nyquist frequency are exact to ~1e-5;
  // at 0.875 × Nyquist the Kaiser window's transition band (it ends at rolloff 0.945) costs ~4e-3
  const cases: [number, number, number, number][] = [
    [8000, 16000, 1000, 2e-5], [44100, 16000, 3000, 2e-5], [16000, 8000, 3000, 2e-5], [22050, 16000, 440, 2e-5],
    [16000, 44100, 6000, 2e-5], [16000, 44100, 7000, 5e-3],
  ];
  for (const [from, to, f, bound] of cases) {
    it(`${from} → ${to} Hz reproduces a ${f} Hz tone to ${bound} of full scale (interior)`, () => {
      const e = toneError(from, to, f);
      console.log(`  resample ${from}→${to}, ${f} Hz tone: max |error| ${e.toExponential(2)}`);
      assert.ok(e < bound, `error ${e}`);
    });
  }

  it("removes content above the new Nyquist frequency", () => {
    const x = new Float64Array(44100 * 0.25);
    for (let n = 0; n < x.length; n++) x[n] = Math.sin((2 * Math.PI * 12000 * n) / 44100);
    const y = resample(x, 44100, 16000);
    let peak = 0;
    for (let m = 200; m < y.length - 200; m++) peak = Math.max(peak, Math.abs(y[m]!));
    assert.ok(peak < 1e-3, `aliased 12 kHz tone at ${peak}`);
  });

  it("agrees with soxr_hq within the pass band (recorded difference)", () => {
    const exp = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as { resample: { file: string; to: number; soxr: number[] }[] };
    for (const r of exp.resample) {
      const w = decodeWav(new Uint8Array(readFileSync(new URL(r.file, dir))));
      const y = resample(mixDown(w.channels), w.sampleRate, r.to);
      assert.equal(y.length, r.soxr.length);
      let worst = 0, peak = 0;
      for (let m = 100; m < y.length - 100; m++) {
        worst = Math.max(worst, Math.abs(y[m]! - r.soxr[m]!));
        peak = Math.max(peak, Math.abs(r.soxr[m]!));
      }
      console.log(`  ${r.file} → ${r.to} Hz: max |gated − soxr_hq| ${worst.toExponential(2)} (peak ${peak.toFixed(3)})`);
      // the two filters differ in the transition band (0.945–1 × Nyquist here; soxr's is narrower):
      // white noise has energy there, and so has the 8-bit burst's quantisation noise
      assert.ok(worst < (r.file.includes("noise") ? 0.1 : 5e-3), `worst ${worst}`);
    }
  });

  it("validates rates and options", () => {
    assert.throws(() => resample(new Float32Array(4), 0, 16000), ValueError);
    assert.throws(() => resample(new Float32Array(4), 8000, 16000.5), /to rate: expected a positive integer/);
    assert.throws(() => resample(new Float32Array(4), 8000, 16000, { rolloff: 1.2 }), OptionError);
  });
});
