/**
 * Synthetic ECG from the dynamical model of McSharry, Clifford, Tarassenko & Smith, "A dynamical
 * model for generating synthetic electrocardiogram signals", IEEE Trans. Biomed. Eng. 50(3),
 * 289–294, 2003. Synthetic: no recording of a person is involved.
 *
 * The model: a point (x, y) on an attracting limit cycle of radius 1, and z, the ECG, pushed up or
 * down as the point's angle θ passes the angles θ_i of the P, Q, R, S and T events:
 *
 *   ẋ = α x − ω y,   ẏ = α y + ω x,   α = 1 − √(x² + y²),   θ = atan2(y, x)
 *   ż = − Σ_{i ∈ {P,Q,R,S,T}} a_i Δθ_i exp(−Δθ_i² / (2 b_i²)) − (z − z0(t)),   Δθ_i = (θ − θ_i) mod 2π in [−π, π)
 *   z0(t) = A sin(2π f_resp t)   (baseline wander from respiration)
 *   ω = 2π / RR, the angular velocity of the beat in progress (rad/s)
 *
 * The paper's Table 1 (at 60 bpm):
 *
 *   event        P       Q       R      S      T
 *   time (s)    −0.2   −0.05     0     0.05   0.3
 *   θ_i (rad)   −π/3   −π/12     0     π/12   π/2
 *   a_i          1.2    −5.0    30.0   −7.5   0.75
 *   b_i          0.25    0.1     0.1    0.1   0.4
 *
 * Heart-rate scaling (as the authors' ECGSYN program does, so that the QT interval shortens at fast
 * rates): with h = √(HR/60), b_i ← h·b_i, and θ_P ← √h·θ_P, θ_Q ← h·θ_Q, θ_S ← h·θ_S (θ_R, θ_T kept).
 * With this, the R wave's rise a_R b_R² h² / ω = a_R b_R² / (2π) no longer depends on the rate.
 *
 * Units: z is in the model's own units; the signal is v = G·z in mV with G = 2π / (a_R b_R²) ≈ 20.94,
 * so that the R wave's undamped rise is 1 mV at every rate (ECGSYN rescales each record to
 * [−0.4, 1.2] mV instead; a fixed gain keeps amplitudes comparable between records). A is given
 * in mV and enters the equation as A/G; the paper's A = 0.15 mV, f_resp = 0.25 Hz.
 *
 * RR intervals. Beat n keeps ω = 2π/RR_n from one R event (θ crossing 0) to the next, so the
 * R-to-R intervals are the RR_n (ω changes after the RK4 step in which θ crosses 0). For sinus
 * rhythm RR_n = RR(t_n), t_n the time of the R event that starts beat n, from the paper's RR
 * process: a series sampled at 1 Hz with the bimodal power spectrum
 *
 *   S(f) = σ1² / √(2π c1²) · exp(−(f − f1)² / (2 c1²)) + σ2² / √(2π c2²) · exp(−(f − f2)² / (2 c2²))
 *
 * (Mayer waves f1 = 0.1 Hz, respiratory sinus arrhythmia f2 = 0.25 Hz, c1 = c2 = 0.01 Hz, LF/HF
 * σ1²/σ2² = 0.5), made by an inverse DFT of amplitudes √S(f) with uniform random phases over
 * 256 s, then scaled to mean 60/HR s and standard deviation 60·σ_HR/HR² s (σ_HR in bpm), linearly
 * interpolated between samples. Irregular rhythms give RR_n directly (see ecg-rhythm.ts).
 *
 * Scheme: classic RK4 with step 1/500 s (ω held over the step); the first `warmup` = 3 s are
 * discarded (z relaxes with time constant 1 s); the output is the mean of each block of 500/rate
 * internal samples (rate divides 500), plus white Gaussian noise of standard deviation `noise` mV.
 */
import type { Rng } from "../util/random.js";

/** Morphology: angles θ_i (rad), a_i and widths b_i of the P, Q, R, S, T events, at 60 bpm. */
export interface EcgWaves {
  readonly theta: readonly number[];
  readonly a: readonly number[];
  readonly b: readonly number[];
}

/** The paper's Table 1. */
export const MCSHARRY_WAVES: EcgWaves = {
  theta: [-Math.PI / 3, -Math.PI / 12, 0, Math.PI / 12, Math.PI / 2],
  a: [1.2, -5.0, 30.0, -7.5, 0.75],
  b: [0.25, 0.1, 0.1, 0.1, 0.4],
};

/** mV per model unit: the R wave's undamped rise a_R b_R² / (2π) maps to 1 mV. */
export const ECG_GAIN = (2 * Math.PI) / (30 * 0.1 * 0.1);
/** Internal integration rate (Hz) and the discarded start (s). */
export const ECG_INTERNAL_RATE = 500;
export const ECG_WARMUP = 3;

export interface EcgOptions {
  /** Output samples per second; must divide 500. */
  readonly rate: number;
  readonly seconds: number;
  readonly waves: EcgWaves;
  /** Mean heart rate (bpm) used for the heart-rate scaling of θ_i and b_i. */
  readonly heartRate: number;
  /** RR interval (s) of beat `beat` (0, 1, …), which starts at time t (its R event; t from the start of the warm-up; beat 0 at t = 0). */
  readonly rrAt: (t: number, beat: number) => number;
  /** Baseline wander amplitude (mV) and respiratory frequency (Hz). */
  readonly wander: number;
  readonly respiration: number;
  /** Output gain (× ECG_GAIN) and white noise standard deviation (mV). */
  readonly gain: number;
  readonly noise: number;
  /** Start angle θ (rad). */
  readonly phase: number;
}

export interface EcgSignal {
  readonly signal: Float32Array;       // [seconds · rate] mV
  /** Times (s, from the output's start) where θ crossed 0: the R events. */
  readonly rPeaks: readonly number[];
}

/** The waves after the heart-rate scaling of θ_i and b_i. */
export function scaleWaves(w: EcgWaves, heartRate: number): EcgWaves {
  const h = Math.sqrt(heartRate / 60), h2 = Math.sqrt(h), f = [h2, h, 1, h, 1];
  return { theta: w.theta.map((t, i) => t * f[i]!), a: w.a, b: w.b.map((b) => b * h) };
}

/** Integrates the model; `rng` draws the noise (none drawn when noise is 0). */
export function mcSharryEcg(o: EcgOptions, rng: Rng): EcgSignal {
  const dt = 1 / ECG_INTERNAL_RATE, q = ECG_INTERNAL_RATE / o.rate;
  const warm = Math.round(ECG_WARMUP * ECG_INTERNAL_RATE), total = warm + Math.round(o.seconds * o.rate) * q;
  const w = scaleWaves(o.waves, o.heartRate), A = o.wander / ECG_GAIN;
  const inv2b2 = w.b.map((b) => 1 / (2 * b * b));
  const dz = (theta: number, z: number, t: number) => {
    let s = 0;
    for (let i = 0; i < 5; i++) {
      // θ in (−π, π] and |θ_i| < π: one turn added or taken wraps Δθ into [−π, π)
      let d = theta - w.theta[i]!;
      if (d < -Math.PI) d += 2 * Math.PI; else if (d >= Math.PI) d -= 2 * Math.PI;
      s += w.a[i]! * d * Math.exp(-d * d * inv2b2[i]!);
    }
    return -s - (z - A * Math.sin(2 * Math.PI * o.respiration * t));
  };
  let x = Math.cos(o.phase), y = Math.sin(o.phase), z = 0, beat = 0;
  let omega = (2 * Math.PI) / o.rrAt(0, 0);
  const out = new Float32Array(total - warm > 0 ? (total - warm) / q : 0), rPeaks: number[] = [];
  // one RK4 stage: the derivative (dx, dy, dz) of (px, py, pz) at time t, written into d
  const d = new Float64Array(12); // [4 stages, 3]
  const f = (s: number, px: number, py: number, pz: number, t: number): void => {
    const alpha = 1 - Math.sqrt(px * px + py * py);
    d[3 * s] = alpha * px - omega * py;
    d[3 * s + 1] = alpha * py + omega * px;
    d[3 * s + 2] = dz(Math.atan2(py, px), pz, t);
  };
  for (let i = 0; i < total; i++) {
    const t = i * dt, h2 = dt / 2;
    f(0, x, y, z, t);
    f(1, x + h2 * d[0]!, y + h2 * d[1]!, z + h2 * d[2]!, t + h2);
    f(2, x + h2 * d[3]!, y + h2 * d[4]!, z + h2 * d[5]!, t + h2);
    f(3, x + dt * d[6]!, y + dt * d[7]!, z + dt * d[8]!, t + dt);
    const yBefore = y;
    x += (dt / 6) * (d[0]! + 2 * d[3]! + 2 * d[6]! + d[9]!);
    y += (dt / 6) * (d[1]! + 2 * d[4]! + 2 * d[7]! + d[10]!);
    z += (dt / 6) * (d[2]! + 2 * d[5]! + 2 * d[8]! + d[11]!);
    if (yBefore < 0 && y >= 0 && x > 0) {
      // θ passed 0 (the R event): the next beat's ω; its time interpolated on y
      omega = (2 * Math.PI) / o.rrAt(t + dt, ++beat);
      if (i >= warm) rPeaks.push(t + (-yBefore / (y - yBefore)) * dt - ECG_WARMUP);
    }
    if (i >= warm) out[Math.floor((i - warm) / q)]! += (ECG_GAIN * o.gain * z) / q;
  }
  if (o.noise > 0) for (let k = 0; k < out.length; k++) out[k]! += o.noise * rng.normal();
  return { signal: out, rPeaks };
}

/** The paper's spectral parameters of the RR process. */
export const RR_SPECTRUM = { f1: 0.1, f2: 0.25, c1: 0.01, c2: 0.01, lfhf: 0.5, samples: 256 } as const;

/**
 * An RR series (s) sampled at 1 Hz with the bimodal spectrum S(f), scaled to mean 60/HR and standard
 * deviation 60·σ_HR/HR², as a function of time (linear interpolation; held past the end).
 */
export function rrProcess(rng: Rng, heartRate: number, hrStd: number, lfhf: number = RR_SPECTRUM.lfhf): (t: number) => number {
  const n = RR_SPECTRUM.samples, { f1, f2, c1, c2 } = RR_SPECTRUM;
  const s1 = lfhf, s2 = 1; // σ1² : σ2² = LF/HF; the overall scale is set below
  const amp = new Float64Array(n / 2 + 1), phase = new Float64Array(n / 2 + 1);
  for (let k = 1; k <= n / 2; k++) {
    const fk = k / n;
    const S = (s1 / Math.sqrt(2 * Math.PI * c1 * c1)) * Math.exp(-((fk - f1) ** 2) / (2 * c1 * c1)) +
      (s2 / Math.sqrt(2 * Math.PI * c2 * c2)) * Math.exp(-((fk - f2) ** 2) / (2 * c2 * c2));
    amp[k] = Math.sqrt(S);
    phase[k] = 2 * Math.PI * rng.uniform();
  }
  const raw = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let v = 0;
    for (let k = 1; k <= n / 2; k++) v += amp[k]! * Math.cos((2 * Math.PI * k * j) / n + phase[k]!);
    raw[j] = v;
  }
  let mean = 0, sq = 0;
  for (const v of raw) mean += v / n;
  for (const v of raw) sq += (v - mean) ** 2 / n;
  const sd = Math.sqrt(sq), rrMean = 60 / heartRate, rrStd = (60 * hrStd) / (heartRate * heartRate);
  const rr = raw.map((v) => rrMean + ((v - mean) / (sd || 1)) * rrStd);
  return (t: number) => {
    const j = Math.max(0, Math.min(n - 1, t)), j0 = Math.floor(j), j1 = Math.min(n - 1, j0 + 1);
    return rr[j0]! + (j - j0) * (rr[j1]! - rr[j0]!);
  };
}
