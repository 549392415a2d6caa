/**
 * Raw text as token ids, tokenised the way the training data was, with the vocabulary saved in the
 * model: a word vocabulary ("<pad>" at 0, "<unk>" at 1, see data/words.ts) reads lower-case words,
 * unknown words → "<unk>", a text with no word → one "<unk>" (as in training); any other vocabulary
 * is a character vocabulary (data/char-vocabulary.ts): one id per code point, an unknown character
 * refused. Browser-safe; `model.classify` and the CLI's `predict --text` both use it.
 */
import { encodeChars } from "../data/char-vocabulary.js";
import { encodeWords, PAD, tokeniseWords, UNK, wordIndex } from "../data/words.js";
import { GatedError, ValueError, show } from "../errors/index.js";

/** A word vocabulary as the word data sets build it: "<pad>" at 0, "<unk>" at 1. */
export function isWordVocabulary(v: readonly string[] | undefined): v is readonly string[] {
  return v !== undefined && v[0] === PAD && v[1] === UNK;
}

/**
 * The ids of each text. `where` starts the messages: `classify: text 2: the character "é" ...`.
 * Throws a ValueError for a non-string or, with a character vocabulary, an unknown character.
 */
export function encodeTexts(texts: readonly unknown[], vocabulary: readonly string[], where = "encodeTexts"): Int32Array[] {
  const words = isWordVocabulary(vocabulary);
  const index = words ? wordIndex(vocabulary) : null;
  return texts.map((s, i) => {
    if (typeof s !== "string") throw new ValueError(`${where}: text ${i}: expected a string, got ${show(s)}`);
    if (index) {
      const ids = encodeWords(tokeniseWords(s), index);
      return ids.length > 0 ? ids : Int32Array.of(1);
    }
    try {
      return encodeChars(s, vocabulary);
    } catch (e) {
      if (e instanceof GatedError) throw new ValueError(`${where}: text ${i}: ${e.message.replace(/^encodeChars: /, "")}`);
      throw e;
    }
  });
}
