/**
 * Spoken digits (keyword spotting): 13 MFCCs every 10 ms of one spoken word → its class. 16 classes:
 * "zero".."nine", "yes", "no", "stop", "go", "unknown" (another word) and "silence" (noise only).
 * Synthesised by espeak-ng (8 English accents × 24 voice variants = 192 voices, each saying every
 * class once, with random speed, pitch, tempo, gain and noise) and turned into features by gated's
 * own front end; scripts/speech/gen-spoken-digits.mjs made spoken-digits/features.ts, and
 * spoken-digits/README.md says how and under what licence.
 *
 * The split is by voice and fixed by the generator: test voices are never heard in training.
 * x [S, T, 13] standardised MFCCs (mean 0, std 1 over the training voices), padded with 0 at the
 * end to the longest utterance of the set, with `lengths`; y [S] class ids. `words: "digits"` keeps
 * the ten digits; `limit` keeps the first `limit` utterances of each split (voice after voice, so
 * every class stays represented). `deltas: 1 | 2` appends Δ (and ΔΔ) of each utterance's
 * standardised MFCCs, computed at load time by the front end's formulas (audio/deltas.ts, width 9):
 * x [S, T, 13 · (1 + deltas)].
 * The data set carries its audio front end (`audio`: feature settings, training mean/std, the int8
 * quantisation and the deltas), which a model trained on it saves, so that raw audio can be
 * featurised exactly as this data was (audio/front-end.ts, spotKeywords).
 * Browser-safe: the features are a base64 string in a TS module.
 */
import { withDeltas, type DeltaOrder } from "../audio/deltas.js";
import { audioFeatureSettings, type AudioFrontEnd } from "../audio/front-end.js";
import { FormatError, OptionError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { checkKeys, optInt } from "./options.js";
import {
  SPOKEN_DIGITS_FEATURES, SPOKEN_DIGITS_FRAMES, SPOKEN_DIGITS_INDEX, SPOKEN_DIGITS_LABEL, SPOKEN_DIGITS_VOICE,
} from "./spoken-digits/features.js";
import type { Dataset, SequenceSet } from "./types.js";
import { base64Bytes } from "../util/base64.js";

export interface SpokenDigitsOptions {
  /** "all" (default): 16 classes; "digits": the ten digits only. */
  words?: "all" | "digits";
  /** Utterances kept from each split (default all). */
  limit?: number;
  /** 0 (default): the 13 MFCCs; 1: + Δ; 2: + Δ + ΔΔ (computed at load time). */
  deltas?: DeltaOrder;
}

export type SpokenDigitsSplit = "train" | "validation" | "test";

/** One utterance of the shipped set, with the voice ("accent+variant") that spoke it. */
export interface SpokenDigitsUtterance {
  readonly voice: string;
  readonly split: SpokenDigitsSplit;
  readonly label: number;
  readonly frames: number;
  /** Offset of its first frame in the int8 feature block, in frames. */
  readonly start: number;
}

const F = SPOKEN_DIGITS_INDEX.features.size;


let cache: { utterances: SpokenDigitsUtterance[]; q: Int8Array } | undefined;

/** The shipped utterances in file order (voice-major) and their int8 frames [Σ frames, 13]. */
export function spokenDigitsUtterances(): { utterances: readonly SpokenDigitsUtterance[]; q: Int8Array } {
  if (cache) return cache;
  const voice = base64Bytes(SPOKEN_DIGITS_VOICE), label = base64Bytes(SPOKEN_DIGITS_LABEL), frames = base64Bytes(SPOKEN_DIGITS_FRAMES);
  const raw = base64Bytes(SPOKEN_DIGITS_FEATURES);
  const q = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const { voices, split, count } = SPOKEN_DIGITS_INDEX;
  const utterances: SpokenDigitsUtterance[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    utterances.push({ voice: voices[voice[i]!]!, split: split[voice[i]!] as SpokenDigitsSplit, label: label[i]!, frames: frames[i]!, start });
    start += frames[i]!;
  }
  if (start * F !== q.length) throw new FormatError(`spoken-digits: the index counts ${start} frames of ${F}, the feature block holds ${q.length} values (regenerate with scripts/speech/gen-spoken-digits.mjs)`);
  cache = { utterances, q };
  return cache;
}

export function spokenDigitsDataset(options: SpokenDigitsOptions = {}): Dataset {
  const info = DATASETS["spoken-digits"];
  checkKeys("spoken-digits", options, info.options);
  const words = options.words ?? "all";
  if (words !== "all" && words !== "digits") throw new OptionError(`spoken-digits: words must be "all" or "digits", got ${JSON.stringify(words)}`);
  const limit = optInt("spoken-digits", "limit", options.limit, Infinity);
  const deltas = options.deltas ?? 0;
  if (deltas !== 0 && deltas !== 1 && deltas !== 2) throw new OptionError(`spoken-digits: deltas must be 0, 1 or 2, got ${JSON.stringify(options.deltas)}`);
  const classes = words === "digits" ? SPOKEN_DIGITS_INDEX.classes.slice(0, 10) : [...SPOKEN_DIGITS_INDEX.classes];
  const { utterances, q } = spokenDigitsUtterances();
  const kept = utterances.filter((u) => u.label < classes.length);
  const T = Math.max(...kept.map((u) => u.frames));
  const part = (split: SpokenDigitsSplit) => sequences(kept.filter((u) => u.split === split).slice(0, limit), q, T, classes.length, deltas);
  return {
    name: "spoken-digits",
    description: info.description,
    source: info.source,
    license: info.license,
    train: part("train"),
    validation: part("validation"),
    test: part("test"),
    classes,
    audio: spokenDigitsFrontEnd(deltas),
  };
}

/** Width of the delta windows (librosa's default, the front end's default). */
const DELTA_WIDTH = 9;

/** The front end that turns raw audio into this data set's frames (with `deltas`). */
export function spokenDigitsFrontEnd(deltas: DeltaOrder = 0): AudioFrontEnd {
  const { sampleRate, kind, nMfcc, nMels, winLength, hop, nFft } = SPOKEN_DIGITS_INDEX.features;
  return {
    features: audioFeatureSettings("spoken-digits", { sampleRate, kind, nMfcc, nMels, winLength, hop, nFft }),
    mean: [...SPOKEN_DIGITS_INDEX.mean], std: [...SPOKEN_DIGITS_INDEX.std],
    quantise: { scale: SPOKEN_DIGITS_INDEX.scale, limit: 127 },
    deltas, deltaWidth: DELTA_WIDTH,
  };
}

/** x [S, T, W] dequantised (q / scale) with their deltas (W = 13 · (1 + deltas)), zero-padded at the end; lengths [S]; y [S]. */
function sequences(chosen: readonly SpokenDigitsUtterance[], q: Int8Array, T: number, outputs: number, deltas: DeltaOrder): SequenceSet {
  const S = chosen.length, inv = 1 / SPOKEN_DIGITS_INDEX.scale, W = F * (1 + deltas);
  const x = new Float32Array(S * T * W);
  const y = new Int32Array(S);
  const lengths = new Int32Array(S);
  const frames = new Float32Array(T * F); // [frames, 13] of one utterance
  chosen.forEach((u, s) => {
    for (let i = 0; i < u.frames * F; i++) frames[i] = q[u.start * F + i]! * inv;
    x.set(deltas === 0 ? frames.subarray(0, u.frames * F) : withDeltas(frames, u.frames, F, deltas, DELTA_WIDTH), s * T * W);
    y[s] = u.label;
    lengths[s] = u.frames;
  });
  return { x, count: S, steps: T, features: W, lengths, y, target: "class", perStep: false, outputs };
}
