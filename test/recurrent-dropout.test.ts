// Recurrent dropout (Gal & Ghahramani 2016): one mask per sequence on the state entering U·h.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OptionError } from "../src/errors/index.js";
import { Recurrent, type RecurrentOptions } from "../src/sequence/recurrent.js";
import { Rng } from "../src/util/random.js";
import { assertClose } from "./helpers/close.js";
import { gradCheck } from "./helpers/gradcheck.js";

const base = { inputSize: 3, hiddenSize: 4, recurrentDropout: 0.4 };

describe("recurrent dropout", () => {
  const grid: RecurrentOptions[] = [
    { cell: "gru", ...base }, { cell: "gru", ...base, reset: "before", gates: "type1" }, { cell: "mgu", ...base },
    { cell: "lstm", ...base }, { cell: "rnn", ...base }, { cell: "ligru", ...base, normalisation: "layer" }, { cell: "libru", ...base },
  ];
  for (const options of grid) {
    it(`gradient check: ${JSON.stringify(options)}`, () => void gradCheck({ options, T: 4, B: 2, initial: true, lengths: [4, 2] }));
  }
  it("gradient check: bidirectional, 2 layers", () => void gradCheck({ options: { cell: "gru", ...base, layers: 2, direction: "bidirectional" }, T: 3, B: 2 }));

  it("an Elman RNN with recurrent dropout equals h' = tanh(W x + U (m ⊙ h) + b) written out, with one mask for the whole sequence", () => {
    const T = 4, B = 2, I = 3, H = 3, p = 0.5;
    const net = new Recurrent({ cell: "rnn", inputSize: I, hiddenSize: H, recurrentDropout: p, dtype: "float64", seed: 2 });
    const rng = new Rng(9), x = Float64Array.from({ length: T * B * I }, () => rng.range(-1, 1));
    const y = net.forward({ data: x, shape: [T, B, I] }, { train: true, rng: new Rng(77) }).output.data;
    const mr = new Rng(77), m = Float64Array.from({ length: B * H }, () => (mr.uniform() >= p ? 1 / (1 - p) : 0));
    const W = net.param("layer0.forward.W"), U = net.param("layer0.forward.U"), b = net.param("layer0.forward.b");
    const h = new Float64Array(B * H), expect = new Float64Array(T * B * H);
    for (let t = 0; t < T; t++) {
      const next = new Float64Array(B * H);
      for (let r = 0; r < B; r++) for (let j = 0; j < H; j++) {
        let a = b[j]!;
        for (let i = 0; i < I; i++) a += W[j * I + i]! * x[(t * B + r) * I + i]!;
        for (let i = 0; i < H; i++) a += U[j * H + i]! * m[r * H + i]! * h[r * H + i]!;
        next[r * H + j] = Math.tanh(a);
      }
      h.set(next);
      expect.set(next, t * B * H);
    }
    assertClose(y, expect, { atol: 1e-14 }, "outputs");
    assert.ok(m.some((v) => v === 0) && m.some((v) => v > 0), "the mask drops some units and keeps others");
  });

  it("is off at inference and needs a generator in training", () => {
    const net = new Recurrent({ cell: "gru", ...base, seed: 1 });
    const plain = new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4, seed: 1 });
    const x = { data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), shape: [4, 2, 3] };
    assertClose(net.forward(x).output.data, plain.forward(x).output.data, { atol: 0 }, "eval");
    assert.throws(() => net.forward(x, { train: true }), OptionError);
    assert.throws(() => new Recurrent({ cell: "mingru", ...base }), /no recurrent product/);
    assert.throws(() => new Recurrent({ cell: "gru", ...base, recurrentDropout: 1 }), /\[0, 1\)/);
  });
});
