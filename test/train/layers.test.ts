// Layer values against direct computations.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reference64 } from "../../src/kernels/reference.js";
import { Dropout } from "../../src/layers/dropout.js";
import { Embedding } from "../../src/layers/embedding.js";
import { LastStep } from "../../src/layers/last-step.js";
import { LayerNorm } from "../../src/layers/layer-norm.js";
import type { Context } from "../../src/layers/layer.js";
import { Dense } from "../../src/layers/dense.js";
import { Recurrent } from "../../src/sequence/recurrent.js";
import { Rng } from "../../src/util/random.js";
import { assertClose } from "../helpers/close.js";

const ctx = (train: boolean, seed = 1): Context => ({ train, rng: new Rng(seed), kernels: reference64 });
const rand = (n: number, seed: number) => { const r = new Rng(seed); return Float64Array.from({ length: n }, () => r.range(-1, 1)); };

describe("layers", () => {
  it("last step equals the recurrent stack's final state, both directions, with lengths", () => {
    const T = 6, B = 3, H = 4, lengths = Int32Array.from([6, 2, 4]);
    const rnn = new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: H, direction: "bidirectional", dtype: "float64", seed: 3 });
    const r = rnn.forward({ data: rand(T * B * 2, 1), shape: [T, B, 2] }, { lengths });
    const last = new LastStep({ hiddenSize: H, directions: ["forward", "reverse"] });
    const y = last.forward({ data: r.output.data, T, B, F: 2 * H, lengths }, ctx(false));
    for (let b = 0; b < B; b++) {
      for (let d = 0; d < 2; d++) {
        assertClose(y.data.subarray(b * 2 * H + d * H, b * 2 * H + (d + 1) * H), r.finalState.data.subarray((d * B + b) * H, (d * B + b + 1) * H), { atol: 0 }, `row ${b} direction ${d}`);
      }
    }
  });

  it("dense equals x · Wᵀ + b through its activation", () => {
    const d = new Dense({ inputSize: 3, outputSize: 2, activation: "Tanh" });
    const p = rand(8, 2), g = new Float64Array(8);
    d.bind(p, g);
    const x = rand(4 * 3, 3);
    const y = d.forward({ data: x, T: 2, B: 2, F: 3, lengths: null }, ctx(false));
    const expect = new Float64Array(8);
    for (let n = 0; n < 4; n++) for (let o = 0; o < 2; o++) {
      let s = p[6 + o]!;
      for (let i = 0; i < 3; i++) s += x[n * 3 + i]! * p[o * 3 + i]!;
      expect[n * 2 + o] = Math.tanh(s);
    }
    assertClose(y.data, expect, { atol: 1e-15 }, "dense");
  });

  it("embedding rows are table rows; out-of-range ids are refused", () => {
    const e = new Embedding({ vocabularySize: 4, embeddingSize: 3 });
    const p = rand(12, 4);
    e.bind(p, new Float64Array(12));
    const ids = Int32Array.from([3, 0, 2, 3]);
    const y = e.forward({ data: new Float64Array(0), ids, T: 2, B: 2, F: 4, lengths: null }, ctx(false));
    ids.forEach((id, i) => assertClose(y.data.subarray(i * 3, i * 3 + 3), p.subarray(id * 3, id * 3 + 3), { atol: 0 }, `id ${id}`));
    assert.throws(() => e.forward({ data: new Float64Array(0), ids: Int32Array.from([4]), T: 1, B: 1, F: 4, lengths: null }, ctx(false)), /token id 4.*0\.\.3/);
  });

  it("layer norm gives mean 0 and variance 1 per row before γ, β", () => {
    const ln = new LayerNorm({ features: 5, epsilon: 0 });
    const p = new Float64Array(10);
    ln.bind(p, new Float64Array(10));
    ln.init();
    const y = ln.forward({ data: rand(15, 5).map((v) => 3 * v + 2), T: 3, B: 1, F: 5, lengths: null }, ctx(false));
    for (let n = 0; n < 3; n++) {
      const row = Array.from(y.data.subarray(n * 5, n * 5 + 5));
      const mu = row.reduce((a, b) => a + b) / 5;
      const v = row.reduce((a, b) => a + (b - mu) ** 2, 0) / 5;
      assert.ok(Math.abs(mu) < 1e-12 && Math.abs(v - 1) < 1e-12, `row ${n}: mean ${mu}, variance ${v}`);
    }
  });

  it("dropout: identity at inference; in training zeros or 1/(1−p), with a per-sequence mask shared by all steps", () => {
    const x = { data: new Float64Array(50 * 8 * 10).fill(1), T: 50, B: 8, F: 10, lengths: null };
    const el = new Dropout({ features: 10, rate: 0.25 });
    assert.equal(el.forward(x, ctx(false)).data, x.data);
    const y = el.forward(x, ctx(true)).data;
    const zeros = y.filter((v) => v === 0).length;
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-15));
    assert.ok(Math.abs(zeros / y.length - 0.25) < 0.03, `dropped fraction ${zeros / y.length}`);
    const seq = new Dropout({ features: 10, rate: 0.5, mask: "sequence" });
    const z = seq.forward(x, ctx(true, 7)).data;
    for (let t = 1; t < 50; t++) assertClose(z.subarray(t * 80, (t + 1) * 80), z.subarray(0, 80), { atol: 0 }, `step ${t}`);
  });
});
