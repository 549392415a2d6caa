// Whole gated models → ONNX → ONNX Runtime, → gated's interpreter, and back into a gated model:
// embedding, stacked/bidirectional recurrent layers (native and Scan), layer norm, dropout,
// last step, dense heads with activations; time- or batch-major; with and without lengths.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Model, createSpec } from "../../src/model/model.js";
import { MODELS } from "./helpers/models.js";
import { modelToOnnx } from "../../src/io/onnx/export-model.js";
import { OnnxProgram } from "../../src/io/onnx/program.js";
import { modelFromGatedOnnx } from "../../src/io/onnx/read-gated.js";
import { tensor, type OnnxTensor } from "../../src/io/onnx/tensor.js";
import { assertClose } from "../helpers/close.js";
import { runModel, values } from "./helpers/model.js";
import { runOrt } from "./helpers/ort.js";
import { swap01 } from "./helpers/fixtures.js";

let worstOrt = 0, worstInterp = 0;

for (const [name, opts] of Object.entries(MODELS)) {
  describe(`ONNX model export ${name}`, () => {
    const model = new Model(createSpec(opts), { seed: 5 });
    const T = 6, B = 3, tokens = opts.input.kind === "tokens";
    const F = tokens ? 1 : (opts.input as { features: number }).features;
    const x = tokens ? Float32Array.from(values(T * B, 21), (v) => Math.floor((v + 1) * 3.4)) : values(T * B * F, 21, 1.2);
    for (const layout of ["time-major", "batch-major"] as const) {
      for (const withLengths of [false, true]) {
        it(`${layout}${withLengths ? ", lengths" : ""}`, async () => {
          const lengths = withLengths ? [6, 3, 0] : undefined;
          const ours = runModel(model, { T, B, data: x, ...(lengths ? { lengths } : {}) });
          const bytes = modelToOnnx(model, { layout, lengths: withLengths });
          const bm = layout === "batch-major";
          const shape = tokens ? (bm ? [B, T] : [T, B]) : bm ? [B, T, F] : [T, B, F];
          const xin = bm ? swap01(x, T, B, tokens ? 1 : F) : x;
          const feeds: Record<string, OnnxTensor> = { input: tensor(tokens ? "int64" : "float32", shape, xin) };
          if (lengths) feeds.lengths = tensor("int32", [B], lengths);
          const O = opts.task.outputs;
          const expected = opts.task.perStep && bm ? swap01(ours, T, B, O) : ours;
          const r = await runOrt(bytes, feeds);
          worstOrt = Math.max(worstOrt, assertClose(r.output!.data, expected, { atol: 1e-5 }, "ORT output"));
          const program = OnnxProgram.fromBytes(bytes);
          worstInterp = Math.max(worstInterp, assertClose(program.run(feeds).output!.data, expected, { atol: 1e-5 }, "interpreter output"));
          const back = modelFromGatedOnnx(program);
          assert.deepEqual(back.spec, model.spec);
          assert.deepEqual(Array.from(back.net.params), Array.from(model.net.params));
        });
      }
    }
  });
}

describe("ONNX model export with the task's link", () => {
  it("a class model ends in Softmax", async () => {
    const model = new Model(createSpec(MODELS.gru_bidi_stack_head!), { seed: 5 });
    const x = values(4 * 2 * 3, 3);
    const logits = runModel(model, { T: 4, B: 2, data: x });
    const r = await runOrt(modelToOnnx(model, { link: true }), { input: tensor("float32", [4, 2, 3], x) });
    const p = new Float32Array(logits.length);
    for (let b = 0; b < 2; b++) {
      const row = Array.from(logits.slice(b * 3, b * 3 + 3)), m = Math.max(...row), s = row.reduce((a, v) => a + Math.exp(v - m), 0);
      row.forEach((v, j) => { p[b * 3 + j] = Math.exp(v - m) / s; });
    }
    assertClose(r.output!.data, p, { atol: 1e-6 }, "softmax probabilities");
  });
});

after(() => console.log(`# model export: max |ORT − gated| ${worstOrt.toExponential(2)}, max |interpreter − gated| ${worstInterp.toExponential(2)}`));
