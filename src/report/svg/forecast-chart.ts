/**
 * Forecast chart: a series' history, the model's forecast from some time index on (with an optional
 * interval band), and, when known, the actual values over the forecast horizon.
 *
 *   forecastChart({ title, history: { y, labels? }, actual?: { y, start? }, forecast: { start, y, lower?, upper?, inner?, bandLabel? } })
 *
 * Two nested bands draw a distribution forecast: [lower, upper] (say 95%) lightly, `inner` (say 80%) darker.
 *
 * The x axis is the time index 0, 1, …; `history.labels[i]` names index i (a date such as
 * "1958-03") and may run past the history to name the forecast horizon too. Labels are shown
 * sparsely: every `labelEvery` indices, or at a nice step chosen so that they do not overlap.
 * A dashed vertical line marks where the forecast starts.
 */
import { ValueError } from "../../errors/index.js";
import { checkLength, checkNumbers, checkOptionalString, checkSize, checkString, finiteRange, type Numbers } from "./check.js";
import { layoutFrame, svgDocument, text, xAxis, yAxis, MUTED, type Box, type LegendItem } from "./frame.js";
import { px, textWidth } from "./format.js";
import { linearScale, type Scale } from "./scale.js";
import { formatTick, niceDomain, niceTicks } from "./ticks.js";
import { drawTrace, trace } from "./trace.js";

export interface ForecastChartOptions {
  title: string;
  subtitle?: string;
  xLabel?: string;
  yLabel?: string;
  history: { y: Numbers; labels?: readonly string[] };
  /** The true values over the horizon; `start` defaults to the end of the history. */
  actual?: { y: Numbers; start?: number };
  /**
   * The model's forecast from time index `start`, with an optional band [lower, upper] (its legend
   * `bandLabel`, default "forecast interval") and a narrower band `inner` inside it.
   */
  forecast: { start: number; y: Numbers; lower?: Numbers; upper?: Numbers; bandLabel?: string; inner?: { lower: Numbers; upper: Numbers; label?: string } };
  /** Label every k-th index (12 for monthly data); default a nice step that fits. */
  labelEvery?: number;
  width?: number;
  height?: number;
}

export const FORECAST_COLORS = { history: "#4e79a7", actual: "#333333", forecast: "#e8762b" } as const;

const WHERE = "forecastChart";

function checkStart(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new ValueError(`${WHERE}: ${name} must be an integer ≥ 0, got ${String(v)}`);
  return v;
}

function indices(start: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

/** The polygon(s) between lower and upper, broken where either is missing; a lone value is a narrow bar. */
function band(start: number, lower: Numbers, upper: Numbers, sx: Scale, sy: Scale, opacity = 0.2): string {
  const parts: string[] = [];
  let run: number[] = [];
  const flush = (): void => {
    if (run.length === 1) {
      // a lone value (a one-step forecast): a narrow bar, so the interval still shows
      const i = run[0]!, x = sx(start + i);
      parts.push(`M${px(x - 3)} ${px(sy(upper[i]!))}L${px(x + 3)} ${px(sy(upper[i]!))}L${px(x + 3)} ${px(sy(lower[i]!))}L${px(x - 3)} ${px(sy(lower[i]!))}Z`);
    } else if (run.length > 1) {
      const top = run.map((i, k) => `${k === 0 ? "M" : "L"}${px(sx(start + i))} ${px(sy(upper[i]!))}`);
      const bottom = [...run].reverse().map((i) => `L${px(sx(start + i))} ${px(sy(lower[i]!))}`);
      parts.push(`${top.join("")}${bottom.join("")}Z`);
    }
    run = [];
  };
  for (let i = 0; i < lower.length; i++) {
    if (Number.isFinite(lower[i]!) && Number.isFinite(upper[i]!)) run.push(i); else flush();
  }
  flush();
  return parts.length === 0 ? "" : `<path class="band" d="${parts.join("")}" fill="${FORECAST_COLORS.forecast}" fill-opacity="${opacity}" stroke="none"/>`;
}

/** Tick indices: every `every` indices, or a nice integer step leaving room for the widest label. */
function xTickIndices(n: number, labelCount: number, labelWidth: number, boxWidth: number, every: number | undefined): number[] {
  const last = labelCount > 0 ? Math.min(n, labelCount) - 1 : n - 1;
  if (every !== undefined) {
    if (!Number.isInteger(every) || every < 1) throw new ValueError(`${WHERE}: labelEvery must be an integer ≥ 1, got ${every}`);
    return indices(0, Math.floor(last / every) + 1).map((k) => k * every);
  }
  const fit = Math.max(1, Math.floor(boxWidth / (labelWidth + 24)));
  return niceTicks(0, Math.max(1, n - 1), { integer: true, target: fit }).values.filter((i) => i <= last);
}

function legendFor(o: ForecastChartOptions): LegendItem[] {
  const items: LegendItem[] = [{ label: "history", color: FORECAST_COLORS.history, shape: "line" }];
  if (o.actual !== undefined) items.push({ label: "actual", color: FORECAST_COLORS.actual, shape: "line" });
  items.push({ label: "forecast", color: FORECAST_COLORS.forecast, shape: "line" });
  if (o.forecast.lower !== undefined) items.push({ label: o.forecast.bandLabel ?? "forecast interval", color: "#f6c9a6", shape: "box" });
  if (o.forecast.inner !== undefined) items.push({ label: o.forecast.inner.label ?? "inner interval", color: "#eea06a", shape: "box" });
  return items;
}

function checkInputs(o: ForecastChartOptions): { n: number; actualStart: number } {
  const hy = checkNumbers(WHERE, "history.y", o.history?.y);
  const fy = checkNumbers(WHERE, "forecast.y", o.forecast?.y);
  const fStart = checkStart("forecast.start", o.forecast.start);
  for (const k of ["lower", "upper"] as const) {
    const b = o.forecast[k];
    if (b !== undefined) checkLength(WHERE, `forecast.${k}`, checkNumbers(WHERE, `forecast.${k}`, b), fy.length, "one per forecast value");
  }
  if ((o.forecast.lower === undefined) !== (o.forecast.upper === undefined)) {
    throw new ValueError(`${WHERE}: forecast.lower and forecast.upper come together; got only one`);
  }
  if (o.forecast.inner !== undefined) {
    for (const k of ["lower", "upper"] as const) checkLength(WHERE, `forecast.inner.${k}`, checkNumbers(WHERE, `forecast.inner.${k}`, o.forecast.inner[k]), fy.length, "one per forecast value");
    checkOptionalString(WHERE, "forecast.inner.label", o.forecast.inner.label);
  }
  checkOptionalString(WHERE, "forecast.bandLabel", o.forecast.bandLabel);
  const actualStart = o.actual === undefined ? hy.length : checkStart("actual.start", o.actual.start ?? hy.length);
  const aLen = o.actual === undefined ? 0 : checkNumbers(WHERE, "actual.y", o.actual.y).length;
  const n = Math.max(hy.length, fStart + fy.length, actualStart + aLen);
  if (n === 0) throw new ValueError(`${WHERE}: nothing to draw (history and forecast are empty)`);
  return { n, actualStart };
}

/** The dashed line where the forecast starts; its label goes left of the line where right of it would leave the box. */
function divider(box: Box, x: number): string {
  const label = "forecast →", fits = x + 4 + textWidth(label, 11) <= box.left + box.width;
  const at = fits ? text(x + 4, box.top + 12, label, `font-size="11" fill="${MUTED}"`)
    : text(x - 4, box.top + 12, label, `text-anchor="end" font-size="11" fill="${MUTED}"`);
  return `<g class="divider"><line x1="${px(x)}" y1="${px(box.top)}" x2="${px(x)}" y2="${px(box.top + box.height)}" stroke="#999" stroke-dasharray="4 3"/>${at}</g>`;
}

export function forecastChart(o: ForecastChartOptions): string {
  const title = checkString(WHERE, "title", o.title);
  const width = checkSize(WHERE, "width", o.width, 720, 160);
  const height = checkSize(WHERE, "height", o.height, 400, 120);
  const { n, actualStart } = checkInputs(o);
  const labels = o.history.labels ?? [];
  const arrays = [o.history.y, o.forecast.y, o.actual?.y ?? [], o.forecast.lower ?? [], o.forecast.upper ?? []];
  const range = finiteRange(arrays) ?? [0, 1];
  const ys = niceDomain(range[0], range[1], { target: Math.max(2, Math.round(height / 70)) });
  const yLabels = ys.values.map((v) => formatTick(v, ys.step));
  const labelWidth = Math.max(textWidth(String(n - 1), 11), ...labels.map((s) => textWidth(String(s), 11)));
  const { box, header } = layoutFrame({
    width, height, title, subtitle: checkOptionalString(WHERE, "subtitle", o.subtitle),
    xLabel: checkOptionalString(WHERE, "xLabel", o.xLabel), yLabel: checkOptionalString(WHERE, "yLabel", o.yLabel),
    yTickLabels: yLabels, xTickLabelWidth: labelWidth, legend: legendFor(o),
  });
  const sx = linearScale([0, Math.max(1, n - 1)], [box.left, box.left + box.width]);
  const sy = linearScale([ys.min, ys.max], [box.top + box.height, box.top]);
  const ticks = xTickIndices(n, labels.length, labelWidth, box.width, o.labelEvery);
  const all = () => true;
  const fStart = o.forecast.start;
  return svgDocument(width, height, title, [
    header,
    yAxis(box, ys.values.map((v, i) => ({ at: sy(v), label: yLabels[i]! })), o.yLabel),
    xAxis(box, ticks.map((i) => ({ at: sx(i), label: labels[i] ?? String(i) })), o.xLabel),
    o.forecast.lower !== undefined && o.forecast.upper !== undefined ? band(fStart, o.forecast.lower, o.forecast.upper, sx, sy) : "",
    o.forecast.inner !== undefined ? band(fStart, o.forecast.inner.lower, o.forecast.inner.upper, sx, sy, 0.35) : "",
    divider(box, sx(Math.max(0, fStart - 0.5))),
    drawTrace(trace(indices(0, o.history.y.length), o.history.y, sx, sy, all), { color: FORECAST_COLORS.history, width: 1.6 }, "history"),
    o.actual === undefined ? "" : drawTrace(trace(indices(actualStart, o.actual.y.length), o.actual.y, sx, sy, all),
      { color: FORECAST_COLORS.actual, width: 1.6 }, "actual"),
    drawTrace(trace(indices(fStart, o.forecast.y.length), o.forecast.y, sx, sy, all), { color: FORECAST_COLORS.forecast, width: 2 }, "forecast"),
  ]);
}
