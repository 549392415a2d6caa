// barChart: bars from 0 to their value on a nice axis, value labels, colours matching lineChart's.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { barChart } from "../../src/report/svg/bar-chart.js";
import { SERIES_COLORS } from "../../src/report/svg/palette.js";
import { ValueError } from "../../src/errors/index.js";
import { byClass, findAll, parseXml, textOf } from "./xml.js";
import { tickLabels } from "./geometry.js";

describe("barChart", () => {
  it("bar heights follow the axis, starting at 0", () => {
    const svg = parseXml(barChart({ title: "final loss", yLabel: "loss", bars: [{ label: "gru", value: 0.1 }, { label: "lstm", value: 0.25 }] }));
    const ticks = tickLabels(svg, "y-axis");
    const at = (label: string) => ticks.find((t) => t.label === label)!.at;
    const rects = findAll(byClass(svg, "bars")[0]!, "rect");
    assert.equal(rects.length, 2);
    const top = (r: (typeof rects)[number]) => Number(r.attrs["y"]);
    const bottom = (r: (typeof rects)[number]) => Number(r.attrs["y"]) + Number(r.attrs["height"]);
    for (const r of rects) assert.ok(Math.abs(bottom(r) - at("0")) < 0.02);
    assert.ok(Math.abs(top(rects[0]!) - at("0.10")) < 0.02, `${top(rects[0]!)} vs ${at("0.10")}`);
    assert.deepEqual(rects.map((r) => r.attrs["fill"]), [SERIES_COLORS[0], SERIES_COLORS[1]]);
    const values = findAll(byClass(svg, "bars")[0]!, "text").map(textOf);
    assert.deepEqual(values, ["0.1", "0.25"]);
  });

  it("negative values hang below 0; non-finite ones are n/a", () => {
    const svg = parseXml(barChart({ title: "t", yLabel: "v", bars: [{ label: "a", value: -2 }, { label: "b", value: 3 }, { label: "c", value: NaN }] }));
    const labels = tickLabels(svg, "y-axis").map((t) => t.label);
    assert.ok(labels[0] === "-2" && labels.includes("0") && labels.at(-1) === "3", labels.join(" "));
    assert.ok(findAll(byClass(svg, "bars")[0]!, "text").map(textOf).includes("n/a"));
  });

  it("long category names are rotated", () => {
    const names = ["gru-type-1", "gru-type-2", "gru-type-3", "mgu", "li-gru", "min-gru", "lstm", "gru"];
    const svg = parseXml(barChart({ title: "t", yLabel: "v", width: 480, bars: names.map((label, i) => ({ label, value: i + 1 })) }));
    const texts = findAll(byClass(svg, "x-axis")[0]!, "text").filter((t) => names.includes(textOf(t)));
    assert.equal(texts.length, 8);
    for (const t of texts) assert.ok(t.attrs["transform"]?.startsWith("rotate(-35"), textOf(t));
  });

  it("needs bars", () => {
    assert.throws(() => barChart({ title: "t", yLabel: "v", bars: [] }), ValueError);
  });
});
