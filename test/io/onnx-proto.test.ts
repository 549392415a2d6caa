// The ONNX protobuf layer (@bufbuild/protobuf with code generated from ONNX's onnx.proto): files made
// by torch.onnx decode and re-encode to the same bytes, int64 values come out as numbers, a nested
// message that overruns its parent is refused (as ONNX's C++ reader does), and gated's exports keep
// the packed encoding the committed, Python-checked fixtures have.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { decodeOnnx, encodeOnnx, num } from "../../src/io/onnx/proto.js";
import { FormatError } from "../../src/errors/index.js";

const ONNX = "test/fixtures/interchange/onnx";
const EXPORTS = "test/fixtures/interchange/onnx-export";

describe("ONNX protobuf", () => {
  it("gated's committed exports decode and re-encode to the same bytes", () => {
    for (const c of readdirSync(EXPORTS).filter((d) => !d.includes("."))) {
      const b = new Uint8Array(readFileSync(`${EXPORTS}/${c}/model.onnx`));
      assert.ok(Buffer.from(encodeOnnx(decodeOnnx(b))).equals(b), c);
    }
  });
  it("torch.onnx files decode with their dims as numbers", () => {
    const b = new Uint8Array(readFileSync(`${ONNX}/gru_1layer/legacy.onnx`));
    const m = decodeOnnx(b, "gru_1layer");
    const w = m.graph!.initializer!.find((t) => (t.dims ?? []).length === 3)!;
    assert.ok(w.dims!.every((d) => Number.isInteger(num(d)) && num(d) > 0));
    assert.ok(num(m.irVersion) >= 7);
  });
  it("a nested message longer than its parent is refused", () => {
    const b = new Uint8Array(readFileSync(`${EXPORTS}/rnn_relu_per_step/model.onnx`));
    // walk the top-level fields to the graph (field 7, length-delimited: key 0x3a), then declare its
    // length one byte longer than what follows it
    const varint = (at: number): [number, number] => { let v = 0, k = 0; for (;;) { const c = b[at++]!; v += (c & 0x7f) * 2 ** (7 * k++); if (c < 0x80) return [v, at]; } };
    let at = 0;
    for (;;) {
      const [key, afterKey] = varint(at);
      if (key === 0x3a) break;
      if ((key & 7) === 0) at = varint(afterKey)[1];
      else if ((key & 7) === 2) { const [len, afterLen] = varint(afterKey); at = afterLen + len; }
      else throw new Error(`unexpected wire type in ${key}`);
    }
    const [len, afterLen] = varint(at + 1);
    // re-encode the length as len + 1 in the same number of bytes (a 2-byte varint here)
    const bad = b.slice(), width = afterLen - (at + 1), longer = len + 1;
    for (let i = 0; i < width; i++) bad[at + 1 + i] = ((longer / 2 ** (7 * i)) & 0x7f) | (i < width - 1 ? 0x80 : 0);
    assert.ok(decodeOnnx(b, "good").graph, "the unchanged file decodes");
    assert.throws(() => decodeOnnx(bad, "bad"), (e: unknown) => e instanceof FormatError && /not a readable ONNX model/.test(e.message));
  });
});
