// Makes the fixtures of `gated export SEQ2SEQ --format pytorch-module` (test/fixtures/interchange/seq2seq-module):
// one folder per case with a gated encoder–decoder (model.gated.safetensors), its export (model.py,
// weights.safetensors) and inputs.json (batch-first source ids and lengths, teacher-forcing target
// inputs, gated's teacher-forced logits and its greedy tokens). Then
// scripts/interchange/check_seq2seq_module.py runs every model.py in PyTorch and writes expected.json.
//
//   node --import tsx scripts/interchange/make-seq2seq-module-fixtures.ts
//   ~/.cache/gated-venv/bin/python scripts/interchange/check_seq2seq_module.py
//
// Sizes: source vocabulary 7, target 9 (pad 0, bos 1, eos 2), embedding 4, B = 3 rows of source
// lengths 5, 3, 1, T = 4 teacher-forced steps, greedy up to 8 tokens. Random cases draw every
// parameter from a seeded generator in [−1, 1) (biases included); the trained case learns to
// reverse its source (a fixed seed, so the same weights every run).
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportSeq2seqModule } from "../../src/io/pytorch/module-seq2seq.js";
import { makeBatch, type Seq2seqPair } from "../../src/seq2seq/batch.js";
import { greedyDecode } from "../../src/seq2seq/decode.js";
import { encodeSeq2seq, type Seq2seqVocabularies } from "../../src/seq2seq/file.js";
import { fitSeq2seq } from "../../src/seq2seq/fit.js";
import { Seq2seq, type Seq2seqOptions } from "../../src/seq2seq/model.js";
import { Rng } from "../../src/util/random.js";

const SEED = 20261207;
const VS = 7, VT = 9, PAD = 0, BOS = 1, EOS = 2, E = 4, T = 4, MAX = 8;
const SOURCES = [[3, 4, 5, 6, 1], [2, 6, 3], [5]];
const OUT = new URL("../../test/fixtures/interchange/seq2seq-module/", import.meta.url).pathname;

interface Case { name: string; about: string; options: Omit<Seq2seqOptions, "sourceVocabulary" | "targetVocabulary" | "embeddingSize">; trained?: boolean }

const CASES: Case[] = [
  { name: "gru-luong-trained", about: "gru encoder 6 → gru decoder 6 (no bridge: s_0 = z), luong attention, context every-step; trained to reverse its source",
    options: { encoder: { cell: "gru", hiddenSize: 6 }, decoder: { cell: "gru", hiddenSize: 6 }, attention: "luong" }, trained: true },
  { name: "lstm-bahdanau", about: "lstm encoder 4 → bridge → lstm decoder 5, 2 layers, bahdanau attention (on s_{t−1}, feeding the input), context initial-only",
    options: { encoder: { cell: "lstm", hiddenSize: 4 }, decoder: { cell: "lstm", hiddenSize: 5, layers: 2 }, attention: "bahdanau", attentionSize: 3 } },
  { name: "mgu-none", about: "mgu encoder 4, 2 layers → bridge → mgu decoder 5, no attention, context every-step",
    options: { encoder: { cell: "mgu", hiddenSize: 4, layers: 2 }, decoder: { cell: "mgu", hiddenSize: 5 }, attention: "none" } },
  { name: "bidirectional-additive", about: "gru encoder 3 bidirectional (C = 6, reset before) → bridge → ligru decoder 4 (layer norm), additive attention 5",
    options: { encoder: { cell: "gru", hiddenSize: 3, direction: "bidirectional", reset: "before" } as never, decoder: { cell: "ligru", hiddenSize: 4, normalisation: "layer" } as never, attention: "additive", attentionSize: 5 } },
  { name: "float64-bahdanau-every-step", about: "float64: rnn encoder 3 bidirectional → bridge → gru decoder 4 (update replace), bahdanau with context every-step",
    options: { encoder: { cell: "rnn", hiddenSize: 3, direction: "bidirectional" }, decoder: { cell: "gru", hiddenSize: 4, update: "replace" } as never, attention: "bahdanau", context: "every-step", dtype: "float64" } },
];

const VOCABULARIES: Seq2seqVocabularies = {
  source: ["<pad>", "a", "b", "c", "d", "e", "f"],
  target: ["<pad>", "<s>", "</s>", "a", "b", "c", "d", "e", "f"],
  pad: PAD, bos: BOS, eos: EOS,
};

function randomise(m: Seq2seq, rng: Rng): void {
  for (let i = 0; i < m.params.length; i++) m.params[i] = rng.range(-1, 1);
  m.markChanged();
}

/** Reverse the source (source id s is target id s + 2: the same letter). */
function train(m: Seq2seq, rng: Rng): void {
  const pairs: Seq2seqPair[] = Array.from({ length: 400 }, () => {
    const src = Array.from({ length: 1 + rng.int(5) }, () => 1 + rng.int(VS - 1));
    return { source: src, target: [...src].reverse().map((s) => s + 2) };
  });
  const r = fitSeq2seq(m, pairs, { bos: BOS, eos: EOS, epochs: 150, batchSize: 20, seed: 3 });
  console.log(`  trained ${r.epochs} epochs, loss ${r.losses[0]!.toFixed(3)} → ${r.losses[r.losses.length - 1]!.toFixed(3)}`);
}

const arr = (shape: number[], data: ArrayLike<number>) => ({ shape, data: Array.from(data) });

// the case folders are remade; README.md stays
mkdirSync(OUT, { recursive: true });
for (const name of readdirSync(OUT)) if (statSync(join(OUT, name)).isDirectory()) rmSync(join(OUT, name), { recursive: true });
const rng = new Rng(SEED);
const index: { name: string; about: string }[] = [];
for (const c of CASES) {
  const m = new Seq2seq({ sourceVocabulary: VS, targetVocabulary: VT, embeddingSize: E, seed: 1, ...c.options });
  if (c.trained) train(m, rng); else randomise(m, rng);
  const dir = join(OUT, c.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "model.gated.safetensors"), encodeSeq2seq(m, VOCABULARIES));
  const { python, weights } = exportSeq2seqModule(m, VOCABULARIES);
  writeFileSync(join(dir, "model.py"), python);
  writeFileSync(join(dir, "weights.safetensors"), weights);
  // teacher forcing: targets of T − 1 tokens, so tgt_in = bos, y_1 … y_{T−1} for every row
  const targets = SOURCES.map(() => Array.from({ length: T - 1 }, () => 3 + rng.int(VT - 3)));
  const batch = makeBatch(SOURCES.map((source, b) => ({ source, target: targets[b]! })), BOS, EOS);
  const { S, B } = batch, V = VT;
  const logits = m.forward(batch, false).logits; // [T, B, V]
  const batchFirst = (ids: Int32Array, n: number) => arr([B, n], Array.from({ length: B * n }, (_, i) => ids[(i % n) * B + Math.floor(i / n)]!));
  const logitsBT = Array.from({ length: B * T * V }, (_, i) => {
    const b = Math.floor(i / (T * V)), t = Math.floor(i / V) % T, v = i % V;
    return logits[(t * B + b) * V + v]!;
  });
  const greedy = greedyDecode(m, SOURCES, { bos: BOS, eos: EOS, maxLength: MAX });
  writeFileSync(join(dir, "inputs.json"), JSON.stringify({
    generator: "scripts/interchange/make-seq2seq-module-fixtures.ts", seed: SEED, case: c.name, about: c.about,
    src: batchFirst(batch.source, S), srcLen: Array.from(batch.sourceLengths), tgtIn: batchFirst(batch.targetIn, T), maxLength: MAX,
    gated: { logits: arr([B, T, V], logitsBT), greedy },
  }) + "\n");
  index.push({ name: c.name, about: c.about });
  console.log(`${c.name}: ${m.paramCount} parameters, python ${python.length} chars, greedy ${JSON.stringify(greedy)}`);
}
writeFileSync(join(OUT, "cases.json"), JSON.stringify({ generator: "scripts/interchange/make-seq2seq-module-fixtures.ts", seed: SEED, cases: index }, null, 1) + "\n");
