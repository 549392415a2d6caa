/**
 * Word-level tokenising: lower-case words (letters and digits, with inner apostrophes kept:
 * "don't", "it's"); punctuation is dropped. The vocabulary puts "<pad>" at id 0 and "<unk>" at id 1,
 * then the words of the training texts seen at least `minCount` times, most frequent first (ties
 * in code-point order).
 */
export const PAD = "<pad>";
export const UNK = "<unk>";

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

export function tokeniseWords(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).map((w) => w.replace(/’/g, "'"));
}

export function wordVocabulary(texts: readonly (readonly string[])[], minCount = 1): string[] {
  const counts = new Map<string, number>();
  for (const words of texts) for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const kept = [...counts].filter(([, c]) => c >= minCount);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return [PAD, UNK, ...kept.map(([w]) => w)];
}

/** word → id, for encodeWords. */
export function wordIndex(vocabulary: readonly string[]): ReadonlyMap<string, number> {
  return new Map(vocabulary.map((w, i) => [w, i]));
}

/** Ids of the words (unknown words → the "<unk>" id 1). */
export function encodeWords(words: readonly string[], index: ReadonlyMap<string, number>): Int32Array {
  return Int32Array.from(words, (w) => index.get(w) ?? 1);
}
