/**
 * Raw text for word models (sentiment) in `gated predict`: the strings of a JSON input become ids
 * through the library's tokenisation (model/texts.ts), the one `model.classify` uses.
 */
import { encodeTexts, isWordVocabulary } from "../model/texts.js";

export { isWordVocabulary };

/**
 * Each string of `raw` (a JSON value) becomes the ids of its words (unknown words → "<unk>"; a text
 * with no word → one "<unk>", as in training); sequences of ids pass through unchanged.
 */
export function textsAsSequences(raw: unknown, vocabulary: readonly string[]): unknown {
  if (!Array.isArray(raw) || !raw.some((s) => typeof s === "string")) return raw;
  return raw.map((s) => (typeof s === "string" ? Array.from(encodeTexts([s], vocabulary)[0]!) : s));
}
