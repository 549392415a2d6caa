// lineChart: well-formed SVG, points where the scale puts them, gaps, log axes, legend, escaping, errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lineChart } from "../../src/report/svg/line-chart.js";
import { SERIES_COLORS } from "../../src/report/svg/palette.js";
import { ShapeError, ValueError } from "../../src/errors/index.js";
import { byClass, findAll, parseXml, textOf } from "./xml.js";
import { pathPoints, plotBox, tickLabels } from "./geometry.js";

const near = (a: number, b: number, what: string, tol = 0.011): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe("lineChart", () => {
  it("is well-formed XML with a title, axes and labels", () => {
    const svg = parseXml(lineChart({ title: "loss", xLabel: "epoch", yLabel: "loss", series: [{ name: "gru", y: [3, 2, 1.5] }] }));
    assert.equal(svg.name, "svg");
    assert.equal(svg.attrs["xmlns"], "http://www.w3.org/2000/svg");
    assert.deepEqual([svg.attrs["width"], svg.attrs["height"], svg.attrs["viewBox"]], ["720", "400", "0 0 720 400"]);
    assert.equal(textOf(findAll(svg, "title")[0]!), "loss");
    const texts = findAll(svg, "text").map(textOf);
    assert.ok(texts.includes("epoch") && texts.includes("loss"));
    assert.deepEqual(tickLabels(svg, "x-axis").map((t) => t.label), ["1", "2", "3"]);
    assert.deepEqual(tickLabels(svg, "y-axis").map((t) => t.label), ["1.5", "2.0", "2.5", "3.0"]);
  });

  it("puts each point where the scale says", () => {
    const svg = parseXml(lineChart({ title: "t", xLabel: "x", yLabel: "y", series: [{ name: "s", x: [0, 5, 10], y: [0, 3.7, 10] }] }));
    const box = plotBox(svg);
    const [pts] = pathPoints(findAll(byClass(svg, "series-0")[0]!, "path")[0]!.attrs["d"]!);
    assert.equal(pts!.length, 3);
    // The y domain is niceDomain(0, 10) = [0, 10]; x spans [0, 10] exactly.
    near(pts![0]![0], box.left, "x of x=0"); near(pts![0]![1], box.bottom, "y of y=0");
    near(pts![1]![0], (box.left + box.right) / 2, "x of x=5");
    near(pts![1]![1], box.bottom - 0.37 * (box.bottom - box.top), "y of y=3.7");
    near(pts![2]![0], box.right, "x of x=10"); near(pts![2]![1], box.top, "y of y=10");
    // Tick labels sit at their value's position too.
    const five = tickLabels(svg, "y-axis").find((t) => t.label === "4")!;
    near(five.at, box.bottom - 0.4 * (box.bottom - box.top), "y tick 4");
  });

  it("on a log axis, a point with value 1 lies on the tick labelled 1", () => {
    const svg = parseXml(lineChart({ title: "t", xLabel: "x", yLabel: "y", logY: true, series: [{ name: "s", y: [20, 1, 0.05] }] }));
    const [pts] = pathPoints(findAll(byClass(svg, "series-0")[0]!, "path")[0]!.attrs["d"]!);
    const ticks = tickLabels(svg, "y-axis");
    assert.deepEqual(ticks.map((t) => t.label), ["0.05", "0.1", "0.2", "0.5", "1", "2", "5", "10", "20"]);
    near(pts![1]![1], ticks.find((t) => t.label === "1")!.at, "y of 1");
    near(pts![2]![1], ticks.find((t) => t.label === "0.05")!.at, "y of 0.05");
    // Equal ratios, equal distances.
    near(pts![0]![1] - pts![1]![1], pts![1]![1] - pts![2]![1], "20→1 and 1→0.05 on a log axis");
  });

  it("NaN leaves a gap; an isolated point becomes a dot", () => {
    const y = Array.from({ length: 50 }, (_, i) => 1 + i);
    y[10] = NaN; y[12] = NaN; // point 11 stands alone
    const svg = parseXml(lineChart({ title: "t", xLabel: "x", yLabel: "y", series: [{ name: "s", y }] }));
    const g = byClass(svg, "series-0")[0]!;
    const runs = pathPoints(findAll(g, "path")[0]!.attrs["d"]!);
    assert.deepEqual(runs.map((r) => r.length), [10, 37]);
    assert.equal(findAll(g, "circle").length, 1, "50 points: no markers, one dot for the isolated point");
  });

  it("non-positive values are gaps on a log axis", () => {
    const svg = parseXml(lineChart({ title: "t", xLabel: "x", yLabel: "y", logY: true, series: [{ name: "s", y: [1, 0.5, 0, -1, 0.2, 0.1] }] }));
    const runs = pathPoints(findAll(byClass(svg, "series-0")[0]!, "path")[0]!.attrs["d"]!);
    assert.deepEqual(runs.map((r) => r.length), [2, 2]);
  });

  it("a legend names each series in its colour, dashed where asked", () => {
    const svg = parseXml(lineChart({ title: "t", xLabel: "x", yLabel: "y", series: [
      { name: "train", y: [1, 2] }, { name: "validation", y: [2, 3], dashed: true }] }));
    const texts = findAll(svg, "text").map(textOf);
    assert.ok(texts.includes("train") && texts.includes("validation"));
    const paths = [0, 1].map((i) => findAll(byClass(svg, `series-${i}`)[0]!, "path")[0]!);
    assert.deepEqual(paths.map((p) => p.attrs["stroke"]), [SERIES_COLORS[0], SERIES_COLORS[1]]);
    assert.deepEqual(paths.map((p) => p.attrs["stroke-dasharray"] !== undefined), [false, true]);
    const single = parseXml(lineChart({ title: "t", xLabel: "x", yLabel: "y", series: [{ name: "only", y: [1, 2] }] }));
    assert.ok(!findAll(single, "text").map(textOf).includes("only"), "no legend for one series");
  });

  it("escapes text: a title or name with <&>\"' stays text", () => {
    const s = lineChart({ title: `<&> "q" 'a'`, xLabel: "a<b", yLabel: "x&y", series: [{ name: "<script>", y: [1] }, { name: `"n"`, y: [2] }] });
    assert.ok(!s.includes("<script>") && s.includes("&lt;&amp;&gt;"));
    const svg = parseXml(s);
    assert.equal(textOf(findAll(svg, "title")[0]!), `<&> "q" 'a'`);
    assert.equal(svg.attrs["aria-label"], `<&> "q" 'a'`);
    const texts = findAll(svg, "text").map(textOf);
    for (const t of ["a<b", "x&y", "<script>", `"n"`]) assert.ok(texts.includes(t), t);
  });

  it("control characters do not break the XML", () => {
    assert.doesNotThrow(() => parseXml(lineChart({ title: "a\u0001b", xLabel: "x", yLabel: "y", series: [{ name: "s", y: [1] }] })));
  });

  it("all-NaN data still draws axes", () => {
    const svg = parseXml(lineChart({ title: "t", xLabel: "x", yLabel: "y", series: [{ name: "s", y: [NaN, NaN] }] }));
    assert.equal(findAll(byClass(svg, "series-0")[0]!, "path").length, 0);
    assert.ok(tickLabels(svg, "y-axis").length >= 2);
  });

  it("says what is wrong with the input", () => {
    assert.throws(() => lineChart({ title: "t", xLabel: "x", yLabel: "y", series: [] }), ValueError);
    assert.throws(() => lineChart({ title: "t", xLabel: "x", yLabel: "y", series: [{ name: "s", x: [1, 2], y: [1, 2, 3] }] }),
      (e: unknown) => e instanceof ShapeError && e.message === "lineChart: series[0]: expected x of length 3, got 2 (one x per y)");
    assert.throws(() => lineChart({ title: "t", xLabel: "x", yLabel: "y", width: 10, series: [{ name: "s", y: [1] }] }),
      (e: unknown) => e instanceof ValueError && e.message.includes("width must be a number ≥ 160, got 10"));
  });
});

describe("lineChart axes a person can read", () => {
  const gaps = (ticks: { at: number }[]) => ticks.slice(1).map((t, i) => Math.abs(t.at - ticks[i]!.at));

  it("a 1-epoch and a 2-epoch learning curve on a log axis have y ticks", () => {
    for (const y of [[0.00276], [0.4911, 0.2107]]) {
      const svg = parseXml(lineChart({ title: "t", xLabel: "epoch", yLabel: "loss", logY: true, series: [{ name: "train", y }, { name: "validation", y: y.map((v) => v * 0.8) }] }));
      assert.ok(tickLabels(svg, "y-axis").length >= 2, `y ticks for ${y}: ${JSON.stringify(tickLabels(svg, "y-axis"))}`);
    }
  });

  it("crowded ticks are thinned so that no two labels overlap", () => {
    // a short chart over 1.4 decades (1, 1.5, 2, 3, 5, 7 × 10^k) and 200 epochs on a narrow one
    const svg = parseXml(lineChart({ title: "t", xLabel: "x", yLabel: "y", logY: true, height: 140, width: 240,
      series: [{ name: "s", x: [1000000, 1000200], y: [0.04, 1] }] }));
    const y = tickLabels(svg, "y-axis"), x = tickLabels(svg, "x-axis");
    assert.ok(y.length >= 2 && x.length >= 2);
    for (const g of gaps(y)) assert.ok(g >= 11, `y labels ${g} px apart: ${JSON.stringify(y)}`);
    const width = (s: string) => s.length * 11 * 0.6;
    x.slice(1).forEach((t, i) => assert.ok(Math.abs(t.at - x[i]!.at) >= (width(t.label) + width(x[i]!.label)) / 2, `x labels overlap: ${JSON.stringify(x)}`));
  });
});
