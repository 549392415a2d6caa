/**
 * ecg-rhythm: SYNTHETIC ECG windows → heart rhythm class, generated with the dynamical model of
 * McSharry et al. (2003) in ecg.ts. No recording of a person is involved; a classifier trained
 * here has learned the generator, not clinical ECG.
 *
 * Classes (each window's mean heart rate drawn uniformly in the range):
 *   0 normal        sinus rhythm, 62–98 bpm (inside the 60–100 bpm of normal sinus rhythm)
 *   1 tachycardia   sinus rhythm, 105–150 bpm (> 100 bpm)
 *   2 bradycardia   sinus rhythm, 40–55 bpm (< 60 bpm)
 *   3 irregular     atrial-fibrillation-like, 70–130 bpm mean: each RR interval drawn independently,
 *                   RR_n = (60/HR)·max(0.35, 1 + cv·N(0, 1)), cv 0.15–0.30 per window, no P wave (a_P = 0),
 *                   and small fibrillatory waves (0.02–0.05 mV × the gain, a 4–8 Hz sinusoid). A simplification:
 *                   real atrial fibrillation is not an independent RR sequence.
 * Sinus windows take their RR from the paper's RR process (Mayer and RSA peaks, LF/HF 0.5) with
 * σ_HR 1–3 bpm.
 *
 * Subjects. Each generated "subject" draws its own morphology (every a_i × (1 + 0.15·N), b_i ×
 * (1 + 0.1·N), θ_i + 0.05·N rad except θ_R), gain 0.6–1.4, white noise 0.01–0.06 mV, baseline
 * wander 0.05–0.3 mV at a respiration of 0.2–0.35 Hz, and gives one window of each class in turn;
 * train, validation and test draw different subjects from one Rng(seed), in that order, so the
 * split is by subject. Each window starts at a random phase of the beat.
 *
 * Training: a GRU must count beats over 1000 steps; the CLI's classification defaults (4 epochs of
 * batches of 64, 52 steps) leave it near chance (0.265), so the data set carries its own training
 * settings (catalog.ts `training`: 30 epochs, batches of 16, lr 0.002, clip norm 1, patience 8),
 * which `gated train --data ecg-rhythm` uses: GRU 64 test accuracy 0.965, 0.980, 0.985 for seeds
 * 1–3 (lr 0.003 gave 0.665 on seed 1, stopping early).
 *
 * x: Float32Array [S, T, 1], T = seconds · rate (default 10 s at 100 Hz: 1000 steps); y: class.
 * normalisation "window" (default): each window standardised, (v − its mean) / its standard deviation,
 * as ECG classifiers commonly take their input (it also removes the subjects' gains; a GRU learns
 * far faster from unit-scale input than from the ~0.2 mV spread of raw values); "none": mV.
 */
import { OptionError, oneOf } from "../errors/index.js";
import { Rng } from "../util/random.js";
import { DATASETS } from "./catalog.js";
import { MCSHARRY_WAVES, mcSharryEcg, rrProcess, type EcgSignal, type EcgWaves } from "./ecg.js";
import { partCounts, type GeneratedOptions } from "./generated.js";
import { optInt } from "./options.js";
import type { Dataset, SequenceSet } from "./types.js";

export const ECG_CLASSES = ["normal", "tachycardia", "bradycardia", "irregular"] as const;
export type EcgClass = (typeof ECG_CLASSES)[number];

/** Each class's range of mean heart rate (bpm) drawn per window. */
export const ECG_CLASS_RATES: Readonly<Record<EcgClass, readonly [number, number]>> = {
  normal: [62, 98], tachycardia: [105, 150], bradycardia: [40, 55], irregular: [70, 130],
};

export interface EcgRhythmOptions extends GeneratedOptions {
  /** Seconds per window (default 10). */
  seconds?: number;
  /** Samples per second, a divisor of 500 from 50 up (default 100). */
  rate?: number;
  /** "window" (default): each window standardised to mean 0, standard deviation 1; "none": mV. */
  normalisation?: "window" | "none";
}

/** What one subject keeps across its windows. */
export interface EcgSubject {
  readonly waves: EcgWaves;
  readonly gain: number;
  readonly noise: number;
  readonly wander: number;
  readonly respiration: number;
}

export function drawSubject(rng: Rng): EcgSubject {
  const m = MCSHARRY_WAVES;
  return {
    waves: {
      theta: m.theta.map((t, i) => (i === 2 ? t : t + 0.05 * rng.normal())),
      a: m.a.map((a) => a * (1 + 0.15 * rng.normal())),
      b: m.b.map((b) => b * Math.max(0.5, 1 + 0.1 * rng.normal())),
    },
    gain: rng.range(0.6, 1.4), noise: rng.range(0.01, 0.06), wander: rng.range(0.05, 0.3), respiration: rng.range(0.2, 0.35),
  };
}

/** One window of `cls` for `subject`. */
export function ecgWindow(rng: Rng, subject: EcgSubject, cls: EcgClass, seconds: number, rate: number): EcgSignal & { heartRate: number } {
  const [lo, hi] = ECG_CLASS_RATES[cls], heartRate = rng.range(lo, hi), phase = rng.range(-Math.PI, Math.PI);
  const base = { rate, seconds, heartRate, wander: subject.wander, respiration: subject.respiration, gain: subject.gain, noise: subject.noise, phase };
  if (cls !== "irregular") {
    const rr = rrProcess(rng, heartRate, rng.range(1, 3));
    return { ...mcSharryEcg({ ...base, waves: subject.waves, rrAt: (t) => rr(t) }, rng), heartRate };
  }
  const cv = rng.range(0.15, 0.3), rrs: number[] = [];
  const rrAt = (_t: number, beat: number) => {
    while (rrs.length <= beat) rrs.push((60 / heartRate) * Math.max(0.35, 1 + cv * rng.normal()));
    return rrs[beat]!;
  };
  const waves = { ...subject.waves, a: subject.waves.a.map((a, i) => (i === 0 ? 0 : a)) };
  const ecg = mcSharryEcg({ ...base, waves, rrAt }, rng);
  // fibrillatory waves: a small sinusoid of the atria's 4–8 Hz activity
  const fAmp = rng.range(0.02, 0.05) * subject.gain, fHz = rng.range(4, 8), fPhase = rng.range(0, 2 * Math.PI);
  ecg.signal.forEach((v, k) => { ecg.signal[k] = v + fAmp * Math.sin(2 * Math.PI * fHz * (k / rate) + fPhase); });
  return { ...ecg, heartRate };
}

/** v standardised in place: (v − mean) / standard deviation. */
function standardise(v: Float32Array): Float32Array {
  let mean = 0, sq = 0;
  for (const x of v) mean += x / v.length;
  for (const x of v) sq += (x - mean) ** 2 / v.length;
  const sd = Math.sqrt(sq) || 1;
  return v.map((x) => (x - mean) / sd);
}

function ecgSequences(rng: Rng, S: number, seconds: number, rate: number, perWindow: boolean): SequenceSet {
  const T = Math.round(seconds * rate), x = new Float32Array(S * T), y = new Int32Array(S);
  let subject = drawSubject(rng);
  for (let s = 0; s < S; s++) {
    if (s > 0 && s % ECG_CLASSES.length === 0) subject = drawSubject(rng);
    const c = s % ECG_CLASSES.length;
    const v = ecgWindow(rng, subject, ECG_CLASSES[c]!, seconds, rate).signal;
    x.set(perWindow ? standardise(v) : v, s * T);
    y[s] = c;
  }
  return { x, count: S, steps: T, features: 1, y, target: "class", perStep: false, outputs: ECG_CLASSES.length };
}

/** Default 800 / 200 / 200 windows (200 / 50 / 50 subjects), 10 s at 100 Hz, seed 0. */
export function ecgRhythmDataset(options: EcgRhythmOptions = {}): Dataset {
  const where = "ecg-rhythm", info = DATASETS[where];
  const counts = partCounts(where, { ...options, count: options.count ?? 800 }, info.options);
  const seconds = optInt(where, "seconds", options.seconds, 10, 2);
  const rate = optInt(where, "rate", options.rate, 100, 50);
  if (500 % rate !== 0) throw new OptionError(`${where}: rate must divide 500 (50, 100, 125, 250 or 500 Hz), got ${rate}`);
  const mode = options.normalisation === undefined ? "window" : oneOf(where, "normalisation", options.normalisation, ["window", "none"]);
  const rng = new Rng(counts.seed);
  const part = (S: number) => ecgSequences(rng, S, seconds, rate, mode === "window");
  return {
    name: where,
    description: `${info.description}; ${seconds} s at ${rate} Hz (${seconds * rate} steps), ${mode === "window" ? "each window standardised" : "in mV"}`,
    source: info.source,
    license: info.license,
    train: part(counts.train),
    ...(counts.validation > 0 ? { validation: part(counts.validation) } : {}),
    ...(counts.test > 0 ? { test: part(counts.test) } : {}),
    classes: [...ECG_CLASSES],
  };
}
