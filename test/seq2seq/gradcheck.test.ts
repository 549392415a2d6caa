import assert from "node:assert/strict";
import { test } from "node:test";
import { gradCheckSeq2seq, tinyBatch, tinyModel } from "./helpers.js";

const cases = [
  { name: "additive attention, bidirectional GRU → GRU with a bridge", over: {} },
  { name: "Luong attention, label smoothing", over: { attention: "luong" as const }, smoothing: 0.1 },
  { name: "no attention (Cho et al.), context every step", over: { attention: "none" as const } },
  { name: "additive, no bridge (C = H), two decoder layers", over: { decoder: { cell: "gru" as const, hiddenSize: 6, layers: 2 } } },
  { name: "Bahdanau's form (context of s_{t−1} feeds the decoder input), GRU with a bridge", over: { attention: "bahdanau" as const } },
  { name: "Bahdanau's form, LSTM decoder of two layers, context every step too, label smoothing", over: { attention: "bahdanau" as const, context: "every-step" as const, decoder: { cell: "lstm" as const, hiddenSize: 6, layers: 2 } }, smoothing: 0.1 },
  { name: "Bahdanau's form, MGU encoder → MGU decoder, no bridge", over: { attention: "bahdanau" as const, encoder: { cell: "mgu" as const, hiddenSize: 2, direction: "bidirectional" as const }, decoder: { cell: "mgu" as const, hiddenSize: 4 } } },
  { name: "LSTM encoder (two layers) → MGU decoder, Luong, context initial-only", over: { attention: "luong" as const, context: "initial-only" as const, encoder: { cell: "lstm" as const, hiddenSize: 3, layers: 2, direction: "bidirectional" as const }, decoder: { cell: "mgu" as const, hiddenSize: 4 } } },
];

for (const c of cases) {
  test(`seq2seq gradient check: ${c.name}`, () => {
    const m = tinyModel(c.over);
    const worst = gradCheckSeq2seq(m, tinyBatch(), c.smoothing ?? 0);
    console.log(`  ${c.name}: ${m.paramCount} parameters, worst relative error ${worst.toExponential(2)}`);
    assert.ok(worst <= 1e-6);
  });
}
