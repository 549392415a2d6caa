// gated against ONNX Runtime: the GRU/LSTM/RNN outputs stored by scripts/gen-ort-fixtures.mjs
// (onnxruntime-node, recorded seed) for every direction, linear_before_reset, initial_h,
// sequence_lens, clip and activations with alpha/beta. float32, max abs diff ≤ 1e-5.
import { readFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { recurrentFromOnnx, type OnnxRecurrentOp } from "../src/io/onnx/recurrent-node.js";
import { assertClose } from "./helpers/close.js";

interface Arr { shape: number[]; data: number[] }
interface Case {
  name: string; op: OnnxRecurrentOp; attributes: Record<string, unknown> & { hidden_size: number; layout?: number };
  inputs: Record<string, Arr | undefined>; outputs: Record<string, Arr | undefined>;
}

const ortWorst: Record<string, number> = {};

function runCase(c: Case): void {
  const layout = c.attributes.layout === 1 ? "batch-major" : "time-major";
  const X = c.inputs.X!;
  const [T, B, I] = layout === "time-major" ? X.shape : [X.shape[1]!, X.shape[0]!, X.shape[2]!];
  const H = c.attributes.hidden_size;
  const net = recurrentFromOnnx(c.op, I!, c.attributes as never, {
    W: c.inputs.W!.data, R: c.inputs.R!.data, B: c.inputs.B?.data, P: c.inputs.P?.data,
  });
  const D = net.numDirections;
  const init = (a: Arr | undefined) => {
    if (!a) return undefined;
    // ONNX layout 1 keeps initial states as [B, D, H]; ours are [D, B, H]
    const data = new Float32Array(a.data.length);
    if (layout === "time-major") data.set(a.data);
    else for (let b = 0; b < B!; b++) for (let d = 0; d < D; d++) for (let j = 0; j < H; j++) data[(d * B! + b) * H + j] = a.data[(b * D + d) * H + j]!;
    return { data, shape: [D, B!, H] };
  };
  const h0 = init(c.inputs.initial_h), c0 = init(c.inputs.initial_c);
  const r = net.forward({ data: Float32Array.from(X.data), shape: X.shape }, {
    layout,
    ...(c.inputs.sequence_lens ? { lengths: c.inputs.sequence_lens.data } : {}),
    ...(h0 ? { initialState: h0 } : {}),
    ...(c0 ? { initialCell: c0 } : {}),
  });
  // ONNX Y: [T, D, B, H] (layout 0) or [B, T, D, H] (layout 1); ours [T, B, D·H] or [B, T, D·H]
  const Y = c.outputs.Y!;
  const y = new Float32Array(Y.data.length);
  for (let t = 0; t < T!; t++) for (let d = 0; d < D; d++) for (let b = 0; b < B!; b++) for (let j = 0; j < H; j++) {
    const ours = layout === "time-major" ? (t * B! + b) * D * H + d * H + j : (b * T! + t) * D * H + d * H + j;
    const theirs = layout === "time-major" ? ((t * D + d) * B! + b) * H + j : ((b * T! + t) * D + d) * H + j;
    y[theirs] = r.output.data[ours]!;
  }
  let worst = assertClose(y, Y.data, { atol: 1e-5 }, `${c.name} Y`);
  const finals: [string, Float32Array | Float64Array | undefined][] = [["Y_h", r.finalState.data], ["Y_c", r.finalCell?.data]];
  for (const [name, ours] of finals) {
    const ref = c.outputs[name];
    if (!ref) continue;
    assert.ok(ours, `${c.name}: ORT gave ${name} but gated gave no such state`);
    const flat = new Float32Array(ours.length);
    for (let d = 0; d < D; d++) for (let b = 0; b < B!; b++) for (let j = 0; j < H; j++) {
      flat[layout === "time-major" ? (d * B! + b) * H + j : (b * D + d) * H + j] = ours[(d * B! + b) * H + j]!;
    }
    worst = Math.max(worst, assertClose(flat, ref.data, { atol: 1e-5 }, `${c.name} ${name}`));
  }
  ortWorst[c.op] = Math.max(ortWorst[c.op] ?? 0, worst);
}

for (const op of ["gru", "lstm", "rnn"]) {
  const file = JSON.parse(readFileSync(new URL(`./fixtures/ort/${op}.json`, import.meta.url), "utf8")) as {
    cases: Case[]; layout1Derived?: Case[]; ortVersion: string; seed: number;
  };
  describe(`ONNX Runtime ${file.ortVersion} ${op.toUpperCase()} (seed ${file.seed})`, () => {
    it("has cases", () => assert.ok(file.cases.length >= 10));
    for (const c of file.cases) it(c.name, () => runCase(c));
    for (const c of file.layout1Derived ?? []) it(`${c.name} (layout 1, from ORT layout 0 transposed)`, () => runCase(c));
    after(() => console.log(`# max |gated − ORT| ${op.toUpperCase()}: ${(ortWorst[op.toUpperCase()] ?? NaN).toExponential(2)}`));
  });
}
