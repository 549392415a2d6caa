// The forecasting sets read from vega-datasets (seattle-weather, sp500, sp500-daily, global-temp,
// unemployment): each loads with the expected shapes, its dates ascend one step at a time, no value
// is NaN (the files have no gaps; a gap is a ValueError, never filled), the split sizes follow the
// 10% / 10% rule, and `gated train --data seattle-weather` runs.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DATASETS, loadDataset } from "../../src/data/index.js";
import { seattleWeatherFromCsv } from "../../src/data/seattle-weather.js";
import { globalTempFromCsv } from "../../src/data/global-temp.js";
import { ValueError } from "../../src/errors/index.js";
import { gated } from "../cli/run.js";

interface Expect { length: number; features: number; window: number; first: string; last: string; step: "day" | "month" | "year" | "trading day"; test: number; validation: number; season?: number }

const EXPECT: Record<string, Expect> = {
  "seattle-weather": { length: 1461, features: 4, window: 28, first: "2012-01-01", last: "2015-12-31", step: "day", test: 146, validation: 146 },
  sp500: { length: 123, features: 1, window: 12, first: "2000-01-01", last: "2010-03-01", step: "month", test: 12, validation: 12 },
  "sp500-daily": { length: 5105, features: 1, window: 20, first: "2000-01-03", last: "2020-04-17", step: "trading day", test: 511, validation: 511 },
  "global-temp": { length: 144, features: 1, window: 10, first: "1880", last: "2023", step: "year", test: 14, validation: 14 },
  unemployment: { length: 122, features: 14, window: 12, first: "2000-01-01", last: "2010-02-01", step: "month", test: 12, validation: 12, season: 12 },
};

function stepOk(a: string, b: string, step: Expect["step"]): boolean {
  if (step === "year") return Number(b) === Number(a) + 1;
  const ta = Date.parse(`${a}T00:00:00Z`), tb = Date.parse(`${b}T00:00:00Z`);
  if (step === "day") return tb - ta === 86_400_000;
  if (step === "trading day") return tb > ta && tb - ta <= 7 * 86_400_000; // weekends and holidays skipped; the longest closure is 2001-09-10 → 09-17
  const [ya, ma] = a.split("-").map(Number), [yb, mb] = b.split("-").map(Number);
  return yb! * 12 + mb! === ya! * 12 + ma! + 1;
}

describe("vega-datasets forecasting series", { timeout: 60_000 }, () => {
  for (const [name, e] of Object.entries(EXPECT)) {
    it(`${name}: shapes, ascending dates, no NaN, split sizes`, async () => {
      const d = await loadDataset(name);
      const s = d.series!;
      assert.equal(DATASETS[name as keyof typeof DATASETS].package, "vega-datasets");
      assert.equal(s.length, e.length);
      assert.equal(s.features, e.features);
      assert.equal(s.values.length, e.length * e.features);
      assert.deepEqual(s.targetColumns, Array.from({ length: e.features }, (_, i) => i));
      assert.equal(s.window, e.window);
      assert.equal(s.season, e.season);
      const labels = s.labels!;
      assert.equal(labels.length, e.length);
      assert.equal(labels[0], e.first);
      assert.equal(labels.at(-1), e.last);
      for (let i = 1; i < labels.length; i++) assert.ok(stepOk(labels[i - 1]!, labels[i]!, e.step), `${name}: ${labels[i - 1]} → ${labels[i]}`);
      assert.ok(s.values.every(Number.isFinite), `${name}: a value is not finite`);
      for (const part of [d.train, d.validation!, d.test!]) assert.ok(part.x.every(Number.isFinite) && part.y.every(Number.isFinite));
      assert.equal(s.length - s.testStart, e.test);
      assert.equal(s.testStart - s.validationStart, e.validation);
      // every row of the validation and test parts is the target of exactly one window
      assert.equal(d.test!.count, e.test);
      assert.equal(d.validation!.count, e.validation);
      assert.equal(d.train.count, s.validationStart - e.window);
      assert.deepEqual([d.train.steps, d.train.features, d.train.outputs], [e.window, e.features, e.features]);
      // normalisation from the training rows only: their mean is 0 in every column
      for (let f = 0; f < e.features; f++) {
        let m = 0;
        for (let r = 0; r < s.validationStart; r++) m += (s.values[r * e.features + f]! - d.normalisation!.mean[f]!) / d.normalisation!.std[f]!;
        assert.ok(Math.abs(m / s.validationStart) < 1e-4, `${name} column ${f}: training mean ${m / s.validationStart}`);
      }
    });
  }
  it("values equal the files (first rows)", async () => {
    const w = (await loadDataset("seattle-weather")).series!;
    assert.deepEqual(Array.from(w.values.subarray(0, 8)), [0, 12.8, 5, 4.7, 10.9, 10.6, 2.8, 4.5].map(Math.fround));
    assert.deepEqual(w.columns, ["precipitation", "temp_max", "temp_min", "wind"]);
    assert.equal((await loadDataset("sp500")).series!.values[0], Math.fround(1394.46));
    assert.equal((await loadDataset("sp500-daily")).series!.values[0], Math.fround(1455.219971));
    const t = (await loadDataset("global-temp")).series!;
    assert.deepEqual([t.values[0], t.values.at(-1)], [Math.fround(-0.17), Math.fround(1.17)]);
    const u = (await loadDataset("unemployment")).series!;
    assert.equal(u.columns[0], "Government");
    assert.equal(u.values[0], Math.fround(2.1)); // Government, 2000-01
  });
  it("a gap is a ValueError, never filled", () => {
    const csv = "date,precipitation,temp_max,temp_min,wind,weather\n2012-01-01,0,1,0,1,sun\n2012-01-03,0,1,0,1,sun\n";
    assert.throws(() => seattleWeatherFromCsv(csv, { window: 1, validation: 0, test: 0 }), (e: unknown) => e instanceof ValueError && /day after 2012-01-01, got 2012-01-03/.test(e.message));
    const empty = "date,precipitation,temp_max,temp_min,wind,weather\n2012-01-01,,1,0,1,sun\n";
    assert.throws(() => seattleWeatherFromCsv(empty), (e: unknown) => e instanceof ValueError && /missing value/.test(e.message));
    assert.throws(() => globalTempFromCsv("year,temp\n1880,0\n1882,0\n"), (e: unknown) => e instanceof ValueError && /expected the year 1881/.test(e.message));
  });
});

describe("gated train --data seattle-weather", { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "gated-series-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it("trains one epoch on the four weather columns and compares with persistence", async () => {
    const out = join(dir, "w.safetensors");
    const r = await gated(["train", "--data", "seattle-weather", "--epochs", "1", "--hidden", "8", "--out", out, "--no-report", "--json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { assessment: { value: number; baseline: number; metric: string } };
    assert.equal(j.assessment.metric, "RMSE");
    assert.ok(j.assessment.value > 0 && Number.isFinite(j.assessment.value), `RMSE ${j.assessment.value}`);
    assert.ok(j.assessment.baseline > 0 && Number.isFinite(j.assessment.baseline), `baseline ${j.assessment.baseline}`);
    assert.ok(existsSync(out));
  });
});
