// Makes the fixtures of `gated export --format pytorch-module` (test/fixtures/interchange/pytorch-module):
// one folder per case with a seeded gated model (model.gated.safetensors), its export (model.py,
// weights.safetensors) and inputs.json (batch-first inputs, lengths, gated's outputs with and without
// lengths, and, where training draws nothing at random, gated's gradients of L = Σ output ⊙ gOut).
// Then scripts/interchange/check_pytorch_module.py runs every model.py in PyTorch and writes expected.json.
//
//   node --import tsx scripts/interchange/make-module-fixtures.ts
//   ~/.cache/gated-venv/bin/python scripts/interchange/check_pytorch_module.py
//
// Sizes: I = 3 inputs, H = 4 hidden, T = 5 steps, B = 3 rows. Every parameter is drawn from a seeded
// generator (biases included, so every bias path is exercised); running variances stay positive.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeModel } from "../../src/io/model-file.js";
import { exportPytorchModule } from "../../src/io/pytorch/module-export.js";
import { Model, createSpec, type CreateOptions, type ModelSpec } from "../../src/model/model.js";
import type { LayerConfig } from "../../src/layers/sequential.js";
import type { CellKind } from "../../src/cells/index.js";
import { resolveLoss } from "../../src/train/losses.js";
import { Rng } from "../../src/util/random.js";
import { deterministicTraining, gatedForward, gatedGradients, type Arr } from "../../test/io/helpers/pytorch-module.js";

const SEED = 20250301;
const I = 3, H = 4, T = 5, B = 3;
const OUT = new URL("../../test/fixtures/interchange/pytorch-module/", import.meta.url).pathname;

interface Case { name: string; about: string; spec: ModelSpec; lengths?: number[]; dtype?: "float64" }

const features = { kind: "features", features: I } as const;
const regression = (outputs: number, perStep = true) => ({ target: "regression" as const, perStep, outputs });
const spec = <K extends CellKind>(o: Omit<CreateOptions<K>, "input" | "hiddenSize"> & { input?: CreateOptions["input"] }): ModelSpec =>
  createSpec({ input: features, hiddenSize: H, ...o } as CreateOptions<K>);
/** A model of several recurrent layers of different cells (each its own options), then a dense head. */
function stack(layers: { cell: CellKind; direction?: string; layers?: number; options?: Record<string, unknown> }[], outputs: number): ModelSpec {
  const configs: LayerConfig[] = [];
  let width = I;
  for (const l of layers) {
    configs.push({ kind: "recurrent", cell: l.cell, inputSize: width, hiddenSize: H, layers: l.layers ?? 1, direction: l.direction ?? "forward", ...l.options });
    width = (l.direction === "bidirectional" ? 2 : 1) * H;
  }
  configs.push({ kind: "dense", inputSize: width, outputSize: outputs });
  return { format: "gated-model", version: 1, input: features, layers: configs, task: { target: "regression", perStep: true, outputs, loss: resolveLoss("model", "mse") } };
}
const act = (name: string, alpha?: number, beta?: number) => ({ name, ...(alpha !== undefined ? { alpha } : {}), ...(beta !== undefined ? { beta } : {}) });

const CASES: Case[] = [
  { name: "gru-bidirectional-last-step", about: "gru (full, reset after, update keep: nn.GRU), 2 layers bidirectional, last-step, dense Relu head, classes",
    spec: spec({ cell: "gru", layers: 2, direction: "bidirectional", head: [3], headActivation: "Relu", task: { target: "class", perStep: false, outputs: 3 } }) },
  { name: "gru-before-replace", about: "gru reset before, update replace, HardSigmoid(0.2, 0.5) gates, Softsign candidate, per step",
    spec: spec({ cell: "gru", cellOptions: { reset: "before", update: "replace", gateActivation: act("HardSigmoid", 0.2, 0.5), candidateActivation: "Softsign" } as never, task: regression(2) }) },
  { name: "gru1-reverse", about: "gru1 (gates from U h + b), reverse direction, LeakyRelu(0.1) candidate, last-step (reads step 0)",
    spec: spec({ cell: "gru1", direction: "reverse", cellOptions: { candidateActivation: act("LeakyRelu", 0.1) } as never, task: regression(2, false) }) },
  { name: "gru2-scaled-tanh-clip", about: "gru2 (gates from U h), reset before, ScaledTanh(1.7, 0.6) candidate, cell clip 0.8",
    spec: spec({ cell: "gru2", cellOptions: { reset: "before", candidateActivation: act("ScaledTanh", 1.7, 0.6), clip: 0.8 } as never, task: regression(2) }) },
  { name: "gru3-bidirectional", about: "gru3 (gates from b only), update replace, HardSigmoid(1/6, 0.5) gates (Keras 3), Elu(0.7) candidate, bidirectional",
    spec: spec({ cell: "gru3", direction: "bidirectional", cellOptions: { update: "replace", gateActivation: act("HardSigmoid", 1 / 6, 0.5), candidateActivation: act("Elu", 0.7) } as never, task: regression(2) }) },
  { name: "gru-no-bias-reverse-options", about: "gru bias false, bidirectional; the reverse direction reset before with a ThresholdedRelu(0.05) candidate (reverseOptions)",
    spec: spec({ cell: "gru", direction: "bidirectional", cellOptions: { bias: false, reverseOptions: { reset: "before", candidateActivation: act("ThresholdedRelu", 0.05) } } as never, task: regression(2) }) },
  { name: "mgu-family", about: "mgu (reset before, update replace) bidirectional → mgu1 (reset after, keep) → mgu2 → mgu3 (clip 0.5) → dense",
    spec: stack([{ cell: "mgu", direction: "bidirectional" }, { cell: "mgu1", options: { reset: "after", update: "keep" } }, { cell: "mgu2" }, { cell: "mgu3", options: { clip: 0.5 } }], 2) },
  { name: "ligru-batch-norm", about: "ligru batch norm (eval: running statistics; training: active positions only), 2 layers bidirectional, last-step, classes",
    spec: spec({ cell: "ligru", layers: 2, direction: "bidirectional", task: { target: "class", perStep: false, outputs: 2 } }), lengths: [5, 2, 4] },
  { name: "ligru-layer-norm-replace", about: "ligru layer norm, update replace, bias false (no β)",
    spec: spec({ cell: "ligru", cellOptions: { normalisation: "layer", update: "replace", bias: false } as never, task: regression(2) }) },
  { name: "ligru-no-norm", about: "ligru without normalisation (bias b), Softplus candidate → ligru none, bias false, Tanh candidate",
    spec: stack([{ cell: "ligru", options: { normalisation: "none", candidateActivation: "Softplus" } }, { cell: "ligru", options: { normalisation: "none", bias: false, candidateActivation: "Tanh" } }], 2) },
  { name: "libru-logprobs", about: "libru mode logprobs (the default: h' = log(z e^h + (1 − z) e^c)), 2 layers bidirectional",
    spec: spec({ cell: "libru", layers: 2, direction: "bidirectional", task: regression(2) }) },
  { name: "libru-modes", about: "libru probs (r = log(h + ε)) → geomean → ligru mode (bias false) → dense",
    spec: stack([{ cell: "libru", options: { mode: "probs" } }, { cell: "libru", options: { mode: "geomean" } }, { cell: "libru", options: { mode: "ligru", bias: false } }], 2) },
  { name: "mingru", about: "mingru candidate g, update replace (scan log), bidirectional → mingru linear, keep, bias false (scan parallel)",
    spec: stack([{ cell: "mingru", direction: "bidirectional", options: { scan: "log" } }, { cell: "mingru", options: { candidate: "linear", update: "keep", bias: false, scan: "parallel" } }], 2) },
  { name: "lstm-activations-clip", about: "lstm bidirectional, HardSigmoid(0.2, 0.5) gates, Softsign candidate, ScaledTanh(1.2, 0.9) output, clip 1.5",
    spec: spec({ cell: "lstm", direction: "bidirectional", cellOptions: { gateActivation: act("HardSigmoid", 0.2, 0.5), candidateActivation: "Softsign", outputActivation: act("ScaledTanh", 1.2, 0.9), clip: 1.5 } as never, task: regression(2) }) },
  { name: "lstm-two-layers-last-step", about: "lstm 2 layers, bias false, last-step, dense Elu head",
    spec: spec({ cell: "lstm", layers: 2, cellOptions: { bias: false } as never, head: [3], headActivation: "Elu", task: regression(2, false) }) },
  { name: "rnn", about: "rnn tanh clip 0.9 → rnn Relu bidirectional → rnn Affine(0.5, 0.1) → dense",
    spec: stack([{ cell: "rnn", options: { clip: 0.9 } }, { cell: "rnn", direction: "bidirectional", options: { activation: "Relu" } }, { cell: "rnn", options: { activation: act("Affine", 0.5, 0.1) } }], 2) },
  { name: "tokens-embedding-layer-norm", about: "token ids (vocabulary 7) → embedding 3 → gru → layer-norm → last-step → dense Tanh head → classes; a row of length 0",
    spec: spec({ input: { kind: "tokens", vocabularySize: 7 }, embedding: 3, cell: "gru", layerNorm: true, head: [4], headActivation: "Tanh", task: { target: "class", perStep: false, outputs: 3 } }), lengths: [4, 0, 2] },
  { name: "dropout-recurrent-dropout", about: "gru with recurrent dropout 0.2, dropout 0.25 (mask per sequence): identities in eval, random in training (gradients not compared)",
    spec: spec({ cell: "gru", recurrentDropout: 0.2, dropout: 0.25, dropoutMask: "sequence", task: regression(2) }) },
  { name: "float64-lstm", about: "a float64 model: lstm, per step (the module runs in float64)",
    spec: spec({ cell: "lstm", task: regression(2) }), dtype: "float64" },
];

function randomise(model: Model, rng: Rng): void {
  const net = model.net;
  for (const e of net.entries) {
    const v = net.params.subarray(e.offset, e.offset + e.size);
    const variance = e.name.endsWith("runningVar");
    for (let i = 0; i < v.length; i++) v[i] = variance ? rng.range(0.5, 1.5) : rng.range(-0.6, 0.6);
  }
  net.markChanged();
}

const arr = (shape: number[], data: ArrayLike<number>): Arr => ({ shape, data: Array.from(data) });

function inputs(model: Model, rng: Rng): Arr {
  const inp = model.spec.input;
  if (inp.kind === "tokens") return arr([B, T], Array.from({ length: B * T }, () => rng.int(inp.vocabularySize)));
  return arr([B, T, I], Float32Array.from({ length: B * T * I }, () => rng.range(-1, 1)));
}

// the case folders are remade; README.md stays
mkdirSync(OUT, { recursive: true });
for (const name of readdirSync(OUT)) if (statSync(join(OUT, name)).isDirectory()) rmSync(join(OUT, name), { recursive: true });
const rng = new Rng(SEED);
const index: { name: string; about: string }[] = [];
for (const c of CASES) {
  const model = new Model(c.spec, { seed: 1, dtype: c.dtype ?? "float32" });
  randomise(model, rng);
  const dir = join(OUT, c.name);
  mkdirSync(dir, { recursive: true });
  const bytes = encodeModel(model);
  const fresh = () => new Model(c.spec, { dtype: c.dtype ?? "float32", init: "none" });
  writeFileSync(join(dir, "model.gated.safetensors"), bytes);
  const { python, weights } = exportPytorchModule(model);
  writeFileSync(join(dir, "model.py"), python);
  writeFileSync(join(dir, "weights.safetensors"), weights);
  const x = inputs(model, rng), lengths = c.lengths ?? [5, 3, 1];
  const full = gatedForward(model, x, null), padded = gatedForward(model, x, lengths);
  const gOut = arr(padded.shape, Float32Array.from(padded.data, () => rng.range(-1, 1)));
  let gradients = null;
  if (deterministicTraining(model)) {
    const copy = fresh();
    copy.net.params.set(model.net.params);
    copy.net.markChanged();
    gradients = gatedGradients(copy, x, lengths, gOut);
  }
  writeFileSync(join(dir, "inputs.json"), JSON.stringify({
    generator: "scripts/interchange/make-module-fixtures.ts", seed: SEED, case: c.name, about: c.about,
    x, lengths, gOut, gated: { full, lengths: padded, ...(gradients ? { grads: gradients.grads, buffers: gradients.buffers } : {}) },
  }) + "\n");
  index.push({ name: c.name, about: c.about });
  console.log(`${c.name}: ${model.net.paramCount} parameters, python ${python.length} chars, gradients ${gradients ? "recorded" : "not compared (random training)"}`);
}
writeFileSync(join(OUT, "cases.json"), JSON.stringify({ generator: "scripts/interchange/make-module-fixtures.ts", seed: SEED, cases: index }, null, 1) + "\n");
