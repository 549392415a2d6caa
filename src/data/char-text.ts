/**
 * A character-level language-model Dataset from a text: x = token ids [S, T], y = the next
 * character's ids [S, T] (y[s, t] = x[s, t+1] within the text), per-step class targets.
 *
 * The text (cut to `maxChars` characters) is split by position: the last `validation` fraction is
 * validation, the rest train; no sequence crosses the boundary, so no target leaks. In each part,
 * sequence k starts at character k·stride and needs T + 1 characters (inputs and the next one).
 * The vocabulary is the sorted set of characters of the whole (cut) text, so every id is known.
 */
import { ValueError } from "../errors/index.js";
import { charVocabulary, encodeChars } from "./char-vocabulary.js";
import { checkKeys, optFraction, optInt, partSize } from "./options.js";
import type { Dataset, SequenceSet } from "./types.js";

export interface TextOptions {
  /** Steps per sequence T (default 64). */
  steps?: number;
  /** Characters between sequence starts (default T: no overlap). */
  stride?: number;
  /** Use only the first maxChars characters of the text (default: all). */
  maxChars?: number;
  /** Fraction of the text, at its end, for validation (default 0.1). */
  validation?: number;
}

export interface TextSource {
  readonly name: string;
  readonly description: string;
  readonly source: string;
  readonly license: string;
}

const KEYS = ["steps", "stride", "maxChars", "validation"];

export function charTextDataset(meta: TextSource, text: string, options: TextOptions = {}): Dataset {
  const where = meta.name;
  checkKeys(where, options, KEYS);
  const T = optInt(where, "steps", options.steps, 64);
  const stride = optInt(where, "stride", options.stride, T);
  const maxChars = optInt(where, "maxChars", options.maxChars, Infinity);
  const validation = optFraction(where, "validation", options.validation, 0.1);
  // the first maxChars code points lie within the first 2·maxChars UTF-16 units
  const body = Number.isFinite(maxChars) ? Array.from(text.slice(0, 2 * maxChars)).slice(0, maxChars).join("") : text;
  const vocabulary = charVocabulary(body);
  const ids = encodeChars(body, vocabulary);
  const nTrain = ids.length - partSize(ids.length, validation);
  const train = sequences(ids.subarray(0, nTrain), T, stride, vocabulary.length);
  if (train.count === 0) {
    throw new ValueError(`${where}: ${nTrain} training characters make no sequence of ${T} + 1 characters (hint: more maxChars or fewer steps)`);
  }
  const valid = sequences(ids.subarray(nTrain), T, stride, vocabulary.length);
  return {
    ...meta,
    train,
    ...(valid.count > 0 ? { validation: valid } : {}),
    vocabulary,
    classes: vocabulary,
  };
}

/** Sequences starting at 0, stride, 2·stride, … that fit with their next character. */
function sequences(ids: Int32Array, T: number, stride: number, V: number): SequenceSet {
  const S = ids.length > T ? Math.floor((ids.length - T - 1) / stride) + 1 : 0;
  const x = new Int32Array(S * T); // [S, T]
  const y = new Int32Array(S * T); // [S, T]
  for (let s = 0; s < S; s++) {
    x.set(ids.subarray(s * stride, s * stride + T), s * T);
    y.set(ids.subarray(s * stride + 1, s * stride + T + 1), s * T);
  }
  return { x, count: S, steps: T, features: V, y, target: "class", perStep: true, outputs: V };
}
