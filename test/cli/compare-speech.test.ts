// `gated compare` with the speech recipe's stack options (--layers, --direction, --dropout,
// --recurrent-dropout, --normalisation for LiGRU only) is accepted, and the parameter counts in its
// table are those of models built with the same options through the library (which shows that
// --layers and --direction reached every cell; dropout and the choice of norm add no parameters).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Model, createSpec } from "../../src/model/model.js";
import { gated } from "./run.js";

function params(cell: "gru" | "ligru", o: { layers: number; direction: "forward" | "bidirectional"; normalisation?: "layer" }): number {
  const base = { input: { kind: "features", features: 13 }, hiddenSize: 4, layers: o.layers, direction: o.direction, dropout: 0.1, recurrentDropout: 0.1, task: { target: "class", perStep: false, outputs: 16 } } as const;
  const spec = cell === "ligru" ? createSpec({ ...base, cell, ...(o.normalisation ? { cellOptions: { normalisation: o.normalisation } } : {}) }) : createSpec({ ...base, cell });
  return new Model(spec).net.trainableCount;
}

describe("gated compare --layers --direction on spoken-digits", { timeout: 120_000 }, () => {
  let dir = "";
  before(() => { dir = mkdtempSync(join(tmpdir(), "gated-compare-")); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("builds every cell with the stack options given", async () => {
    const r = await gated(["compare", "--data", "spoken-digits", "--cells", "gru,ligru", "--hidden", "4", "--layers", "2", "--direction", "bidirectional",
      "--dropout", "0.1", "--recurrent-dropout", "0.1", "--normalisation", "layer", "--epochs", "1", "--subset", "16", "--json", "--quiet", "--out", "c.html"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const rows = (JSON.parse(r.stdout) as { rows: { cell: string; parameters: number }[] }).rows;
    const o = { layers: 2, direction: "bidirectional", normalisation: "layer" } as const;
    assert.deepEqual(rows.map((x) => [x.cell, x.parameters]), [["gru", params("gru", o)], ["ligru", params("ligru", o)]]);
    // one layer forward has fewer parameters: the options were not ignored
    assert.ok(params("ligru", { layers: 1, direction: "forward" }) < rows[1]!.parameters);
    const bad = await gated(["compare", "--data", "spoken-digits", "--layers", "0"], { cwd: dir });
    assert.match(bad.stderr, /--layers must be a positive integer, got "0"/);
  });
});
