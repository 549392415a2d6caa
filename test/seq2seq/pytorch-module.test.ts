// `gated export SEQ2SEQ --format pytorch-module` against real PyTorch, through committed fixtures
// (test/fixtures/interchange/seq2seq-module, made by scripts/interchange/make-seq2seq-module-fixtures.ts
// and run in PyTorch by scripts/interchange/check_seq2seq_module.py, which recorded expected.json):
// today's exporter writes the very bytes PyTorch ran (so the recorded proof applies to this code),
// gated's teacher-forced logits equal torch's within 1e-5 and its greedy tokens are torch's. Plus
// the weight names, a refusal and the CLI.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { OptionError } from "../../src/errors/index.js";
import { exportSeq2seqModule, seq2seqTorchName, SEQ2SEQ_MODULE_FORMAT } from "../../src/io/pytorch/module-seq2seq.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { makeBatch } from "../../src/seq2seq/batch.js";
import { greedyDecode } from "../../src/seq2seq/decode.js";
import { decodeSeq2seq, type Seq2seqFile } from "../../src/seq2seq/file.js";
import { Seq2seq } from "../../src/seq2seq/model.js";
import { assertClose } from "../helpers/close.js";

const DIR = new URL("../fixtures/interchange/seq2seq-module/", import.meta.url).pathname;
const CASES = readdirSync(DIR).filter((d) => statSync(join(DIR, d)).isDirectory()).sort();

interface Arr { shape: number[]; data: number[] }
interface Inputs { src: Arr; srcLen: number[]; tgtIn: Arr; maxLength: number }
interface Expected { logits: Arr; greedy: number[][]; backward: { finite: boolean } }

const read = (c: string, f: string) => new Uint8Array(readFileSync(join(DIR, c, f)));
const json = <T>(c: string, f: string) => JSON.parse(readFileSync(join(DIR, c, f), "utf8")) as T;
const load = (c: string): Seq2seqFile => decodeSeq2seq(read(c, "model.gated.safetensors"), c);

/** The batch-first fixture rows as gated's pairs (targets: tgtIn without its bos). */
function pairs(inp: Inputs) {
  const [B, S] = inp.src.shape as [number, number], T = inp.tgtIn.shape[1]!;
  return Array.from({ length: B }, (_, b) => ({
    source: inp.src.data.slice(b * S, b * S + inp.srcLen[b]!),
    target: inp.tgtIn.data.slice(b * T + 1, (b + 1) * T),
  }));
}

describe("seq2seq pytorch-module fixtures", () => {
  it("cover every attention placement, a bidirectional encoder, two-layer stacks, float64 and a trained model", () => {
    const models = CASES.map((c) => load(c).model);
    for (const a of ["none", "additive", "luong", "bahdanau"]) assert.ok(models.some((m) => (m.options.attention ?? "additive") === a), `no fixture with attention ${a}`);
    for (const k of ["gru", "lstm", "mgu", "ligru", "rnn"]) assert.ok(models.some((m) => [...m.encoder.cells, ...m.decoder.cells].some((c) => c.kind === k)), `no fixture with ${k}`);
    assert.ok(models.some((m) => m.encoder.direction === "bidirectional"));
    assert.ok(models.some((m) => m.decoder.layers > 1) && models.some((m) => m.encoder.layers > 1));
    assert.ok(models.some((m) => m.bridge === null) && models.some((m) => m.bridge !== null));
    assert.ok(models.some((m) => m.dtype === "float64"));
    assert.ok(CASES.some((c) => c.includes("trained")));
  });
});

for (const c of CASES) {
  describe(`seq2seq pytorch-module ${c}`, () => {
    const inp = json<Inputs>(c, "inputs.json"), expected = json<Expected>(c, "expected.json");

    it("re-exports to the committed model.py and weights.safetensors, byte for byte", () => {
      const f = load(c), { python, weights } = exportSeq2seqModule(f.model, f.vocabularies);
      assert.equal(python, readFileSync(join(DIR, c, "model.py"), "utf8"), "model.py differs: rerun the fixture script and the PyTorch check (scripts/interchange/check_seq2seq_module.py)");
      assert.ok(Buffer.from(weights).equals(Buffer.from(read(c, "weights.safetensors"))), "weights.safetensors differs");
    });

    it("gated's teacher-forced logits equal PyTorch's and its greedy tokens are PyTorch's", () => {
      const { model: m, vocabularies: v } = load(c), rows = pairs(inp);
      const batch = makeBatch(rows, v.bos, v.eos), { T, B } = batch, V = m.output.outputFeatures;
      const logits = m.forward(batch, false).logits; // [T, B, V] → [B, T, V]
      const batchFirst = Array.from({ length: B * T * V }, (_, i) => logits[((Math.floor(i / V) % T) * B + Math.floor(i / (T * V))) * V + (i % V)]!);
      assert.deepEqual(expected.logits.shape, [B, T, V]);
      assertClose(batchFirst, expected.logits.data, { atol: 1e-5 }, "teacher-forced logits");
      assert.deepEqual(greedyDecode(m, rows.map((r) => r.source), { bos: v.bos, eos: v.eos, maxLength: inp.maxLength }), expected.greedy);
      assert.equal(expected.backward.finite, true, "PyTorch's backward through the module gave finite gradients");
    });
  });
}

describe("seq2seq pytorch-module export", () => {
  it("names weights by the module tree and keeps gated's blocks", () => {
    assert.equal(seq2seqTorchName("encoder.layer1.reverse.U"), "encoder.cells.layer1_reverse.U");
    assert.equal(seq2seqTorchName("decoder.layer0.forward.c"), "decoder.cells.layer0_forward.c");
    assert.equal(seq2seqTorchName("attention.Wq"), "attention.Wq");
    assert.equal(seq2seqTorchName("source.table"), "source.table");
    const { model: m, vocabularies } = load("lstm-bahdanau");
    const f = decodeSafetensors(exportSeq2seqModule(m, vocabularies).weights);
    assert.equal(f.metadata.format, SEQ2SEQ_MODULE_FORMAT);
    assert.equal(f.tensors.size, m.entries.length);
    for (const e of m.entries) {
      const t = f.tensors.get(seq2seqTorchName(e.name))!;
      assert.deepEqual(t.shape, e.shape);
      assert.deepEqual(Array.from(t.data as Float32Array), Array.from(m.params.subarray(e.offset, e.offset + e.size)));
    }
  });

  it("refuses recurrent dropout, which the module does not carry, naming it", () => {
    const m = new Seq2seq({ sourceVocabulary: 4, targetVocabulary: 4, embeddingSize: 2, encoder: { cell: "gru", hiddenSize: 3, recurrentDropout: 0.2 } as never, decoder: { cell: "gru", hiddenSize: 3 } });
    const v = { source: ["a", "b", "c", "d"], target: ["<pad>", "<s>", "</s>", "x"], pad: 0, bos: 1, eos: 2 };
    assert.throws(() => exportSeq2seqModule(m, v), (e: unknown) => e instanceof OptionError && /encoder: recurrent dropout 0.2 is not carried/.test(e.message));
  });

  it("gated export SEQ2SEQ --format pytorch-module --out DIR writes model.py and weights.safetensors", () => {
    const out = mkdtempSync(join(tmpdir(), "gated-s2s-ptm-"));
    const cli = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "export", join(DIR, "mgu-none", "model.gated.safetensors"), "--format", "pytorch-module", ...args], { encoding: "utf8" });
    try {
      const r = cli("--out", join(out, "m"), "--json");
      assert.equal(r.status, 0, r.stderr);
      const info = JSON.parse(r.stdout) as { written: string[]; bos: number; eos: number };
      assert.deepEqual(info.written, [join(out, "m", "model.py"), join(out, "m", "weights.safetensors")]);
      assert.deepEqual([info.bos, info.eos], [1, 2]);
      assert.equal(readFileSync(join(out, "m", "model.py"), "utf8"), readFileSync(join(DIR, "mgu-none", "model.py"), "utf8"));
      assert.ok(readFileSync(join(out, "m", "weights.safetensors")).equals(readFileSync(join(DIR, "mgu-none", "weights.safetensors"))));
      const bad = cli("--out", join(out, "n"), "--link");
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /--link.*do not apply to an encoder–decoder's pytorch-module/);
      assert.doesNotMatch(bad.stderr, /\n\s+at /, "no stack trace");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
