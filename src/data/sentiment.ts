/**
 * UCI Sentiment Labelled Sentences (Kotzias et al. 2015): 1000 sentences each from IMDB, Amazon
 * and Yelp reviews, labelled 0 (negative) or 1 (positive), 500 of each per source.
 *
 * Sentences are tokenised to lower-case words (words.ts), split train / validation / test by a
 * shuffle seeded with `seed` (each part keeps the input order), and the vocabulary is built from
 * the training part only ("<pad>" 0, "<unk>" 1). x = word ids [S, T], padded with 0 at the end to
 * the longest sentence of all parts (or cut to `maxLength`), with `lengths`; y = class [S].
 * A sentence with no word becomes one "<unk>".
 */
import { OptionError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { checkKeys, optFraction, optInt, optSeed, partSize } from "./options.js";
import { seededSplit } from "./shuffle.js";
import type { Dataset, SequenceSet } from "./types.js";
import { encodeWords, tokeniseWords, wordIndex, wordVocabulary } from "./words.js";

export const SENTIMENT_SOURCES = ["imdb", "amazon", "yelp"] as const;
export type SentimentSource = (typeof SENTIMENT_SOURCES)[number];

export interface LabelledSentence {
  readonly text: string;
  readonly label: 0 | 1;
  readonly source: SentimentSource;
}

export interface SentimentOptions {
  /** Which review sources to use (default all three). */
  sources?: readonly SentimentSource[];
  /** Cut sentences to at most this many words (default: the longest sentence). */
  maxLength?: number;
  /** Words seen fewer times in training become "<unk>" (default 1: keep all). */
  minCount?: number;
  validation?: number; // default 0.1
  test?: number;       // default 0.1
  seed?: number;
}

export function sentimentDataset(sentences: readonly LabelledSentence[], options: SentimentOptions = {}): Dataset {
  const info = DATASETS.sentiment;
  checkKeys("sentiment", options, info.options);
  const sources = options.sources ?? SENTIMENT_SOURCES;
  for (const s of sources) {
    if (!SENTIMENT_SOURCES.includes(s)) throw new OptionError(`sentiment: unknown source ${JSON.stringify(s)}; valid sources: ${SENTIMENT_SOURCES.join(", ")}`);
  }
  const chosen = sentences.filter((s) => sources.includes(s.source));
  const n = chosen.length;
  const parts = seededSplit(n, [partSize(n, optFraction("sentiment", "test", options.test, 0.1)), partSize(n, optFraction("sentiment", "validation", options.validation, 0.1))], optSeed("sentiment", options.seed));
  const [trainIdx, testIdx, validIdx] = parts as [Int32Array, Int32Array, Int32Array];
  const words = chosen.map((s) => tokeniseWords(s.text));
  const vocabulary = wordVocabulary(Array.from(trainIdx, (i) => words[i]!), optInt("sentiment", "minCount", options.minCount, 1));
  const longest = Math.max(1, ...words.map((w) => w.length));
  const T = optInt("sentiment", "maxLength", options.maxLength, longest);
  const index = wordIndex(vocabulary);
  const part = (idx: Int32Array) => padded(idx, words, chosen, index, T);
  return {
    name: "sentiment",
    description: info.description,
    source: info.source,
    license: info.license,
    train: part(trainIdx),
    ...(validIdx.length > 0 ? { validation: part(validIdx) } : {}),
    ...(testIdx.length > 0 ? { test: part(testIdx) } : {}),
    vocabulary,
    classes: ["negative", "positive"],
  };
}

function padded(idx: Int32Array, words: readonly string[][], sentences: readonly LabelledSentence[], index: ReadonlyMap<string, number>, T: number): SequenceSet {
  const S = idx.length;
  const x = new Int32Array(S * T); // [S, T], 0 = <pad>
  const y = new Int32Array(S);
  const lengths = new Int32Array(S);
  for (let s = 0; s < S; s++) {
    const i = idx[s]!;
    const ids = encodeWords(words[i]!.slice(0, T), index);
    x.set(ids.length > 0 ? ids : [1], s * T);
    lengths[s] = Math.max(1, ids.length);
    y[s] = sentences[i]!.label;
  }
  return { x, count: S, steps: T, features: index.size, lengths, y, target: "class", perStep: false, outputs: 2 };
}
