// Known-future covariates (data/covariates.ts): the values against dates whose weekday is known
// independently, the window layout (step t carries the covariates of rows t+1..t+H), the same
// values recomputed by forecast from dates alone, the model file, and every refusal.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { covariateTable, inferFrequency, parseCovariates } from "../../src/data/covariates.js";
import { loadCsv, loadDataset } from "../../src/data/index.js";
import { OptionError, ValueError } from "../../src/errors/index.js";
import { createSpec, Model } from "../../src/model/model.js";

const TAU = 2 * Math.PI;
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-6, `${what}: ${a} vs ${b}`);

describe("known-future covariates", { timeout: 120_000 }, () => {
  it("calendar values: weekdays and months of dates known from the calendar", () => {
    const info = { names: parseCovariates("t", "calendar", "daily"), frequency: "daily" as const };
    assert.deepEqual(info.names, ["day-of-week", "month"]);
    // 2000-01-01 was a Saturday (d = 5, Monday = 0); 2000-02-29 (row 59, a leap day) a Tuesday (d = 1)
    const t = covariateTable(info, "2000-01-01", 61);
    close(t[0]!, Math.sin((TAU * 5) / 7), "sin dow 2000-01-01"); close(t[1]!, Math.cos((TAU * 5) / 7), "cos dow");
    close(t[2]!, 0, "sin month January"); close(t[3]!, 1, "cos month January");
    close(t[59 * 4]!, Math.sin(TAU / 7), "sin dow 2000-02-29"); close(t[59 * 4 + 3]!, Math.cos(TAU / 12), "cos month February");
    close(t[60 * 4 + 2]!, Math.sin((TAU * 2) / 12), "sin month March (row 60 = 2000-03-01)");
    // monthly: row 11 after 1999-02-01 is 2000-01-01
    const m = covariateTable({ names: ["month"], frequency: "monthly" }, "1999-02", 12);
    close(m[0]!, Math.sin(TAU / 12), "February"); close(m[11 * 2]!, 0, "January"); close(m[11 * 2 + 1]!, 1, "January cos");
  });

  it("frequency from the labels; a gap, a yearly series or a weekday of a monthly one are refused", () => {
    assert.equal(inferFrequency("t", ["2012-12-30", "2012-12-31", "2013-01-01"]), "daily");
    assert.equal(inferFrequency("t", ["2012-11-01", "2012-12-01", "2013-01-01"]), "monthly");
    assert.throws(() => inferFrequency("t", ["2012-12-30", "2013-01-01"]), (e: unknown) => e instanceof ValueError && /row 1 \(2013-01-01\) does not follow row 0/.test(e.message));
    assert.throws(() => inferFrequency("t", ["1990", "1991"]), /ISO dates/);
    assert.throws(() => inferFrequency("t", undefined), /a date per row/);
    assert.throws(() => parseCovariates("t", "day-of-week", "monthly"), (e: unknown) => e instanceof OptionError && /needs a daily series/.test(e.message));
    assert.throws(() => parseCovariates("t", "calendar,weekday", "daily"), /unknown covariate "weekday"; valid: calendar/);
  });

  it("births: step t of a window carries the covariates of rows t+1..t+H; the last step those of the targets", async () => {
    const H = 3, W = 14, ds = await loadDataset("births", { covariates: "calendar", horizon: H, window: W, relative: false });
    const sr = ds.series!, X = 1 + H * 4, set = ds.test!;
    assert.equal(set.features, X);
    assert.deepEqual(sr.covariates!.names, ["day-of-week", "month"]);
    const s = sr.testStart - W - H + 1; // the first test window starts here (its last target is the first test row)
    for (const t of [0, W - 1]) {
      for (let h = 1; h <= H; h++) {
        const label = sr.labels![s + t + h]!, date = new Date(`${label}T00:00:00Z`), d = (date.getUTCDay() + 6) % 7, mo = date.getUTCMonth();
        const at = t * X + 1 + (h - 1) * 4, x = set.x as Float32Array;
        close(x[at]!, Math.fround(Math.sin((TAU * d) / 7)), `window step ${t}, row +${h} (${label}) sin dow`);
        close(x[at + 3]!, Math.fround(Math.cos((TAU * mo) / 12)), `window step ${t}, row +${h} cos month`);
      }
    }
    // the series column is normalised as before; the covariates are not
    const n = (sr.values[s]! - ds.normalisation!.mean[0]!) / ds.normalisation!.std[0]!;
    close((set.x as Float32Array)[0]!, Math.fround(n), "normalised births");
  });

  it("forecast recomputes the same covariates from dates: model.forecast = the windowed prediction", async () => {
    const H = 2, W = 10, ds = await loadDataset("births", { covariates: "calendar", horizon: H, window: W, relative: true });
    const sr = ds.series!, set = ds.test!;
    const spec = createSpec({
      input: { kind: "features", features: set.features }, cell: "gru", hiddenSize: 6,
      task: { target: "regression", perStep: false, outputs: H },
      data: { normalisation: ds.normalisation!, window: W, horizon: H, targetColumns: [0], relative: true, covariates: { names: sr.covariates!.names, frequency: sr.covariates!.frequency } },
    });
    const model = Model.fromBytes(new Model(spec, { seed: 5 }).toBytes()); // the file keeps the covariates
    assert.deepEqual(model.spec.data!.covariates, { names: ["day-of-week", "month"], frequency: "daily" });
    const { mean: [mu], std: [sd] } = ds.normalisation! as { mean: number[]; std: number[] };
    for (const k of [0, 57]) {
      const s = sr.testStart - W - H + 1 + k, end = s + W;
      const y = model.predict({ data: set.x.subarray(k * W * set.features, (k + 1) * W * set.features), shape: [1, W, set.features] }, { units: "model" }).data;
      const nLast = (sr.values[end - 1]! - mu!) / sd!;
      const f = model.forecast(Array.from(sr.values.subarray(0, end)), H, { dates: sr.labels!.slice(0, end) }).data;
      for (let h = 0; h < H; h++) assert.ok(Math.abs(f[h]! - ((y[h]! + nLast) * sd! + mu!)) <= 1e-3 * sd!, `window ${k}, +${h + 1}: ${f[h]} vs ${(y[h]! + nLast) * sd! + mu!}`);
    }
    assert.throws(() => model.forecast(Array.from(sr.values.subarray(0, 40)), H), /trained with the covariates day-of-week, month \(daily\); give the dates/);
    const monthly = Array.from({ length: 40 }, (_, i) => `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}-01`);
    assert.throws(() => model.forecast(Array.from(sr.values.subarray(0, 40)), H, { dates: monthly }), /trained on a daily series, the history's dates are monthly/);
  });

  it("sampled paths of a covariate model: step 1 is the head's own distribution for the same window", async () => {
    const H = 2, W = 10, ds = await loadDataset("births", { covariates: "calendar", horizon: H, window: W, relative: true });
    const sr = ds.series!;
    const spec = createSpec({
      input: { kind: "features", features: ds.train.features }, cell: "gru", hiddenSize: 6,
      task: { target: "regression", perStep: false, outputs: H, distribution: "gaussian" },
      data: { normalisation: ds.normalisation!, window: W, horizon: H, targetColumns: [0], relative: true, covariates: { names: sr.covariates!.names, frequency: "daily" } },
    });
    const model = new Model(spec, { seed: 9 }), end = 400, hist = Array.from(sr.values.subarray(0, end)), dates = sr.labels!.slice(0, end);
    const direct = model.forecast(hist, 1, { dates }), sigma = direct.intervals!.parameters[1]!;
    const N = 20_000, paths = model.forecast(hist, 3, { dates, samples: N, seed: 5 });
    assert.ok(Math.abs(paths.data[0]! - direct.data[0]!) <= 4 * sigma / Math.sqrt(N), `path mean ${paths.data[0]} vs the head's μ ${direct.data[0]} (σ ${sigma})`);
    assert.ok(Math.abs(paths.intervals!.upper95[0]! - direct.intervals!.upper95[0]!) <= 0.05 * sigma, "the 97.5% point");
  });

  it("a CSV holiday column: read as a covariate, left out of the features; unknown rows ahead refused", async () => {
    const days = Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2021, 2, 1 + i)).toISOString().slice(0, 10));
    const text = ["date,sales,closed", ...days.map((d, i) => `${d},${100 + (i % 7) * 3},${i % 7 === 6 ? 1 : 0}`)].join("\n");
    const ds = loadCsv(text, { window: 7, horizon: 1, covariates: "day-of-week,holiday:closed", relative: false });
    assert.deepEqual(ds.series!.columns, ["sales"]);
    assert.equal(ds.train.features, 1 + 3);
    // the first window (rows 0..6) step 5 carries row 6's holiday flag (1), step 0 row 1's (0)
    const x = ds.train.x as Float32Array;
    assert.equal(x[5 * 4 + 3], 1);
    assert.equal(x[0 * 4 + 3], 0);
    assert.throws(() => loadCsv(text, { window: 7, covariates: "holiday:open" }), /holiday:open: no column "open"/);
    await assert.rejects(loadDataset("co2", { covariates: "holiday:x" }), /holiday:x: no numeric column "x" \(holiday columns come from a CSV file\)/);
    // forecasting needs the holiday values of the rows ahead
    const sr = ds.series!, spec = createSpec({
      input: { kind: "features", features: 4 }, cell: "gru", hiddenSize: 3, task: { target: "regression", perStep: false, outputs: 1 },
      data: { normalisation: ds.normalisation!, window: 7, horizon: 1, targetColumns: [0], relative: false, covariates: { names: sr.covariates!.names, frequency: "daily" } },
    });
    const model = new Model(spec, { seed: 1 }), hist = Array.from(sr.values), flags = days.map((_, i) => (i % 7 === 6 ? 1 : 0));
    assert.throws(() => model.forecast(hist, 2, { dates: days, holidays: { closed: flags } }), /row 60 is not known/);
    const f = model.forecast(hist, 2, { dates: days, holidays: { closed: [...flags, 0, 1] } });
    assert.equal(f.data.length, 2);
  });

  it("a series without dates is refused, naming what is missing", async () => {
    await assert.rejects(loadDataset("global-temp", { covariates: "calendar" }), /ISO dates \(YYYY-MM-DD or YYYY-MM\) as row labels; row 0 is labelled "1880"/);
    await assert.rejects(loadDataset("mackey-glass", { covariates: "calendar" } as never), /row 0 is labelled "500"/);
  });
});
