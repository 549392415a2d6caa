// gated against TensorFlow.js layers (GRU reset-before with hardSigmoid 0.2x+0.5, LSTM,
// SimpleRNN; goBackwards; masking; initial state): forward and gradients, from
// scripts/gen-tfjs-fixtures.mjs (recorded seed). float32, max abs diff ≤ 1e-5.
import { readFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { kerasActivation } from "../src/io/keras/activations.js";
import { Recurrent } from "../src/sequence/recurrent.js";
import { assertClose } from "./helpers/close.js";

interface Arr { shape: number[]; data: number[] }
interface Case {
  name: string; layer: "gru" | "lstm" | "simpleRNN";
  config: { units: number; activation: string; recurrentActivation?: string; useBias: boolean; goBackwards: boolean };
  x: Arr; mask?: Arr & { lengths: number[] }; initialState?: Arr[];
  weights: { kernel: Arr; recurrentKernel: Arr; bias?: Arr };
  outputs: { sequence: Arr; finalStates: Arr[] };
  cotangent: Arr;
  grads: { x: Arr; kernel: Arr; recurrentKernel: Arr; bias?: Arr; initialState?: Arr[] };
}

const file = JSON.parse(readFileSync(new URL("./fixtures/tfjs/recurrent.json", import.meta.url), "utf8")) as {
  cases: Case[]; tfjsVersion: string; seed: number;
};
let worstForward = 0, worstGrad = 0;

/** [R, C] → [C, R] */
function transpose(a: ArrayLike<number>, R: number, C: number): Float32Array {
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = a[r * C + c]!;
  return out;
}

function build(c: Case): Recurrent {
  const H = c.config.units, I = c.x.shape[2]!;
  const act = (n: string) => kerasActivation(c.name, n, "tfjs");
  const common = { inputSize: I, hiddenSize: H, bias: c.config.useBias, direction: c.config.goBackwards ? "reverse" : "forward" } as const;
  const net = c.layer === "gru"
    ? new Recurrent({ cell: "gru", ...common, reset: "before", update: "keep", gateActivation: act(c.config.recurrentActivation!), candidateActivation: act(c.config.activation) })
    : c.layer === "lstm"
      ? new Recurrent({ cell: "lstm", ...common, gateActivation: act(c.config.recurrentActivation!), candidateActivation: act(c.config.activation), outputActivation: act(c.config.activation) })
      : new Recurrent({ cell: "rnn", ...common, activation: act(c.config.activation) });
  const pre = `layer0.${common.direction}`;
  const G = net.param(`${pre}.W`).length / (H * I);
  // Keras keeps (in, out) matrices; gated (out, in). Gate orders agree (z, r, h; i, f, c, o).
  net.setParam(`${pre}.W`, transpose(c.weights.kernel.data, I, G * H));
  net.setParam(`${pre}.U`, transpose(c.weights.recurrentKernel.data, H, G * H));
  if (c.weights.bias) net.setParam(`${pre}.b`, c.weights.bias.data);
  return net;
}

function runCase(c: Case): void {
  const [B, T, I] = c.x.shape as [number, number, number];
  const H = c.config.units, back = c.config.goBackwards;
  const net = build(c);
  const lengths = c.mask?.lengths;
  const states = c.initialState?.map((s) => ({ data: Float32Array.from(s.data), shape: [1, B, H] }));
  const r = net.forward({ data: Float32Array.from(c.x.data), shape: [B, T, I] }, {
    layout: "batch-major", train: true,
    ...(lengths ? { lengths } : {}),
    ...(states?.[0] ? { initialState: states[0] } : {}),
    ...(states?.[1] ? { initialCell: states[1] } : {}),
  });
  // TF.js goBackwards does not re-reverse its outputs: its step k is our time T−1−k.
  const tf = (b: number, t: number) => b * T + (back ? T - 1 - t : t);
  const valid = (b: number, t: number) => !lengths || t < lengths[b]!;
  const ours = new Float32Array(B * T * H), ref = new Float32Array(B * T * H);
  const zeros: number[] = [];
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) {
    const o = r.output.data[(b * T + t) * H + j]!;
    if (valid(b, t)) { ours[(b * T + t) * H + j] = o; ref[(b * T + t) * H + j] = c.outputs.sequence.data[tf(b, t) * H + j]!; }
    else zeros.push(o); // gated (ONNX semantics) outputs 0 past a row's length; TF.js repeats the last output
  }
  worstForward = Math.max(worstForward, assertClose(ours, ref, { atol: 1e-5 }, `${c.name} outputs`));
  assertClose(zeros, zeros.map(() => 0), { atol: 0 }, `${c.name} outputs past the length`);
  assertClose(r.finalState.data, c.outputs.finalStates[0]!.data, { atol: 1e-5 }, `${c.name} final h`);
  if (c.outputs.finalStates[1]) assertClose(r.finalCell!.data, c.outputs.finalStates[1].data, { atol: 1e-5 }, `${c.name} final c`);

  // dL/dy in our layout. TF.js's masked (forward) outputs repeat h at the last valid step, so
  // their cotangent belongs to that step; with goBackwards the padded steps come first and
  // output the constant initial state, so their cotangent has no effect.
  const dy = new Float32Array(B * T * H);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) {
    const cot = c.cotangent.data[tf(b, t) * H + j]!;
    if (valid(b, t)) dy[(b * T + t) * H + j] += cot;
    else if (!back && lengths![b]! > 0) dy[(b * T + lengths![b]! - 1) * H + j] += cot;
  }
  const g = net.backward(r.tape!, { data: dy, shape: [B, T, H] });
  const pre = `layer0.${back ? "reverse" : "forward"}`;
  const G = net.param(`${pre}.W`).length / (H * I);
  const cmp = (a: ArrayLike<number>, e: ArrayLike<number>, what: string) => {
    worstGrad = Math.max(worstGrad, assertClose(a, e, { atol: 1e-5 }, `${c.name} ${what}`));
  };
  cmp(g.dInput.data, c.grads.x.data, "dx");
  cmp(transpose(net.gradView(g.dParams, `${pre}.W`), G * H, I), c.grads.kernel.data, "dkernel");
  cmp(transpose(net.gradView(g.dParams, `${pre}.U`), G * H, H), c.grads.recurrentKernel.data, "drecurrentKernel");
  if (c.grads.bias) cmp(net.gradView(g.dParams, `${pre}.b`), c.grads.bias.data, "dbias");
  if (c.grads.initialState?.[0]) cmp(g.dInitialState.data, c.grads.initialState[0].data, "dh0");
  if (c.grads.initialState?.[1]) cmp(g.dInitialCell!.data, c.grads.initialState[1].data, "dc0");
}

describe(`TensorFlow.js ${file.tfjsVersion} layers (seed ${file.seed})`, () => {
  for (const c of file.cases) it(c.name, () => runCase(c));
  after(() => console.log(`# max |gated − TF.js| forward ${worstForward.toExponential(2)}, gradients ${worstGrad.toExponential(2)}`));
});
