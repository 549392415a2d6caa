/**
 * The audio front end a model was trained with, saved in its file (spec.data.audio) so that raw
 * audio is featurised exactly as its training data was. Applied to each frame, in this order:
 *   1. static features s [S] of the samples resampled to features.sampleRate (FeatureStream with
 *      these settings, no deltas, no normalisation);
 *   2. standardise   z_f = (s_f − mean_f) / std_f                  (the training set's statistics)
 *   3. quantise (optional, when the training data was stored quantised)
 *                    z_f ← clamp(round(z_f · scale), −limit, limit) / scale
 *   4. deltas of the standardised frames of the utterance (deltas.ts), [z | Δz | ΔΔz].
 * Model input width F = (1 + deltas) · S.
 */
import { OptionError, ShapeError } from "../errors/index.js";
import { deltaHalfWidth, type DeltaOrder } from "./deltas.js";
import { resolveFeatureOptions, staticSize, type FeatureOptions, type ResolvedFeatureOptions } from "./features.js";

/** Every front-end setting except normalisation and deltas (they are steps 2–4 above). */
export type AudioFeatureSettings = Omit<ResolvedFeatureOptions, "normalize" | "deltas" | "deltaWidth">;

export interface AudioFrontEnd {
  readonly features: AudioFeatureSettings;
  /** Per static feature [S]: mean and std of the training data. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** The training data's int8-style quantisation of standardised values, if any. */
  readonly quantise?: { readonly scale: number; readonly limit: number };
  readonly deltas: DeltaOrder;
  readonly deltaWidth: number;
}

export const AUDIO_FEATURE_KEYS = [
  "sampleRate", "kind", "nFft", "winLength", "hop", "window", "center", "nMels", "fmin", "fmax", "melScale",
  "melNorm", "power", "log", "amin", "nMfcc",
] as const;

/** The settings of `o` with every default filled in (so a later change of a default cannot change a saved model). */
export function audioFeatureSettings(where: string, o: FeatureOptions): AudioFeatureSettings {
  const { normalize: _n, deltas: _d, deltaWidth: _w, ...rest } = resolveFeatureOptions(where, { ...o, normalize: "none", deltas: 0 });
  return rest;
}

/** Checks a front end (sizes agree, settings valid); returns its static size S. */
export function checkAudioFrontEnd(where: string, a: AudioFrontEnd): number {
  const r = resolveFeatureOptions(`${where}: features`, { ...a.features });
  for (const k of AUDIO_FEATURE_KEYS) {
    if (!(k in a.features)) throw new OptionError(`${where}: features: expected every front-end setting (${AUDIO_FEATURE_KEYS.join(", ")}); ${k} is missing`);
  }
  const S = staticSize(r);
  if (a.mean.length !== S || a.std.length !== S) {
    throw new ShapeError(`${where}: expected mean and std of the ${S} static features, got ${a.mean.length} and ${a.std.length}`);
  }
  if (a.std.some((s) => !(s > 0))) throw new OptionError(`${where}: std: expected positive values, got ${JSON.stringify(a.std)}`);
  if (a.quantise && !(a.quantise.scale > 0 && Number.isInteger(a.quantise.limit) && a.quantise.limit >= 1)) {
    throw new OptionError(`${where}: quantise: expected a positive scale and an integer limit ≥ 1, got ${JSON.stringify(a.quantise)}`);
  }
  deltaHalfWidth(where, a.deltas, a.deltaWidth);
  return S;
}

/** Input width of a model fed by this front end: (1 + deltas) · S. */
export function frontEndWidth(a: AudioFrontEnd): number {
  return (1 + a.deltas) * (a.features.kind === "mfcc" ? a.features.nMfcc : a.features.nMels);
}

/** Steps 2 and 3 on one static frame, in place (s [S] from `at`). */
export function standardiseFrame(a: AudioFrontEnd, s: Float32Array | Float64Array, at: number): void {
  const q = a.quantise;
  for (let f = 0; f < a.mean.length; f++) {
    let z = (s[at + f]! - a.mean[f]!) / a.std[f]!;
    if (q) z = Math.max(-q.limit, Math.min(q.limit, Math.round(z * q.scale))) / q.scale;
    s[at + f] = z;
  }
}
