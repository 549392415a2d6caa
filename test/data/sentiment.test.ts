// Sentiment: word tokens, a training-only vocabulary with <pad> 0 and <unk> 1, end padding with lengths.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { loadDataset } from "../../src/data/index.js";
import { sentimentDataset, type LabelledSentence } from "../../src/data/sentiment.js";
import { tokeniseWords, wordVocabulary } from "../../src/data/words.js";
import { OptionError } from "../../src/errors/index.js";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve("sentiment/package.json")), "test/fixtures", `${name}.json`), "utf8")) as { text: string; class: number | null }[];

describe("word tokeniser", () => {
  it("lower-cases, keeps inner apostrophes, drops punctuation", () =>
    assert.deepEqual(tokeniseWords("Don't buy it... 10/10, NOT!  Café’s"), ["don't", "buy", "it", "10", "10", "not", "café's"]));
  it("the vocabulary: <pad>, <unk>, then by frequency and code point", () =>
    assert.deepEqual(wordVocabulary([["b", "a", "c"], ["c", "a", "c"]]), ["<pad>", "<unk>", "c", "a", "b"]));
});

describe("sentimentDataset", () => {
  const sentences: LabelledSentence[] = [
    { text: "Great phone, great price.", label: 1, source: "amazon" },
    { text: "Awful.", label: 0, source: "amazon" },
    { text: "Great food!", label: 1, source: "yelp" },
    { text: "...", label: 0, source: "yelp" },
  ];
  it("no split: ids, end padding with 0, lengths, classes", () => {
    const d = sentimentDataset(sentences, { validation: 0, test: 0 });
    assert.deepEqual(d.vocabulary, ["<pad>", "<unk>", "great", "awful", "food", "phone", "price"]);
    assert.deepEqual([d.train.steps, d.train.features, d.train.outputs], [4, 7, 2]);
    assert.deepEqual([...d.train.x], [2, 5, 2, 6, 3, 0, 0, 0, 2, 4, 0, 0, 1, 0, 0, 0]);
    assert.deepEqual([...d.train.lengths!], [4, 1, 2, 1]);
    assert.deepEqual([...d.train.y], [1, 0, 1, 0]);
    assert.deepEqual(d.classes, ["negative", "positive"]);
  });
  it("maxLength cuts, sources filter, unknown source is listed", () => {
    const d = sentimentDataset(sentences, { validation: 0, test: 0, maxLength: 2, sources: ["amazon"] });
    assert.deepEqual([...d.train.x], [2, 4, 3, 0]);
    assert.throws(() => sentimentDataset(sentences, { sources: ["twitter" as never] }), OptionError);
  });
});

describe("sentiment (UCI sentences)", async () => {
  const d = await loadDataset("sentiment", { seed: 7 });
  const raw = ["imdb", "amazon", "yelp"].flatMap(fixture).filter((r) => r.class !== null);
  it("3 × 1000 sentences split 2400 / 300 / 300, half positive", () => {
    assert.equal(raw.length, 3000);
    assert.deepEqual([d.train.count, d.validation!.count, d.test!.count], [2400, 300, 300]);
    const positives = [d.train, d.validation!, d.test!].reduce((n, p) => n + Array.from(p.y).filter((y) => y === 1).length, 0);
    assert.equal(positives, 1500);
  });
  it("the vocabulary comes from the training split only: some test words are <unk>", () => {
    const vocab = new Set(d.vocabulary);
    const trainWords = new Set<string>();
    for (let s = 0; s < d.train.count; s++) {
      for (let t = 0; t < d.train.lengths![s]!; t++) trainWords.add(d.vocabulary![d.train.x[s * d.train.steps + t]!]!);
    }
    assert.equal(vocab.size, trainWords.size + (trainWords.has("<unk>") ? 1 : 2));
    assert.ok(d.test!.x.includes(1), "test holds unknown words");
    assert.equal(d.train.steps, Math.max(...raw.map((r) => tokeniseWords(r.text).length)));
  });
  it("the same seed gives the same split", async () => {
    const again = await loadDataset("sentiment", { seed: 7 });
    assert.deepEqual(again.test!.x, d.test!.x);
    const other = await loadDataset("sentiment", { seed: 8 });
    assert.notDeepEqual(other.test!.y, d.test!.y);
  });
});
