// Honest evaluation from the command line, as child processes: compare --backtest (cells and
// baselines over rolling origins, point and interval metrics), predict --samples (sampled paths
// past the horizon), train --covariates (the calendar saved with the model, recomputed by predict).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gated } from "../cli/run.js";

const dir = mkdtempSync(join(tmpdir(), "gated-evaluation-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Result { name: string; folds: { rmse: number; fold: { testStart: number; testEnd: number } }[]; mean: Record<string, number | null>; std: Record<string, number | null> }

describe("forecast evaluation from the CLI", { timeout: 300_000 }, () => {
  it("compare --backtest: one table of cells and baselines, mean ± sd over the same folds", async () => {
    const r = await gated(["compare", "--data", "co2", "--cells", "gru,mingru", "--epochs", "1", "--hidden", "4", "--horizon", "12", "--backtest", "2", "--distribution", "gaussian", "--baselines", "--quiet", "--json", "--out", join(dir, "c.html")], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const bt = JSON.parse(r.stdout).backtest as { column: string; results: Result[] }[];
    assert.equal(bt.length, 1);
    assert.equal(bt[0]!.column, "CO2");
    const res = bt[0]!.results;
    assert.deepEqual(res.map((x) => x.name), ["gru", "mingru", "seasonal naive (season 12)", "Holt-Winters additive (season 12)", "SARIMA(1,1,1)(0,1,1,12)"]);
    const folds = res[0]!.folds.map((f) => f.fold);
    for (const x of res) {
      assert.deepEqual(x.folds.map((f) => f.fold), folds, `${x.name}: the same folds`);
      assert.ok(Math.abs(x.mean.rmse! - (x.folds[0]!.rmse + x.folds[1]!.rmse) / 2) < 1e-9);
      assert.ok(x.std.rmse! >= 0 && x.mean.pinball! > 0 && x.mean.crps! > 0 && x.mean.coverage95! >= x.mean.coverage80!, `${x.name}: ${JSON.stringify(x.mean)}`);
    }
    assert.deepEqual(folds.map((f) => f.testEnd - f.testStart), [12, 12]);
    const text = await gated(["compare", "--data", "co2", "--cells", "gru", "--epochs", "1", "--hidden", "4", "--horizon", "12", "--backtest", "2", "--quiet", "--out", join(dir, "d.html")], { cwd: dir });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /backtest on co2: 2 rolling origin\(s\) at the end of the series, horizon 12, column CO2/);
    // a cell without a head has no intervals: a dash, never a number
    assert.match(text.stdout, /^gru +[\d.]+ ± [\d.]+ +[\d.]+ ± [\d.]+ +[\d.]+ ± [\d.]+ +— +— +— +—$/m);
    assert.match(text.stdout, /^seasonal naive \(season 12\) +[\d.]+ ± [\d.]+ .*\d+% ± \d+ +\d+% ± \d+ +[\d.]+ ± [\d.]+ +[\d.]+ ± [\d.]+$/m);
    const bad = await gated(["compare", "--data", "co2", "--cells", "gru", "--horizon", "12", "--backtest", "50", "--quiet"], { cwd: dir });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--backtest 50: .*inside the training rows.*use at most \d+ folds/);
  });

  it("predict --samples: sampled paths past the horizon, seeded, bands ordered and widening", async () => {
    const m = join(dir, "g.safetensors"), p = join(dir, "p.safetensors");
    assert.equal((await gated(["train", "--data", "co2", "--epochs", "2", "--hidden", "4", "--distribution", "gaussian", "--out", m, "--no-report"], { cwd: dir })).code, 0);
    const run = async (seed: string) => {
      const r = await gated(["predict", m, "--steps", "6", "--samples", "400", "--seed", seed, "--json"], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { forecast: number[][]; intervals: Record<"lower80" | "upper80" | "lower95" | "upper95", number[][]> & { distribution: string } };
    };
    const a = await run("3"), b = await run("3"), c = await run("4");
    assert.deepEqual(a, b, "the same seed, the same paths");
    assert.notDeepEqual(a.forecast, c.forecast);
    assert.equal(a.forecast.length, 6);
    assert.match(a.intervals.distribution, /gaussian-nll, 400 sampled paths/);
    const iv = a.intervals;
    for (let i = 0; i < 6; i++) assert.ok(iv.lower95[i]![0]! < iv.lower80[i]![0]! && iv.lower80[i]![0]! < a.forecast[i]![0]! && a.forecast[i]![0]! < iv.upper80[i]![0]! && iv.upper80[i]![0]! < iv.upper95[i]![0]!, `step ${i + 1} ordered`);
    assert.ok(iv.upper95[5]![0]! - iv.lower95[5]![0]! > iv.upper95[0]![0]! - iv.lower95[0]![0]!, "the band widens");
    assert.equal((await gated(["train", "--data", "co2", "--epochs", "1", "--hidden", "4", "--out", p, "--no-report"], { cwd: dir })).code, 0);
    const point = await gated(["predict", p, "--steps", "3", "--samples", "10"], { cwd: dir });
    assert.notEqual(point.code, 0);
    assert.match(point.stderr, /--samples: .*no distribution head \(train with --distribution gaussian\)/);
  });

  it("train --covariates calendar: saved with the model, used again by eval and predict", async () => {
    const m = join(dir, "b.safetensors");
    const t = await gated(["train", "--data", "births", "--covariates", "calendar", "--horizon", "2", "--epochs", "1", "--hidden", "4", "--out", m, "--no-report", "--json"], { cwd: dir });
    assert.equal(t.code, 0, t.stderr);
    const i = await gated(["inspect", m, "--json"], { cwd: dir });
    assert.match(i.stdout, /day-of-week/);
    const e = await gated(["eval", m, "--backtest", "2", "--json"], { cwd: dir });
    assert.equal(e.code, 0, e.stderr);
    assert.ok(Number.isFinite((JSON.parse(e.stdout).backtest as Result[])[0]!.mean.rmse));
    const p = await gated(["predict", m, "--steps", "5", "--json"], { cwd: dir });
    assert.equal(p.code, 0, p.stderr);
    assert.equal((JSON.parse(p.stdout) as { forecast: number[][] }).forecast.length, 5);
    const bad = await gated(["train", "--data", "global-temp", "--covariates", "calendar", "--epochs", "1", "--out", join(dir, "x.safetensors"), "--no-report"], { cwd: dir });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ISO dates .* row 0 is labelled "1880"/);
  });
});
