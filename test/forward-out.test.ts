// Recurrent.forward's `out`: the output written into the caller's buffer gives the same values as a
// fresh array, on every backend and layout, overwrites every element (rows past their length get
// 0 whatever the buffer held), is the returned output's data, and is refused when it has the wrong
// type or size or shares memory with an initial state.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OptionError, ShapeError } from "../src/errors/index.js";
import { useNative } from "../src/kernels/native/load-node.js";
import type { Backend } from "../src/kernels/select.js";
import { Recurrent } from "../src/sequence/recurrent.js";
import { Rng } from "../src/util/random.js";

const native = useNative();
const rand = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);

describe("forward into a caller's buffer", () => {
  const backends: Backend[] = ["wasm", "reference", ...(native ? (["native"] as const) : [])];
  for (const backend of backends) {
    for (const layout of ["time-major", "batch-major"] as const) {
      it(`${backend}, ${layout}, two bidirectional layers with lengths: same values, every element written`, () => {
        const [T, B, I, H] = [5, 3, 4, 6];
        const net = new Recurrent({ cell: "gru", inputSize: I, hiddenSize: H, layers: 2, direction: "bidirectional", seed: 3, backend });
        const rng = new Rng(1);
        const x = { data: rand(rng, T * B * I), shape: layout === "time-major" ? [T, B, I] : [B, T, I] };
        const lengths = [5, 2, 4];
        const fresh = net.forward(x, { layout, lengths }).output.data;
        const out = new Float32Array(T * B * 2 * H).fill(Number.NaN);
        const r = net.forward(x, { layout, lengths, out });
        assert.equal(r.output.data, out, "output.data is the caller's buffer");
        assert.deepEqual(Array.from(out), Array.from(fresh));
        // a second call into the same buffer: the same again
        out.fill(7);
        net.forward(x, { layout, lengths, out });
        assert.deepEqual(Array.from(out), Array.from(fresh));
      });
    }
  }

  it("float64 stacks take a Float64Array", () => {
    const net = new Recurrent({ cell: "lstm", inputSize: 2, hiddenSize: 3, seed: 1, dtype: "float64", backend: "reference" });
    const x = { data: new Float64Array(2 * 1 * 2).fill(0.5), shape: [2, 1, 2] };
    const out = new Float64Array(6);
    assert.deepEqual(Array.from(net.forward(x, { out }).output.data), Array.from(net.forward(x).output.data));
    assert.throws(() => net.forward(x, { out: new Float32Array(6) }), (e: unknown) => e instanceof OptionError && /out must be a Float64Array \(the stack is float64\)/.test(e.message));
  });

  it("refuses a buffer of the wrong size or one that shares memory with an initial state", () => {
    const net = new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, seed: 1 });
    const x = { data: new Float32Array(4 * 2 * 2), shape: [4, 2, 2] };
    assert.throws(() => net.forward(x, { out: new Float32Array(23) }), (e: unknown) => e instanceof ShapeError && /out must have 24 elements \(T·B·D·H\), got 23/.test(e.message));
    assert.throws(() => net.forward(x, { out: [0] as never }), (e: unknown) => e instanceof OptionError && /out must be a Float32Array/.test(e.message));
    const shared = new Float32Array(30);
    const h0 = { data: shared.subarray(0, 6), shape: [1, 2, 3] };
    assert.throws(() => net.forward(x, { initialState: h0, out: shared.subarray(4, 28) }), (e: unknown) => e instanceof OptionError && /shares memory with an initial state/.test(e.message));
    // beside it, not overlapping: fine
    const r = net.forward(x, { initialState: h0, out: shared.subarray(6, 30) });
    assert.equal(r.output.data.length, 24);
  });
});
