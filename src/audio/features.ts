/**
 * Frame-level speech features: log-mel filterbanks and MFCCs, one frame at a time.
 *
 * Conventions (each matches librosa 0.11 when the same sizes are passed; checked by
 * scripts/audio/check_features.py):
 *   framing   frame t covers samples [t·hop − nFft/2, t·hop + nFft/2) when center (librosa's
 *             center=True, pad_mode="constant": zeros outside the signal), [t·hop, t·hop + nFft)
 *             otherwise. Frames: 1 + ⌊N / hop⌋ centred, 1 + ⌊(N − nFft) / hop⌋ not.
 *   window    periodic Hann or Hamming of winLength samples (scipy get_window(…, fftbins=True)),
 *             zero-padded to nFft in the middle as librosa does.
 *   spectrum  S_k = |X_k|^power, k = 0 … nFft/2, power 2 (power, default) or 1 (magnitude);
 *             X = the unnormalised DFT (fft.js, radix-4; nFft a power of two).
 *   mel       E_i = Σ_k W_ik S_k, W from melFilterbank (Slaney scale and Slaney norm by default).
 *   log       "db": 10 log₁₀(max(E, amin)) (librosa.power_to_db, ref = 1, top_db = None);
 *             "ln": ln(max(E, amin)) (Kaldi-style). amin defaults to 1e-10.
 *             librosa.feature.mfcc clamps at max − 80 dB over the utterance (top_db = 80); that
 *             needs the whole utterance, so it is not done here (the check script passes
 *             top_db=None).
 *   mfcc      c = DCT-II(log-mel), orthonormal, first nMfcc coefficients, no liftering.
 * Arithmetic is float64; frames come out as float32.
 *
 * Defaults are speech sizes, not librosa's music sizes (2048 / 512): winLength 25 ms, hop 10 ms,
 * nFft the next power of two ≥ winLength, 40 mel bands, 13 MFCCs.
 */
import FFT from "fft.js";
import { OptionError, checkOptions, oneOf } from "../errors/index.js";
import { dctMatrix, melFilterbank, type MelNorm, type MelScale } from "./mel.js";

export type FeatureKind = "log-mel" | "mfcc";
export type WindowName = "hann" | "hamming";

export interface FeatureOptions {
  /** Sample rate of the samples fed (Hz). Required. */
  readonly sampleRate: number;
  readonly kind?: FeatureKind;
  readonly nFft?: number;
  readonly winLength?: number;
  readonly hop?: number;
  readonly window?: WindowName;
  readonly center?: boolean;
  readonly nMels?: number;
  readonly fmin?: number;
  /** Default sampleRate / 2. */
  readonly fmax?: number;
  readonly melScale?: MelScale;
  readonly melNorm?: MelNorm;
  readonly power?: 1 | 2;
  readonly log?: "db" | "ln";
  readonly amin?: number;
  readonly nMfcc?: number;
  /** 0: static only; 1: + Δ; 2: + Δ + ΔΔ (see deltas.ts). */
  readonly deltas?: 0 | 1 | 2;
  /** Odd window of the delta filters (librosa width, default 9). */
  readonly deltaWidth?: number;
  /** "none", "utterance" (per-dimension mean 0, std 1 over the utterance) or global statistics. */
  readonly normalize?: "none" | "utterance" | { readonly mean: ArrayLike<number>; readonly std: ArrayLike<number> };
}

export const FEATURE_OPTION_KEYS = [
  "sampleRate", "kind", "nFft", "winLength", "hop", "window", "center", "nMels", "fmin", "fmax", "melScale",
  "melNorm", "power", "log", "amin", "nMfcc", "deltas", "deltaWidth", "normalize",
] as const;

export type ResolvedFeatureOptions = Required<FeatureOptions>;

const isPow2 = (n: number): boolean => Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;

function positiveInt(where: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new OptionError(`${where}: ${name}: expected a positive integer, got ${v}`);
  return v;
}

export function resolveFeatureOptions(where: string, o: FeatureOptions): ResolvedFeatureOptions {
  checkOptions(where, o, FEATURE_OPTION_KEYS);
  const sr = positiveInt(where, "sampleRate", o.sampleRate);
  const winLength = positiveInt(where, "winLength", o.winLength ?? Math.round(0.025 * sr));
  const nFft = o.nFft ?? 2 ** Math.ceil(Math.log2(Math.max(2, winLength)));
  if (!isPow2(nFft)) throw new OptionError(`${where}: nFft: expected a power of two ≥ 2 (the FFT is radix-2/4), got ${nFft}`);
  if (winLength > nFft) throw new OptionError(`${where}: winLength: expected ≤ nFft = ${nFft}, got ${winLength}`);
  const fmin = o.fmin ?? 0, fmax = o.fmax ?? sr / 2;
  if (!(fmin >= 0 && fmin < fmax && fmax <= sr / 2)) {
    throw new OptionError(`${where}: expected 0 ≤ fmin < fmax ≤ sampleRate / 2 = ${sr / 2}, got fmin ${fmin}, fmax ${fmax}`);
  }
  const power = o.power ?? 2;
  if (power !== 1 && power !== 2) throw new OptionError(`${where}: power: expected 1 (magnitude) or 2 (power), got ${String(power)}`);
  const deltas = o.deltas ?? 0;
  if (deltas !== 0 && deltas !== 1 && deltas !== 2) throw new OptionError(`${where}: deltas: expected 0, 1 or 2, got ${String(deltas)}`);
  const deltaWidth = o.deltaWidth ?? 9;
  if (!Number.isInteger(deltaWidth) || deltaWidth < 3 || deltaWidth % 2 === 0) {
    throw new OptionError(`${where}: deltaWidth: expected an odd integer ≥ 3, got ${deltaWidth}`);
  }
  const amin = o.amin ?? 1e-10;
  if (!(amin > 0)) throw new OptionError(`${where}: amin: expected a positive floor, got ${amin}`);
  const nMels = positiveInt(where, "nMels", o.nMels ?? 40);
  const nMfcc = positiveInt(where, "nMfcc", o.nMfcc ?? 13);
  if (nMfcc > nMels) throw new OptionError(`${where}: nMfcc: expected ≤ nMels = ${nMels}, got ${nMfcc}`);
  const normalize = o.normalize ?? "none";
  if (typeof normalize === "string") oneOf(where, "normalize", normalize, ["none", "utterance"] as const);
  return {
    sampleRate: sr, kind: oneOf(where, "kind", o.kind ?? "log-mel", ["log-mel", "mfcc"] as const), nFft, winLength,
    hop: positiveInt(where, "hop", o.hop ?? Math.round(0.01 * sr)), window: oneOf(where, "window", o.window ?? "hann", ["hann", "hamming"] as const),
    center: o.center ?? true, nMels, fmin, fmax, melScale: oneOf(where, "melScale", o.melScale ?? "slaney", ["slaney", "htk"] as const),
    melNorm: oneOf(where, "melNorm", o.melNorm ?? "slaney", ["slaney", "none"] as const), power,
    log: oneOf(where, "log", o.log ?? "db", ["db", "ln"] as const), amin, nMfcc, deltas, deltaWidth, normalize,
  };
}

/** Size of one static frame (before deltas). */
export function staticSize(o: ResolvedFeatureOptions): number {
  return o.kind === "mfcc" ? o.nMfcc : o.nMels;
}

/** Periodic window of winLength samples, centred in nFft (zeros around it). */
function makeWindow(o: ResolvedFeatureOptions): Float64Array {
  const w = new Float64Array(o.nFft); // [nFft]
  const L = o.winLength, off = (o.nFft - L) >> 1;
  const a0 = o.window === "hann" ? 0.5 : 0.54;
  for (let n = 0; n < L; n++) w[off + n] = a0 - (1 - a0) * Math.cos((2 * Math.PI * n) / L);
  return w;
}

/** Turns one nFft-sample frame into one static feature vector. Buffers are allocated once. */
export class FrameAnalyzer {
  readonly size: number;
  private readonly fft: FFT;
  private readonly window: Float64Array;   // [nFft]
  private readonly mel: Float64Array;      // [nMels, nFft/2 + 1]
  private readonly dct: Float64Array | null; // [nMfcc, nMels]
  private readonly input: Float64Array;    // [nFft]
  private readonly spec: number[];         // [2·nFft] interleaved complex
  private readonly power: Float64Array;    // [nFft/2 + 1]
  private readonly logMel: Float64Array;   // [nMels]

  constructor(readonly o: ResolvedFeatureOptions) {
    this.size = staticSize(o);
    this.fft = new FFT(o.nFft);
    this.window = makeWindow(o);
    this.mel = melFilterbank(o.sampleRate, o.nFft, o.nMels, o.fmin, o.fmax, o.melScale, o.melNorm);
    this.dct = o.kind === "mfcc" ? dctMatrix(o.nMfcc, o.nMels) : null;
    this.input = new Float64Array(o.nFft);
    this.spec = this.fft.createComplexArray() as number[];
    this.power = new Float64Array((o.nFft >> 1) + 1);
    this.logMel = new Float64Array(o.nMels);
  }

  /** frame: nFft samples (already padded); writes `size` values into out at offset. */
  analyze(frame: ArrayLike<number>, out: Float64Array, offset: number): void {
    const { nFft, nMels } = this.o;
    const bins = (nFft >> 1) + 1;
    let nyq = 0;
    for (let n = 0; n < nFft; n++) {
      const v = frame[n]! * this.window[n]!;
      this.input[n] = v;
      nyq += n & 1 ? -v : v;
    }
    this.fft.realTransform(this.spec, this.input);
    for (let k = 0; k < bins - 1; k++) {
      const re = this.spec[2 * k]!, im = this.spec[2 * k + 1]!;
      const p = re * re + im * im;
      this.power[k] = this.o.power === 2 ? p : Math.sqrt(p);
    }
    this.power[bins - 1] = this.o.power === 2 ? nyq * nyq : Math.abs(nyq); // X_{N/2} = Σ x_n (−1)ⁿ
    const lg = this.o.log === "db" ? (e: number) => 10 * Math.log10(e) : Math.log;
    for (let i = 0; i < nMels; i++) {
      let e = 0;
      for (let k = 0; k < bins; k++) e += this.mel[i * bins + k]! * this.power[k]!;
      this.logMel[i] = lg(Math.max(e, this.o.amin));
    }
    if (this.dct === null) {
      out.set(this.logMel, offset);
      return;
    }
    for (let k = 0; k < this.o.nMfcc; k++) {
      let c = 0;
      for (let m = 0; m < nMels; m++) c += this.dct[k * nMels + m]! * this.logMel[m]!;
      out[offset + k] = c;
    }
  }
}
