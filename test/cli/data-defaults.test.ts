// A data set's own training settings (catalog.ts `training`): used for the options not given,
// never over one given, and named in the command's output; data sets without them are untouched.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { withDataDefaults } from "../../src/cli/data.js";
import { gated } from "./run.js";

describe("data sets' own training settings", () => {
  const dir = mkdtempSync(join(tmpdir(), "gated-data-defaults-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("fill the options not given, and say which", () => {
    const given: { epochs?: number; batchSize?: number; lr?: number; clipNorm?: number; patience?: number } = { epochs: 5 };
    const { args, note } = withDataDefaults("ecg-rhythm", given);
    assert.deepEqual({ epochs: args.epochs, batchSize: args.batchSize, lr: args.lr, clipNorm: args.clipNorm, patience: args.patience }, { epochs: 5, batchSize: 16, lr: 0.002, clipNorm: 1, patience: 8 });
    assert.equal(note, "ecg-rhythm's own training settings: --batch-size 16 --lr 0.002 --clip-norm 1 --patience 8 (the options you give win)");
    const all = withDataDefaults("ecg-rhythm", { epochs: 2, batchSize: 4, lr: 0.1, clipNorm: 3, patience: 1 });
    assert.deepEqual(all.args, { epochs: 2, batchSize: 4, lr: 0.1, clipNorm: 3, patience: 1 });
    assert.equal(all.note, "");
    for (const data of ["co2", "phonemes", "some.csv"]) assert.deepEqual(withDataDefaults(data, { epochs: undefined }), { args: { epochs: undefined }, note: "" });
  });

  it("gated train names them", async () => {
    const r = await gated(["train", "--data", "ecg-rhythm", "--limit", "16", "--epochs", "1", "--out", join(dir, "e.safetensors"), "--no-report", "--quiet", "--threads", "1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ecg-rhythm's own training settings: --batch-size 16 --lr 0\.002 --clip-norm 1 --patience 8 \(the options you give win\)/);
    assert.match(r.stdout, /1 epochs, 1 steps/);
  });
});
