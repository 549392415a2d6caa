/**
 * Bar chart: one value per category, such as the final metric of each cell kind in a comparison.
 *
 *   barChart({ title, yLabel, bars: [{ label, value, color? }], xLabel?, width?, height? })
 *
 * Bars start at 0 (the axis always includes it) and carry their value above them (below for
 * negative values); a non-finite value leaves an empty slot marked "n/a". Bar i takes series colour i
 * by default, the same colour lineChart gives series i, so a comparison's charts agree. Category
 * labels are rotated when they do not fit under their bar.
 */
import { ValueError } from "../../errors/index.js";
import { checkOptionalString, checkSize, checkString } from "./check.js";
import { layoutFrame, svgDocument, text, xAxis, yAxis, INK, type Box } from "./frame.js";
import { formatValue, px, textWidth } from "./format.js";
import { seriesColor } from "./palette.js";
import { linearScale, type Scale } from "./scale.js";
import { formatTick, niceDomain } from "./ticks.js";
import { escapeAttr } from "../escape.js";

export interface Bar {
  label: string;
  value: number;
  color?: string;
}

export interface BarChartOptions {
  title: string;
  subtitle?: string;
  xLabel?: string;
  yLabel: string;
  bars: readonly Bar[];
  width?: number;
  height?: number;
}

const WHERE = "barChart";

function checkBars(bars: readonly Bar[]): void {
  if (!Array.isArray(bars) || bars.length === 0) throw new ValueError(`${WHERE}: bars must be a non-empty array`);
  bars.forEach((b, i) => {
    checkString(`${WHERE}: bars[${i}]`, "label", b.label);
    if (typeof b.value !== "number") throw new ValueError(`${WHERE}: bars[${i}].value must be a number, got ${typeof b.value}`);
  });
}

function drawBar(b: Bar, i: number, box: Box, band: number, sy: Scale): string {
  const cx = box.left + (i + 0.5) * band, w = Math.max(1, band * 0.7);
  if (!Number.isFinite(b.value)) return text(cx, sy(0) - 6, "n/a", `text-anchor="middle" font-size="11" fill="${INK}"`);
  const y0 = sy(0), y1 = sy(b.value);
  const top = Math.min(y0, y1), h = Math.abs(y1 - y0);
  const rect = `<rect x="${px(cx - w / 2)}" y="${px(top)}" width="${px(w)}" height="${px(h)}" fill="${escapeAttr(b.color ?? seriesColor(i))}"/>`;
  const ly = b.value >= 0 ? y1 - 5 : y1 + 14;
  return rect + text(cx, ly, formatValue(b.value), `text-anchor="middle" font-size="11" fill="${INK}"`);
}

export function barChart(o: BarChartOptions): string {
  const title = checkString(WHERE, "title", o.title);
  const width = checkSize(WHERE, "width", o.width, 640, 160);
  const height = checkSize(WHERE, "height", o.height, 360, 120);
  checkBars(o.bars);
  const finite = o.bars.map((b) => b.value).filter((v) => Number.isFinite(v));
  const ys = niceDomain(Math.min(0, ...finite), Math.max(0, ...finite), { target: Math.max(2, Math.round(height / 70)) });
  const yLabels = ys.values.map((v) => formatTick(v, ys.step));
  const widest = Math.max(...o.bars.map((b) => textWidth(b.label, 11)));
  const rotate = widest + 6 > (width - 120) / o.bars.length;
  const { box, header } = layoutFrame({
    width, height, title, subtitle: checkOptionalString(WHERE, "subtitle", o.subtitle),
    xLabel: checkOptionalString(WHERE, "xLabel", o.xLabel), yLabel: checkString(WHERE, "yLabel", o.yLabel),
    yTickLabels: yLabels, legend: [], bottomExtra: rotate ? widest * 0.6 : 0, xTickLabelWidth: rotate ? 0 : widest,
  });
  // Room above the tallest bar for its value label.
  const sy = linearScale([ys.min, ys.max], [box.top + box.height, box.top + 14]);
  const band = box.width / o.bars.length;
  return svgDocument(width, height, title, [
    header,
    yAxis(box, ys.values.map((v, i) => ({ at: sy(v), label: yLabels[i]! })), o.yLabel),
    xAxis(box, o.bars.map((b, i) => ({ at: box.left + (i + 0.5) * band, label: b.label })), o.xLabel,
      { rotate, labelOffset: rotate ? widest * 0.6 : 0 }),
    `<g class="bars">${o.bars.map((b, i) => drawBar(b, i, box, band, sy)).join("")}</g>`,
  ]);
}
