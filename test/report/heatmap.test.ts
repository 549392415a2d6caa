// heatmap: colours from min to max along the palette, cell geometry, colour bar, downsampling by
// block means (the mean is preserved), errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { colorLevel, heatmap, heatmapDomain } from "../../src/report/svg/heatmap.js";
import { blockMean, downsampleFactors } from "../../src/report/svg/downsample.js";
import { MISSING_COLOR, PALETTES, interpolateColor } from "../../src/report/svg/palette.js";
import { OptionError, ShapeError, ValueError } from "../../src/errors/index.js";
import { byClass, findAll, parseXml, textOf } from "./xml.js";
import { cellRects, plotBox, tickLabels } from "./geometry.js";

const base = { title: "z", rowLabel: "time step", colLabel: "unit" } as const;

/** The rectangle covering the centre of cell (r, c) of a rows × cols grid drawn in `box`. */
function cellAt(rects: ReturnType<typeof cellRects>, box: ReturnType<typeof plotBox>, rows: number, cols: number, r: number, c: number) {
  const x = box.left + ((c + 0.5) * (box.right - box.left)) / cols, y = box.top + ((r + 0.5) * (box.bottom - box.top)) / rows;
  const hit = rects.filter((q) => x >= q.x && x < q.x + q.w && y >= q.y && y < q.y + q.h);
  assert.equal(hit.length, 1, `one rectangle covers cell (${r}, ${c})`);
  return hit[0]!;
}

describe("heatmap colours", () => {
  it("min maps to the first palette colour and max to the last", () => {
    for (const palette of ["sequential", "diverging"] as const) {
      const values = [0.1, 0.5, 0.2, 0.9, 0.3, 0.6]; // 2 × 3
      const svg = parseXml(heatmap({ ...base, values, rows: 2, cols: 3, palette, min: 0.1, max: 0.9 }));
      const rects = cellRects(svg), box = plotBox(svg);
      const stops = PALETTES[palette];
      assert.equal(cellAt(rects, box, 2, 3, 0, 0).fill, stops[0], `${palette}: min`);
      assert.equal(cellAt(rects, box, 2, 3, 1, 0).fill, stops[stops.length - 1], `${palette}: max`);
      assert.equal(cellAt(rects, box, 2, 3, 0, 1).fill, interpolateColor(stops, colorLevel(0.5, 0.1, 0.9) / 255), `${palette}: middle`);
    }
  });

  it("values outside [min, max] are clamped; NaN is grey", () => {
    const svg = parseXml(heatmap({ ...base, values: [-5, NaN, 5, 0.5], rows: 2, cols: 2, palette: "sequential", min: 0, max: 1 }));
    const rects = cellRects(svg), box = plotBox(svg);
    assert.deepEqual([0, 1, 2, 3].map((k) => cellAt(rects, box, 2, 2, Math.floor(k / 2), k % 2).fill),
      [PALETTES.sequential[0], MISSING_COLOR, PALETTES.sequential.at(-1), interpolateColor(PALETTES.sequential, 128 / 255)]);
  });

  it("cells tile the plot box exactly, row 0 on top", () => {
    const svg = parseXml(heatmap({ ...base, values: Array.from({ length: 7 * 5 }, (_, k) => k), rows: 7, cols: 5, palette: "sequential" }));
    const rects = cellRects(svg), box = plotBox(svg);
    const area = rects.reduce((s, q) => s + q.w * q.h, 0);
    assert.equal(area, (box.right - box.left) * (box.bottom - box.top));
    assert.equal(Math.min(...rects.map((q) => q.x)), box.left);
    assert.equal(Math.max(...rects.map((q) => q.y + q.h)), box.bottom);
    assert.equal(cellAt(rects, box, 7, 5, 0, 0).fill, PALETTES.sequential[0]);
    assert.equal(cellAt(rects, box, 7, 5, 6, 4).fill, PALETTES.sequential.at(-1));
  });

  it("equal neighbours in a row share one rectangle", () => {
    const svg = parseXml(heatmap({ ...base, values: [1, 1, 1, 0, 0, 1], rows: 2, cols: 3, palette: "sequential" }));
    assert.equal(cellRects(svg).length, 3);
  });

  it("default domain: the data range, symmetric about 0 when diverging", () => {
    assert.deepEqual(heatmapDomain([0.2, 0.7, NaN], "sequential"), [0.2, 0.7]);
    assert.deepEqual(heatmapDomain([-0.2, 0.5], "diverging"), [-0.5, 0.5]);
    assert.deepEqual(heatmapDomain([-0.2, 0.5], "diverging", -1, 1), [-1, 1]);
    const flat = heatmapDomain([3, 3], "sequential");
    assert.ok(flat[0] < 3 && flat[1] > 3);
  });

  it("a colour bar with nice ticks over [min, max]", () => {
    const svg = parseXml(heatmap({ ...base, values: [0, 1], rows: 1, cols: 2, palette: "sequential", min: 0, max: 1, valueLabel: "z" }));
    const bar = byClass(svg, "color-bar")[0]!;
    const bands = findAll(bar, "rect").filter((r) => r.attrs["fill"] !== "none");
    assert.equal(bands.length, 64);
    assert.equal(bands[0]!.attrs["fill"], PALETTES.sequential[0]); // bottom band: min
    assert.equal(bands[63]!.attrs["fill"], PALETTES.sequential.at(-1)); // top band: max
    const labels = findAll(bar, "text").map(textOf);
    assert.deepEqual(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1.0", "z"]);
  });

  it("axis ticks name rows and columns at the cell centres", () => {
    const svg = parseXml(heatmap({ ...base, values: new Float32Array(100 * 20), rows: 100, cols: 20, palette: "sequential" }));
    const box = plotBox(svg);
    const row40 = tickLabels(svg, "y-axis").find((t) => t.label === "40")!;
    assert.ok(Math.abs(row40.at - (box.top + (40.5 * (box.bottom - box.top)) / 100)) < 0.01);
    assert.deepEqual(tickLabels(svg, "x-axis").map((t) => t.label), ["0", "2", "4", "6", "8", "10", "12", "14", "16", "18"]);
  });
});

describe("downsampling", () => {
  const grid = (rows: number, cols: number) => Float64Array.from({ length: rows * cols }, (_, k) => Math.sin(k * 0.37) * 3 + (k % 11));
  const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

  it("block means preserve the mean and hold each block's average", () => {
    const v = grid(300, 256);
    const out = blockMean(v, 300, 256, { rows: 3, cols: 4 });
    assert.deepEqual([out.rows, out.cols], [100, 64]);
    assert.ok(Math.abs(mean(out.values) - mean(v)) < 1e-12, `${mean(out.values)} vs ${mean(v)}`);
    let block = 0;
    for (let r = 3; r < 6; r++) for (let c = 8; c < 12; c++) block += v[r * 256 + c]!;
    assert.ok(Math.abs(out.values[1 * 64 + 2]! - block / 12) < 1e-12);
  });

  it("NaN is left out of a block's mean; an all-NaN block stays NaN", () => {
    const out = blockMean([1, NaN, 3, NaN, NaN, NaN, NaN, NaN], 2, 4, { rows: 2, cols: 2 });
    assert.equal(out.values[0], 1);
    assert.equal(out.values[1], 3);
    assert.deepEqual(Array.from(blockMean([NaN, NaN], 1, 2, { rows: 1, cols: 2 }).values), [NaN]);
  });

  it("factors: rows (time) are averaged first, columns only when they alone do not fit", () => {
    const limits = { maxRows: 300, maxCols: 600, maxCells: 50_000 };
    assert.deepEqual(downsampleFactors(100, 64, limits), { rows: 1, cols: 1 });
    assert.deepEqual(downsampleFactors(600, 64, limits), { rows: 2, cols: 1 }, "300 px of height");
    assert.deepEqual(downsampleFactors(600, 256, limits), { rows: 4, cols: 1 }, "50 000 cells: 195 rows of 256");
    assert.deepEqual(downsampleFactors(400, 256, { maxRows: 1000, maxCols: 1000, maxCells: 50_000 }), { rows: 3, cols: 1 });
    assert.deepEqual(downsampleFactors(10, 2000, limits), { rows: 1, cols: 4 }, "600 px of width");
    assert.deepEqual(downsampleFactors(10, 10, { maxRows: 1000, maxCols: 1000, maxCells: 1 }), { rows: 10, cols: 10 });
  });

  it("a large grid is averaged, says so, and keeps its mean", () => {
    const rows = 400, cols = 256, v = grid(rows, cols);
    const svg = parseXml(heatmap({ ...base, values: v, rows, cols, palette: "sequential", height: 900, width: 900 }));
    const subtitle = findAll(svg, "text").map(textOf).find((t) => t.startsWith("downsampled"));
    assert.equal(subtitle, "downsampled by averaging 3×1 blocks: 400×256 shown as 134×256");
    const rects = cellRects(svg);
    assert.ok(rects.length <= 50_000);
    const small = parseXml(heatmap({ ...base, values: v.subarray(0, 10 * cols), rows: 10, cols, palette: "sequential" }));
    assert.ok(!findAll(small, "text").map(textOf).some((t) => t.startsWith("downsampled")));
  });
});

describe("heatmap errors", () => {
  it("values must match rows × cols", () => {
    assert.throws(() => heatmap({ ...base, values: [1, 2, 3, 4, 5], rows: 2, cols: 3, palette: "sequential" }),
      (e: unknown) => e instanceof ShapeError && e.message === "heatmap: expected values of length rows × cols = 2 × 3 = 6, got 5");
  });
  it("unknown palette lists the valid ones", () => {
    assert.throws(() => heatmap({ ...base, values: [1], rows: 1, cols: 1, palette: "rainbow" as "sequential" }),
      (e: unknown) => e instanceof OptionError && e.message.includes('"sequential", "diverging"') && e.message.includes('"rainbow"'));
  });
  it("min must be below max", () => {
    assert.throws(() => heatmap({ ...base, values: [1], rows: 1, cols: 1, palette: "sequential", min: 1, max: 1 }), ValueError);
  });
});
