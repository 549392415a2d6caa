// forecastChart: history, actual and forecast at their time indices, the band, sparse date labels.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { forecastChart, FORECAST_COLORS } from "../../src/report/svg/forecast-chart.js";
import { ValueError } from "../../src/errors/index.js";
import { byClass, findAll, parseXml, textOf } from "./xml.js";
import { pathPoints, plotBox, tickLabels } from "./geometry.js";
import { co2 } from "./sample.js";

const first = (svg: ReturnType<typeof parseXml>, cls: string) => pathPoints(findAll(byClass(svg, cls)[0]!, "path")[0]!.attrs["d"]!);

describe("forecastChart", () => {
  const history = [10, 12, 11, 13, 14, 13, 15, 16];
  const chart = () => parseXml(forecastChart({
    title: "f", history: { y: history }, actual: { y: [17, 16, 18] },
    forecast: { start: 8, y: [16.5, 16.8, 17.5], lower: [15, 15, 15], upper: [18, 19, 20] },
  }));

  it("draws history, actual and forecast at their indices on one x scale", () => {
    const svg = chart(), box = plotBox(svg);
    const sx = (i: number) => box.left + (i / 10) * (box.right - box.left); // indices 0 … 10
    const h = first(svg, "history")[0]!, a = first(svg, "actual")[0]!, f = first(svg, "forecast")[0]!;
    assert.equal(h.length, 8); assert.equal(a.length, 3); assert.equal(f.length, 3);
    assert.ok(Math.abs(h[0]![0] - sx(0)) < 0.01 && Math.abs(h[7]![0] - sx(7)) < 0.01);
    assert.ok(Math.abs(a[0]![0] - sx(8)) < 0.01 && Math.abs(f[2]![0] - sx(10)) < 0.01);
    // niceDomain(10, 20) = [10, 20]: value 15 is half-way up.
    assert.ok(Math.abs(h[6]![1] - (box.bottom + box.top) / 2) < 0.01);
    const colours = ["history", "actual", "forecast"].map((c) => findAll(byClass(svg, c)[0]!, "path")[0]!.attrs["stroke"]);
    assert.deepEqual(colours, [FORECAST_COLORS.history, FORECAST_COLORS.actual, FORECAST_COLORS.forecast]);
  });

  it("the band runs along upper and back along lower", () => {
    const svg = chart(), box = plotBox(svg);
    const d = byClass(svg, "band")[0]!.attrs["d"]!;
    assert.ok(d.endsWith("Z"));
    const pts = pathPoints(d.slice(0, -1))[0]!;
    const sy = (v: number) => box.bottom - ((v - 10) / 10) * (box.bottom - box.top);
    assert.deepEqual(pts.map((p) => Math.round(p[1] * 100) / 100), [18, 19, 20, 15, 15, 15].map((v) => Math.round(sy(v) * 100) / 100));
  });

  it("a legend and a marker where the forecast starts", () => {
    const texts = findAll(chart(), "text").map(textOf);
    for (const t of ["history", "actual", "forecast", "forecast interval", "forecast →"]) assert.ok(texts.includes(t), t);
  });

  it("date labels sparsely: every labelEvery indices, or a nice step that fits", () => {
    const { labels, y } = co2(240);
    const every = parseXml(forecastChart({ title: "co2", history: { y: y.slice(0, 216), labels }, forecast: { start: 216, y: y.slice(216) }, labelEvery: 60 }));
    assert.deepEqual(tickLabels(every, "x-axis").map((t) => t.label), ["1958-03", "1963-03", "1968-03", "1973-03"]);
    const auto = tickLabels(parseXml(forecastChart({ title: "co2", history: { y: y.slice(0, 216), labels }, forecast: { start: 216, y: y.slice(216) } })), "x-axis");
    assert.ok(auto.length >= 4 && auto.length <= 10, `${auto.length} labels`);
    for (let k = 1; k < auto.length; k++) assert.ok(auto[k]!.at - auto[k - 1]!.at > 7 * 11 * 0.6, "labels do not overlap");
    assert.equal(auto[0]!.label, "1958-03");
  });

  it("without labels, the indices are the labels", () => {
    const svg = parseXml(forecastChart({ title: "f", history: { y: history }, forecast: { start: 8, y: [1, 2] } }));
    assert.deepEqual(tickLabels(svg, "x-axis").map((t) => t.label), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  });

  it("says what is wrong with the input", () => {
    assert.throws(() => forecastChart({ title: "f", history: { y: history }, forecast: { start: -1, y: [1] } }),
      (e: unknown) => e instanceof ValueError && e.message === "forecastChart: forecast.start must be an integer ≥ 0, got -1");
    assert.throws(() => forecastChart({ title: "f", history: { y: history }, forecast: { start: 8, y: [1], lower: [0] } }),
      (e: unknown) => e instanceof ValueError && e.message.includes("lower and forecast.upper come together"));
    assert.throws(() => forecastChart({ title: "f", history: { y: history }, forecast: { start: 8, y: [1, 2], lower: [0], upper: [2] } }),
      (e: unknown) => e instanceof Error && e.message === "forecastChart: expected forecast.lower of length 2, got 1 (one per forecast value)");
  });
});

describe("forecastChart at the edges", () => {
  it("a one-step forecast keeps its divider label inside the picture", () => {
    const svg = parseXml(forecastChart({ title: "t", history: { y: Array.from({ length: 48 }, (_, i) => Math.sin(i)) }, forecast: { start: 48, y: [0.5] } }));
    const box = plotBox(svg);
    const label = findAll(byClass(svg, "divider")[0]!, "text")[0]!;
    assert.equal(textOf(label), "forecast →");
    assert.equal(label.attrs["text-anchor"], "end", "drawn left of the line");
    assert.ok(Number(label.attrs["x"]) <= box.right);
  });

  it("the actual values are drawn and named 'actual', apart from the history", () => {
    const svg = parseXml(forecastChart({ title: "t", history: { y: [1, 2, 3] }, actual: { y: [4, 5], start: 3 }, forecast: { start: 3, y: [4.1, 5.2] } }));
    const legend = findAll(svg, "text").map(textOf);
    assert.ok(legend.includes("actual") && legend.includes("history"));
    assert.equal(first(svg, "actual")[0]!.length, 2);
    assert.equal(first(svg, "history")[0]!.length, 3);
  });
});
