// gated models with seeded weights, exported to .keras for real Keras to read back
// (scripts/interchange/check_keras_export.py records Keras's outputs). Writes, per case, into
// test/fixtures/interchange/keras/export/<name>/:
//   model.safetensors  the gated model (every parameter seeded, biases included)
//   m.keras            exportKeras3(model, { link: true })
//   input.json         a batch-major input (B = 2, T = 5) and its kind
//   node --import tsx scripts/interchange/make_gated_keras.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { Model, createSpec, type CreateOptions } from "../../src/model/model.js";
import { encodeModel } from "../../src/io/model-file.js";
import { exportKeras3 } from "../../src/io/keras/keras3-export.js";
import { mulberry32 } from "../lib/mulberry32.mjs";

const SEED = 20250302;
const T = 5, B = 2;
const OUT = new URL("../../test/fixtures/interchange/keras/export/", import.meta.url);
const hs6 = { name: "HardSigmoid", alpha: 1 / 6, beta: 0.5 };

export const EXPORT_CASES: Record<string, CreateOptions> = {
  gru_after_seq_head: { input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 4, head: [3], headActivation: "Tanh", task: { target: "regression", perStep: true, outputs: 2 } },
  gru_before_hard_sigmoid_class: { input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 4, cellOptions: { reset: "before", gateActivation: hs6 } as never, task: { target: "class", perStep: false, outputs: 3 } },
  gru_after_no_bias_reverse: { input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 4, direction: "reverse", cellOptions: { bias: false } as never, task: { target: "regression", perStep: false, outputs: 1 } },
  lstm_stack_last: { input: { kind: "features", features: 3 }, cell: "lstm", hiddenSize: 4, layers: 2, task: { target: "regression", perStep: false, outputs: 2 } },
  rnn_relu_seq: { input: { kind: "features", features: 3 }, cell: "rnn", hiddenSize: 4, cellOptions: { activation: { name: "Relu", alpha: 0, beta: 0 } } as never, task: { target: "regression", perStep: true, outputs: 2 } },
  bidi_gru_layer_norm_seq: { input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 4, direction: "bidirectional", layerNorm: true, task: { target: "regression", perStep: true, outputs: 2 } },
  bidi_lstm_last: { input: { kind: "features", features: 3 }, cell: "lstm", hiddenSize: 3, direction: "bidirectional", dropout: 0.2, task: { target: "regression", perStep: false, outputs: 2 } },
  tokens_gru_class: { input: { kind: "tokens", vocabularySize: 7 }, embedding: 3, cell: "gru", hiddenSize: 4, task: { target: "class", perStep: false, outputs: 4 } },
};


async function main(): Promise<void> {
  let k = 0;
  for (const [name, opts] of Object.entries(EXPORT_CASES)) {
    const next = mulberry32(SEED + 1000 * k++);
    const model = new Model(createSpec(opts), { seed: SEED });
    const p = model.net.params;
    for (let i = 0; i < p.length; i++) p[i] = (2 * next() - 1) * 0.6;
    for (const e of model.net.entries) if (e.name.endsWith(".gamma")) for (let i = 0; i < e.size; i++) p[e.offset + i] = 1 + 0.5 * p[e.offset + i]!;
    model.net.markChanged();
    const tokens = opts.input.kind === "tokens";
    const input = Array.from({ length: B }, () => Array.from({ length: T }, () =>
      tokens ? 1 + Math.floor(next() * ((opts.input as { vocabularySize: number }).vocabularySize - 1))
        : Array.from({ length: (opts.input as { features: number }).features }, () => Math.fround(2 * next() - 1))));
    const dir = new URL(`${name}/`, OUT);
    mkdirSync(dir, { recursive: true });
    writeFileSync(new URL("model.safetensors", dir), encodeModel(model));
    writeFileSync(new URL("m.keras", dir), await exportKeras3(model, { link: true }));
    writeFileSync(new URL("input.json", dir), JSON.stringify({ inputKind: tokens ? "tokens" : "features", input, seed: SEED, script: "scripts/interchange/make_gated_keras.ts" }) + "\n");
    console.log(`${name}: written`);
  }
}

await main();
