/**
 * Phonemes (phoneme recognition with CTC): 13 MFCCs every 20 ms of a short synthesised English
 * sentence → its phoneme sequence, 39 ARPAbet phonemes (the CMU dictionary's, stress-free) plus
 * the CTC blank (class 0): 40 classes. 96 espeak-ng voices (8 English accents × 12 variants)
 * each say 7 sentences of 4–7 words from our own grammar; the phonemes are the ones espeak-ng
 * speaks in that accent. scripts/speech/gen-phonemes.mjs made phonemes/features.ts, and
 * phonemes/README.md says how and under what licence.
 *
 * The split is by voice and fixed by the generator (72 / 8 / 16 voices): test voices are never
 * heard in training. x [S, T, 13] standardised MFCCs (mean 0, std 1 over the training voices),
 * padded with 0 to the longest utterance of the set, with `lengths`; y [S, L] phoneme ids (1..39)
 * padded with 0 after `labelLengths`, blank 0 (a label-sequence set, see types.ts). `limit` keeps
 * the first `limit` utterances of each split (voice after voice). Browser-safe: the features are
 * a base64 string in a TS module.
 */
import { FormatError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { checkKeys, optInt } from "./options.js";
import {
  PHONEMES_FEATURES, PHONEMES_FRAMES, PHONEMES_INDEX, PHONEMES_LABEL_COUNT, PHONEMES_LABELS, PHONEMES_VOICE,
} from "./phonemes/features.js";
import type { Dataset, SequenceSet } from "./types.js";
import { base64Bytes } from "../util/base64.js";

export interface PhonemesOptions {
  /** Utterances kept from each split (default all). */
  limit?: number;
}

export type PhonemesSplit = "train" | "validation" | "test";

/** One utterance of the shipped set. */
export interface PhonemesUtterance {
  /** "accent+variant", e.g. "en-gb-scotland+f2". */
  readonly voice: string;
  readonly split: PhonemesSplit;
  readonly sentence: string;
  /** Phoneme class ids (1..39; PHONEMES_INDEX.classes names them). */
  readonly labels: Uint8Array;
  readonly frames: number;
  /** Offset of its first frame in the int8 feature block, in frames. */
  readonly start: number;
}

const F = PHONEMES_INDEX.features.size;


let cache: { utterances: PhonemesUtterance[]; q: Int8Array } | undefined;

/** The shipped utterances in file order (voice-major) and their int8 frames [Σ frames, 13]. */
export function phonemesUtterances(): { utterances: readonly PhonemesUtterance[]; q: Int8Array } {
  if (cache) return cache;
  const voice = base64Bytes(PHONEMES_VOICE), frames = base64Bytes(PHONEMES_FRAMES), counts = base64Bytes(PHONEMES_LABEL_COUNT), labels = base64Bytes(PHONEMES_LABELS);
  const raw = base64Bytes(PHONEMES_FEATURES);
  const q = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const { voices, split, count, sentences } = PHONEMES_INDEX;
  const utterances: PhonemesUtterance[] = [];
  let start = 0, at = 0;
  for (let i = 0; i < count; i++) {
    utterances.push({
      voice: voices[voice[i]!]!, split: split[voice[i]!] as PhonemesSplit, sentence: sentences[i]!,
      labels: labels.subarray(at, at + counts[i]!), frames: frames[i]!, start,
    });
    start += frames[i]!;
    at += counts[i]!;
  }
  if (start * F !== q.length || at !== labels.length) {
    throw new FormatError(`phonemes: the index counts ${start} frames of ${F} and ${at} phonemes, the blocks hold ${q.length} values and ${labels.length} phonemes (regenerate with scripts/speech/gen-phonemes.mjs)`);
  }
  cache = { utterances, q };
  return cache;
}

export function phonemesDataset(options: PhonemesOptions = {}): Dataset {
  const info = DATASETS.phonemes;
  checkKeys("phonemes", options, info.options);
  const limit = optInt("phonemes", "limit", options.limit, Infinity);
  const { utterances, q } = phonemesUtterances();
  const part = (split: PhonemesSplit) => sequences(utterances.filter((u) => u.split === split).slice(0, limit), q);
  return {
    name: "phonemes",
    description: info.description,
    source: info.source,
    license: info.license,
    train: part("train"),
    validation: part("validation"),
    test: part("test"),
    classes: [...PHONEMES_INDEX.classes],
  };
}

/** x [S, T, F] dequantised (q / scale), zero-padded; lengths [S]; y [S, L] labels, zero-padded; labelLengths [S]. */
function sequences(chosen: readonly PhonemesUtterance[], q: Int8Array): SequenceSet {
  const S = chosen.length, inv = 1 / PHONEMES_INDEX.scale;
  const T = Math.max(1, ...chosen.map((u) => u.frames)), L = Math.max(1, ...chosen.map((u) => u.labels.length));
  const x = new Float32Array(S * T * F), y = new Int32Array(S * L);
  chosen.forEach((u, s) => {
    for (let i = 0; i < u.frames * F; i++) x[s * T * F + i] = q[u.start * F + i]! * inv;
    y.set(u.labels, s * L);
  });
  return {
    x, count: S, steps: T, features: F, lengths: Int32Array.from(chosen, (u) => u.frames), y, target: "class", perStep: true,
    outputs: PHONEMES_INDEX.classes.length, labelLengths: Int32Array.from(chosen, (u) => u.labels.length), blank: 0,
  };
}
