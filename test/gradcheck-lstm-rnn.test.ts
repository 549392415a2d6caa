// Float64 central-difference gradient checks for the LSTM and the Elman RNN (every parameter, the
// input, h0 and, for the LSTM, c0), plus their forward pass against the equations written out
// directly, their parameter counts, and a check that the clip cases really clip.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gradCheck } from "./helpers/gradcheck.js";
import { assertClose } from "./helpers/close.js";
import { Recurrent, type RecurrentOptions } from "../src/sequence/recurrent.js";
import { sigmoid } from "../src/kernels/activations.js";
import { Rng } from "../src/util/random.js";

const base = { inputSize: 3, hiddenSize: 4 };

describe("gradient check: LSTM (float64, every parameter, input, h0 and c0)", () => {
  const lstm = { cell: "lstm" as const, ...base };
  it("defaults", () => void gradCheck({ options: lstm, T: 4, B: 2, initial: true }));
  it("no bias", () => void gradCheck({ options: { ...lstm, bias: false }, T: 3, B: 2, initial: true }));
  it("clip (pre-activations past the clip, see below)", () => void gradCheck({ options: { ...lstm, clip: 0.4 }, T: 4, B: 2, initial: true, paramScale: 1 }));
  it("activations with parameters", () => void gradCheck({
    options: {
      ...lstm, gateActivation: { name: "HardSigmoid", alpha: 0.3, beta: 0.45 },
      candidateActivation: { name: "ScaledTanh", alpha: 1.3, beta: 0.7 }, outputActivation: "Softsign",
    },
    T: 4, B: 2, initial: true,
  }));
  it("output activation Elu(0.8), candidate LeakyRelu(0.1)", () => void gradCheck({
    options: { ...lstm, candidateActivation: { name: "LeakyRelu", alpha: 0.1 }, outputActivation: { name: "Elu", alpha: 0.8 } },
    T: 3, B: 2, initial: true,
  }));
  it("sequence lengths with short and zero-length rows", () => void gradCheck({ options: lstm, T: 5, B: 3, lengths: [5, 2, 0], initial: true }));
  it("reverse, sequence lengths", () => void gradCheck({ options: { ...lstm, direction: "reverse" }, T: 4, B: 3, lengths: [2, 4, 0], initial: true }));
  it("bidirectional, 2 layers, sequence lengths", () => void
    gradCheck({ options: { ...lstm, direction: "bidirectional", layers: 2 }, T: 4, B: 3, lengths: [1, 4, 3], initial: true }));
  it("batch-major, reverse", () => void gradCheck({ options: { ...lstm, direction: "reverse" }, T: 4, B: 2, layout: "batch-major", initial: true }));
  it("two layers, no initial state", () => void gradCheck({ options: { ...lstm, layers: 2 }, T: 3, B: 2 }));
});

describe("gradient check: Elman RNN (float64, every parameter, input and h0)", () => {
  const rnn = { cell: "rnn" as const, ...base };
  it("defaults (Tanh)", () => void gradCheck({ options: rnn, T: 4, B: 2, initial: true }));
  it("no bias", () => void gradCheck({ options: { ...rnn, bias: false }, T: 3, B: 2, initial: true }));
  it("Relu", () => void gradCheck({ options: { ...rnn, activation: "Relu" }, T: 4, B: 2, initial: true }));
  it("clip (pre-activations past the clip, see below)", () => void gradCheck({ options: { ...rnn, clip: 0.4 }, T: 4, B: 2, initial: true, paramScale: 1 }));
  it("Relu with clip", () => void gradCheck({ options: { ...rnn, activation: "Relu", clip: 0.4 }, T: 4, B: 2, initial: true, paramScale: 1 }));
  for (const act of [{ name: "ScaledTanh", alpha: 1.3, beta: 0.7 }, { name: "LeakyRelu", alpha: 0.1 }, { name: "Elu", alpha: 0.8 }, { name: "Softsign" }] as const) {
    it(`activation ${act.name}`, () => void gradCheck({ options: { ...rnn, activation: act }, T: 4, B: 2, initial: true }));
  }
  it("sequence lengths with short and zero-length rows", () => void gradCheck({ options: rnn, T: 5, B: 3, lengths: [5, 2, 0], initial: true }));
  it("reverse", () => void gradCheck({ options: { ...rnn, direction: "reverse" }, T: 4, B: 2, initial: true }));
  it("bidirectional, 2 layers, sequence lengths", () => void
    gradCheck({ options: { ...rnn, direction: "bidirectional", layers: 2 }, T: 4, B: 3, lengths: [1, 4, 3], initial: true }));
  it("batch-major", () => void gradCheck({ options: rnn, T: 4, B: 2, layout: "batch-major", initial: true }));
});

/**
 * The gate values the clip gradient checks above see: the same parameters, input and initial
 * state as gradCheck({ ..., initial: true, paramScale }) draws (its default seeds 7 and 3, in its
 * order: parameters, input, h0, c0), captured per step.
 */
function clipCaseGates(options: RecurrentOptions, T: number, B: number, paramScale: number) {
  const rng = new Rng(7);
  const draw = (n: number, s = 1) => Float64Array.from({ length: n }, () => rng.range(-s, s));
  const net = new Recurrent({ ...options, dtype: "float64", seed: 3 } as RecurrentOptions);
  net.params.set(draw(net.params.length, paramScale));
  const x = { data: draw(T * B * net.inputSize), shape: [T, B, net.inputSize] };
  const init = net.cells[0]!.states.map(() => ({ data: draw(B * net.hiddenSize, 0.8), shape: [1, B, net.hiddenSize] }));
  const r = net.forward(x, { initialState: init[0]!, ...(init[1] ? { initialCell: init[1] } : {}), capture: true });
  return r.gates!;
}

/** How many of `values` sit exactly at f(±clip), i.e. had their pre-activation clamped. */
function countAt(values: ArrayLike<number>, f: (v: number) => number, clip: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === f(clip) || values[i] === f(-clip)) n++;
  return n;
}

describe("the clip cases clip", () => {
  it("LSTM: a good share (not all) of the gate and candidate pre-activations are clamped to ±0.4", () => {
    const g = clipCaseGates({ cell: "lstm", ...base, clip: 0.4 }, 4, 2, 1);
    const total = 4 * 2 * base.hiddenSize;
    for (const [name, f] of [["i", sigmoid], ["f", sigmoid], ["cHat", Math.tanh], ["o", sigmoid]] as const) {
      const n = countAt(g[`layer0.forward.${name}`]!.data, f, 0.4);
      assert.ok(n >= total / 4 && n < total, `${name}: ${n} of ${total} values clamped`);
    }
  });
  it("RNN: a good share (not all) of the pre-activations are clamped to ±0.4", () => {
    for (const [activation, f] of [["Tanh", Math.tanh], ["Relu", (v: number) => Math.max(0, v)]] as const) {
      const g = clipCaseGates({ cell: "rnn", ...base, activation, clip: 0.4 }, 4, 2, 1);
      const h = g["layer0.forward.h"]!.data, total = h.length;
      // Relu: only the upper bound is observable (f(−0.4) = 0 is also every negative input)
      const n = activation === "Relu" ? Array.from(h).filter((v) => v === 0.4).length : countAt(h, f, 0.4);
      assert.ok(n >= total / 4 && n < total, `${activation}: ${n} of ${total} values clamped`);
    }
  });
});

describe("forward equals the equations written out directly (float64)", () => {
  const T = 3, B = 2, I = 3, H = 4;
  const rng = new Rng(11);
  const x = Float64Array.from({ length: T * B * I }, () => rng.range(-1, 1));
  const h0 = Float64Array.from({ length: B * H }, () => rng.range(-1, 1));
  const c0 = Float64Array.from({ length: B * H }, () => rng.range(-1, 1));
  /** a[r, block] = W_blk x + U_blk h + b_blk for one row */
  const pre = (W: ArrayLike<number>, U: ArrayLike<number>, b: ArrayLike<number>, t: number, r: number, h: ArrayLike<number>, row: number) => {
    let a = b[row]!;
    for (let k = 0; k < I; k++) a += W[row * I + k]! * x[(t * B + r) * I + k]!;
    for (let k = 0; k < H; k++) a += U[row * H + k]! * h[r * H + k]!;
    return a;
  };

  it("LSTM: i, f, c, o blocks; c' = f c + i ĉ; h' = o tanh(c')", () => {
    const net = new Recurrent({ cell: "lstm", inputSize: I, hiddenSize: H, dtype: "float64", seed: 5 });
    const W = net.param("layer0.forward.W"), U = net.param("layer0.forward.U"), b = net.param("layer0.forward.b");
    const r = net.forward({ data: x, shape: [T, B, I] }, { initialState: { data: h0, shape: [1, B, H] }, initialCell: { data: c0, shape: [1, B, H] } });
    let h = Array.from(h0), c = Array.from(c0);
    const want: number[] = [];
    for (let t = 0; t < T; t++) {
      const hn = new Array<number>(B * H), cn = new Array<number>(B * H);
      for (let r2 = 0; r2 < B; r2++) {
        for (let j = 0; j < H; j++) {
          const [ai, af, ac, ao] = [0, 1, 2, 3].map((g) => pre(W, U, b, t, r2, h, g * H + j)) as [number, number, number, number];
          cn[r2 * H + j] = sigmoid(af) * c[r2 * H + j]! + sigmoid(ai) * Math.tanh(ac);
          hn[r2 * H + j] = sigmoid(ao) * Math.tanh(cn[r2 * H + j]!);
        }
      }
      h = hn; c = cn;
      want.push(...hn);
    }
    assertClose(r.output.data, want, { atol: 1e-13 }, "lstm output");
    assertClose(r.finalState.data, h, { atol: 1e-13 }, "lstm h_T");
    assertClose(r.finalCell!.data, c, { atol: 1e-13 }, "lstm c_T");
    assert.equal(net.paramCount, 4 * H * (I + H + 1), "lstm parameters: 4H(I + H + 1)");
    assert.equal(new Recurrent({ cell: "lstm", inputSize: I, hiddenSize: H, bias: false }).paramCount, 4 * H * (I + H));
  });

  it("RNN: h' = tanh(W x + U h + b)", () => {
    const net = new Recurrent({ cell: "rnn", inputSize: I, hiddenSize: H, dtype: "float64", seed: 5 });
    const W = net.param("layer0.forward.W"), U = net.param("layer0.forward.U"), b = net.param("layer0.forward.b");
    const r = net.forward({ data: x, shape: [T, B, I] }, { initialState: { data: h0, shape: [1, B, H] }, capture: true });
    let h = Array.from(h0);
    const want: number[] = [];
    for (let t = 0; t < T; t++) {
      const hn = new Array<number>(B * H);
      for (let r2 = 0; r2 < B; r2++) for (let j = 0; j < H; j++) hn[r2 * H + j] = Math.tanh(pre(W, U, b, t, r2, h, j));
      h = hn;
      want.push(...hn);
    }
    assertClose(r.output.data, want, { atol: 1e-13 }, "rnn output");
    assertClose(r.gates!["layer0.forward.h"]!.data, r.output.data, { atol: 0 }, "rnn captured h is the output");
    assert.equal(net.paramCount, H * (I + H + 1), "rnn parameters: H(I + H + 1)");
    assert.equal(new Recurrent({ cell: "rnn", inputSize: I, hiddenSize: H, bias: false }).paramCount, H * (I + H));
  });
});
