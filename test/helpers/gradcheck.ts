/**
 * Float64 central-difference gradient check of a Recurrent stack: every parameter, every input
 * value and every initial-state value, for L = Σ y ⊙ C + Σ h_T ⊙ C_h (+ Σ c_T ⊙ C_c).
 */
import assert from "node:assert/strict";
import { Recurrent, type RecurrentOptions } from "../../src/sequence/recurrent.js";
import type { Tensor } from "../../src/sequence/tensor.js";
import { Rng } from "../../src/util/random.js";

export interface GradCase {
  options: RecurrentOptions;
  T: number;
  B: number;
  lengths?: number[];
  initial?: boolean;
  layout?: "time-major" | "batch-major";
  seed?: number;
  /** Scale of the random parameters (default: the layer's own initialisation). */
  paramScale?: number;
}

function randn(rng: Rng, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.range(-scale, scale);
  return a;
}

/** Returns the worst relative error |a − n| / max(|a|, |n|, 1e-2). */
export function gradCheck(c: GradCase): number {
  const rng = new Rng(c.seed ?? 7);
  const net = new Recurrent({ ...c.options, dtype: "float64", seed: c.seed ?? 3 } as RecurrentOptions);
  if (c.paramScale !== undefined) net.params.set(randn(rng, net.params.length, c.paramScale));
  const { T, B } = c;
  const layout = c.layout ?? "time-major";
  const I = net.inputSize, H = net.hiddenSize, S = net.layers * net.numDirections, DH = net.numDirections * H;
  const xShape = layout === "time-major" ? [T, B, I] : [B, T, I];
  const x: Tensor = { data: randn(rng, T * B * I), shape: xShape };
  const nStates = net.cells[0]!.states.length;
  const init = Array.from({ length: nStates }, () => ({ data: randn(rng, S * B * H, 0.8), shape: [S, B, H] }));
  const C = randn(rng, T * B * DH);
  const Cf = Array.from({ length: nStates }, () => randn(rng, S * B * H));
  const fwdOpts = {
    layout,
    ...(c.lengths ? { lengths: c.lengths } : {}),
    ...(c.initial ? { initialState: init[0]!, ...(nStates > 1 ? { initialCell: init[1]! } : {}) } : {}),
  };
  const loss = (): number => {
    // a fresh generator each time: the same recurrent dropout masks in every evaluation
    const r = net.forward(x, { ...fwdOpts, train: true, rng: new Rng(77) });
    let s = 0;
    for (let i = 0; i < C.length; i++) s += r.output.data[i]! * C[i]!;
    const finals = [r.finalState, r.finalCell];
    for (let c2 = 0; c2 < nStates; c2++) for (let i = 0; i < Cf[c2]!.length; i++) s += finals[c2]!.data[i]! * Cf[c2]![i]!;
    return s;
  };
  const r = net.forward(x, { ...fwdOpts, train: true, rng: new Rng(77) });
  const g = net.backward(r.tape!, { data: C, shape: r.output.shape }, {
    dFinalState: { data: Cf[0]!, shape: [S, B, H] },
    ...(nStates > 1 ? { dFinalCell: { data: Cf[1]!, shape: [S, B, H] } } : {}),
  });
  const eps = 1e-6;
  let worst = 0;
  const check = (values: Float64Array | Float32Array, analytic: ArrayLike<number>, what: (i: number) => string) => {
    for (let i = 0; i < values.length; i++) {
      const old = values[i]!;
      values[i] = old + eps;
      const lp = loss();
      values[i] = old - eps;
      const lm = loss();
      values[i] = old;
      const num = (lp - lm) / (2 * eps);
      const a = analytic[i]!;
      const rel = Math.abs(a - num) / Math.max(Math.abs(a), Math.abs(num), 1e-2);
      if (!(rel <= 1e-6)) assert.fail(`${what(i)}: analytic ${a}, numeric ${num}, relative error ${rel.toExponential(2)}`);
      worst = Math.max(worst, rel);
    }
  };
  for (const e of net.entries) {
    if (!e.trainable) {
      assert.ok(g.dParams.subarray(e.offset, e.offset + e.size).every((v) => v === 0), `${e.name} is not trainable but got a gradient`);
      continue;
    }
    check(net.params.subarray(e.offset, e.offset + e.size), g.dParams.subarray(e.offset, e.offset + e.size), (i) => `d${e.name}[${i}]`);
  }
  check(x.data as Float64Array, g.dInput.data, (i) => `dInput[${i}]`);
  if (c.initial) {
    check(init[0]!.data, g.dInitialState.data, (i) => `dInitialState[${i}]`);
    if (nStates > 1) check(init[1]!.data, g.dInitialCell!.data, (i) => `dInitialCell[${i}]`);
  } else {
    // without a given initial state the gradient is still defined (w.r.t. the zero state)
    assert.equal(g.dInitialState.data.length, S * B * H);
  }
  return worst;
}
