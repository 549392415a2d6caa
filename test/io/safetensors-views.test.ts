// safetensors bytes handed over as a view: a Uint8Array at an odd offset into a larger buffer, and
// a Node Buffer (whose slice() is a view, not a copy: decoding through it read the whole file's
// memory as the tensor — NaN or "offset is out of bounds" from Model.fromBytes(readFileSync(f))).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { createSpec, Model } from "../../src/model/model.js";

function embedded(bytes: Uint8Array, offset: number): { view: Uint8Array; buffer: Buffer } {
  const big = new Uint8Array(bytes.length + offset + 5).fill(0xff);
  big.set(bytes, offset);
  return { view: big.subarray(offset, offset + bytes.length), buffer: Buffer.from(big.buffer, offset, bytes.length) };
}

describe("safetensors from views", () => {
  const tensors: [string, { shape: number[]; data: Float32Array | Float64Array | Int32Array }][] = [
    ["a", { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }],
    ["b", { shape: [2], data: Float64Array.of(-1.5, 1e-300) }],
    ["c", { shape: [3], data: Int32Array.of(7, -8, 9) }],
  ];
  const bytes = encodeSafetensors(tensors);
  for (const offset of [0, 3, 8]) {
    it(`a Uint8Array view and a Buffer at offset ${offset} decode to the tensors`, () => {
      const { view, buffer } = embedded(bytes, offset);
      for (const b of [view, buffer]) {
        const f = decodeSafetensors(b);
        for (const [name, t] of tensors) assert.deepEqual(Array.from(f.tensors.get(name)!.data as ArrayLike<number>), Array.from(t.data), `${name} from a ${b.constructor.name}`);
      }
    });
  }

  it("Model.fromBytes takes a Node Buffer (readFileSync's result) as it is", () => {
    const m = new Model(createSpec({ input: { kind: "features", features: 2 }, cell: "gru", hiddenSize: 4, task: { target: "regression", perStep: false, outputs: 1 } }), { seed: 3 });
    const { buffer } = embedded(m.toBytes(), 5);
    const back = Model.fromBytes(buffer);
    assert.deepEqual(Array.from(back.net.params), Array.from(m.net.params));
  });
});
