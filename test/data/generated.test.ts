// Generated data sets: the copy task's targets are the copied symbols at the documented steps, and
// the adding problem's targets are the sums of the marked values.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadDataset } from "../../src/data/index.js";
import { assertClose } from "../helpers/close.js";

describe("copy", () => {
  it("layout: K symbols, D blanks, marker, K blanks; targets are the symbols after the marker", async () => {
    const d = await loadDataset("copy", { symbols: 5, delay: 3, alphabet: 4, count: 50, seed: 1 });
    const T = 5 + 3 + 1 + 5;
    assert.deepEqual([d.train.steps, d.train.features, d.train.outputs, d.train.perStep], [T, 6, 6, true]);
    assert.deepEqual(d.vocabulary, ["_", "1", "2", "3", "4", ":"]);
    for (let s = 0; s < d.train.count; s++) {
      const x = [...d.train.x.subarray(s * T, (s + 1) * T)], y = [...d.train.y.subarray(s * T, (s + 1) * T)];
      const symbols = x.slice(0, 5);
      assert.ok(symbols.every((v) => v >= 1 && v <= 4));
      assert.deepEqual(x.slice(5), [0, 0, 0, 5, 0, 0, 0, 0, 0]);
      assert.deepEqual(y, [0, 0, 0, 0, 0, 0, 0, 0, 0, ...symbols]);
    }
    assert.deepEqual([d.validation!.count, d.test!.count], [200, 200]);
  });
  it("is seeded", async () => {
    const a = await loadDataset("copy", { seed: 2, count: 10 }), b = await loadDataset("copy", { seed: 2, count: 10 });
    assert.deepEqual(a.train.x, b.train.x);
    assert.notDeepEqual(a.train.x, (await loadDataset("copy", { seed: 3, count: 10 })).train.x);
  });
});

describe("adding", () => {
  it("batch-major [S, T, 2]; y is the sum of the two marked values, one in each half", async () => {
    const d = await loadDataset("adding", { steps: 20, count: 30, validationCount: 0, testCount: 5 });
    assert.deepEqual([d.train.count, d.train.steps, d.train.features, d.train.outputs], [30, 20, 2, 1]);
    assert.equal(d.validation, undefined);
    assert.equal(d.test!.count, 5);
    const sums: number[] = [];
    for (let s = 0; s < 30; s++) {
      const marked = [];
      for (let t = 0; t < 20; t++) if (d.train.x[(s * 20 + t) * 2 + 1] === 1) marked.push(t);
      assert.equal(marked.length, 2);
      assert.ok(marked[0]! < 10 && marked[1]! >= 10);
      sums.push(d.train.x[(s * 20 + marked[0]!) * 2]! + d.train.x[(s * 20 + marked[1]!) * 2]!);
    }
    assertClose(d.train.y, sums, { atol: 1e-6 });
  });
});
