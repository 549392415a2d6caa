// Invariants every cell kind must keep: streaming equals whole-sequence, batch rows are
// independent, resetting a streaming row starts it afresh, bias: false equals zero biases.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CELL_KINDS, type CellKind } from "../src/cells/index.js";
import { Recurrent, type RecurrentOptions } from "../src/sequence/recurrent.js";
import { Rng } from "../src/util/random.js";
import { assertClose } from "./helpers/close.js";

const I = 3, H = 4;

function randomInput(seed: number, n: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.range(-1.5, 1.5));
}

function make(cell: CellKind, extra: Partial<RecurrentOptions> = {}): Recurrent {
  return new Recurrent({ cell, inputSize: I, hiddenSize: H, seed: 11, ...extra } as RecurrentOptions);
}

describe("streaming equals whole-sequence", () => {
  for (const cell of CELL_KINDS) {
    it(`${cell}, 2 layers, B=3`, () => {
      const net = make(cell, { layers: 2 });
      const T = 7, B = 3;
      const x = randomInput(1, T * B * I);
      const whole = net.forward({ data: x, shape: [T, B, I] });
      const st = net.createState(B);
      for (let t = 0; t < T; t++) {
        const y = net.step(st, { data: x.subarray(t * B * I, (t + 1) * B * I), shape: [B, I] });
        assertClose(y.output.data, whole.output.data.subarray(t * B * H, (t + 1) * B * H), { atol: 0 }, `step ${t}`);
      }
      assertClose(st.state(1), whole.finalState.data.subarray(B * H, 2 * B * H), { atol: 0 }, "final state");
    });
  }

  it("gates captured while streaming equal the whole-sequence capture", () => {
    const net = make("gru");
    const T = 4, B = 2;
    const x = randomInput(2, T * B * I);
    const whole = net.forward({ data: x, shape: [T, B, I] }, { capture: true });
    const st = net.createState(B);
    for (let t = 0; t < T; t++) {
      const y = net.step(st, { data: x.subarray(t * B * I, (t + 1) * B * I), shape: [B, I] }, { capture: true });
      for (const name of ["z", "r", "hHat"]) {
        const key = `layer0.forward.${name}`;
        assertClose(y.gates![key]!.data, whole.gates![key]!.data.subarray(t * B * H, (t + 1) * B * H), { atol: 0 }, `${key} at ${t}`);
      }
    }
  });

  it("a reset row starts afresh while the others go on", () => {
    const net = make("gru", { layers: 2 });
    const B = 3, T = 5;
    const x = randomInput(3, T * B * I);
    const st = net.createState(B);
    for (let t = 0; t < 3; t++) net.step(st, { data: x.subarray(t * B * I, (t + 1) * B * I), shape: [B, I] });
    st.resetRows([1]);
    const rest = x.subarray(3 * B * I);
    const fresh = net.forward({ data: rest, shape: [T - 3, B, I] });
    const cont = net.forward({ data: x, shape: [T, B, I] });
    for (let t = 3; t < T; t++) {
      const y = net.step(st, { data: x.subarray(t * B * I, (t + 1) * B * I), shape: [B, I] }).output.data;
      assertClose(y.subarray(H, 2 * H), fresh.output.data.subarray(((t - 3) * B + 1) * H, ((t - 3) * B + 2) * H), { atol: 0 }, "reset row");
      assertClose(y.subarray(0, H), cont.output.data.subarray(t * B * H, t * B * H + H), { atol: 0 }, "row 0 untouched");
    }
  });
});

describe("each batch row is independent of the others", () => {
  for (const cell of CELL_KINDS) {
    it(`${cell}, bidirectional, with lengths`, () => {
      const net = make(cell, { direction: "bidirectional" });
      const T = 6, B = 3, lengths = [6, 2, 4];
      const x = randomInput(4, T * B * I);
      const all = net.forward({ data: x, shape: [B, T, I] }, { layout: "batch-major", lengths });
      for (let b = 0; b < B; b++) {
        const one = net.forward({ data: x.subarray(b * T * I, (b + 1) * T * I), shape: [1, T, I] }, { layout: "batch-major", lengths: [lengths[b]!] });
        assertClose(one.output.data, all.output.data.subarray(b * T * 2 * H, (b + 1) * T * 2 * H), { atol: 0 }, `row ${b}`);
      }
    });
  }
});

describe("bias: false equals zero biases", () => {
  for (const cell of CELL_KINDS) {
    if (cell === "gru3" || cell === "mgu3") continue; // gates made from the bias alone: bias is required
    it(cell, () => {
      const withBias = make(cell, { layers: 2 });
      const without = make(cell, { layers: 2, bias: false });
      assert.ok(without.paramCount < withBias.paramCount, "bias: false must remove parameters");
      for (const e of withBias.entries) {
        const other = without.entries.find((o) => o.name === e.name);
        if (other) without.setParam(e.name, withBias.param(e.name));
        else withBias.param(e.name).fill(0);
      }
      const T = 5, B = 2;
      const x = randomInput(5, T * B * I);
      const a = withBias.forward({ data: x, shape: [T, B, I] });
      const b = without.forward({ data: x, shape: [T, B, I] });
      assertClose(b.output.data, a.output.data, { atol: 0 }, "outputs");
    });
  }
});

describe("capture", () => {
  it("the LSTM's cell state is captured at every step and its last step is the final cell state", () => {
    for (const direction of ["forward", "reverse"] as const) {
      const net = make("lstm", { direction });
      const T = 5, B = 2;
      const r = net.forward({ data: randomInput(6, T * B * I), shape: [T, B, I] }, { capture: true });
      const c = r.gates![`layer0.${direction}.c`]!;
      assert.deepEqual(c.shape, [T, B, H]);
      const last = direction === "forward" ? T - 1 : 0;
      assertClose(c.data.subarray(last * B * H, (last + 1) * B * H), r.finalCell!.data, { atol: 0 }, `${direction} last c`);
      // h = o ⊙ tanh(c) at every step
      const o = r.gates![`layer0.${direction}.o`]!.data;
      const expected = Float64Array.from(c.data, (v, i) => o[i]! * Math.tanh(v));
      assertClose(r.output.data, expected, { atol: 1e-6 }, `${direction} h from captured c`);
    }
  });
});
