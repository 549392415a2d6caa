// `gated eval --backtest N` and `gated compare --baselines` on CO2, as child processes.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gated } from "../cli/run.js";

const dir = mkdtempSync(join(tmpdir(), "gated-forecast-"));
const model = join(dir, "co2.safetensors");

describe("forecast evaluation from the CLI (CO2)", { timeout: 180_000 }, () => {
  it("eval --backtest 3 reports each fold and the mean ± sd, beside the baselines", async () => {
    const t = await gated(["train", "--data", "co2", "--epochs", "1", "--hidden", "8", "--out", model, "--no-report", "--json"], { cwd: dir });
    assert.equal(t.code, 0, t.stderr);
    const j = await gated(["eval", model, "--backtest", "3", "--json"], { cwd: dir });
    assert.equal(j.code, 0, j.stderr);
    const r = JSON.parse(j.stdout).backtest as { name: string; folds: { fold: { trainEnd: number; testStart: number; testEnd: number }; rmse: number; coverage95: number | null }[]; mean: { rmse: number } }[];
    assert.deepEqual(r.map((x) => x.name), ["model", "seasonal naive (season 12)", "Holt-Winters additive (season 12)"]);
    for (const x of r) {
      assert.equal(x.folds.length, 3);
      for (const f of x.folds) assert.ok(f.fold.trainEnd <= f.fold.testStart && f.rmse >= 0, JSON.stringify(f.fold));
      const mean = x.folds.reduce((s, f) => s + f.rmse, 0) / 3;
      assert.ok(Math.abs(x.mean.rmse - mean) < 1e-9);
    }
    assert.equal(r[0]!.folds[0]!.coverage95, null, "a point model has no interval");
    const text = await gated(["eval", model, "--backtest", "3"], { cwd: dir });
    assert.match(text.stdout, /backtest: 3 rolling origin\(s\)/);
    assert.match(text.stdout, /fold 3 .*RMSE .*cover95/);
    assert.match(text.stdout, /mean ± sd +RMSE [\d.]+ ± [\d.]+/);
    const bad = await gated(["eval", model, "--backtest", "500"], { cwd: dir });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /inside the model's training rows.*use at most \d+ folds/);
  });

  it("compare --baselines prints the classical forecasters in the cells' table", async () => {
    const r = await gated(["compare", "--data", "co2", "--cells", "gru", "--epochs", "1", "--hidden", "8", "--baselines", "--quiet", "--out", join(dir, "c.html")], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^gru +\d+ +[\d.]+ +[\d.]+$/m);
    const naive = /^seasonal naive \(season 12\) +— +— +([\d.]+)$/m.exec(r.stdout), hw = /^Holt-Winters additive \(season 12\) +— +— +([\d.]+)$/m.exec(r.stdout);
    assert.ok(naive && hw, r.stdout);
    // the same windows as the assessment's seasonal-naive baseline, scored the same way
    assert.ok(Math.abs(Number(naive[1]) - 2.5768) < 1e-3, naive[1]);
    assert.ok(Number(hw[1]) < Number(naive[1]));
  });
});
