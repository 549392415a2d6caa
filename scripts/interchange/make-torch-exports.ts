// gated → PyTorch state dict (exportPytorch), for the check by real PyTorch
// (scripts/interchange/pytorch_to_safetensors.py check): seeded gated models that nn.GRU / nn.LSTM /
// nn.RNN can hold, with heads, exported with their module list, plus a batch-first input.
// test/io/torch-export-python.test.ts re-exports them and requires the same bytes.
//   node --import tsx scripts/interchange/make-torch-exports.ts
//   ~/.cache/gated-venv/bin/python scripts/interchange/pytorch_to_safetensors.py check test/fixtures/interchange/pytorch-export
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import type { CellKind } from "../../src/cells/index.js";
import { Model, createSpec, type CreateOptions } from "../../src/model/model.js";
import { exportPytorch } from "../../src/io/pytorch/state-dict.js";
import { mulberry32 } from "../lib/mulberry32.mjs";

const OUT = new URL("../../test/fixtures/interchange/pytorch-export/", import.meta.url);
const SEED = 20261207;
const f3 = { kind: "features", features: 3 } as const;
/** One case's options, checked against its own cell's options. */
const s = <K extends CellKind>(o: CreateOptions<K>) => o as unknown as CreateOptions;

export const TORCH_CASES: Record<string, { spec: CreateOptions; B: number; T: number }> = {
  tokens_gru_bidi_stack_last: { spec: s({ input: { kind: "tokens", vocabularySize: 9 }, embedding: 4, cell: "gru", hiddenSize: 5, layers: 2, direction: "bidirectional", task: { target: "class", perStep: false, outputs: 3 } }), B: 2, T: 6 },
  lstm_stack_per_step_tanh_head: { spec: s({ input: f3, cell: "lstm", hiddenSize: 4, layers: 2, head: [3], headActivation: "Tanh", task: { target: "regression", perStep: true, outputs: 2 } }), B: 2, T: 5 },
  rnn_relu_layer_norm_last: { spec: s({ input: f3, cell: "rnn", hiddenSize: 4, cellOptions: { activation: "Relu" }, layerNorm: true, task: { target: "regression", perStep: false, outputs: 2 } }), B: 3, T: 4 },
  gru_no_bias_per_step: { spec: s({ input: f3, cell: "gru", hiddenSize: 4, cellOptions: { bias: false }, task: { target: "regression", perStep: true, outputs: 1 } }), B: 2, T: 5 },
};

export function makeTorchCase(name: string) {
  const c = TORCH_CASES[name]!;
  const model = new Model(createSpec(c.spec), { seed: SEED, init: "uniform" });
  const next = mulberry32(SEED + name.length);
  const V = c.spec.input.kind === "tokens" ? c.spec.input.vocabularySize : 0, F = V ? 1 : (c.spec.input as { features: number }).features;
  const data = Array.from({ length: c.B * c.T * F }, () => (V ? Math.floor(next() * V) : Math.fround(2 * next() - 1)));
  return { model, bytes: exportPytorch(model).bytes, input: { shape: V ? [c.B, c.T] : [c.B, c.T, F], data, dtype: V ? "int64" : "float32" } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of Object.keys(TORCH_CASES)) {
    const dir = new URL(`${name}/`, OUT);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const { bytes, input } = makeTorchCase(name);
    writeFileSync(new URL("state_dict.safetensors", dir), bytes);
    writeFileSync(new URL("input.json", dir), JSON.stringify(input));
    console.log(`${name}: ${bytes.length} bytes`);
  }
}
