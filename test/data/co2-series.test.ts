// The CO2 record gated ships (src/data/co2-series.ts, made by scripts/gen-co2.mjs) equals the Date
// and CO2 columns of vega-datasets' data/co2-concentration.csv, and the co2 data set built from it
// equals the one built from vega-datasets' file.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { co2FromCsv } from "../../src/data/co2.js";
import { CO2_CSV } from "../../src/data/co2-series.js";
import { loadDataset } from "../../src/data/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const vega = readFileSync(join(root, "node_modules/vega-datasets/data/co2-concentration.csv"), "utf8");

describe("shipped co2 series", () => {
  it("holds vega-datasets' Date and CO2 columns, row for row", () => {
    const theirs = vega.trim().split(/\r?\n/).map((line) => line.split(",").slice(0, 2).join(","));
    const ours = CO2_CSV.trim().split("\n");
    assert.equal(theirs[0], "Date,CO2");
    assert.equal(ours.length, 742);
    assert.deepEqual(ours, theirs);
  });
  it("names its source and licence", () => {
    const header = readFileSync(join(root, "src/data/co2-series.ts"), "utf8").slice(0, 1200);
    assert.match(header, /Scripps CO2 Program/);
    assert.match(header, /Creative Commons Attribution 4\.0/);
    assert.match(header, /scripts\/gen-co2\.mjs/);
  });
  it("loadDataset(\"co2\") equals the data set built from vega-datasets' file", async () => {
    const options = { window: 24, relative: true };
    const ours = await loadDataset("co2", options), theirs = co2FromCsv(vega, options);
    assert.deepEqual(ours.series?.labels, theirs.series?.labels);
    assert.deepEqual(ours.series?.values, theirs.series?.values);
    assert.deepEqual(ours.train.x, theirs.train.x);
    assert.deepEqual(ours.train.y, theirs.train.y);
    assert.deepEqual(ours.test?.y, theirs.test?.y);
    assert.deepEqual(ours.normalisation, theirs.normalisation);
    assert.equal(ours.series?.values.length, 746);
    assert.equal(ours.series?.values[0], Math.fround(315.7));
  });
});
