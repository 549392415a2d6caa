// CTC loss against torch.nn.functional.ctc_loss (recorded by scripts/audio/check_ctc.py, float64),
// its gradient by float64 central differences, and a hand-computed two-step example.
// Tolerance against torch: |a − b| ≤ 1e-10 + 1e-9·|ref|: both sides compute the same sums in float64,
// in a different order.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ctcLoss } from "../../src/train/ctc.js";
import { ShapeError, ValueError } from "../../src/errors/index.js";
import { assertClose } from "../helpers/close.js";

interface Case {
  name: string; shape: [number, number, number]; logits: number[]; lengths: number[]; labels: number[];
  labelLengths: number[]; blank: number; losses: number[]; sum: number; mean: number; dMean: number[];
}
const data = JSON.parse(readFileSync(new URL("../fixtures/audio/ctc.json", import.meta.url), "utf8")) as { cases: Case[] };
const TOL = { atol: 1e-10, rtol: 1e-9 };

describe("ctcLoss against torch", () => {
  let worst = 0;
  for (const c of data.cases) {
    it(`${c.name}: per-row, mean and sum losses, gradient of the mean`, () => {
      const r = ctcLoss(c.logits, c.shape, c.lengths, c.labels, c.labelLengths, { blank: c.blank });
      worst = Math.max(worst, assertClose(r.losses, c.losses, TOL, "losses"), Math.abs(r.loss - c.mean));
      assertClose([r.loss], [c.mean], TOL, "mean");
      worst = Math.max(worst, assertClose(r.dLogits, c.dMean, TOL, "dLogits"));
      const s = ctcLoss(c.logits, c.shape, c.lengths, c.labels, c.labelLengths, { blank: c.blank, reduction: "sum" });
      assertClose([s.loss], [c.sum], TOL, "sum");
    });
  }
  it("records the worst difference", () => {
    console.log(`  max |gated − torch| over losses and gradients: ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-9);
  });
});

describe("ctcLoss gradient by central differences (float64)", () => {
  for (const c of data.cases) {
    it(`${c.name}`, () => {
      for (const reduction of ["mean", "none"] as const) {
        const f = (z: number[]) => ctcLoss(z, c.shape, c.lengths, c.labels, c.labelLengths, { blank: c.blank, reduction }).loss;
        const g = ctcLoss(c.logits, c.shape, c.lengths, c.labels, c.labelLengths, { blank: c.blank, reduction }).dLogits;
        const z = c.logits.slice(), h = 1e-5;
        let worst = 0;
        for (let i = 0; i < z.length; i++) {
          const z0 = z[i]!;
          z[i] = z0 + h; const up = f(z);
          z[i] = z0 - h; const down = f(z);
          z[i] = z0;
          const num = (up - down) / (2 * h);
          worst = Math.max(worst, Math.abs(num - g[i]!) / Math.max(Math.abs(num), Math.abs(g[i]!), 1e-2));
        }
        assert.ok(worst < 1e-7, `${reduction}: worst relative error ${worst}`);
      }
    });
  }
});

describe("ctcLoss by hand", () => {
  it("two steps, one label: p('1') = p₀(1)p₁(1) + p₀(1)p₁(∅) + p₀(∅)p₁(1)", () => {
    const p = [[0.6, 0.4], [0.3, 0.7]]; // [T, C]: p_t(∅), p_t(1)
    const logits = p.flat().map(Math.log);
    const want = -Math.log(0.4 * 0.7 + 0.4 * 0.3 + 0.6 * 0.7);
    const r = ctcLoss(logits, [2, 1, 2], [2], [1], [1], { reduction: "sum" });
    assert.ok(Math.abs(r.loss - want) < 1e-14, `${r.loss} vs ${want}`);
    // "1 1" needs three steps (1 ∅ 1): impossible in two
    const inf = ctcLoss(logits, [2, 1, 2], [2], [1, 1], [2]);
    assert.equal(inf.losses[0], Infinity);
    assert.ok(inf.dLogits.every((v) => v === 0));
    assert.equal(ctcLoss(logits, [2, 1, 2], [2], [1, 1], [2], { zeroInfinity: true }).loss, 0);
  });

  it("validates shapes, lengths and labels", () => {
    const z = new Float64Array(2 * 1 * 3);
    assert.throws(() => ctcLoss(z, [2, 1, 4], [2], [1], [1]), ShapeError);
    assert.throws(() => ctcLoss(z, [2, 1, 3], [3], [1], [1]), /lengths\[0\]: expected an integer in \[1, 2\], got 3/);
    assert.throws(() => ctcLoss(z, [2, 1, 3], [2], [0], [1]), /labels\[0\]: expected a class id in \[0, 3\) other than blank 0, got 0/);
    assert.throws(() => ctcLoss(z, [2, 1, 3], [2], [1, 2], [1]), ShapeError);
    assert.throws(() => ctcLoss(z, [2, 1, 3], [2], [1], [-1]), ValueError);
  });
});
