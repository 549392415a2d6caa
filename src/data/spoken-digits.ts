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
 * every class stays represented). Browser-safe: the features are a base64 string in a TS module.
 */
import { FormatError, OptionError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { checkKeys, optInt } from "./options.js";
import {
  SPOKEN_DIGITS_FEATURES, SPOKEN_DIGITS_FRAMES, SPOKEN_DIGITS_INDEX, SPOKEN_DIGITS_LABEL, SPOKEN_DIGITS_VOICE,
} from "./spoken-digits/features.js";
import type { Dataset, SequenceSet } from "./types.js";

export interface SpokenDigitsOptions {
  /** "all" (default): 16 classes; "digits": the ten digits only. */
  words?: "all" | "digits";
  /** Utterances kept from each split (default all). */
  limit?: number;
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

function bytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

let cache: { utterances: SpokenDigitsUtterance[]; q: Int8Array } | undefined;

/** The shipped utterances in file order (voice-major) and their int8 frames [Σ frames, 13]. */
export function spokenDigitsUtterances(): { utterances: readonly SpokenDigitsUtterance[]; q: Int8Array } {
  if (cache) return cache;
  const voice = bytes(SPOKEN_DIGITS_VOICE), label = bytes(SPOKEN_DIGITS_LABEL), frames = bytes(SPOKEN_DIGITS_FRAMES);
  const raw = bytes(SPOKEN_DIGITS_FEATURES);
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
  const classes = words === "digits" ? SPOKEN_DIGITS_INDEX.classes.slice(0, 10) : [...SPOKEN_DIGITS_INDEX.classes];
  const { utterances, q } = spokenDigitsUtterances();
  const kept = utterances.filter((u) => u.label < classes.length);
  const T = Math.max(...kept.map((u) => u.frames));
  const part = (split: SpokenDigitsSplit) => sequences(kept.filter((u) => u.split === split).slice(0, limit), q, T, classes.length);
  return {
    name: "spoken-digits",
    description: info.description,
    source: info.source,
    license: info.license,
    train: part("train"),
    validation: part("validation"),
    test: part("test"),
    classes,
  };
}

/** x [S, T, F] dequantised (q / scale), zero-padded at the end; lengths [S]; y [S]. */
function sequences(chosen: readonly SpokenDigitsUtterance[], q: Int8Array, T: number, outputs: number): SequenceSet {
  const S = chosen.length, inv = 1 / SPOKEN_DIGITS_INDEX.scale;
  const x = new Float32Array(S * T * F);
  const y = new Int32Array(S);
  const lengths = new Int32Array(S);
  chosen.forEach((u, s) => {
    for (let i = 0; i < u.frames * F; i++) x[s * T * F + i] = q[u.start * F + i]! * inv;
    y[s] = u.label;
    lengths[s] = u.frames;
  });
  return { x, count: S, steps: T, features: F, lengths, y, target: "class", perStep: false, outputs };
}
