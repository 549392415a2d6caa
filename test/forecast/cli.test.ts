// `gated eval --backtest N` and `gated compare --baselines` on CO2, as child processes.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gated } from "../cli/run.js";

const dir = mkdtempSync(join(tmpdir(), "gated-forecast-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, "co2.safetensors");

describe("forecast evaluation from the CLI (CO2)", { timeout: 180_000 }, () => {
  it("eval --backtest 3 reports each fold and the mean ± sd, beside the baselines", async () => {
    const t = await gated(["train", "--data", "co2", "--epochs", "1", "--hidden", "8", "--out", model, "--no-report", "--json"], { cwd: dir });
    assert.equal(t.code, 0, t.stderr);
    const j = await gated(["eval", model, "--backtest", "3", "--json"], { cwd: dir });
    assert.equal(j.code, 0, j.stderr);
    const r = JSON.parse(j.stdout).backtest as { name: string; folds: { fold: { trainEnd: number; testStart: number; testEnd: number }; rmse: number; coverage95: number | null }[]; mean: { rmse: number } }[];
    // SARIMA joins when the optional package arima is installed (a dev dependency here)
    assert.deepEqual(r.map((x) => x.name), ["model", "seasonal naive (season 12)", "Holt-Winters additive (season 12)", "SARIMA(1,1,1)(0,1,1,12)"]);
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
    // --auto-arima adds the package's order search (slow: one fold here), and needs --backtest
    const auto = await gated(["eval", model, "--backtest", "1", "--auto-arima", "--json"], { cwd: dir });
    assert.equal(auto.code, 0, auto.stderr);
    const ra = JSON.parse(auto.stdout).backtest as { name: string; mean: { rmse: number } }[];
    assert.deepEqual(ra.map((x) => x.name).slice(-2), ["SARIMA(1,1,1)(0,1,1,12)", "auto-SARIMA (season 12)"]);
    assert.ok(ra.at(-1)!.mean.rmse < ra[1]!.mean.rmse, `auto-SARIMA ${ra.at(-1)!.mean.rmse} vs seasonal naive ${ra[1]!.mean.rmse}`);
    const alone = await gated(["eval", model, "--auto-arima"], { cwd: dir });
    assert.equal(alone.code, 1);
    assert.match(alone.stderr, /--auto-arima: it adds auto-\(S\)ARIMA to the backtest; give --backtest N/);
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
    const sarima = /^SARIMA\(1,1,1\)\(0,1,1,12\) +— +— +([\d.]+)$/m.exec(r.stdout);
    assert.ok(sarima && Number(sarima[1]) < Number(naive[1]), r.stdout);
  });

  it("several target columns: each column's RMSE beside the pooled one, in train and compare (the pooled one has no unit)", async () => {
    const t = await gated(["train", "--data", "seattle-weather", "--epochs", "1", "--hidden", "4", "--out", join(dir, "sw.safetensors"), "--no-report", "--quiet"], { cwd: dir });
    assert.equal(t.code, 0, t.stderr);
    const pooled = /test RMSE \(4 columns pooled\) ([\d.]+) vs persistence ([\d.]+):/.exec(t.stdout);
    const per = /test RMSE per column \(persistence in brackets\): precipitation ([\d.]+) \(([\d.]+)\), temp_max ([\d.]+) \(([\d.]+)\), temp_min ([\d.]+) \(([\d.]+)\), wind ([\d.]+) \(([\d.]+)\)/.exec(t.stdout);
    assert.ok(pooled && per, t.stdout);
    // the pooled RMSE is the root of the columns' mean square (each column as many values)
    const rms = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    const model = [1, 3, 5, 7].map((i) => Number(per[i])), naive = [2, 4, 6, 8].map((i) => Number(per[i]));
    assert.ok(Math.abs(rms(model) - Number(pooled[1])) < 2e-3, `${rms(model)} vs ${pooled[1]}`);
    assert.ok(Math.abs(rms(naive) - Number(pooled[2])) < 2e-3, `${rms(naive)} vs ${pooled[2]}`);
    const c = await gated(["compare", "--data", "seattle-weather", "--cells", "gru", "--epochs", "1", "--hidden", "4", "--quiet", "--out", join(dir, "sw.html")], { cwd: dir });
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /^cell +parameters +s\/epoch +test RMSE \(4 columns pooled\) +precipitation +temp_max +temp_min +wind$/m);
    assert.match(c.stdout, /^gru( +[\d.,]+){7}$/m);
    assert.match(c.stdout, /^persistence +— +— +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+$/m);
  });

  it("train --distribution, then eval (coverage, pinball, CRPS), predict (intervals, a chart with bands) and a backtest", async () => {
    const m = join(dir, "co2-gauss.safetensors"), report = join(dir, "co2-gauss.html"), chart = join(dir, "co2-gauss.svg");
    const t = await gated(["train", "--data", "co2", "--epochs", "3", "--hidden", "8", "--distribution", "gaussian", "--out", m, "--report", report], { cwd: dir });
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /test interval coverage \(gaussian-nll\): 80% [\d.]+%, 95% [\d.]+%/);
    const html = readFileSync(report, "utf8");
    assert.match(html, /95% interval/);
    assert.match(html, /class="band"/);
    const e = await gated(["eval", m, "--json"], { cwd: dir });
    assert.equal(e.code, 0, e.stderr);
    const metrics = JSON.parse(e.stdout).metrics as { coverage80: number; coverage95: number; pinball: number; crps: number };
    assert.ok(metrics.coverage95 >= metrics.coverage80 && metrics.coverage95 > 0.5 && metrics.pinball > 0 && metrics.crps > 0, JSON.stringify(metrics));
    const et = await gated(["eval", m], { cwd: dir });
    assert.match(et.stdout, /coverage95 \d+\.\d+%\n/);
    assert.match(et.stdout, /crps \d/);
    const p = await gated(["predict", m, "--json"], { cwd: dir });
    assert.equal(p.code, 0, p.stderr);
    const f = JSON.parse(p.stdout) as { forecast: number[][]; intervals: { lower95: number[][]; upper95: number[][]; lower80: number[][]; upper80: number[][] } };
    const [y, lo, hi] = [f.forecast[0]![0]!, f.intervals.lower95[0]![0]!, f.intervals.upper95[0]![0]!];
    assert.ok(lo < y && y < hi && y > 380 && y < 450, `${lo} < ${y} < ${hi} ppm`);
    const pt = await gated(["predict", m, "--chart", chart], { cwd: dir });
    assert.equal(pt.code, 0, pt.stderr);
    assert.match(pt.stdout, /\+1\t[\d.]+ \[[\d.]+, [\d.]+\] \[[\d.]+, [\d.]+\]/);
    assert.equal((readFileSync(chart, "utf8").match(/class="band"/g) ?? []).length, 2, "the 95% and 80% bands");
    const far = await gated(["predict", m, "--steps", "3"], { cwd: dir });
    assert.notEqual(far.code, 0);
    assert.match(far.stderr, /at most its horizon \(1\)/);
    const b = await gated(["eval", m, "--backtest", "3", "--json"], { cwd: dir });
    assert.equal(b.code, 0, b.stderr);
    const model = (JSON.parse(b.stdout).backtest as { name: string; mean: { coverage95: number | null } }[])[0]!;
    assert.ok(model.mean.coverage95 !== null && model.mean.coverage95 >= 0, "a head model's backtest scores its intervals");
  });
});
