/**
 * The int8 tests' exactness check: one forward step of an int8 stack from an initial state on its
 * own quantisation grid equals the float64 reference forward on the dequantised input and weights
 * (the integer sums are exact), within float32 rounding (2e-5 + 1e-4·|y|, the native parity bound).
 * The dequantisations are the caller's (8-bit activations natively, 7-bit in WebAssembly).
 */
import assert from "node:assert/strict";
import { Recurrent } from "../../src/sequence/recurrent.js";

export interface Dequantise {
  weights(w: ArrayLike<number>, rows: number, cols: number): Float64Array;
  rows(x: Float32Array, rows: number, cols: number): Float64Array;
}

/** The worst error over the bound, output and final state; fails naming the first element past it. */
export function oneStepVsFloat64(
  net: Recurrent, options: Record<string, unknown>, I: number, B: number, x: Float32Array, h0: Float32Array, c0: Float32Array, dq: Dequantise, label: string,
): number {
  const H = net.hiddenSize, LD = net.numDirections, two = net.cells[0]!.states.length === 2;
  const got = net.forward({ data: x, shape: [1, B, I] }, { initialState: { data: h0, shape: [LD, B, H] }, ...(two ? { initialCell: { data: c0, shape: [LD, B, H] } } : {}) });
  const ref = new Recurrent({ inputSize: I, seed: 5, dtype: "float64", backend: "reference", ...options } as never);
  for (const e of net.entries) {
    const v = net.param(e.name);
    ref.setParam(e.name, /\.(W|U)$/.test(e.name) ? dq.weights(v, e.shape[0]!, e.shape[1]!) : v);
  }
  const want = ref.forward({ data: dq.rows(x, B, I), shape: [1, B, I] }, {
    initialState: { data: Float64Array.from(h0), shape: [LD, B, H] }, ...(two ? { initialCell: { data: Float64Array.from(c0), shape: [LD, B, H] } } : {}),
  });
  let worst = 0;
  for (const [k, a, b] of [["output", got.output.data, want.output.data], ["final state", got.finalState.data, want.finalState.data]] as const) {
    for (let i = 0; i < b.length; i++) {
      const err = Math.abs(a[i]! - b[i]!), bound = 2e-5 + 1e-4 * Math.abs(b[i]!);
      if (!(err <= bound)) assert.fail(`${label}: ${k}[${i}] is ${a[i]}, float64 on the dequantised values ${b[i]} (off by ${err})`);
      worst = Math.max(worst, err / bound);
    }
  }
  return worst;
}
