/**
 * Sentiment in the page: the UCI labelled sentences (Kotzias et al. 2015; 1000 each from IMDB,
 * Amazon and Yelp reviews) that `npm run playground:build` copies from the sentiment package's test
 * fixtures to dist/data/sentiment.json when that package is installed. gated's own sentiment loader
 * reads them with Node, so this file builds the same kind of Dataset in the browser: lower-case
 * words (gated's tokeniseWords), a vocabulary from the training part ("<pad>" 0, "<unk>" 1, then by
 * frequency), word ids padded at the end with lengths, a seeded split 80 / 10 / 10.
 */
import { Rng, type Dataset, type SequenceSet } from "../../src/index.js";
import { tokeniseWords } from "../../src/data/browser.js";

export interface Sentence { readonly text: string; readonly label: 0 | 1 }

/** The sentences, or a message saying why they are not there. */
export async function fetchSentences(url: URL): Promise<Sentence[] | string> {
  try {
    const r = await fetch(url);
    if (!r.ok) return `the sentiment sentences are not in this build (${url.pathname} answered ${r.status}); install the "sentiment" package and run npm run playground:build`;
    return (await r.json()) as Sentence[];
  } catch (e) {
    return `the sentiment sentences could not be loaded: ${(e as Error).message}`;
  }
}

function vocabularyOf(texts: readonly (readonly string[])[]): string[] {
  const counts = new Map<string, number>();
  for (const words of texts) for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const kept = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return ["<pad>", "<unk>", ...kept.map(([w]) => w)];
}

function part(rows: readonly number[], words: readonly string[][], labels: readonly number[], index: ReadonlyMap<string, number>, T: number): SequenceSet {
  const S = rows.length, x = new Int32Array(S * T), y = new Int32Array(S), lengths = new Int32Array(S);
  rows.forEach((r, s) => {
    const w = words[r]!.length > 0 ? words[r]!.slice(0, T) : ["<unk>"];
    w.forEach((word, t) => { x[s * T + t] = index.get(word) ?? 1; });
    lengths[s] = w.length;
    y[s] = labels[r]!;
  });
  return { x, y, lengths, count: S, steps: T, features: index.size, target: "class", perStep: false, outputs: 2 };
}

/** A Dataset of the sentences: sentences cut to `maxLength` words. */
export function sentimentData(sentences: readonly Sentence[], maxLength: number, seed: number): Dataset {
  const order = Array.from(sentences.keys());
  const rng = new Rng(seed);
  for (let i = order.length - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
  const nTest = Math.round(order.length * 0.1), nVal = nTest;
  const test = order.slice(0, nTest).sort((a, b) => a - b), validation = order.slice(nTest, nTest + nVal).sort((a, b) => a - b);
  const train = order.slice(nTest + nVal).sort((a, b) => a - b);
  const words = sentences.map((s) => tokeniseWords(s.text));
  const vocabulary = vocabularyOf(train.map((i) => words[i]!));
  const index = new Map(vocabulary.map((w, i) => [w, i]));
  const labels = sentences.map((s) => s.label);
  return {
    name: "sentiment", description: "UCI sentiment labelled sentences (IMDB, Amazon, Yelp): negative or positive",
    source: "Kotzias et al. 2015, via the sentiment package's test fixtures", license: "see the UCI repository",
    train: part(train, words, labels, index, maxLength), validation: part(validation, words, labels, index, maxLength),
    test: part(test, words, labels, index, maxLength), vocabulary, classes: ["negative", "positive"],
  };
}
