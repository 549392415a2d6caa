// gated → ONNX, for the check by the real Python tools (scripts/interchange/check_onnx_exports.py):
// seeded gated models covering the native ops (GRU both reset modes, LSTM, RNN) and the Scan bodies
// of the other cells (MGU, LiGRU, LiBRU, minGRU, GRU types), exported with and without lengths,
// in both layouts, with their inputs. test/io/onnx-export-python.test.ts re-exports the committed
// models and requires the same bytes, so the recorded Python results hold for today's code.
//   node --import tsx scripts/interchange/make-onnx-exports.ts
//   ~/.cache/gated-venv/bin/python scripts/interchange/check_onnx_exports.py
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import type { CellKind } from "../../src/cells/index.js";
import { Model, createSpec, type CreateOptions } from "../../src/model/model.js";
import { encodeModel } from "../../src/io/model-file.js";
import { modelToOnnx, type OnnxExportOptions } from "../../src/io/onnx/export-model.js";
import { mulberry32 } from "../lib/mulberry32.mjs";

const OUT = new URL("../../test/fixtures/interchange/onnx-export/", import.meta.url);
const SEED = 20261206;
const f3 = { kind: "features", features: 3 } as const;
/** One case's options, checked against its own cell's options. */
const s = <K extends CellKind>(o: CreateOptions<K>) => o as unknown as CreateOptions;
const reg = (perStep: boolean, outputs = 2) => ({ target: "regression", perStep, outputs }) as const;

export const CASES: Record<string, { spec: CreateOptions; onnx: OnnxExportOptions; B: number; T: number; lengths?: number[] }> = {
  gru_after_bidi_stack_last: { spec: s({ input: f3, cell: "gru", hiddenSize: 4, layers: 2, direction: "bidirectional", head: [3], task: reg(false) }), onnx: { layout: "batch-major" }, B: 3, T: 5 },
  gru_before_lengths_per_step: { spec: s({ input: f3, cell: "gru", hiddenSize: 4, cellOptions: { reset: "before" }, task: reg(true) }), onnx: { layout: "time-major", lengths: true }, B: 3, T: 5, lengths: [5, 2, 4] },
  lstm_bidi_lengths_last: { spec: s({ input: f3, cell: "lstm", hiddenSize: 3, direction: "bidirectional", task: { target: "class", perStep: false, outputs: 3 } }), onnx: { layout: "batch-major", lengths: true, link: true }, B: 3, T: 5, lengths: [3, 5, 1] },
  rnn_relu_per_step: { spec: s({ input: f3, cell: "rnn", hiddenSize: 4, cellOptions: { activation: "Relu" }, task: reg(true) }), onnx: { layout: "batch-major" }, B: 2, T: 6 },
  mgu_reverse_last: { spec: s({ input: f3, cell: "mgu", hiddenSize: 4, direction: "reverse", task: reg(false, 1) }), onnx: { layout: "batch-major" }, B: 2, T: 5 },
  gru2_replace_lengths: { spec: s({ input: f3, cell: "gru2", hiddenSize: 4, cellOptions: { update: "replace" }, task: reg(true) }), onnx: { layout: "time-major", lengths: true }, B: 3, T: 4, lengths: [4, 1, 3] },
  ligru_layer_norm_last: { spec: s({ input: f3, cell: "ligru", hiddenSize: 4, cellOptions: { normalisation: "layer" }, task: reg(false) }), onnx: { layout: "batch-major" }, B: 2, T: 5 },
  libru_logprobs_bidi: { spec: s({ input: f3, cell: "libru", hiddenSize: 3, direction: "bidirectional", task: reg(true) }), onnx: { layout: "batch-major" }, B: 2, T: 4 },
  mingru_log_last: { spec: s({ input: f3, cell: "mingru", hiddenSize: 4, task: reg(false) }), onnx: { layout: "batch-major" }, B: 2, T: 6 },
  tokens_gru_class: { spec: s({ input: { kind: "tokens", vocabularySize: 9 }, embedding: 3, cell: "gru", hiddenSize: 4, task: { target: "class", perStep: false, outputs: 3 } }), onnx: { layout: "batch-major", link: true }, B: 2, T: 5 },
};

/** The model of a case (seeded weights), its ONNX bytes and its input in the export's layout. */
export function makeCase(name: string) {
  const c = CASES[name]!;
  const model = new Model(createSpec(c.spec), { seed: SEED });
  const next = mulberry32(SEED + name.length);
  const F = c.spec.input.kind === "tokens" ? 1 : c.spec.input.features;
  const V = c.spec.input.kind === "tokens" ? c.spec.input.vocabularySize : 0;
  const n = c.B * c.T * F;
  const data = Array.from({ length: n }, () => (V ? Math.floor(next() * V) : Math.fround(2 * next() - 1)));
  const shape = c.onnx.layout === "batch-major" ? [c.B, c.T, ...(V ? [] : [F])] : [c.T, c.B, ...(V ? [] : [F])];
  return { model, onnx: modelToOnnx(model, c.onnx), input: { shape, data, dtype: V ? "int64" : "float32" }, lengths: c.lengths ?? null };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of Object.keys(CASES)) {
    const dir = new URL(`${name}/`, OUT);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const { model, onnx, input, lengths } = makeCase(name);
    writeFileSync(new URL("model.safetensors", dir), encodeModel(model));
    writeFileSync(new URL("model.onnx", dir), onnx);
    writeFileSync(new URL("input.json", dir), JSON.stringify({ input, lengths }));
    console.log(`${name}: ${onnx.length} bytes`);
  }
}
