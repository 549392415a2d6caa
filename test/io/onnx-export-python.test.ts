// gated → ONNX → the real Python tools: onnx.checker (full check) and onnxruntime's Python package
// ran the committed exports (scripts/interchange/check_onnx_exports.py) and recorded their outputs.
// Here: today's export of the same models is byte-identical (so the record holds for today's code),
// and gated's own outputs equal what onnxruntime computed from the export, at ≤ 1e-5.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { CASES, makeCase } from "../../scripts/interchange/make-onnx-exports.js";
import { assertClose } from "../helpers/close.js";
import { runModel } from "./helpers/model.js";
import { swap01 } from "./helpers/fixtures.js";

const DIR = new URL("../fixtures/interchange/onnx-export/", import.meta.url);
let worst = 0;

describe("gated's ONNX exports, as the Python tools ran them", () => {
  it("every committed case is a case of the generator", () => {
    assert.deepEqual(readdirSync(DIR).filter((d) => !d.includes(".")).sort(), Object.keys(CASES).sort());
  });
  for (const name of Object.keys(CASES)) {
    it(`${name}: same bytes as checked; gated = onnxruntime (Python) on them`, () => {
      const { model, onnx, input, lengths } = makeCase(name);
      assert.ok(Buffer.from(onnx).equals(readFileSync(new URL(`${name}/model.onnx`, DIR))), "the export changed since check_onnx_exports.py ran: rerun it");
      const e = JSON.parse(readFileSync(new URL(`${name}/expected.json`, DIR), "utf8")) as { checker: string; output: { shape: number[]; data: number[] } };
      assert.match(e.checker, /passed/);
      const c = CASES[name]!, bm = c.onnx.layout === "batch-major", F = input.shape[2] ?? 1;
      const x = bm ? swap01(input.data, c.B, c.T, F) : Float32Array.from(input.data);
      let y = runModel(model, { T: c.T, B: c.B, data: x, ...(lengths ? { lengths } : {}) });
      if (c.spec.task.perStep && bm) y = swap01(y, c.T, c.B, y.length / (c.T * c.B));
      if (c.onnx.link) {
        const O = c.spec.task.outputs;
        for (let r = 0; r < y.length / O; r++) {
          const row = y.subarray(r * O, (r + 1) * O), m = Math.max(...row), s = row.reduce((a, v) => a + Math.exp(v - m), 0);
          row.forEach((v, j) => { row[j] = Math.exp(v - m) / s; });
        }
      }
      worst = Math.max(worst, assertClose(y, e.output.data, { atol: 1e-5 }, `${name}: gated vs onnxruntime (Python)`));
    });
  }
});

after(() => console.log(`# gated → ONNX → onnxruntime (Python): max |diff| ${worst.toExponential(2)}`));
