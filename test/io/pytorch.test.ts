// PyTorch state dicts (safetensors, built here from the documented layout with seeded weights) →
// gated, checked against an independent float64 implementation of PyTorch's equations; then
// PyTorch layout → gated → ONNX → ONNX Runtime; gated → PyTorch → gated exactly; and refusals.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { importPytorch, exportPytorch } from "../../src/io/pytorch/state-dict.js";
import { modelToOnnx } from "../../src/io/onnx/export-model.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { tensor } from "../../src/io/onnx/tensor.js";
import { Model, createSpec } from "../../src/model/model.js";
import { OptionError, FormatError } from "../../src/errors/index.js";
import { assertClose } from "../helpers/close.js";
import { runModel, values } from "./helpers/model.js";
import { runOrt } from "./helpers/ort.js";
import { swap01 } from "./helpers/fixtures.js";
import { encode, makeStateDict, specOf, torchForward, type TorchCase } from "./helpers/torch-state-dict.js";

const CASES: Record<string, TorchCase> = {};
let seed = 100;
for (const type of ["GRU", "LSTM", "RNN"] as const) {
  for (const [shape, layers, bidirectional] of [["1 layer", 1, false], ["2 layers bidirectional", 2, true]] as const) {
    for (const bias of [true, false]) {
      CASES[`${type} ${shape}${bias ? "" : " no bias"} features per step`] = { type, I: 3, H: 4, layers, bidirectional, bias, seed: seed++ };
      CASES[`${type} ${shape}${bias ? "" : " no bias"} embedding + head`] = { type, I: 0, H: 3, layers, bidirectional, bias, vocab: 9, head: { O: 2, activation: "Tanh" }, seed: seed++ };
    }
  }
}
CASES["RNN relu 2 layers"] = { type: "RNN", I: 2, H: 3, layers: 2, bidirectional: false, bias: true, nonlinearity: "relu", head: { O: 3 }, seed: seed++ };

let worstRef = 0, worstOrt = 0;
const T = 5, B = 3;

for (const [name, c] of Object.entries(CASES)) {
  describe(`PyTorch ${name}`, () => {
    it("gated → PyTorch → gated gives back the same model exactly", () => {
      const { model } = importPytorch(encode(makeStateDict(c), specOf(c)));
      const again = importPytorch(exportPytorch(model).bytes).model;
      assert.deepEqual(again.spec, model.spec);
      assert.deepEqual(Array.from(again.net.params), Array.from(model.net.params));
    });
    const sd = makeStateDict(c);
    const x = c.vocab ? Float32Array.from(values(B * T, 3), (v) => Math.floor((v + 1) * 4.4)) : values(B * T * c.I, 3);
    const F = c.vocab ? 1 : c.I;
    for (const lengths of [undefined, [5, 2, 4]]) {
      it(lengths ? "packed sequences (lengths)" : "full sequences", async () => {
        const { model } = importPytorch(encode(sd, specOf(c)));
        const ref = torchForward(c, sd, x, B, T, lengths);
        // gated runs time-major; PyTorch batch_first
        let ours = runModel(model, { T, B, data: swap01(x, B, T, F), ...(lengths ? { lengths } : {}) });
        if (!c.head) ours = swap01(ours, T, B, ours.length / (T * B));
        worstRef = Math.max(worstRef, assertClose(ours, ref, { atol: 1e-5 }, "gated vs PyTorch equations"));
        const bytes = modelToOnnx(model, { layout: "batch-major", lengths: !!lengths });
        const feeds = { input: tensor(c.vocab ? "int64" : "float32", c.vocab ? [B, T] : [B, T, c.I], x), ...(lengths ? { lengths: tensor("int32", [B], lengths) } : {}) };
        const r = await runOrt(bytes, feeds);
        worstOrt = Math.max(worstOrt, assertClose(r.output!.data, ref, { atol: 1e-5 }, "PyTorch → gated → ONNX → ORT vs PyTorch equations"));
      });
    }
    it("gated → PyTorch state dict gives back the same tensors", () => {
      const { model } = importPytorch(encode(sd, specOf(c)));
      const back = decodeSafetensors(exportPytorch(model, { names: model.net.layers.map((l) => ({ embedding: "embedding", recurrent: "rnn", "last-step": "last", dense: "fc" } as Record<string, string>)[l.kind]!) }).bytes);
      assert.deepEqual([...back.tensors.keys()].sort(), [...sd.keys()].sort());
      for (const [k, v] of sd) {
        const got = back.tensors.get(k)!.data as Float32Array;
        if (k.startsWith("rnn.bias_")) continue; // re-split: bias_ih carries the sums, bias_hh only b_hn (checked below)
        assert.deepEqual(Array.from(got), Array.from(v.data), k);
      }
      for (const k of [...sd.keys()].filter((n) => n.startsWith("rnn.bias_ih"))) {
        const hh = sd.get(k.replace("_ih", "_hh"))!.data, ih = sd.get(k)!.data;
        const sums = back.tensors.get(k)!.data as Float32Array, hh2 = back.tensors.get(k.replace("_ih", "_hh"))!.data as Float32Array;
        for (let j = 0; j < ih.length; j++) assert.ok(Math.abs(sums[j]! + hh2[j]! - (ih[j]! + hh[j]!)) <= 1e-6, `${k}[${j}]: the bias sums are kept`);
      }
    });
  });
}

describe("PyTorch module list", () => {
  it("is derived for embedding → recurrent → linear when the file has none, once the head is given", () => {
    const c = CASES["GRU 1 layer embedding + head"]!;
    assert.throws(() => importPytorch(encode(makeStateDict(c))), (e: unknown) => e instanceof OptionError && /--head/.test(e.message));
    const { spec } = importPytorch(encode(makeStateDict(c)), { head: "last-state" });
    assert.deepEqual(spec.modules.map((m) => m.type), ["Embedding", "GRU", "LastStep", "Linear"]);
  });
  it("names an unexpected tensor", () => {
    const sd = makeStateDict(CASES["LSTM 1 layer features per step"]!);
    sd.set("rnn.weight_hr_l0", { shape: [2, 4], data: new Float32Array(8) });
    assert.throws(() => importPytorch(encode(sd, specOf(CASES["LSTM 1 layer features per step"]!))), (e: unknown) => e instanceof OptionError && /weight_hr_l0.*proj_size/.test(e.message));
  });
  it("names a tensor of the wrong size", () => {
    const sd = makeStateDict(CASES["GRU 1 layer features per step"]!);
    sd.set("rnn.weight_hh_l0", { shape: [12, 3], data: new Float32Array(36) });
    assert.throws(() => importPytorch(encode(sd, specOf(CASES["GRU 1 layer features per step"]!))), (e: unknown) => e instanceof FormatError && /weight_hh_l0.*\[12, 3\], expected \[12, 4\]/.test(e.message));
  });
});

describe("gated → PyTorch refuses what nn.GRU / nn.LSTM / nn.RNN cannot hold", () => {
  const refuse = (opts: Record<string, unknown>, pattern: RegExp) => {
    const model = new Model(createSpec(opts as never));
    assert.throws(() => exportPytorch(model), (e: unknown) => e instanceof OptionError && pattern.test(e.message));
  };
  const base = { input: { kind: "features", features: 2 }, hiddenSize: 3, task: { target: "regression", perStep: true, outputs: 1 } } as const;
  it("reset-before GRU", () => refuse({ ...base, cell: "gru", cellOptions: { reset: "before" } }, /reset "before".*reset-after only/));
  it("replace-update GRU", () => refuse({ ...base, cell: "gru", cellOptions: { update: "replace" } }, /update "replace"/));
  it("GRU type 2", () => refuse({ ...base, cell: "gru2" }, /gates "type2"/));
  it("hard-sigmoid gates", () => refuse({ ...base, cell: "gru", cellOptions: { gateActivation: "HardSigmoid" } }, /sigmoid gates/));
  it("cell clip", () => refuse({ ...base, cell: "lstm", cellOptions: { clip: 1 } }, /clip/));
  it("reverse-only stacks", () => refuse({ ...base, cell: "gru", direction: "reverse" }, /no reverse-only direction/));
  it("MGU, LiGRU, minGRU", () => {
    for (const cell of ["mgu", "ligru", "mingru"] as const) refuse({ ...base, cell }, /PyTorch has no layer/);
  });
});

after(() => console.log(`# PyTorch: max |gated − PyTorch equations| ${worstRef.toExponential(2)}, max |PyTorch → gated → ONNX → ORT − PyTorch equations| ${worstOrt.toExponential(2)}`));
