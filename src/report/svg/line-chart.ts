/**
 * Line chart: learning curves (loss per epoch, train and validation, several cells compared).
 *
 *   lineChart({ title, xLabel, yLabel, series: [{ name, x?, y, dashed?, color? }], width?, height?, logY? })
 *
 * x defaults to 1, 2, …, n (epochs). NaN and infinite values (and values ≤ 0 when logY) leave gaps.
 * The y axis is widened to nice ticks (1-2-5 steps, or 1-2-5 × 10^k when logY); the x axis spans the
 * data exactly, with integer ticks when every x is an integer. A legend appears with several series.
 */
import { ValueError } from "../../errors/index.js";
import { checkLength, checkNumbers, checkOptionalString, checkSize, checkString, finiteRange, type Numbers } from "./check.js";
import { layoutFrame, svgDocument, xAxis, yAxis, type Box, type LegendItem } from "./frame.js";
import { seriesColor } from "./palette.js";
import { linearScale, logScale, type Scale } from "./scale.js";
import { formatTick, logDomain, niceDomain, niceTicks, type Ticks } from "./ticks.js";
import { drawTrace, trace } from "./trace.js";

export interface LineSeries {
  name: string;
  /** x of each point; default 1, 2, …, y.length. */
  x?: Numbers;
  y: Numbers;
  dashed?: boolean;
  /** CSS colour; default the next series colour. */
  color?: string;
}

export interface LineChartOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  width?: number;
  height?: number;
  logY?: boolean;
}

interface Prepared {
  name: string;
  x: Numbers;
  y: Numbers;
  dashed: boolean;
  color: string;
}

const WHERE = "lineChart";

function prepare(series: readonly LineSeries[]): Prepared[] {
  if (!Array.isArray(series) || series.length === 0) throw new ValueError(`${WHERE}: series must be a non-empty array`);
  return series.map((s, i) => {
    const where = `${WHERE}: series[${i}]`;
    const name = checkString(where, "name", s.name);
    const y = checkNumbers(where, "y", s.y);
    const x = s.x === undefined ? Array.from({ length: y.length }, (_, k) => k + 1) : checkNumbers(where, "x", s.x);
    checkLength(where, "x", x, y.length, "one x per y");
    return { name, x, y, dashed: s.dashed === true, color: s.color ?? seriesColor(i) };
  });
}

/** The x extent over drawable points, and whether every x is an integer. */
function xExtent(series: readonly Prepared[], keep: (v: number) => boolean): { range: [number, number]; integer: boolean } {
  let lo = Infinity, hi = -Infinity, integer = true;
  for (const s of series) {
    for (let i = 0; i < s.y.length; i++) {
      const x = s.x[i]!, y = s.y[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y) || !keep(y)) continue;
      lo = Math.min(lo, x); hi = Math.max(hi, x);
      integer &&= Number.isInteger(x);
    }
  }
  return { range: lo <= hi ? [lo, hi] : [0, 1], integer };
}

function yTicksFor(series: readonly Prepared[], logY: boolean, height: number): Ticks {
  const keep = logY ? (v: number) => v > 0 : () => true;
  const range = finiteRange(series.map((s) => s.y), keep);
  if (range === undefined) return logY ? logDomain(0.1, 1) : niceDomain(0, 1);
  return logY ? logDomain(range[0], range[1]) : niceDomain(range[0], range[1], { target: Math.max(2, Math.round(height / 70)) });
}

function scales(box: Box, xs: Ticks, ys: Ticks, logY: boolean): { sx: Scale; sy: Scale } {
  const sx = linearScale([xs.min, xs.max], [box.left, box.left + box.width]);
  const yRange: [number, number] = [box.top + box.height, box.top];
  return { sx, sy: logY ? logScale([ys.min, ys.max], yRange) : linearScale([ys.min, ys.max], yRange) };
}

export function lineChart(options: LineChartOptions): string {
  const title = checkString(WHERE, "title", options.title);
  const width = checkSize(WHERE, "width", options.width, 720, 160);
  const height = checkSize(WHERE, "height", options.height, 400, 120);
  const logY = options.logY === true;
  const series = prepare(options.series);
  const keep = logY ? (v: number) => v > 0 : () => true;
  const ext = xExtent(series, keep);
  const xs = niceTicks(ext.range[0], ext.range[1], { integer: ext.integer, target: Math.max(2, Math.round(width / 90)) });
  const ys = yTicksFor(series, logY, height);
  const yLabels = ys.values.map((v) => formatTick(v, ys.step));
  const legend: LegendItem[] = series.length > 1
    ? series.map((s) => ({ label: s.name, color: s.color, shape: s.dashed ? "dashed" : "line" }))
    : [];
  const { box, header } = layoutFrame({
    width, height, title, subtitle: checkOptionalString(WHERE, "subtitle", options.subtitle),
    xLabel: checkString(WHERE, "xLabel", options.xLabel), yLabel: checkString(WHERE, "yLabel", options.yLabel),
    yTickLabels: yLabels, legend,
  });
  const { sx, sy } = scales(box, xs, ys, logY);
  const markers = series.every((s) => s.y.length <= 40);
  const lines = series.map((s, i) => drawTrace(trace(s.x, s.y, sx, sy, keep), { color: s.color, dashed: s.dashed, markers }, `series series-${i}`));
  return svgDocument(width, height, title, [
    header,
    yAxis(box, ys.values.map((v, i) => ({ at: sy(v), label: yLabels[i]! })), options.yLabel),
    xAxis(box, xs.values.map((v) => ({ at: sx(v), label: formatTick(v, xs.step) })), options.xLabel),
    ...lines,
  ]);
}
