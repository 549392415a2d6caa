// Every cell kind through Recurrent, forward and backward, on the WebAssembly backend against the
// float64 reference (and the float32 reference), with the same float32 parameters and inputs:
// outputs, final states, and the gradients of the input, the initial states and every parameter.
// Configurations cover both reset placements, both update conventions, every gate-input type,
// bias on/off, cell clip, non-default activations (Elu, Softplus among them),
// several layers, both directions, sequence lengths, hidden sizes that are and are not multiples
// of 4, the two-block cells' fused kernel (LiGRU, minGRU, LiBRU "ligru" and "geomean"), LiBRU's own
// ("probs", "logprobs"). (The TypeScript gate loops still run on this backend under recurrent
// dropout: test/recurrent-dropout.test.ts.)
//
// Tolerance |wasm − ref| ≤ atol + rtol·|ref| with atol = 2e−6, rtol = 2e−5 (forward) and 1e−5 / 1e−4
// (gradients): the wasm backend computes in float32 throughout (sums accumulated in float32, where
// the reference accumulates in float64) with polynomial activations (≤ 1.5e−7 absolute, see
// activations.test.ts); these per-operation differences of ~1e−7 relative grow through T steps of
// recurrence and the backward pass. The worst differences measured are printed (# lines): about
// 1.5e−7 (forward) and 7e−7 (gradients) relative to max(1, |ref|), an order of magnitude inside.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CellKind } from "../../src/cells/index.js";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.js";
import { OptionError } from "../../src/errors/index.js";
import { Recurrent, type RecurrentOptions } from "../../src/sequence/recurrent.js";
import { Rng } from "../../src/util/random.js";
import { assertClose } from "../helpers/close.js";

const FWD = { atol: 2e-6, rtol: 2e-5 };
const GRAD = { atol: 1e-5, rtol: 1e-4 };

interface Case {
  readonly name: string;
  readonly options: Record<string, unknown> & { cell: CellKind };
  readonly T?: number;
  readonly B?: number;
  readonly lengths?: number[];
  /** Initial states in [0, 0.5) (LiBRU "probs" reads log(h + ε)). */
  readonly positiveState?: boolean;
  /**
   * Initial states 0 (LiBRU "probs" from the authors' start: saturated gates, states near 1e−8 whose
   * gradient goes through 1/(h + ε), up to 1e11). Its gradients are ill-conditioned in float32: there
   * the bar is the float32 TypeScript cell's own distance from float64 (twice it, plus the usual atol).
   */
  readonly zeroState?: boolean;
}

function rand(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.range(-scale, scale));
}

/** Forward (train) + backward of one stack; every array the comparison needs. */
function run(net: Recurrent, c: Case, seed: number): Record<string, ArrayLike<number>> {
  const T = c.T ?? 7, B = c.B ?? 3, I = net.inputSize, H = net.hiddenSize, LD = net.layers * net.numDirections, DH = net.numDirections * H;
  const rng = new Rng(seed);
  const two = net.cells[0]!.states.length === 2;
  const f = (n: number, s = 1) => (net.dtype === "float64" ? Float64Array.from(rand(rng, n, s)) : rand(rng, n, s));
  const x = { data: f(T * B * I), shape: [T, B, I] };
  const h0 = { data: f(LD * B * H, 0.5).map((v) => (c.zeroState ? 0 : c.positiveState ? Math.abs(v) : v)), shape: [LD, B, H] };
  const c0 = { data: f(LD * B * H, 0.5), shape: [LD, B, H] };
  const opts = { train: true, initialState: h0, ...(two ? { initialCell: c0 } : {}), ...(c.lengths ? { lengths: c.lengths } : {}) };
  const r = net.forward(x, opts);
  const dY = { data: f(T * B * DH), shape: [T, B, DH] };
  const g = net.backward(r.tape!, dY, { dFinalState: { data: f(LD * B * H), shape: [LD, B, H] }, ...(two ? { dFinalCell: { data: f(LD * B * H), shape: [LD, B, H] } } : {}) });
  const out: Record<string, ArrayLike<number>> = {
    output: r.output.data, finalState: r.finalState.data, dInput: g.dInput.data, dInitialState: g.dInitialState.data,
  };
  if (r.finalCell) out.finalCell = r.finalCell.data;
  if (g.dInitialCell) out.dInitialCell = g.dInitialCell.data;
  for (const e of net.entries) if (e.trainable) out[`d ${e.name}`] = net.gradView(g.dParams, e.name);
  return out;
}

const worst = { forward: 0, gradient: 0 };

function compare(c: Case): void {
  const base = { inputSize: 5, hiddenSize: 6, seed: 3, ...c.options } as unknown as RecurrentOptions;
  const wasm = new Recurrent({ ...base, backend: "wasm" });
  assert.match(wasm.kernels.name, /^wasm/);
  const ref64 = new Recurrent({ ...base, dtype: "float64", backend: "reference" });
  const ref32 = new Recurrent({ ...base, backend: "reference" });
  // the same float32 parameters everywhere (small random values that keep every gate busy)
  const prng = new Rng(11);
  for (const e of wasm.entries) {
    const v = e.trainable ? rand(prng, e.size, 0.6) : Float32Array.from(wasm.param(e.name));
    if (e.name.endsWith("runningVar")) v.fill(1.3);
    wasm.setParam(e.name, v); ref64.setParam(e.name, v); ref32.setParam(e.name, v);
  }
  const a = run(wasm, c, 5), e64 = run(ref64, c, 5), e32 = run(ref32, c, 5);
  for (const key of Object.keys(e64)) {
    const grad = key.startsWith("d");
    let tol = grad ? GRAD : FWD;
    if (grad && c.zeroState) {
      let own = 0;
      for (let i = 0; i < e64[key]!.length; i++) own = Math.max(own, Math.abs(e32[key]![i]! - e64[key]![i]!));
      tol = { atol: GRAD.atol + 2 * own, rtol: GRAD.rtol };
    }
    assert.ok(Array.from(e64[key]!).every(Number.isFinite), `${c.name}: ${key} of the reference is not finite`);
    const w = assertClose(a[key]!, e64[key]!, tol, `${c.name}: ${key} (wasm vs float64 reference)`);
    assertClose(a[key]!, e32[key]!, tol, `${c.name}: ${key} (wasm vs float32 reference)`);
    const scaled = w / Math.max(1, ...Array.from(e64[key]!, Math.abs));
    if (c.zeroState) continue; // ill-conditioned in float32 (see Case.zeroState): not part of the summary
    if (grad) worst.gradient = Math.max(worst.gradient, scaled); else worst.forward = Math.max(worst.forward, scaled);
  }
}

const CASES: Case[] = [];
for (const cell of ["gru", "mgu"] as const) {
  for (const gates of ["full", "type1", "type2", "type3"] as const) {
    for (const reset of ["before", "after"] as const) {
      for (const update of ["keep", "replace"] as const) {
        CASES.push({ name: `${cell} ${gates} reset ${reset} update ${update}`, options: { cell, gates, reset, update } });
      }
    }
  }
  CASES.push({ name: `${cell} no bias, H = 8`, options: { cell, bias: false, hiddenSize: 8 } });
  CASES.push({ name: `${cell} clip 0.4, HardSigmoid gates, Relu candidate`, options: { cell, clip: 0.4, gateActivation: "HardSigmoid", candidateActivation: "Relu" } });
  CASES.push({ name: `${cell} Elu candidate`, options: { cell, candidateActivation: "Elu" } });
  CASES.push({ name: `${cell} 2 layers bidirectional with lengths, H = 9`, options: { cell, layers: 2, direction: "bidirectional", hiddenSize: 9 }, B: 4, lengths: [7, 2, 0, 5] });
}
CASES.push(
  { name: "lstm", options: { cell: "lstm" } },
  { name: "lstm H = 8, B = 5, no bias", options: { cell: "lstm", hiddenSize: 8, bias: false }, B: 5 },
  { name: "lstm clip 0.3, ScaledTanh candidate, Softsign output", options: { cell: "lstm", clip: 0.3, candidateActivation: { name: "ScaledTanh", alpha: 1.2, beta: 0.7 }, outputActivation: "Softsign" } },
  { name: "lstm 2 layers bidirectional with lengths", options: { cell: "lstm", layers: 2, direction: "bidirectional" }, B: 4, lengths: [3, 7, 1, 6] },
  { name: "rnn", options: { cell: "rnn" } },
  { name: "rnn Relu, clip 0.5, H = 12", options: { cell: "rnn", activation: "Relu", clip: 0.5, hiddenSize: 12 } },
  { name: "rnn LeakyRelu, reverse, lengths", options: { cell: "rnn", activation: "LeakyRelu", direction: "reverse" }, B: 3, lengths: [4, 7, 2] },
  { name: "ligru batch norm", options: { cell: "ligru" } },
  { name: "ligru layer norm, bidirectional", options: { cell: "ligru", normalisation: "layer", direction: "bidirectional" } },
  { name: "libru logprobs", options: { cell: "libru" } },
  { name: "libru probs", options: { cell: "libru", mode: "probs" }, positiveState: true },
  { name: "libru probs from h0 = 0, H = 8", options: { cell: "libru", mode: "probs", hiddenSize: 8 }, zeroState: true, T: 9 },
  { name: "mingru", options: { cell: "mingru" } },
  { name: "mingru g candidate, log-space scan, 2 layers", options: { cell: "mingru", candidate: "g", scan: "log", layers: 2 } },
  { name: "ligru no norm, update replace, Tanh candidate, lengths", options: { cell: "ligru", normalisation: "none", update: "replace", candidateActivation: "Tanh" }, B: 4, lengths: [7, 1, 0, 4] },
  { name: "ligru Elu candidate (α = 0.5)", options: { cell: "ligru", normalisation: "none", candidateActivation: { name: "Elu", alpha: 0.5 } } },
  { name: "libru ligru, reverse, lengths, H = 10", options: { cell: "libru", mode: "ligru", direction: "reverse", hiddenSize: 10 }, B: 3, lengths: [2, 7, 5] },
  { name: "libru geomean, no bias", options: { cell: "libru", mode: "geomean", bias: false } },
  { name: "mingru linear candidate, update keep, bidirectional, lengths", options: { cell: "mingru", candidate: "linear", update: "keep", direction: "bidirectional" }, B: 4, lengths: [3, 7, 6, 1] },
  { name: "mingru g candidate, no bias, H = 7", options: { cell: "mingru", candidate: "g", bias: false, hiddenSize: 7 } },
  { name: "rnn Softplus", options: { cell: "rnn", activation: "Softplus" } },
  { name: "gru Softplus candidate, clip 2", options: { cell: "gru", candidateActivation: "Softplus", clip: 2 } },
);

describe("every cell on the wasm backend vs the float64 reference, forward and backward", { skip: wasmRuntime() === null && "no WebAssembly SIMD here" }, () => {
  for (const c of CASES) it(c.name, () => compare(c));
  it("(worst differences)", () => {
    console.log(`# worst |wasm − float64 reference| / max(1, |ref|): forward ${worst.forward.toExponential(2)}, gradients ${worst.gradient.toExponential(2)}`);
  });
});

describe("backend selection", () => {
  it("auto picks wasm for float32 where available and the reference for float64; reference on request", () => {
    const auto = new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3 });
    assert.equal(auto.kernels.name.startsWith("wasm"), wasmRuntime() !== null);
    assert.equal(new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, dtype: "float64" }).kernels.name, "reference-float64");
    assert.equal(new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, backend: "reference" }).kernels.name, "reference-float32");
  });

  it("wasm with float64 and unknown backends are refused with the valid choices", () => {
    assert.throws(() => new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, dtype: "float64", backend: "wasm" }), (e: unknown) => e instanceof OptionError && /float32 only/.test((e as Error).message));
    assert.throws(() => new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, backend: "gpu" as never }), (e: unknown) => e instanceof OptionError && /auto, wasm, reference/.test((e as Error).message));
  });
});
