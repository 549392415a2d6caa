// CTC decoding (greedy, prefix beam) and edit distance / label error rate, with hand-checked values.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ctcGreedyDecode, ctcPrefixBeamSearch, editDistance, labelErrorRate } from "../../src/train/decode-ctc.js";
import { OptionError, ShapeError } from "../../src/errors/index.js";
import { Rng } from "../../src/util/random.js";

const logOf = (p: number[][]): number[] => p.flat().map(Math.log);

describe("ctcGreedyDecode", () => {
  it("merges repeats, then drops blanks", () => {
    // argmax path: 1 1 ∅ 1 2 2 ∅ → 1 1 2
    const path = [1, 1, 0, 1, 2, 2, 0];
    const scores = path.flatMap((k) => [0, 1, 2].map((c) => (c === k ? 2 : 0)));
    assert.deepEqual(ctcGreedyDecode(scores, 3), [1, 1, 2]);
    assert.deepEqual(ctcGreedyDecode(scores, 3, { blank: 2 }), [1, 0, 1, 0]);
  });
  it("validates", () => {
    assert.throws(() => ctcGreedyDecode([1, 2, 3], 2), ShapeError);
    assert.throws(() => ctcGreedyDecode([1, 2], 2, { blank: 2 }), OptionError);
  });
});

describe("ctcPrefixBeamSearch", () => {
  it("hand-checked: the best path is not the most probable labelling", () => {
    // p_t(∅), p_t(1): best path ∅ ∅ (0.36) gives "", but p("1") = 0.16 + 0.24 + 0.24 = 0.64
    const s = logOf([[0.6, 0.4], [0.6, 0.4]]);
    assert.deepEqual(ctcGreedyDecode(s, 2), []);
    const hyps = ctcPrefixBeamSearch(s, 2, { beamWidth: 4 });
    assert.deepEqual(hyps.map((h) => h.labels), [[1], []]);
    assert.ok(Math.abs(Math.exp(hyps[0]!.logProb) - 0.64) < 1e-12);
    assert.ok(Math.abs(Math.exp(hyps[1]!.logProb) - 0.36) < 1e-12);
  });

  it("a wide beam gives exact probabilities that sum to 1 over all labellings", () => {
    const rng = new Rng(5);
    const T = 4, C = 3;
    const s = Array.from({ length: T * C }, () => rng.range(-2, 2));
    const hyps = ctcPrefixBeamSearch(s, C, { beamWidth: 1000 });
    const total = hyps.reduce((a, h) => a + Math.exp(h.logProb), 0);
    assert.ok(Math.abs(total - 1) < 1e-12, `Σ p = ${total}`);
  });

  it("beam width 1 equals greedy on a peaked case", () => {
    const rng = new Rng(9);
    const T = 30, C = 6;
    const s: number[] = [];
    for (let t = 0; t < T; t++) {
      const k = rng.range(0, 1) < 0.5 ? 0 : 1 + Math.floor(rng.range(0, C - 1));
      for (let c = 0; c < C; c++) s.push(c === k ? 5 : rng.range(-1, 1));
    }
    const greedy = ctcGreedyDecode(s, C);
    assert.ok(greedy.length > 3);
    assert.deepEqual(ctcPrefixBeamSearch(s, C, { beamWidth: 1 })[0]!.labels, greedy);
    assert.deepEqual(ctcPrefixBeamSearch(s, C, { beamWidth: 8 })[0]!.labels, greedy);
  });
});

describe("edit distance and label error rate", () => {
  it("counts insertions, deletions and substitutions", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance([], [1, 2]), 2);
    assert.equal(editDistance([1, 2, 3], [1, 2, 3]), 0);
    assert.equal(editDistance([1, 2, 3, 4], [2, 3, 5, 4]), 2);
  });
  it("label error rate = Σ edits / Σ reference lengths", () => {
    const r = labelErrorRate([[1, 2, 3], [4, 5]], [[1, 3], [4, 5, 6]]);
    assert.deepEqual(r, { errors: 2, length: 5, rate: 0.4 });
    assert.throws(() => labelErrorRate([[1]], []), ShapeError);
  });
});
