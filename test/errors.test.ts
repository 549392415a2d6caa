// Bad input at the public boundary: typed errors that say what was expected and what came.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatedError, OptionError, ShapeError, StateError, ValueError } from "../src/errors/index.js";
import { makeCell } from "../src/cells/index.js";
import { Recurrent } from "../src/sequence/recurrent.js";

const net = () => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4, layers: 2 });
const x = (T: number, B: number, I: number, fill = 0.5) => ({ data: new Float32Array(T * B * I).fill(fill), shape: [T, B, I] });

function throwsWith(fn: () => unknown, cls: typeof GatedError, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const p of parts) assert.ok((e as Error).message.includes(p), `message "${(e as Error).message}" lacks "${p}"`);
    return true;
  });
}

describe("bad input gives typed errors", () => {
  it("wrong input width", () => throwsWith(() => net().forward(x(5, 2, 4)), ShapeError, "expected input of shape [5, 2, 3]", "got [5, 2, 4]"));
  it("wrong rank", () => throwsWith(() => net().forward({ data: new Float32Array(6), shape: [2, 3] }), ShapeError, "rank 3", "got [2, 3]"));
  it("data length not matching the shape", () => throwsWith(() => net().forward({ data: new Float32Array(7), shape: [1, 2, 3] }), ShapeError, "7 values"));
  it("batch-major shape", () => throwsWith(() => net().forward(x(2, 5, 4), { layout: "batch-major" }), ShapeError, "[2, 5, 3]"));
  it("NaN in the input names its position", () => {
    const t = x(4, 2, 3);
    t.data[2 * 6 + 1 * 3 + 2] = NaN;
    throwsWith(() => net().forward(t), ValueError, "NaN", "[2, 1, 2]");
  });
  it("every non-finite value is found at every position; extreme finite values pass", () => {
    // 5 × 1 × 3 = 15 values: three blocks of four and a tail of three
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (let at = 0; at < 15; at++) {
        const t = x(5, 1, 3);
        t.data[at] = bad;
        const where = `[${Math.floor(at / 3)}, 0, ${at % 3}]`;
        throwsWith(() => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4 }).forward(t), ValueError, String(bad), where);
      }
    }
    const extreme = { data: Float32Array.from([3.4e38, -3.4e38, -0, 1e-45, -1e-45, 0, 1, -1, 2.5e38, -2.5e38, 1e-38, -1e-38, 7, 8, 9]), shape: [5, 1, 3] };
    new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4 }).forward(extreme);
  });
  it("Infinity in the initial state", () => {
    const h0 = { data: new Float32Array(2 * 2 * 4).fill(Infinity), shape: [2, 2, 4] };
    throwsWith(() => net().forward(x(3, 2, 3), { initialState: h0 }), ValueError, "Infinity");
  });
  it("lengths longer than T", () => throwsWith(() => net().forward(x(4, 2, 3), { lengths: [4, 5] }), ValueError, "lengths[1]", "0..4", "got 5"));
  it("lengths of the wrong count", () => throwsWith(() => net().forward(x(4, 2, 3), { lengths: [4] }), ShapeError, "[2]"));
  it("negative or fractional length", () => throwsWith(() => net().forward(x(4, 2, 3), { lengths: [1.5, 2] }), ValueError, "1.5"));
  it("initial state of the wrong shape", () =>
    throwsWith(() => net().forward(x(3, 2, 3), { initialState: { data: new Float32Array(8), shape: [1, 2, 4] } }), ShapeError, "initialState", "[2, 2, 4]"));
  it("unknown activation lists the valid ones", () =>
    throwsWith(() => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4, gateActivation: "Swish" as never }), OptionError, "Swish", "Sigmoid, HardSigmoid"));
  it("unknown cell kind lists the valid ones", () =>
    throwsWith(() => (makeCell as (k: string, o: object) => unknown)("gruu", { inputSize: 1, hiddenSize: 1 }), OptionError, "gruu", "gru, gru1"));
  it("unknown option names the valid ones", () =>
    throwsWith(() => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4, resetAfter: true } as never), OptionError, "resetAfter", "reset"));
  it("bad convention value lists the choices", () =>
    throwsWith(() => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4, update: "z" as never }), OptionError, '"keep", "replace"'));
  it("bad sizes", () => throwsWith(() => new Recurrent({ cell: "gru", inputSize: 0, hiddenSize: 4 }), OptionError, "inputSize", "positive integer"));
  it("type3 gates without bias", () => throwsWith(() => new Recurrent({ cell: "gru3", inputSize: 2, hiddenSize: 2, bias: false }), OptionError, "type3"));
  it("stale tape after another forward", () => {
    const n = net();
    const r = n.forward(x(3, 2, 3), { train: true });
    n.forward(x(3, 2, 3));
    throwsWith(() => n.backward(r.tape!, { data: new Float32Array(24), shape: [3, 2, 4] }), StateError, "stale");
  });
  it("dOutput of the wrong shape", () => {
    const n = net();
    const r = n.forward(x(3, 2, 3), { train: true });
    throwsWith(() => n.backward(r.tape!, { data: new Float32Array(12), shape: [3, 2, 2] }), ShapeError, "dOutput", "[3, 2, 4]");
  });
  it("streaming a bidirectional stack", () =>
    throwsWith(() => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4, direction: "bidirectional" }).createState(2), OptionError, "forward"));
  it("streaming input of the wrong batch", () => {
    const n = net();
    const st = n.createState(2);
    throwsWith(() => n.step(st, { data: new Float32Array(9), shape: [3, 3] }), ShapeError, "[2, 3]");
  });
  it("setParam with the wrong size", () => throwsWith(() => net().setParam("layer0.forward.U", [1, 2]), ShapeError, "[12, 4]"));
  it("unknown parameter name lists the parameters", () => throwsWith(() => net().param("layer0.forward.V"), OptionError, "layer0.forward.U"));
});
