// The cells ONNX has no operator for leave as a Scan: gated → ONNX → ORT and → gated's interpreter
// and back into gated, for every variant over directions, stacking, sequence lengths, initial
// state, activations and clip. The reference is ONNX Runtime running the exported graph.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Recurrent } from "../../src/sequence/recurrent.js";
import { recurrentToOnnx } from "../../src/io/onnx/export-model.js";
import { nativeOp } from "../../src/io/onnx/export-recurrent.js";
import { OnnxProgram } from "../../src/io/onnx/program.js";
import { recurrentFromGatedOnnx } from "../../src/io/onnx/read-gated.js";
import { tensor, type OnnxTensor } from "../../src/io/onnx/tensor.js";
import { assertClose } from "../helpers/close.js";
import { values } from "./helpers/model.js";
import { runOrt } from "./helpers/ort.js";

const VARIANTS: Record<string, Record<string, unknown>> = {
  gru1: { cell: "gru1" }, gru2: { cell: "gru2" }, gru3: { cell: "gru3" },
  gru_replace_after: { cell: "gru", update: "replace" },
  gru_replace_before_clip: { cell: "gru", update: "replace", reset: "before", clip: 0.7 },
  gru1_hardsigmoid_leakyrelu: { cell: "gru1", gateActivation: { name: "HardSigmoid", alpha: 1 / 6, beta: 0.5 }, candidateActivation: { name: "LeakyRelu", alpha: 0.1 } },
  mgu: { cell: "mgu" }, mgu1: { cell: "mgu1" }, mgu2: { cell: "mgu2" }, mgu3: { cell: "mgu3" },
  mgu_after_keep: { cell: "mgu", reset: "after", update: "keep" },
  mgu_no_bias_scaledtanh: { cell: "mgu", bias: false, candidateActivation: { name: "ScaledTanh", alpha: 1.3, beta: 0.8 } },
  ligru_batch: { cell: "ligru", normalisation: "batch" }, ligru_layer: { cell: "ligru", normalisation: "layer" },
  ligru_none_replace: { cell: "ligru", normalisation: "none", update: "replace" },
  ligru_layer_no_bias_elu: { cell: "ligru", normalisation: "layer", bias: false, candidateActivation: { name: "Elu", alpha: 0.9 } },
  libru_logprobs: { cell: "libru", mode: "logprobs" }, libru_probs: { cell: "libru", mode: "probs" },
  libru_geomean: { cell: "libru", mode: "geomean" }, libru_ligru: { cell: "libru", mode: "ligru", bias: false },
  mingru_g: { cell: "mingru" }, mingru_linear_keep: { cell: "mingru", candidate: "linear", update: "keep" },
  mingru_log_scan: { cell: "mingru", scan: "log" },
};

const SETTINGS = [
  { name: "forward", direction: "forward", layers: 1, lengths: false, initial: false },
  { name: "reverse, lengths", direction: "reverse", layers: 1, lengths: true, initial: false },
  { name: "bidirectional ×2, lengths, initial state", direction: "bidirectional", layers: 2, lengths: true, initial: true },
] as const;

let worstOrt = 0, worstInterp = 0;

for (const [vname, cellOpts] of Object.entries(VARIANTS)) {
  describe(`ONNX Scan export ${vname}`, () => {
    for (const s of SETTINGS) {
      it(s.name, async () => {
        const T = 5, B = 3, I = 4, H = 3, D = s.direction === "bidirectional" ? 2 : 1;
        const net = new Recurrent({ ...cellOpts, inputSize: I, hiddenSize: H, layers: s.layers, direction: s.direction, init: "uniform", seed: 11 } as never);
        assert.equal(net.cells.some((c) => nativeOp(c) !== null), false, "this variant must need a Scan");
        for (const e of net.entries) if (e.name.endsWith("runningMean")) net.setParam(e.name, values(e.size, 3, 0.3));
        for (const e of net.entries) if (e.name.endsWith("runningVar")) net.setParam(e.name, values(e.size, 4, 0.5).map((v) => 1 + v));
        const x = values(T * B * I, 7, 1.5);
        const lengths = s.lengths ? [5, 2, 0] : undefined;
        const h0 = s.initial ? values(s.layers * D * B * H, 9, 0.8).map((v) => (vname === "libru_probs" ? Math.abs(v) : v)) : undefined;
        const ours = net.forward({ data: x, shape: [T, B, I] }, {
          ...(lengths ? { lengths } : {}), ...(h0 ? { initialState: { data: h0, shape: [s.layers * D, B, H] } } : {}),
        });
        const bytes = recurrentToOnnx(net, { lengths: s.lengths, initialState: s.initial });
        const feeds: Record<string, OnnxTensor> = { X: tensor("float32", [T, B, I], x) };
        if (lengths) feeds.sequence_lens = tensor("int32", [B], lengths);
        if (h0) feeds.initial_h = tensor("float32", [s.layers * D, B, H], h0);
        const r = await runOrt(bytes, feeds);
        worstOrt = Math.max(worstOrt, assertClose(r.Y!.data, ours.output.data, { atol: 1e-5 }, "ORT Y"));
        worstOrt = Math.max(worstOrt, assertClose(r.Y_h!.data, ours.finalState.data, { atol: 1e-5 }, "ORT Y_h"));
        const program = OnnxProgram.fromBytes(bytes);
        const mine = program.run(feeds);
        worstInterp = Math.max(worstInterp, assertClose(mine.Y!.data, ours.output.data, { atol: 1e-5 }, "interpreter Y"));
        const back = recurrentFromGatedOnnx(program);
        assert.deepEqual(Array.from(back.params), Array.from(net.params), "parameters after gated → ONNX → gated");
        assert.deepEqual(back.cells.map((c) => c.config), net.cells.map((c) => c.config), "cell options after gated → ONNX → gated");
      });
    }
  });
}

after(() => console.log(`# Scan export: max |ORT − gated| ${worstOrt.toExponential(2)}, max |interpreter − gated| ${worstInterp.toExponential(2)}`));
