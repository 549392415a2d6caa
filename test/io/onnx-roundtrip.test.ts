// gated → ONNX → ONNX Runtime, gated → ONNX → gated, and ONNX node → gated's interpreter, over the
// option grid of the core ORT conformance fixtures (test/fixtures/ort: both reset placements, the
// three directions, sequence_lens, initial_h/c, clip, activations with alpha/beta, layout 1).
// References: the ORT outputs recorded by scripts/gen-ort-fixtures.mjs, and ORT itself at test time.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { recurrentFromOnnx } from "../../src/io/onnx/recurrent-node.js";
import { recurrentToOnnx } from "../../src/io/onnx/export-model.js";
import { OnnxProgram } from "../../src/io/onnx/program.js";
import { recurrentFromGatedOnnx } from "../../src/io/onnx/read-gated.js";
import { GraphBuilder } from "../../src/io/onnx/builder.js";
import { encodeOnnx } from "../../src/io/onnx/proto.js";
import { tensor, type OnnxTensor } from "../../src/io/onnx/tensor.js";
import { assertClose } from "../helpers/close.js";
import { ortCases, swap01, type OrtCase } from "./helpers/fixtures.js";
import { runOrt } from "./helpers/ort.js";

const worst = { ort: 0, fixture: 0, interp: 0, node: 0 };
const track = (k: keyof typeof worst, v: number) => { worst[k] = Math.max(worst[k], v); };

/** ONNX Y ([T, D, B, H] or layout 1 [B, T, D, H]) as gated's [T, B, D·H] or [B, T, D·H]. */
function yToGated(c: OrtCase, y: ArrayLike<number>, T: number, B: number, D: number, H: number): Float32Array {
  if (c.layout1) return Float32Array.from(y);
  const out = new Float32Array(T * B * D * H);
  for (let t = 0; t < T; t++) out.set(swap01(Array.prototype.slice.call(y, t * D * B * H, (t + 1) * D * B * H), D, B, H), t * B * D * H);
  return out;
}

function dims(c: OrtCase) {
  const X = c.inputs.X!, H = c.attributes.hidden_size, D = c.attributes.direction === "bidirectional" ? 2 : 1;
  const [T, B, I] = c.layout1 ? [X.shape[1]!, X.shape[0]!, X.shape[2]!] : (X.shape as [number, number, number]);
  return { T, B, I, H, D };
}

/** The case's initial state in gated's [D, B, H] (fixtures keep layout 1 states as [B, D, H]). */
function stateOf(c: OrtCase, name: string): OnnxTensor | undefined {
  const a = c.inputs[name];
  if (!a) return undefined;
  const { B, D, H } = dims(c);
  return tensor("float32", [D, B, H], c.layout1 ? swap01(a.data, B, D, H) : a.data);
}

/** Builds the case's single ONNX node model, all inputs as graph inputs (as the fixture generator). */
function nodeModel(c: OrtCase): Uint8Array {
  const g = new GraphBuilder();
  const order = ["X", "W", "R", "B", "sequence_lens", "initial_h", ...(c.op === "LSTM" ? ["initial_c"] : [])];
  const ins = order.map((n) => (c.inputs[n] ? g.addInput(n, n === "sequence_lens" ? "int32" : "float32", c.inputs[n]!.shape) : ""));
  while (ins[ins.length - 1] === "") ins.pop();
  const outs = c.op === "LSTM" ? ["Y", "Y_h", "Y_c"] : ["Y", "Y_h"];
  g.node(c.op, ins, c.attributes as never, outs.map((o) => g.reserve(o)));
  for (const o of outs) g.outputs.push({ name: o, type: { tensorType: { elemType: 1 } } });
  return encodeOnnx({ irVersion: 8, opsetImport: [{ domain: "", version: 14 }], graph: g.graph("node") });
}

function feedsOf(c: OrtCase): Record<string, OnnxTensor> {
  const f: Record<string, OnnxTensor> = {};
  for (const [n, a] of Object.entries(c.inputs)) if (a) f[n] = tensor(n === "sequence_lens" ? "int32" : "float32", a.shape, a.data);
  return f;
}

for (const c of ortCases()) {
  describe(`ONNX interchange ${c.op} ${c.name}${c.layout1 ? " (layout 1)" : ""}`, () => {
    const { T, B, I, H, D } = dims(c);
    const inp = c.inputs;
    const net = recurrentFromOnnx(c.op, I, c.attributes as never, { W: inp.W!.data, R: inp.R!.data, B: inp.B?.data });
    const layout = c.layout1 ? "batch-major" : "time-major";
    const h0 = stateOf(c, "initial_h"), c0 = stateOf(c, "initial_c");
    const ours = net.forward({ data: Float32Array.from(inp.X!.data), shape: inp.X!.shape }, {
      layout, ...(inp.sequence_lens ? { lengths: inp.sequence_lens.data } : {}),
      ...(h0 ? { initialState: { data: h0.data as Float32Array, shape: h0.shape } } : {}),
      ...(c0 ? { initialCell: { data: c0.data as Float32Array, shape: c0.shape } } : {}),
    });
    const bytes = recurrentToOnnx(net, { layout, lengths: !!inp.sequence_lens, initialState: !!h0 });
    const feeds: Record<string, OnnxTensor> = { X: tensor("float32", inp.X!.shape, inp.X!.data) };
    if (inp.sequence_lens) feeds.sequence_lens = tensor("int32", [B], inp.sequence_lens.data);
    if (h0) feeds.initial_h = h0;
    if (h0 && c.op === "LSTM") feeds.initial_c = c0 ?? tensor("float32", [D, B, H]); // the export takes both states or neither
    const refY = yToGated(c, c.outputs.Y!.data, T, B, D, H);

    it("gated → ONNX → ORT equals gated and the recorded ORT outputs", async () => {
      const r = await runOrt(bytes, feeds);
      track("ort", assertClose(r.Y!.data, ours.output.data, { atol: 1e-5 }, "Y vs gated"));
      track("ort", assertClose(r.Y_h!.data, ours.finalState.data, { atol: 1e-5 }, "Y_h vs gated"));
      if (ours.finalCell) track("ort", assertClose(r.Y_c!.data, ours.finalCell.data, { atol: 1e-5 }, "Y_c vs gated"));
      track("fixture", assertClose(r.Y!.data, refY, { atol: 1e-5 }, "Y vs recorded ORT"));
    });

    it("gated → ONNX → gated gives the same parameters and outputs", () => {
      const program = OnnxProgram.fromBytes(bytes);
      const back = recurrentFromGatedOnnx(program);
      assert.deepEqual(Array.from(back.params), Array.from(net.params));
      const r = program.run(feeds);
      track("interp", assertClose(r.Y!.data, ours.output.data, { atol: 1e-6 }, "interpreted Y"));
      track("interp", assertClose(r.Y_h!.data, ours.finalState.data, { atol: 1e-6 }, "interpreted Y_h"));
    });

    it("the single ONNX node, run by gated's interpreter, equals the recorded ORT outputs", () => {
      const r = OnnxProgram.fromBytes(nodeModel(c)).run(feedsOf(c));
      track("node", assertClose(r.Y!.data, c.outputs.Y!.data, { atol: 1e-5 }, "Y"));
      track("node", assertClose(r.Y_h!.data, c.outputs.Y_h!.data, { atol: 1e-5 }, "Y_h"));
      if (c.outputs.Y_c) track("node", assertClose(r.Y_c!.data, c.outputs.Y_c.data, { atol: 1e-5 }, "Y_c"));
    });
  });
}

after(() => console.log(`# max |diff| ORT export vs gated ${worst.ort.toExponential(2)}, vs recorded ORT ${worst.fixture.toExponential(2)}; interpreter vs gated ${worst.interp.toExponential(2)}; ONNX node (interpreter) vs recorded ORT ${worst.node.toExponential(2)}`));
