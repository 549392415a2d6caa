// What the speech generators share (gen-spoken-digits.mjs, gen-phonemes.mjs; gen-keyword-wav.mjs):
// the seeded draws, one utterance through espeak-ng and sox (run as separate programs), white
// noise at an SNR, the training voices' standardisation and the int8 quantisation of the frames,
// and the versions of the two programs for the index. The draws happen in the order the callers
// make them, so a generator's output is the same bytes for the same seed.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mulberry32 } from "../lib/mulberry32.mjs";

/** Seeded uniform, Gaussian (Box–Muller), pick and shuffle, all from one mulberry32 stream. */
export function randoms(seed) {
  const rand = mulberry32(seed);
  const uniform = (a, b) => a + (b - a) * rand();
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const shuffled = (list) => {
    const p = [...list];
    for (let i = p.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  };
  return { rand, uniform, gauss, pick, shuffled };
}

/**
 * `text` spoken by espeak-ng (`accent+variant`, words per minute, pitch), then sox -R -D
 * (repeatable, no dither): tempo, gain, silence trimmed at both ends (1% of full scale), 0.05 s of
 * padding, to `wavPath`; read back by gated's readWav at `sampleRate` (its sinc resampler).
 */
export function synthesize(readWav, text, { accent, variant, speed, pitch, tempo, gain }, wavPath, sampleRate) {
  const raw = execFileSync("espeak-ng", ["-v", `${accent}+${variant}`, "-s", `${speed}`, "-p", `${pitch}`, "--stdout", text], { maxBuffer: 1 << 26 });
  execFileSync("sox", ["-R", "-D", "-t", "wav", "-", "-b", "16", wavPath, "tempo", tempo, "gain", gain,
    "silence", "1", "0.01", "1%", "reverse", "silence", "1", "0.01", "1%", "reverse", "pad", "0.05", "0.05"], { input: raw });
  return readWav(readFileSync(wavPath), { sampleRate }).samples;
}

/** Adds white noise at an SNR (dB) relative to the signal's mean power, in place. */
export function addNoise(x, snr, gauss) {
  let p = 0;
  for (const v of x) p += v * v;
  const sd = Math.sqrt(p / x.length / 10 ** (snr / 10));
  for (let i = 0; i < x.length; i++) x[i] += sd * gauss();
}

/**
 * Mean and std per coefficient over the training voices' frames (utterances { voice, data
 * [frames, F], frames }), then every frame standardised, times Q, rounded and clipped to ±127.
 */
export function standardiseAndQuantise(utterances, voices, F, Q) {
  const mean = new Float64Array(F), sq = new Float64Array(F);
  let n = 0;
  for (const u of utterances) {
    if (voices[u.voice].split !== "train") continue;
    for (let t = 0; t < u.frames; t++) for (let f = 0; f < F; f++) { const v = u.data[t * F + f]; mean[f] += v; sq[f] += v * v; }
    n += u.frames;
  }
  const std = new Float64Array(F);
  for (let f = 0; f < F; f++) { mean[f] /= n; std[f] = Math.sqrt(Math.max(sq[f] / n - mean[f] ** 2, 1e-12)); }
  const totalFrames = utterances.reduce((s, u) => s + u.frames, 0);
  const q = new Int8Array(totalFrames * F);
  let at = 0;
  for (const u of utterances) {
    for (let i = 0; i < u.frames * F; i++) q[at++] = Math.max(-127, Math.min(127, Math.round(((u.data[i] - mean[i % F]) / std[i % F]) * Q)));
  }
  return { mean, std, q, totalFrames };
}

export const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

/** The versions of espeak-ng and sox, for the data set's index. */
export function toolVersions() {
  const espeakNg = execFileSync("espeak-ng", ["--version"]).toString().trim().split(/\s+/).find((w) => /^\d+\.\d+/.test(w));
  const sox = execFileSync("sox", ["--version"]).toString().trim().replace(/^sox:\s*/, "");
  return { espeakNg, sox };
}
