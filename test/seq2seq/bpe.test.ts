// BPE (seq2seq/bpe.ts) and a side's tokens (seq2seq/tokens.ts): merges checked by hand, the tie
// rule, exact round trips, and tokens saved with a model file decoding identically after loading.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadDates } from "../../src/data/dates.js";
import { FormatError, OptionError } from "../../src/errors/index.js";
import { BpeCodec, learnBpe } from "../../src/seq2seq/bpe.js";
import { greedyDecode } from "../../src/seq2seq/decode.js";
import { decodeSeq2seq, encodeSeq2seq, sideTokensOf } from "../../src/seq2seq/file.js";
import { Seq2seq } from "../../src/seq2seq/model.js";
import { parseTokenSpec, trainTokens } from "../../src/seq2seq/tokens.js";
import { Rng } from "../../src/util/random.js";

const chars = (words: string[]) => words.map((w) => [...w]);

/** The file with its seq2seq configuration edited (the safetensors header rebuilt around it). */
function rewriteConfig(bytes: Uint8Array, edit: (c: Record<string, any>) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const c = JSON.parse(header.__metadata__.seq2seq);
  edit(c);
  header.__metadata__.seq2seq = JSON.stringify(c);
  const h = new TextEncoder().encode(JSON.stringify(header)), out = new Uint8Array(8 + h.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(bytes.subarray(8 + n), 8 + h.length);
  return out;
}

describe("learnBpe", () => {
  it("learns the merges worked out by hand, with the tie rule", () => {
    // symbols a b c d = 0 1 2 3. Pair counts: ab 2, bc 4, cd 2 → merge (b, c) = 4 "bc".
    // Then a·bc 2 and bc·d 2 tie: the lower left id wins, (0, 4) = 5 "abc"; then (4, 3) = 6 "bcd".
    const corpus = chars(["abc", "abc", "bcd", "bcd"]);
    assert.deepEqual(learnBpe(corpus, 7), { symbols: ["a", "b", "c", "d"], merges: [[1, 2], [0, 4], [4, 3]] });
    assert.deepEqual(learnBpe(corpus, 6).merges, [[1, 2], [0, 4]]);
    assert.deepEqual(learnBpe(corpus, 4).merges, []);
    // no pair occurs twice once every segment is one piece: the size is not reached
    assert.deepEqual(learnBpe(corpus, 50).merges, [[1, 2], [0, 4], [4, 3]]);
    assert.throws(() => learnBpe(corpus, 3), (e: unknown) => e instanceof OptionError && /below the 4 distinct base symbols/.test(e.message));
  });

  it("equal counts: the lower left id, then the lower right id", () => {
    // ba 2, ab 2 (in "abab" and "ba ba"), ca 2: ab = (0, 1) is the lowest of (0, 1), (1, 0), (2, 0)
    const t = learnBpe(chars(["ab", "ab", "ba", "ba", "ca", "ca"]), 4);
    assert.deepEqual(t.merges, [[0, 1]]);
    // a different order of the same segments learns the same table
    assert.deepEqual(learnBpe(chars(["ca", "ba", "ab", "ca", "ab", "ba"]), 6), learnBpe(chars(["ab", "ab", "ba", "ba", "ca", "ca"]), 6));
  });

  it("encodes with the merges in training order and expands back exactly", () => {
    const codec = new BpeCodec(learnBpe(chars(["abc", "abc", "bcd", "bcd"]), 7));
    // abcd: (b, c) first → a bc d; then (a, bc) is merge 1, (bc, d) merge 2: the earlier wins → abc d
    assert.deepEqual(codec.encode([..."abcd"]), [5, 3]);
    assert.deepEqual(codec.encode([..."bcbcd"]), [4, 6]);
    assert.deepEqual(codec.encode([..."axb"]), [0, -1, 1]);
    assert.deepEqual(codec.expand(6), ["b", "c", "d"]);
    assert.deepEqual(codec.decode([5, 3]), [..."abcd"]);
  });

  it("round trip on dates text and random strings of its characters", () => {
    const d = loadDates({ count: 400, validationCount: 0, testCount: 100 });
    const tok = trainTokens({ kind: "bpe", size: 150 }, "text", ["<pad>", "<unk>"], d.train.map((p) => p.text), "test");
    assert.equal(tok.vocabulary.length, 150);
    assert.ok(tok.config.merges.length > 50, `${tok.config.merges.length} merges`);
    const known = new Set(tok.codec.table.symbols), rng = new Rng(3), alphabet = [...known];
    const texts = [...d.test.map((p) => p.text).filter((t) => [...t].every((c) => known.has(c))),
      ...Array.from({ length: 200 }, () => Array.from({ length: 1 + rng.int(20) }, () => alphabet[rng.int(alphabet.length)]!).join(""))];
    for (const t of texts) assert.equal(tok.decode(tok.encode(t)), t);
    // pieces shorten the sequences: fewer ids than characters on the training texts
    const ids = d.train.reduce((n, p) => n + tok.encode(p.text).length, 0), cs = d.train.reduce((n, p) => n + [...p.text].length, 0);
    assert.ok(ids < 0.6 * cs, `${ids} ids for ${cs} characters`);
    // segments: a space joins the word after it
    assert.deepEqual(tok.segments("3 janv. 2021").map((s) => s.join("")), ["3", " janv.", " 2021"]);
    // an unknown character becomes <unk> (id 1)
    assert.ok(Array.from(tok.encode("3 ☃")).includes(1));
  });

  it("phoneme symbols: BPE over symbols, decoded with spaces; word tokens for text only", () => {
    const seqs = [["HH", "AH", "L", "OW"], ["HH", "AH", "L", "OW"], ["Y", "EH", "L", "OW"]];
    const tok = trainTokens({ kind: "bpe", size: 3 + 6 + 2 }, "symbols", ["<pad>", "<bos>", "<eos>"], seqs, "test");
    // AH EH HH L OW Y = 0 … 5. L OW (3 times) first → 6; then HH AH (2) and AH L+OW (2) tie: left id 0 < 2 → [0, 6]
    assert.deepEqual(tok.config.merges, [[3, 4], [0, 6]]);
    assert.deepEqual(tok.vocabulary.slice(3), ["AH", "EH", "HH", "L", "OW", "Y", "L+OW", "AH+L+OW"]);
    assert.deepEqual(Array.from(tok.encode(["HH", "AH", "L", "OW"])), [3 + 2, 3 + 7]);
    assert.equal(tok.decode(tok.encode(["Y", "EH", "L", "OW"])), "Y EH L OW");
    assert.throws(() => trainTokens({ kind: "word" }, "symbols", [], seqs, "--target-tokens"), /word tokens are for text/);
    const words = trainTokens({ kind: "word" }, "text", ["<pad>", "<unk>"], ["3 janv. 2021", "4 janv. 2020"], "t");
    assert.equal(words.decode(words.encode("4  janv. 2021")), "4 janv. 2021");
    assert.deepEqual(parseTokenSpec("bpe:300", "--tokens"), { kind: "bpe", size: 300 });
    assert.throws(() => parseTokenSpec("bpe", "--tokens"), /--tokens: expected char, word or bpe:<vocabulary size>/);
    assert.throws(() => trainTokens({ kind: "bpe", size: 5 }, "symbols", ["<pad>", "<bos>", "<eos>"], seqs, "--target-tokens"), /bpe:5 leaves 2 pieces after the 3 special tokens, fewer than the 6 distinct units .*; give at least bpe:9/);
  });
});

describe("tokens in the model file", () => {
  const d = loadDates({ count: 200, validationCount: 0, testCount: 20 });
  const src = trainTokens({ kind: "bpe", size: 90 }, "text", ["<pad>", "<unk>"], d.train.map((p) => p.text), "t");
  const tgt = trainTokens({ kind: "bpe", size: 24 }, "text", ["<pad>", "<bos>", "<eos>"], d.train.map((p) => p.iso), "t");
  const vocabularies = { source: src.vocabulary, target: tgt.vocabulary, pad: 0, bos: 1, eos: 2, tokens: { source: src.config, target: tgt.config } };
  const model = () => {
    const m = new Seq2seq({ sourceVocabulary: src.vocabulary.length, targetVocabulary: tgt.vocabulary.length, embeddingSize: 4, encoder: { cell: "gru", hiddenSize: 3, direction: "bidirectional" }, decoder: { cell: "gru", hiddenSize: 5 }, attention: "bahdanau", seed: 2 });
    const rng = new Rng(8);
    for (let i = 0; i < m.params.length; i++) m.params[i] = rng.range(-1, 1);
    m.markChanged();
    return m;
  };

  it("saved and loaded: the same tokens, the same ids, the same decoded text", () => {
    const m = model(), f = decodeSeq2seq(encodeSeq2seq(m, vocabularies));
    assert.deepEqual(f.vocabularies, vocabularies);
    const texts = d.test.map((p) => p.text);
    const before = greedyDecode(m, texts.map((t) => src.encode(t)), { bos: 1, eos: 2, maxLength: 12 }).map((ids) => tgt.decode(ids));
    const s2 = sideTokensOf(f.vocabularies, "source"), t2 = sideTokensOf(f.vocabularies, "target");
    const after = greedyDecode(f.model, texts.map((t) => s2.encode(t)), { bos: 1, eos: 2, maxLength: 12 }).map((ids) => t2.decode(ids));
    assert.deepEqual(after, before);
    for (const t of texts) assert.deepEqual(Array.from(s2.encode(t)), Array.from(src.encode(t)));
    assert.ok(before.some((t) => t.length > 2), "the random model writes something");
  });

  it("tokens that do not spell the vocabulary, or merge a later piece, are refused", () => {
    const m = model();
    const bad = (over: object, pattern: RegExp) => {
      assert.throws(() => encodeSeq2seq(m, { ...vocabularies, ...over }), (e: unknown) => e instanceof OptionError && pattern.test(e.message) || assert.fail(String(e)));
    };
    const wrong = [...src.vocabulary];
    wrong[wrong.length - 1] = "zz";
    bad({ source: wrong }, /tokens\.source: vocabulary entry \d+ is "zz", but its merge spells/);
    const merges = [...src.config.merges];
    merges[0] = [0, src.vocabulary.length];
    bad({ tokens: { source: { ...src.config, merges }, target: tgt.config } }, /merge 0 \[0, \d+\] names a piece not made before it/);
    bad({ tokens: { target: { ...tgt.config, offset: 2 } } }, /tokens\.target\.offset 2 would make pad, bos or eos a piece/);
    // the same checks when reading a file (FormatError)
    const broken = rewriteConfig(encodeSeq2seq(m, vocabularies), (c) => { c.tokens.target.offset = 1; });
    assert.throws(() => decodeSeq2seq(broken, "m.safetensors"), (e: unknown) => e instanceof FormatError && /m\.safetensors: tokens\.target\.offset 1/.test(e.message) || assert.fail(String(e)));
  });

  it("files without tokens read characters of text and target symbols as before", () => {
    const old = { source: ["<pad>", "<unk>", "a", "b"], target: ["<pad>", "<bos>", "<eos>", "AH", "B"], pad: 0, bos: 1, eos: 2 };
    const s = sideTokensOf(old, "source"), t = sideTokensOf(old, "target");
    assert.deepEqual(Array.from(s.encode("abz")), [2, 3, 1]);
    assert.equal(t.decode([3, 4, 3]), "AH B AH");
    assert.deepEqual(s.config, { kind: "char", input: "text", offset: 2, merges: [] });
  });
});
