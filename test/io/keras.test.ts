// Keras and TensorFlow.js: TF.js layers models (made by TF.js itself, scripts/gen-io-keras.mjs) →
// gated, compared with TF.js's own outputs; a Keras GRU(reset_after=True) model.json that TF.js
// cannot load and Keras 3 .keras archives, compared with the generator's independent Keras
// implementation (which agrees with TF.js to 5e-8 on every TF.js case); gated → TF.js, loaded
// by tf.loadLayersModel and compared; refusals and malformed files.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { importTfjs } from "../../src/io/keras/tfjs-import.js";
import { importKeras3 } from "../../src/io/keras/keras3.js";
import { exportTfjs } from "../../src/io/keras/tfjs-export.js";
import type { KerasImport } from "../../src/io/keras/to-model.js";
import { Model, createSpec } from "../../src/model/model.js";
import { FormatError, OptionError } from "../../src/errors/index.js";
import { zipSync, strToU8 } from "fflate";
import { assertClose } from "../helpers/close.js";
import { runBatchMajor, runModel, softmaxRows, values } from "./helpers/model.js";
import { swap01 } from "./helpers/fixtures.js";
import { MODELS } from "./helpers/models.js";
import { importPytorch } from "../../src/io/pytorch/state-dict.js";
import { encode, makeStateDict, specOf } from "./helpers/torch-state-dict.js";

const FIX = new URL("../fixtures/io/", import.meta.url);
interface Expected { input: number[][] | number[][][]; lengths: number[] | null; output: unknown; source: string }
let worstTfjs = 0, worstIndependent = 0, worstExport = 0;

/** Runs an imported model on the fixture's batch-major input; output in Keras's layout. */
function runImported(imp: KerasImport, e: Expected): Float32Array {
  return runBatchMajor(imp.model, e.input as unknown[], e.lengths);
}

describe("TF.js layers models → gated", () => {
  for (const name of readdirSync(new URL("tfjs/", FIX)).sort()) {
    it(name, () => {
      const dir = new URL(`tfjs/${name}/`, FIX);
      const modelJson = JSON.parse(readFileSync(new URL("model.json", dir), "utf8"));
      const e = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as Expected;
      const imp = importTfjs(modelJson, new Uint8Array(readFileSync(new URL("weights.bin", dir))), { where: name });
      assert.equal(imp.masking !== null, e.lengths !== null, "masking reported when the model masks");
      const d = assertClose(runImported(imp, e), (e.output as number[][]).flat(2) as number[], { atol: 1e-5 }, `${name} vs ${e.source}`);
      if (e.source.startsWith("tfjs")) worstTfjs = Math.max(worstTfjs, d); else worstIndependent = Math.max(worstIndependent, d);
      if (name === "gru_reset_after") assert.equal(imp.model.spec.layers[0]!.reset, "after");
    });
  }
});

describe("Keras 3 .keras archives → gated", () => {
  for (const file of readdirSync(new URL("keras/", FIX)).filter((f) => f.endsWith(".keras")).sort()) {
    it(file, async () => {
      const e = JSON.parse(readFileSync(new URL(`keras/${file.replace(".keras", ".json")}`, FIX), "utf8")) as Expected;
      const imp = await importKeras3(new Uint8Array(readFileSync(new URL(`keras/${file}`, FIX))), file);
      worstIndependent = Math.max(worstIndependent, assertClose(runImported(imp, e), (e.output as number[][]).flat(2) as number[], { atol: 1e-5 }, `${file} vs ${e.source}`));
    });
  }
  it("hard_sigmoid is Keras 3's x/6 + 0.5 in a .keras file", async () => {
    const imp = await importKeras3(new Uint8Array(readFileSync(new URL("keras/bidi_gru_hard_sigmoid_sequence.keras", FIX))));
    assert.deepEqual(imp.model.spec.layers[0]!.gateActivation, { name: "HardSigmoid", alpha: 1 / 6, beta: 0.5 });
  });
  it("a zip without config.json is refused", async () => {
    await assert.rejects(importKeras3(zipSync({ "model.weights.h5": new Uint8Array(8) })), (err: unknown) => err instanceof FormatError && /no config\.json/.test(err.message));
  });
  it("a damaged HDF5 file is a FormatError", async () => {
    const zip = zipSync({ "config.json": strToU8(readFileSync(new URL("keras/gru_reset_after_softmax.keras", FIX)).length ? "{\"class_name\":\"Sequential\",\"config\":{\"layers\":[]}}" : ""), "model.weights.h5": new Uint8Array(100).fill(7) });
    await assert.rejects(importKeras3(zip), (err: unknown) => err instanceof FormatError && /HDF5/.test(err.message));
  });
});

describe("TF.js refusals and malformed files", () => {
  const base = () => JSON.parse(readFileSync(new URL("tfjs/gru_hardsigmoid_last/model.json", FIX), "utf8"));
  const bin = () => new Uint8Array(readFileSync(new URL("tfjs/gru_hardsigmoid_last/weights.bin", FIX)));
  const gruCfg = (m: { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } } }) => m.modelTopology.config.layers[0]!.config;
  it("go_backwards with return_sequences", () => {
    const m = base(); Object.assign(gruCfg(m), { go_backwards: true, return_sequences: true });
    assert.throws(() => importTfjs(m, bin()), (e: unknown) => e instanceof OptionError && /reverse time order/.test(e.message));
  });
  it("return_state", () => {
    const m = base(); gruCfg(m).return_state = true;
    assert.throws(() => importTfjs(m, bin()), (e: unknown) => e instanceof OptionError && /return_state/.test(e.message));
  });
  it("an unknown layer class", () => {
    const m = base(); m.modelTopology.config.layers.splice(1, 0, { class_name: "Conv1D", config: { name: "conv" } });
    assert.throws(() => importTfjs(m, bin()), (e: unknown) => e instanceof OptionError && /Conv1D is not supported/.test(e.message));
  });
  it("truncated weights", () => {
    assert.throws(() => importTfjs(base(), bin().subarray(0, 40)), (e: unknown) => e instanceof FormatError && /truncated shard/.test(e.message));
  });
  it("a weight of the wrong size", () => {
    const m = base(); m.weightsManifest[0].weights[0].shape = [2, 12];
    assert.throws(() => importTfjs(m, bin()), (e: unknown) => e instanceof FormatError);
  });
});

describe("gated → TF.js, loaded by tf.loadLayersModel", () => {
  let tf: typeof import("@tensorflow/tfjs");
  before(async () => {
    const warn = console.warn, log = console.log;
    console.warn = console.log = () => {};
    tf = await import("@tensorflow/tfjs");
    console.warn = warn; console.log = log;
  });
  const cases: Record<string, Parameters<typeof createSpec>[0]> = {
    gru_before_hard_sigmoid_last: { input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 4, cellOptions: { reset: "before", gateActivation: { name: "HardSigmoid", alpha: 0.2, beta: 0.5 } } as never, head: [3], task: { target: "class", perStep: false, outputs: 2 } },
    gru_before_bidi_stack_dropout: { input: { kind: "features", features: 2 }, cell: "gru", hiddenSize: 3, layers: 2, direction: "bidirectional", dropout: 0.2, cellOptions: { reset: "before" } as never, task: { target: "regression", perStep: false, outputs: 2 } },
    lstm_tokens_per_step: MODELS.lstm_tokens_per_step!,
    lstm_layer_norm_last: { input: { kind: "features", features: 3 }, cell: "lstm", hiddenSize: 4, layerNorm: true, task: { target: "regression", perStep: false, outputs: 2 } },
    rnn_relu_per_step: MODELS.rnn_relu_per_step!,
    gru_before_reverse_last: { input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 3, direction: "reverse", cellOptions: { reset: "before" } as never, task: { target: "regression", perStep: false, outputs: 1 } },
  };
  for (const [name, opts] of Object.entries(cases)) {
    it(name, async () => {
      const model = new Model(createSpec(opts), { seed: 3 });
      const art = exportTfjs(model, { link: true });
      const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: art.modelJson.modelTopology as never, weightSpecs: art.weightSpecs as never, weightData: art.weightData.slice().buffer }));
      const T = 5, B = 2, tokens = opts.input.kind === "tokens", F = tokens ? 1 : (opts.input as { features: number }).features;
      const x = tokens ? Float32Array.from(values(B * T, 8), (v) => Math.floor((v + 1) * 5)) : values(B * T * F, 8);
      const y = loaded.predict(tf.tensor(Array.from(x), tokens ? [B, T] : [B, T, F])) as import("@tensorflow/tfjs").Tensor;
      let ours = runModel(model, { T, B, data: swap01(x, B, T, F) });
      const O = opts.task.outputs;
      if (opts.task.perStep) ours = swap01(ours, T, B, O);
      if (opts.task.target === "class") ours = softmaxRows(ours, O);
      worstExport = Math.max(worstExport, assertClose(y.dataSync() as Float32Array, ours, { atol: 1e-5 }, `${name}: TF.js vs gated`));
      const back = importTfjs(art.modelJson, art.weightData);
      assertClose(runImported(back, { input: Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (tokens ? x[b * T + t]! : Array.from(x.slice((b * T + t) * F, (b * T + t + 1) * F))))) as never, lengths: null, output: null, source: "" }), y.dataSync() as Float32Array, { atol: 1e-5 }, `${name}: gated → TF.js → gated`);
    });
  }
  const refuse = (opts: Record<string, unknown>, pattern: RegExp) => assert.throws(() => exportTfjs(new Model(createSpec(opts as never))), (e: unknown) => e instanceof OptionError && pattern.test(e.message));
  const base = { input: { kind: "features", features: 2 }, hiddenSize: 3, task: { target: "regression", perStep: true, outputs: 1 } };
  it("refuses reset-after GRUs", () => refuse({ ...base, cell: "gru" }, /reset "after".*reset-before only/));
  it("refuses a PyTorch GRU, naming its non-zero b_hn", () => {
    const c = { type: "GRU", I: 2, H: 3, layers: 1, bidirectional: false, bias: true, seed: 5 } as const;
    const { model } = importPytorch(encode(makeStateDict(c), specOf(c)));
    assert.throws(() => exportTfjs(model), (e: unknown) => e instanceof OptionError && /reset-before only.*"layer0\.forward\.c" \(PyTorch's b_hn\) is non-zero/.test(e.message));
  });
  it("refuses Keras 3's hard sigmoid", () => refuse({ ...base, cell: "gru", cellOptions: { reset: "before", gateActivation: { name: "HardSigmoid", alpha: 1 / 6, beta: 0.5 } } }, /no TF\.js equivalent/));
  it("refuses cells Keras has no layer for", () => refuse({ ...base, cell: "mingru" }, /no layer for the "mingru" cell/));
  it("refuses a layer norm between a bidirectional layer and its last step", () => refuse({ ...base, cell: "lstm", direction: "bidirectional", layerNorm: true, task: { target: "regression", perStep: false, outputs: 1 } }, /no Keras layer order/));
  it("refuses a reverse direction read at every step", () => refuse({ ...base, cell: "lstm", direction: "reverse" }, /reverse time order/));
});

after(() => console.log(`# Keras/TF.js: max |gated − TF.js| ${worstTfjs.toExponential(2)}, max |gated − independent Keras| ${worstIndependent.toExponential(2)}, gated → TF.js export max |diff| ${worstExport.toExponential(2)}`));
