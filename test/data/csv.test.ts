// loadCsv: the user's own series as a forecasting Dataset, and errors that name line, column and value.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCsv } from "../../src/data/csv.js";
import { loadCsv } from "../../src/data/index.js";
import { FormatError, GatedError, OptionError, ValueError } from "../../src/errors/index.js";
import { assertClose } from "../helpers/close.js";

function throwsWith(fn: () => unknown, cls: typeof GatedError, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const p of parts) assert.ok((e as Error).message.includes(p), `message "${(e as Error).message}" lacks "${p}"`);
    return true;
  });
}

/** date, temp = 10 + i, load = 100 + 2i for 40 days. */
const table = (n = 40) =>
  ["date,temp,load", ...Array.from({ length: n }, (_, i) => `2024-01-${String(i + 1).padStart(2, "0")},${10 + i},${100 + 2 * i}`)].join("\n");

describe("parseCsv", () => {
  it("reads quoted cells with commas, quotes and newlines, CRLF, and keeps line numbers", () => {
    const recs = parseCsv('a,b\r\n"x, ""y""",2\r\n\r\n"multi\nline",3\n');
    assert.deepEqual(recs, [
      { line: 1, cells: ["a", "b"] },
      { line: 2, cells: ['x, "y"', "2"] },
      { line: 4, cells: ["multi\nline", "3"] },
    ]);
  });
  it("an unclosed quote names its line", () => throwsWith(() => parseCsv('a\n"oops\n'), FormatError, "line 2", "not closed"));
});

describe("loadCsv", () => {
  it("detects the header, takes the numeric columns, labels from the date column", () => {
    const d = loadCsv(table(), { window: 5, validation: 0.1, test: 0.1 });
    const s = d.series!;
    assert.deepEqual(s.columns, ["temp", "load"]);
    assert.deepEqual([s.length, s.features, s.validationStart, s.testStart], [40, 2, 32, 36]);
    assert.deepEqual(s.labels!.slice(0, 2), ["2024-01-01", "2024-01-02"]);
    assert.deepEqual([...s.values.subarray(0, 4)], [10, 100, 11, 102]);
    assert.deepEqual(s.targetColumns, [0, 1]);
    assert.equal(d.train.count, 32 - 5);
    assert.equal(d.train.outputs, 2);
  });
  it("normalises each feature with its training mean and std; window 0 + target is the series", () => {
    const d = loadCsv(table(), { window: 5 });
    // training rows 0..31: temp 10..41, load 100..162 → means 25.5 and 131, std √((32²−1)/12) and twice it
    const sd = Math.sqrt((32 * 32 - 1) / 12);
    assertClose([...d.normalisation!.mean, ...d.normalisation!.std], [25.5, 131, sd, 2 * sd], { atol: 1e-9 });
    const z = (v: number, f: number) => (v - d.normalisation!.mean[f]!) / d.normalisation!.std[f]!;
    assertClose(d.train.x.subarray(0, 10), [0, 1, 2, 3, 4].flatMap((i) => [z(10 + i, 0), z(100 + 2 * i, 1)]), { atol: 1e-6 });
    assertClose(d.train.y.subarray(0, 2), [z(15, 0), z(110, 1)], { atol: 1e-6 });
  });
  it("chooses columns and target by name or index; horizon 2 gives O = 2 per target", () => {
    const d = loadCsv(table(), { columns: ["load", 1], target: "temp", window: 4, horizon: 2, normalisation: "none" });
    assert.deepEqual(d.series!.columns, ["load", "temp"]);
    assert.deepEqual(d.series!.targetColumns, [1]);
    assert.deepEqual([...d.train.x.subarray(0, 2)], [100, 10]);
    assert.deepEqual([...d.train.y.subarray(0, 2)], [14, 15]);
  });
  it("reads a headerless file (columns named by index)", () => {
    const d = loadCsv("1,2\n3,4\n5,6\n7,8\n9,10\n11,12", { window: 2, validation: 0, test: 0, target: 1 });
    assert.deepEqual(d.series!.columns, ["0", "1"]);
    assert.equal(d.validation, undefined);
    assert.deepEqual([...d.train.y], [6, 8, 10, 12].map((v) => (v - 7) / Math.sqrt(35 / 3)).map(Math.fround));
  });
  it("a non-numeric cell names the line, the column and the value", () =>
    throwsWith(() => loadCsv(table().replace("2024-01-03,12,", "2024-01-03,twelve,"), { window: 5 }), ValueError, "line 4", 'column "temp"', '"twelve"'));
  it("an empty cell is a missing value with its line and column", () =>
    throwsWith(() => loadCsv(table().replace(",104\n", ",\n"), { window: 5 }), ValueError, "line 4", 'column "load"', "missing value"));
  it("a too-short series says how many rows there are and how many are needed", () =>
    throwsWith(() => loadCsv(table(20), { window: 24 }), ValueError, "20 rows", "window 24 + horizon 1", "2 validation and 2 test rows, needs 29"));
  it("an unknown column lists the columns", () =>
    throwsWith(() => loadCsv(table(), { window: 5, columns: ["temperature"] }), OptionError, '"temperature"', '"date", "temp", "load"'));
  it("a row with the wrong number of cells", () =>
    throwsWith(() => loadCsv(table() + "\n2024-02-10,1", { window: 5 }), FormatError, "line 42 has 2 cells, expected 3"));
  it("the window is required and unknown options are named", () => {
    throwsWith(() => loadCsv(table(), {} as never), OptionError, "window option is required");
    throwsWith(() => loadCsv(table(), { window: 5, windw: 3 } as never), OptionError, '"windw"', "window, horizon");
  });
});
