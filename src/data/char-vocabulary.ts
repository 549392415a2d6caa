/**
 * Character-level tokenising: the vocabulary is the sorted set of characters (Unicode code points,
 * in code-point order) of a text; a token id is a character's index in it.
 */
import { ValueError } from "../errors/index.js";

/** The distinct characters of `text`, sorted by code point. */
export function charVocabulary(text: string): string[] {
  return [...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

/** Token ids of each character of `text` (one per code point). */
export function encodeChars(text: string, vocabulary: readonly string[]): Int32Array {
  const index = new Map(vocabulary.map((c, i) => [c, i]));
  const chars = Array.from(text);
  const ids = new Int32Array(chars.length);
  chars.forEach((c, i) => {
    const id = index.get(c);
    if (id === undefined) throw new ValueError(`encodeChars: character ${JSON.stringify(c)} at position ${i} is not in the vocabulary of ${vocabulary.length}`);
    ids[i] = id;
  });
  return ids;
}

/** The text of token ids. */
export function decodeChars(ids: ArrayLike<number>, vocabulary: readonly string[]): string {
  let out = "";
  for (let i = 0; i < ids.length; i++) {
    const c = vocabulary[ids[i]!];
    if (c === undefined) throw new ValueError(`decodeChars: id ${ids[i]} at position ${i} is outside the vocabulary 0..${vocabulary.length - 1}`);
    out += c;
  }
  return out;
}
