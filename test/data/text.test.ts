// Character-level text: the tokeniser round-trips, y is x shifted by one character, the validation
// part is the end of the text, and the corpora start with their known first lines.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { charTextDataset } from "../../src/data/char-text.js";
import { charVocabulary, decodeChars, encodeChars } from "../../src/data/char-vocabulary.js";
import { loadDataset } from "../../src/data/index.js";
import { ValueError } from "../../src/errors/index.js";

const meta = { name: "t", description: "", source: "", license: "" };

describe("character tokeniser", () => {
  const text = "To be, or not to be — that is the question:\nWhether 'tis nobler… 🐋";
  const vocab = charVocabulary(text);
  it("the vocabulary is the sorted set of characters (code points)", () => {
    assert.deepEqual(charVocabulary("banana\n"), ["\n", "a", "b", "n"]);
    assert.equal(vocab[vocab.length - 1], "🐋");
    assert.equal(vocab.length, new Set(text).size);
  });
  it("encode then decode gives the text back", () => {
    const ids = encodeChars(text, vocab);
    assert.equal(ids.length, Array.from(text).length);
    assert.equal(decodeChars(ids, vocab), text);
  });
  it("an unknown character names itself and its position", () =>
    assert.throws(() => encodeChars("tox", ["o", "t"]), (e: unknown) => e instanceof ValueError && /"x" at position 2/.test(e.message)));
});

describe("charTextDataset", () => {
  const text = "abcdefghijklmnopqrstuvwxyz".repeat(4); // 104 characters
  it("y is the next character of x; sequences start every stride", () => {
    const d = charTextDataset(meta, text, { steps: 8, stride: 4, validation: 0.25 });
    const v = d.vocabulary!;
    assert.equal(d.train.features, 26);
    assert.equal(d.train.perStep, true);
    // train = first 78 characters: starts 0, 4, …, 68 (68 + 8 + 1 ≤ 78)
    assert.equal(d.train.count, 18);
    assert.equal(decodeChars(d.train.x.subarray(8, 16), v), "efghijkl");
    assert.equal(decodeChars(d.train.y.subarray(8, 16), v), "fghijklm");
    // validation = last 26 characters (78..103), its first sequence starts at the boundary
    assert.equal(decodeChars(d.validation!.x.subarray(0, 8), v), text.slice(78, 86));
    assert.equal(d.validation!.count, Math.floor((26 - 9) / 4) + 1);
  });
  it("maxChars cuts the text before the vocabulary is made", () => {
    const d = charTextDataset(meta, text, { steps: 4, maxChars: 20, validation: 0 });
    assert.equal(d.vocabulary!.length, 20);
    assert.equal(d.train.count, 4); // starts 0, 4, 8, 12 (12 + 5 ≤ 20)
  });
});

describe("corpora", () => {
  it("shakespeare starts with Julius Caesar", async () => {
    const d = await loadDataset("shakespeare", { maxChars: 5000, steps: 32 });
    assert.equal(decodeChars(d.train.x.subarray(0, 32), d.vocabulary!), "[The Tragedie of Julius Caesar b");
    assert.equal(decodeChars(d.train.y.subarray(0, 32), d.vocabulary!), "The Tragedie of Julius Caesar by");
    assert.deepEqual([d.train.count, d.validation!.count], [Math.floor((4500 - 33) / 32) + 1, Math.floor((500 - 33) / 32) + 1]);
  });
  it("shakespeare decodes Caesar's Latin-1 'æ' (full text: 74 characters)", async () => {
    const d = await loadDataset("shakespeare", { steps: 256, validation: 0 });
    assert.equal(d.vocabulary!.length, 74);
    assert.ok(d.vocabulary!.includes("æ"));
  });
  it("moby-dick starts with chapter 1", async () => {
    const d = await loadDataset("moby-dick", { maxChars: 2000 });
    assert.equal(decodeChars(d.train.x.subarray(0, 64), d.vocabulary!).slice(0, 36), "CHAPTER 1. Loomings.\n\nCall me Ishmae");
    assert.equal(d.train.steps, 64);
  });
});
