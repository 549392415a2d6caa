// The encoder–decoder's model file (exact round trip, damaged files refused), its attention maps,
// and the CLI branch: gated train --data dates → predict (--beam, --attention map.svg) → eval → inspect.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadDataset } from "../../src/data/index.js";
import { FormatError, OptionError } from "../../src/errors/index.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { attentionMap } from "../../src/seq2seq/attention-map.js";
import { makeBatch } from "../../src/seq2seq/batch.js";
import { beamDecode, greedyDecode } from "../../src/seq2seq/decode.js";
import { decodeSeq2seq, encodeSeq2seq } from "../../src/seq2seq/file.js";
import type { Seq2seq } from "../../src/seq2seq/model.js";
import { Rng } from "../../src/util/random.js";
import { gated } from "../cli/run.js";
import { tinyModel } from "./helpers.js";

const VOCAB = { source: ["<pad>", "<unk>", "a", "b", "c", "d"], target: ["<pad>", "<bos>", "<eos>", "x", "y"], pad: 0, bos: 1, eos: 2 };
const SOURCES = [Int32Array.of(3, 4, 5, 1), Int32Array.of(2, 5), Int32Array.of(4, 4, 3)];

/** A tiny model with random parameters (so every block matters). */
function randomised(over: Parameters<typeof tinyModel>[0] = {}, seed = 3): Seq2seq {
  const m = tinyModel(over), rng = new Rng(seed);
  for (let i = 0; i < m.params.length; i++) m.params[i] = rng.range(-1.5, 1.5);
  m.markChanged();
  return m;
}

/** The file's tensors and metadata, re-encoded after `change` (to build damaged files). */
function rewrite(bytes: Uint8Array, change: (meta: Record<string, string>, tensors: Map<string, { shape: readonly number[]; data: Float32Array | Float64Array }>) => void): Uint8Array {
  const f = decodeSafetensors(bytes);
  const meta = { ...f.metadata }, tensors = new Map([...f.tensors].map(([k, t]) => [k, { shape: t.shape, data: t.data as Float32Array | Float64Array }]));
  change(meta, tensors);
  return encodeSafetensors(tensors, meta);
}

function refused(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => decodeSeq2seq(bytes, "m.safetensors"), (e: unknown) => e instanceof FormatError && pattern.test(e.message) || assert.fail(`${(e as Error).message} does not match ${pattern}`));
}

describe("seq2seq model file", () => {
  for (const [name, over] of [
    ["float64, additive, bidirectional encoder", {}],
    ["float32, luong, stacked", { dtype: "float32", attention: "luong", encoder: { cell: "gru", hiddenSize: 3, layers: 2, direction: "bidirectional" }, decoder: { cell: "mgu", hiddenSize: 4 } }],
    ["float32, no attention, initial-only context", { dtype: "float32", attention: "none", context: "initial-only", decoder: { cell: "lstm", hiddenSize: 6 } }],
    ["float32, bahdanau, LSTM decoder", { dtype: "float32", attention: "bahdanau", decoder: { cell: "lstm", hiddenSize: 6 } }],
  ] as const) {
    it(`round trip is exact (${name})`, () => {
      const m = randomised(over as never);
      const bytes = encodeSeq2seq(m, VOCAB, { name: "toy", options: { seed: 4 } });
      const f = decodeSeq2seq(bytes);
      assert.deepEqual(f.vocabularies, VOCAB);
      assert.deepEqual(f.data, { name: "toy", options: { seed: 4 } });
      assert.equal(f.model.dtype, m.dtype);
      assert.deepEqual(Array.from(f.model.params), Array.from(m.params));
      assert.equal(f.model.params.constructor, m.params.constructor);
      // the same outputs, bit for bit: teacher-forced logits and decoded ids
      const batch = makeBatch(SOURCES.map((s, i) => ({ source: s, target: [3, 4, 3].slice(0, i + 1) })), 1, 2);
      assert.deepEqual(Array.from(f.model.forward(batch, false).logits), Array.from(m.forward(batch, false).logits));
      const o = { bos: 1, eos: 2, maxLength: 8 };
      assert.deepEqual(greedyDecode(f.model, SOURCES, o), greedyDecode(m, SOURCES, o));
      assert.deepEqual(beamDecode(f.model, SOURCES[0]!, { ...o, width: 3 }), beamDecode(m, SOURCES[0]!, { ...o, width: 3 }));
      assert.deepEqual(encodeSeq2seq(f.model, f.vocabularies, f.data), bytes);
    });
  }

  it("refuses damaged files, naming what is wrong", () => {
    const bytes = encodeSeq2seq(randomised({ dtype: "float32" }), VOCAB);
    refused(bytes.subarray(0, bytes.length - 4), /ends at byte \d+ but the data has only \d+ bytes \(truncated/);
    refused(bytes.subarray(0, 6), /too short/);
    const flipped = bytes.slice();
    flipped[0] = flipped[0]! + 1; // header length off by one
    refused(flipped, /header/);
    refused(rewrite(bytes, (meta) => { meta.format = "gated-model"; }), /not a gated encoder–decoder .*"gated-model"/);
    refused(rewrite(bytes, (meta) => { meta.seq2seq = "{"; }), /not JSON/);
    const config = (edit: (c: Record<string, any>) => void) => rewrite(bytes, (meta) => { const c = JSON.parse(meta.seq2seq!); edit(c); meta.seq2seq = JSON.stringify(c); });
    refused(config((c) => { delete c.options.encoder.hiddenSize; }), /options\.encoder\.hiddenSize: expected a positive integer, got nothing/);
    refused(config((c) => { c.options.atention = "luong"; }), /unknown key in seq2seq options/);
    refused(config((c) => { c.options.attention = "dot"; }), /options\.attention: expected "none" \| "additive" \| "luong"/);
    refused(config((c) => { c.options.decoder.direction = "bidirectional"; }), /options\.decoder\.direction: expected "forward"/);
    refused(config((c) => { c.vocabularies.target.pop(); }), /vocabularies\.target: expected 5 tokens/);
    refused(config((c) => { c.eos = 1; }), /bos and eos/);
    refused(config((c) => { c.options.decoder.reset = "sideways"; }), /invalid seq2seq configuration: .*reset/);
    refused(rewrite(bytes, (_, t) => { t.delete("output.W"); }), /missing tensor "output\.W"/);
    refused(rewrite(bytes, (_, t) => { t.set("extra", { shape: [1], data: Float32Array.of(0) }); }), /unexpected tensor "extra"/);
    refused(rewrite(bytes, (_, t) => { const w = t.get("attention.v")!; t.set("attention.v", { shape: w.shape, data: Float64Array.from(w.data) }); }), /"attention\.v" is F64, expected F32/);
    refused(rewrite(bytes, (_, t) => { const w = t.get("output.b")!; t.set("output.b", { shape: [1, w.data.length], data: w.data }); }), /"output\.b" has shape \[1, 5\], the model needs \[5\]/);
    const nan = rewrite(bytes, (_, t) => { t.get("encoder.layer0.forward.U")!.data[7] = NaN; });
    refused(nan, /"encoder\.layer0\.forward\.U" holds a non-finite value \(NaN at index 7/);
    assert.ok(Number.isNaN(decodeSeq2seq(nan, "m", { allowNonFinite: true }).model.params[tinyModel({ dtype: "float32" }).entries.find((e) => e.name === "encoder.layer0.forward.U")!.offset + 7]));
  });

  it("the registry lists dates and points loadDataset to loadDates", async () => {
    await assert.rejects(loadDataset("dates"), (e: unknown) => e instanceof OptionError && e.message.includes("loadDates"));
  });
});

describe("attention maps", () => {
  for (const attention of ["additive", "luong", "bahdanau"] as const) {
    it(`weights [T, B, S] of the decoded path sum to 1 over the source and are 0 on padding (${attention})`, () => {
      const m = randomised({ attention });
      const o = { bos: 1, eos: 2, maxLength: 6 };
      const outputs = greedyDecode(m, SOURCES, o);
      const map = attentionMap(m, SOURCES, outputs, o);
      assert.equal(map.B, 3);
      assert.equal(map.S, 4);
      assert.equal(map.T, Math.max(...outputs.map((y) => y.length)) + 1);
      for (let t = 0; t < map.T; t++) for (let b = 0; b < map.B; b++) {
        const row = map.weights.subarray((t * map.B + b) * map.S, (t * map.B + b + 1) * map.S), len = SOURCES[b]!.length;
        if (t >= outputs[b]!.length + 1) { assert.ok(row.every((x) => x === 0), `step ${t} of row ${b} is past its output`); continue; }
        const sum = row.subarray(0, len).reduce((s, x) => s + x, 0);
        assert.ok(Math.abs(sum - 1) <= 1e-12, `row ${b} step ${t}: Σα = ${sum}`);
        assert.ok(row.subarray(0, len).every((x) => x > 0));
        assert.ok(row.subarray(len).every((x) => x === 0), `row ${b} step ${t} attends to padding: ${Array.from(row)}`);
      }
      // the teacher-forced re-run is the greedy path: its argmax at every step is the emitted token
      const batch = makeBatch(SOURCES.map((source, i) => ({ source, target: outputs[i]! })), 1, 2);
      const { logits } = m.forward(batch, false), V = 5;
      outputs.forEach((y, b) => [...y, 2].forEach((tok, t) => {
        if (t >= y.length && y.length === o.maxLength) return; // unfinished: no eos step
        const row = Array.from(logits.subarray((t * 3 + b) * V, (t * 3 + b + 1) * V));
        assert.equal(row.indexOf(Math.max(...row)), tok, `row ${b} step ${t}`);
      }));
    });
  }
  it("a model without attention has no map", () => {
    assert.throws(() => attentionMap(randomised({ attention: "none" }), SOURCES, [[3], [3], [3]], { bos: 1, eos: 2 }), OptionError);
  });
});

// Bounded: 600 pairs, 2 epochs (≈ 40 steps), hidden 32: a few seconds of training; the whole run < 60 s.
describe("gated compare --data dates: cells × attention forms", () => {
  const dir = mkdtempSync(join(tmpdir(), "gated-s2s-cmp-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it("a row per cell and form with exact match, a report with one attention map per cell", { timeout: 60_000 }, async () => {
    const r = await gated(["compare", "--data", "dates", "--cells", "gru,mgu", "--attention", "none,bahdanau", "--subset", "100", "--epochs", "1", "--hidden", "8", "--out", "c.html", "--json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { rows: { cell: string; attention: string; parameters: number; scores: { name: string; exactMatch: number }[] }[] };
    assert.deepEqual(j.rows.map((x) => `${x.cell} ${x.attention}`), ["gru none", "gru bahdanau", "mgu none", "mgu bahdanau"]);
    for (const row of j.rows) {
      assert.deepEqual(row.scores.map((x) => x.name), ["held-out days", "held-out locale"]);
      for (const x of row.scores) assert.ok(x.exactMatch >= 0 && x.exactMatch <= 1);
    }
    // the same model sizes as gated train builds; attention adds parameters
    assert.ok(j.rows[1]!.parameters > j.rows[0]!.parameters);
    const html = readFileSync(join(dir, "c.html"), "utf8");
    assert.match(html, /Attention maps/);
    assert.equal((html.match(/source characters; each row sums to 1/g) ?? []).length, 2, "one map per cell");
    const bad = await gated(["compare", "--data", "dates", "--cells", "gru,none"], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--cells none: an encoder–decoder needs a recurrent cell/);
  });
});

describe("gated train --data dates → predict → eval → inspect", () => {
  const dir = mkdtempSync(join(tmpdir(), "gated-s2s-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it("trains, writes the file, translates with greedy and beam search, draws attention, evaluates", { timeout: 60_000 }, async () => {
    const t0 = Date.now();
    const tr = await gated(["train", "--data", "dates", "--limit", "600", "--epochs", "2", "--hidden", "32", "--embedding", "8", "--out", "d.safetensors", "--json"], { cwd: dir });
    assert.equal(tr.code, 0, tr.stderr);
    const r = JSON.parse(tr.stdout) as { parameters: number; epochs: number; exactMatch: { heldOutDays: number; heldOutLocale: number } };
    assert.equal(r.epochs, 2);
    assert.ok(r.parameters > 5000 && r.parameters < 60000, String(r.parameters));
    for (const v of Object.values(r.exactMatch)) assert.ok(v >= 0 && v <= 1);
    const model = join(dir, "d.safetensors");
    assert.equal(decodeSafetensors(readFileSync(model)).metadata.format, "gated-seq2seq");

    const svg = join(dir, "map.svg");
    const p = await gated(["predict", model, "--input", "3 janv. 2021", "--attention", svg]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /^[-0-9?]*\n$/);
    assert.ok(existsSync(svg));
    const doc = readFileSync(svg, "utf8");
    assert.ok(doc.startsWith("<svg"), doc.slice(0, 100));
    assert.ok(doc.includes('attention: "3 janv. 2021" → "'), "the map's title names the input");
    assert.match(doc, /\d+ target steps \(the last emits eos\) × 12 source characters/);

    writeFileSync(join(dir, "in.txt"), "7 février 2023\n\n12. März 1999\n");
    const many = await gated(["predict", model, "--input", join(dir, "in.txt"), "--beam", "3", "--json"]);
    assert.equal(many.code, 0, many.stderr);
    assert.deepEqual((JSON.parse(many.stdout) as { input: string }[]).map((x) => x.input), ["7 février 2023", "12. März 1999"]);
    const piped = await gated(["predict", model], { input: "3 janv. 2021\n" });
    assert.equal(piped.stdout, p.stdout);

    const ev = await gated(["eval", model, "--json"]);
    assert.equal(ev.code, 0, ev.stderr);
    const scores = (JSON.parse(ev.stdout) as { scores: { exactMatch: number }[] }).scores.map((s) => s.exactMatch);
    // the same held-out sets, rebuilt from the data options saved in the file
    assert.deepEqual(scores, [r.exactMatch.heldOutDays, r.exactMatch.heldOutLocale]);

    const ins = await gated(["inspect", model]);
    assert.equal(ins.code, 0, ins.stderr);
    assert.match(ins.stdout, new RegExp(`parameters: ${r.parameters.toLocaleString("en")}`));
    const bad = await gated(["predict", model, "--input", "x", "--beam", "0"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--beam must be a positive integer/);
    assert.ok(Date.now() - t0 < 60_000);
  });
  it("--tokens bpe and --target-tokens bpe with Bahdanau's attention: pieces saved with the model, used by predict and eval", { timeout: 60_000 }, async () => {
    const tr = await gated(["train", "--data", "dates", "--limit", "300", "--epochs", "1", "--hidden", "16", "--embedding", "8", "--attention", "bahdanau",
      "--tokens", "bpe:90", "--target-tokens", "bpe:24", "--out", "b.safetensors", "--json"], { cwd: dir });
    assert.equal(tr.code, 0, tr.stderr);
    const model = join(dir, "b.safetensors"), f = decodeSeq2seq(new Uint8Array(readFileSync(model)));
    assert.equal(f.vocabularies.source.length, 90);
    assert.equal(f.vocabularies.target.length, 24);
    assert.equal(f.vocabularies.tokens?.source?.kind, "bpe");
    assert.equal(f.model.options.attention, "bahdanau");
    const svg = join(dir, "b.svg");
    const p = await gated(["predict", model, "--input", "3 janv. 2021", "--attention", svg]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /^[-0-9]*\n$/);
    assert.match(readFileSync(svg, "utf8"), /× \d+ source pieces/);
    const ins = await gated(["inspect", model]);
    assert.match(ins.stdout, /tokens: source BPE over characters \(\d+ units \+ \d+ merges\), target BPE over characters/);
    const ev = await gated(["eval", model, "--json"]);
    const r = JSON.parse(tr.stdout) as { exactMatch: { heldOutDays: number; heldOutLocale: number } };
    assert.deepEqual((JSON.parse(ev.stdout) as { scores: { exactMatch: number }[] }).scores.map((x) => x.exactMatch), [r.exactMatch.heldOutDays, r.exactMatch.heldOutLocale]);
    const drawn = await gated(["inspect", model, "--attention", "7 févr. 2023", "--out", join(dir, "i.svg"), "--json"]);
    assert.equal(drawn.code, 0, drawn.stderr);
    const im = (JSON.parse(drawn.stdout) as { attentionMap: { file: string; input: string; output: string } }).attentionMap;
    assert.equal(im.input, "7 févr. 2023");
    assert.match(readFileSync(im.file, "utf8"), /^<svg[\s\S]*source pieces/);
    const bad = await gated(["train", "--data", "dates", "--limit", "50", "--tokens", "bpe:10", "--out", "c.safetensors"], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--tokens: bpe:10 leaves 8 pieces after the 2 special tokens, fewer than the \d+ distinct units/);
  });
});
