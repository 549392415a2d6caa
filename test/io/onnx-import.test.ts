// ONNX graphs → gated models: gated's own native exports read structurally (metadata ignored),
// graphs shaped like PyTorch's torch.onnx.export and tf2onnx's Keras output, and the refusals.
// Reference: ONNX Runtime running the same graph.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Model, createSpec } from "../../src/model/model.js";
import { modelToOnnx } from "../../src/io/onnx/export-model.js";
import { OnnxProgram } from "../../src/io/onnx/program.js";
import { onnxToModel } from "../../src/io/onnx/to-model.js";
import { GraphBuilder } from "../../src/io/onnx/builder.js";
import { encodeOnnx } from "../../src/io/onnx/proto.js";
import { tensor, type OnnxTensor } from "../../src/io/onnx/tensor.js";
import { GatedError, FormatError } from "../../src/errors/index.js";
import { assertClose } from "../helpers/close.js";
import { runModel, softmaxRows, values } from "./helpers/model.js";
import { runOrt } from "./helpers/ort.js";
import { swap01 } from "./helpers/fixtures.js";
import { MODELS } from "./helpers/models.js";

let worst = 0;

/** Runs the imported model on the graph's own input and compares with ORT's output. */
async function compare(bytes: Uint8Array, feeds: Record<string, OnnxTensor>, T: number, B: number) {
  const imp = onnxToModel(OnnxProgram.fromBytes(bytes), { useMetadata: false });
  const x = feeds[imp.input.name]!;
  const F = x.shape.length === 3 ? x.shape[2]! : 1;
  const data = imp.input.layout === "batch-major" ? swap01(x.data, B, T, F) : x.data;
  const lengths = imp.lengths ? feeds[imp.lengths]!.data : undefined;
  let ours = runModel(imp.model, { T, B, data, ...(lengths ? { lengths } : {}) });
  const O = imp.model.spec.task.outputs;
  if (imp.output.layout === "batch-major") ours = swap01(ours, T, B, O);
  if (imp.model.spec.task.target === "class") ours = softmaxRows(ours, O);
  const ref = await runOrt(bytes, feeds);
  worst = Math.max(worst, assertClose(ours, ref[imp.output.name]!.data, { atol: 1e-5 }, "imported model vs ORT"));
  return imp;
}

describe("gated's native ONNX exports, read structurally", () => {
  for (const name of ["gru_bidi_stack_head", "lstm_tokens_per_step", "rnn_relu_per_step", "gru_before_tokens_last"]) {
    for (const layout of ["time-major", "batch-major"] as const) {
      it(`${name} ${layout}`, async () => {
        const opts = MODELS[name]!;
        const model = new Model(createSpec(opts), { seed: 8 });
        const T = 5, B = 2, tokens = opts.input.kind === "tokens";
        const F = tokens ? 1 : (opts.input as { features: number }).features;
        const x = tokens ? Float32Array.from(values(T * B, 4), (v) => Math.floor((v + 1) * 3)) : values(T * B * F, 4);
        const bm = layout === "batch-major";
        const shape = tokens ? (bm ? [B, T] : [T, B]) : bm ? [B, T, F] : [T, B, F];
        const imp = await compare(modelToOnnx(model, { layout }), { input: tensor(tokens ? "int64" : "float32", shape, bm ? swap01(x, T, B, tokens ? 1 : F) : x) }, T, B);
        assert.equal(imp.input.layout, layout);
        const kinds = (s: typeof model.spec) => s.layers.filter((l) => l.kind !== "dropout").map((l) => l.kind);
        assert.deepEqual(kinds(imp.model.spec), kinds(model.spec));
      });
    }
  }
});

/** A graph shaped like torch.onnx.export of batch_first nn.GRU(num_layers=2, bidirectional) + nn.Linear. */
function pytorchLike(head: "h_n" | "out_last", bidirectional: boolean): Uint8Array {
  const g = new GraphBuilder();
  const I = 3, H = 4, D = bidirectional ? 2 : 1, L = 2, O = 2;
  const x = g.addInput("input", "float32", ["batch", "seq", I]);
  // h0 = zeros(L·D, batch, H), from the input's shape
  const bdim = g.op("Unsqueeze", [g.op("Gather", [g.op("Shape", [x]), g.constant("i0", "int64", [], [0])], { axis: 0 }), g.ints("ax0", [0])]);
  const h0 = g.op("ConstantOfShape", [g.op("Concat", [g.ints("ld", [L * D]), bdim, g.ints("h", [H])], { axis: 0 })], { value: { dims: [1], dataType: 1, floatData: [0] } });
  let seq = g.op("Transpose", [x], { perm: [1, 0, 2] });
  const finals: string[] = [];
  for (let l = 0; l < L; l++) {
    const In = l === 0 ? I : D * H;
    const W = g.f32("W", [D, 3 * H, In], values(D * 3 * H * In, 30 + l, 0.5)), R = g.f32("R", [D, 3 * H, H], values(D * 3 * H * H, 40 + l, 0.5));
    const Bv = g.f32("B", [D, 6 * H], values(D * 6 * H, 50 + l, 0.5));
    const hl = g.op("Slice", [h0, g.ints("s", [l * D]), g.ints("e", [(l + 1) * D]), g.ints("a", [0])]);
    const [y, yh] = g.node("GRU", [seq, W, R, Bv, "", hl], { hidden_size: H, linear_before_reset: 1, direction: bidirectional ? "bidirectional" : "forward" }, 2);
    seq = g.op("Reshape", [g.op("Transpose", [y!], { perm: [0, 2, 1, 3] }), g.ints("sh", [0, 0, -1])]);
    finals.push(yh!);
  }
  let feat: string;
  if (head === "h_n") {
    const hn = g.op("Concat", finals, { axis: 0 });
    feat = bidirectional
      ? g.op("Concat", [g.op("Gather", [hn, g.constant("m2", "int64", [], [-2])], { axis: 0 }), g.op("Gather", [hn, g.constant("m1", "int64", [], [-1])], { axis: 0 })], { axis: 1 })
      : g.op("Gather", [hn, g.constant("m1", "int64", [], [-1])], { axis: 0 });
  } else {
    feat = g.op("Gather", [g.op("Transpose", [seq], { perm: [1, 0, 2] }), g.constant("m1", "int64", [], [-1])], { axis: 1 });
  }
  const y = g.op("Gemm", [feat, g.f32("fc.weight", [O, D * H], values(O * D * H, 60, 0.5)), g.f32("fc.bias", [O], values(O, 61))], { transB: 1 });
  g.addOutput("output", y, "float32", ["batch", O]);
  return encodeOnnx({ irVersion: 8, opsetImport: [{ domain: "", version: 14 }], graph: g.graph("torch_jit") });
}

describe("graphs as PyTorch exports them", () => {
  const T = 6, B = 3;
  const feeds = { input: tensor("float32", [B, T, 3], values(B * T * 3, 77)) };
  it("bidirectional stack, head on torch.cat(h_n[-2], h_n[-1])", async () => {
    const imp = await compare(pytorchLike("h_n", true), feeds, T, B);
    assert.deepEqual(imp.model.spec.layers.map((l) => l.kind), ["recurrent", "last-step", "dense"]);
    assert.equal(imp.model.spec.layers[0]!.layers, 2);
  });
  it("unidirectional stack, head on out[:, -1]", async () => {
    await compare(pytorchLike("out_last", false), feeds, T, B);
  });
  it("out[:, -1] on a bidirectional output: every direction read at the last step", async () => {
    const imp = await compare(pytorchLike("out_last", true), feeds, T, B);
    assert.deepEqual(imp.model.spec.layers[1], { kind: "last-step", hiddenSize: 4, directions: ["forward", "reverse"], at: "last-step" });
  });
});

/** tf2onnx's form of a Keras GRU(reset_after=True) + Dense(softmax): transposes around the node, Y_h squeezed. */
function kerasLike(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.addInput("gru_input", "float32", ["unk", "unk2", 3]);
  const H = 4;
  const [, yh] = g.node("GRU", [g.op("Transpose", [x], { perm: [1, 0, 2] }), g.f32("W", [1, 3 * H, 3], values(36, 1)), g.f32("R", [1, 3 * H, H], values(48, 2)), g.f32("B", [1, 6 * H], values(24, 3))],
    { hidden_size: H, linear_before_reset: 1, activations: ["Sigmoid", "Tanh"] }, 2);
  const h = g.op("Squeeze", [yh!, g.ints("a0", [0])]);
  const y = g.op("Softmax", [g.op("Add", [g.op("MatMul", [h, g.f32("kernel", [H, 3], values(12, 4))]), g.f32("bias", [3], values(3, 5))])], { axis: -1 });
  g.addOutput("dense", y, "float32", ["unk", 3]);
  return encodeOnnx({ irVersion: 8, opsetImport: [{ domain: "", version: 13 }], graph: g.graph("tf2onnx") });
}

describe("graphs as tf2onnx exports Keras models", () => {
  it("GRU(reset_after=True) → Dense(softmax)", async () => {
    const imp = await compare(kerasLike(), { gru_input: tensor("float32", [2, 5, 3], values(30, 9)) }, 5, 2);
    assert.equal(imp.model.spec.task.target, "class");
    assert.equal(imp.model.spec.layers[0]!.reset, "after");
  });
});

describe("ONNX layout 1 (batch-major recurrent nodes)", () => {
  it("a bidirectional GRU node with layout = 1 imports and equals the interpreted graph", () => {
    const g = new GraphBuilder();
    const H = 3, I = 2, D = 2;
    const x = g.addInput("x", "float32", ["B", "T", I]);
    const [y] = g.node("GRU", [x, g.f32("W", [D, 3 * H, I], values(D * 3 * H * I, 1)), g.f32("R", [D, 3 * H, H], values(D * 3 * H * H, 2)), g.f32("B", [D, 6 * H], values(D * 6 * H, 3))],
      { hidden_size: H, direction: "bidirectional", linear_before_reset: 1, layout: 1 }, 2);
    g.addOutput("y", g.op("Reshape", [y!, g.ints("s", [0, 0, -1])]), "float32", null);
    const p = OnnxProgram.fromBytes(encodeOnnx({ irVersion: 8, opsetImport: [{ domain: "", version: 14 }], graph: g.graph("g") }));
    const T = 4, B = 2, data = values(B * T * I, 4);
    const ref = p.run({ x: tensor("float32", [B, T, I], data) }).y!;
    const imp = onnxToModel(p);
    assert.equal(imp.input.layout, "batch-major");
    assert.equal(imp.output.layout, "batch-major");
    const ours = swap01(runModel(imp.model, { T, B, data: swap01(data, B, T, I) }), T, B, D * H);
    worst = Math.max(worst, assertClose(ours, ref.data, { atol: 1e-6 }, "layout 1 import"));
  });
});

describe("ONNX import refusals name the node and the reason", () => {
  it("an unsupported operator", () => {
    const g = new GraphBuilder();
    g.addOutput("y", g.op("Erf", [g.addInput("x", "float32", [2])]), "float32", [2]);
    const bytes = encodeOnnx({ irVersion: 8, opsetImport: [{ domain: "", version: 17 }], graph: g.graph("g") });
    assert.throws(() => OnnxProgram.fromBytes(bytes), (e: unknown) => e instanceof FormatError && /operator Erf is not supported/.test(e.message));
  });
  it("an unsupported attribute", () => {
    const g = new GraphBuilder();
    const x = g.addInput("x", "float32", [2, 1, 1]);
    g.node("GRU", [x, g.f32("W", [1, 3, 1], [1, 1, 1]), g.f32("R", [1, 3, 1], [1, 1, 1])], { hidden_size: 1, peephole: 1 }, ["y"]);
    g.outputs.push({ name: "y" });
    const p = OnnxProgram.fromBytes(encodeOnnx({ irVersion: 8, opsetImport: [{ domain: "", version: 17 }], graph: g.graph("g") }));
    assert.throws(() => p.run({ x: tensor("float32", [2, 1, 1], [1, 2]) }), (e: unknown) => e instanceof FormatError && /unsupported attribute "peephole"/.test(e.message));
  });
  it("a missing initializer", () => {
    const g = new GraphBuilder();
    g.addOutput("y", g.op("Add", [g.addInput("x", "float32", [2]), "bias"]), "float32", [2]);
    const bytes = encodeOnnx({ irVersion: 8, opsetImport: [{ domain: "", version: 17 }], graph: g.graph("g") });
    assert.throws(() => OnnxProgram.fromBytes(bytes), (e: unknown) => e instanceof FormatError && /"bias".*missing initializer/.test(e.message));
  });
  it("a truncated protobuf", () => {
    const bytes = modelToOnnx(new Model(createSpec(MODELS.mgu_reverse_last!)));
    assert.throws(() => OnnxProgram.fromBytes(bytes.subarray(0, bytes.length - 7)), (e: unknown) => e instanceof FormatError && /truncated/.test(e.message));
  });
  it("an initializer whose data does not match its shape", () => {
    const g = new GraphBuilder();
    const x = g.addInput("x", "float32", [2]);
    g.addOutput("y", g.op("Add", [x, g.f32("bias", [2], [1, 2])]), "float32", [2]);
    const graph = g.graph("g");
    graph.initializer![0]!.dims = [3];
    assert.throws(() => OnnxProgram.fromBytes(encodeOnnx({ irVersion: 8, opsetImport: [{ domain: "", version: 17 }], graph })), (e: unknown) => e instanceof FormatError && /"bias" has shape \[3\].*8 bytes of raw_data/.test(e.message));
  });
  it("a graph that is not a chain", () => {
    const g = new GraphBuilder();
    const x = g.addInput("x", "float32", ["T", "B", 2]);
    const W = g.f32("W", [1, 3, 2], values(6, 1)), R = g.f32("R", [1, 3, 1], values(3, 2));
    const [y1] = g.node("GRU", [x, W, R], { hidden_size: 1 }, 2);
    const [y2] = g.node("GRU", [x, W, R], { hidden_size: 1 }, 2);
    g.addOutput("y", g.op("Add", [g.op("Squeeze", [y1!, g.ints("a", [1])]), g.op("Squeeze", [y2!, g.ints("a", [1])])]), "float32", null);
    const p = OnnxProgram.fromBytes(encodeOnnx({ irVersion: 8, opsetImport: [{ domain: "", version: 17 }], graph: g.graph("g") }));
    assert.throws(() => onnxToModel(p), (e: unknown) => e instanceof GatedError && /not a chain/.test(e.message));
  });
});

after(() => console.log(`# ONNX → gated model: max |gated − ORT| ${worst.toExponential(2)}`));
