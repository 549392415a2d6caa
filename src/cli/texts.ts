/**
 * Raw text for word models (sentiment): strings tokenised the way the training data was
 * (lower-case words, see data/words.ts) and encoded with the vocabulary saved with the model.
 */
import { encodeWords, PAD, tokeniseWords, UNK, wordIndex } from "../data/words.js";

/** A word vocabulary as the word data sets build it: "<pad>" at 0, "<unk>" at 1. */
export function isWordVocabulary(v: readonly string[] | undefined): v is readonly string[] {
  return v !== undefined && v[0] === PAD && v[1] === UNK;
}

/**
 * Each string of `raw` (a JSON value) becomes the ids of its words (unknown words → "<unk>"; a text
 * with no word → one "<unk>", as in training); sequences of ids pass through unchanged.
 */
export function textsAsSequences(raw: unknown, vocabulary: readonly string[]): unknown {
  if (!Array.isArray(raw) || !raw.some((s) => typeof s === "string")) return raw;
  const index = wordIndex(vocabulary);
  return raw.map((s) => {
    if (typeof s !== "string") return s;
    const ids = Array.from(encodeWords(tokeniseWords(s), index));
    return ids.length > 0 ? ids : [1];
  });
}
