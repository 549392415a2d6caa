/**
 * The chrome every chart shares: the <svg> document, the title and subtitle, the legend, the plot
 * box with its margins, and the x and y axes with gridlines, tick labels and axis labels.
 *
 * Layout, top to bottom: title (16 px bold), subtitle (12 px grey), legend rows (12 px), the plot
 * box, x tick labels, x label. Left of the box: the y label (rotated) and the y tick labels, whose
 * width sets the left margin. Styling is inline (attributes on each element, the font on the root):
 * no <style> element, since one inside an SVG inlined in HTML would restyle the whole page.
 */
import { escapeAttr, escapeText } from "../escape.js";
import { px, textWidth } from "./format.js";

export const FONT = "system-ui, 'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif";
export const INK = "#222";
export const MUTED = "#666";
const AXIS = "#888";
const GRID = "#e8e8e8";
const PAD = 12;
const TITLE = 16, SUB = 12, TICK = 11, LABEL = 12, LEGEND = 12;

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface LegendItem {
  label: string;
  color: string;
  shape: "line" | "dashed" | "box";
}

/** A tick at pixel `at` along its axis, with its label. */
export interface AxisTick {
  at: number;
  label: string;
}

export interface FrameSpec {
  width: number;
  height: number;
  title: string;
  subtitle?: string | undefined;
  xLabel?: string | undefined;
  yLabel?: string | undefined;
  /** The y tick labels, to size the left margin. */
  yTickLabels: readonly string[];
  /** The widest x tick label, to keep the last one inside the picture. */
  xTickLabelWidth?: number;
  legend: readonly LegendItem[];
  /** Extra room right of the box (a colour bar). */
  rightExtra?: number;
  /** Extra room below the box (rotated x tick labels). */
  bottomExtra?: number;
}

export interface Frame {
  box: Box;
  /** Title, subtitle and legend, ready to place in the document. */
  header: string;
}

/** The whole <svg> document around `body`. */
export function svgDocument(width: number, height: number, title: string, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}"`
      + ` role="img" aria-label="${escapeAttr(title)}" style="font-family:${FONT}">`,
    `<title>${escapeText(title)}</title>`,
    `<rect width="${px(width)}" height="${px(height)}" fill="#ffffff"/>`,
    ...body,
    "</svg>",
  ].join("\n");
}

export function text(x: number, y: number, s: string, attrs: string): string {
  return `<text x="${px(x)}" y="${px(y)}" ${attrs}>${escapeText(s)}</text>`;
}

function legendSwatch(item: LegendItem, x: number, y: number): string {
  if (item.shape === "box") {
    return `<rect x="${px(x)}" y="${px(y - 5)}" width="18" height="10" fill="${escapeAttr(item.color)}" fill-opacity="0.85"/>`;
  }
  const dash = item.shape === "dashed" ? ' stroke-dasharray="5 3"' : "";
  return `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + 18)}" y2="${px(y)}" stroke="${escapeAttr(item.color)}" stroke-width="2.5"${dash}/>`;
}

/** Legend items laid out left to right from (x, y), wrapped at `maxWidth`; returns the svg and the rows used. */
function legendRows(items: readonly LegendItem[], x: number, y: number, maxWidth: number): { svg: string; rows: number } {
  const parts: string[] = [];
  let cx = x, row = 0;
  for (const item of items) {
    const w = 24 + textWidth(item.label, LEGEND);
    if (cx > x && cx + w > x + maxWidth) { cx = x; row++; }
    const cy = y + row * 18;
    parts.push(legendSwatch(item, cx, cy), text(cx + 24, cy, item.label, `dy="0.35em" font-size="${LEGEND}" fill="${INK}"`));
    cx += w + 16;
  }
  return { svg: `<g>${parts.join("")}</g>`, rows: items.length > 0 ? row + 1 : 0 };
}

/** Places title, subtitle and legend, and sizes the plot box from the tick labels and axis labels. */
export function layoutFrame(spec: FrameSpec): Frame {
  const yTickWidth = Math.max(0, ...spec.yTickLabels.map((s) => textWidth(s, TICK)));
  const left = PAD + (spec.yLabel !== undefined ? LABEL + 8 : 0) + yTickWidth + 8;
  const right = Math.max(PAD + (spec.rightExtra ?? 0), (spec.xTickLabelWidth ?? 0) / 2 + 4);
  const innerWidth = spec.width - left - right;
  const parts: string[] = [text(left, PAD + TITLE, spec.title, `font-size="${TITLE}" font-weight="bold" fill="${INK}"`)];
  let y = PAD + TITLE + 6;
  if (spec.subtitle !== undefined && spec.subtitle !== "") {
    parts.push(text(left, y + SUB, spec.subtitle, `font-size="${SUB}" fill="${MUTED}"`));
    y += SUB + 6;
  }
  const legend = legendRows(spec.legend, left, y + 10, innerWidth);
  parts.push(legend.svg);
  y += legend.rows * 18 + 12;
  const bottom = PAD + TICK + 8 + (spec.xLabel !== undefined ? LABEL + 10 : 0) + (spec.bottomExtra ?? 0);
  // Whole pixels, so that axis lines and heat-map cells are crisp.
  const box = { left: Math.round(left), top: Math.round(y), width: Math.floor(innerWidth), height: Math.max(20, Math.floor(spec.height - y - bottom)) };
  return { box, header: parts.join("\n") };
}

/**
 * Every k-th tick, with the smallest k for which no two kept labels come closer than `gap(a, b)`
 * pixels apart (centre to centre): crowded ticks are thinned, never drawn over each other.
 */
export function thinTicks(ticks: readonly AxisTick[], gap: (a: AxisTick, b: AxisTick) => number): AxisTick[] {
  for (let k = 1; k < ticks.length; k++) {
    const kept = ticks.filter((_, i) => i % k === 0);
    if (kept.every((t, i) => i === 0 || Math.abs(t.at - kept[i - 1]!.at) >= gap(kept[i - 1]!, t))) return kept;
  }
  return ticks.slice(0, 1);
}

/** Horizontal gridlines, tick labels left of the box, the rotated y label and the axis line. */
export function yAxis(box: Box, all: readonly AxisTick[], label: string | undefined, grid = true): string {
  const x0 = box.left, x1 = box.left + box.width;
  const ticks = thinTicks(all, () => TICK + 3);
  const parts = ticks.map((t) => {
    const line = grid ? `<line x1="${px(x0)}" y1="${px(t.at)}" x2="${px(x1)}" y2="${px(t.at)}" stroke="${GRID}"/>` : "";
    return line + text(x0 - 6, t.at, t.label, `dy="0.35em" text-anchor="end" font-size="${TICK}" fill="${MUTED}"`);
  });
  parts.push(`<line x1="${px(x0)}" y1="${px(box.top)}" x2="${px(x0)}" y2="${px(box.top + box.height)}" stroke="${AXIS}"/>`);
  if (label !== undefined) {
    const cx = PAD + LABEL / 2, cy = box.top + box.height / 2;
    parts.push(`<text x="${px(cx)}" y="${px(cy)}" transform="rotate(-90 ${px(cx)} ${px(cy)})" dy="0.35em" text-anchor="middle"`
      + ` font-size="${LABEL}" fill="${INK}">${escapeText(label)}</text>`);
  }
  return `<g class="y-axis">${parts.join("")}</g>`;
}

export interface XAxisOptions {
  /** Rotate the tick labels by −35° (long category names). */
  rotate?: boolean;
  /** Move the x label down by this many px (below rotated tick labels). */
  labelOffset?: number;
}

/** Tick marks and labels below the box, the x label and the axis line. */
export function xAxis(box: Box, all: readonly AxisTick[], label: string | undefined, options: XAxisOptions = {}): string {
  const y0 = box.top + box.height;
  // rotated labels need the line height between them, level ones half of each label's width
  const ticks = thinTicks(all, options.rotate === true ? () => TICK + 3 : (a, b) => (textWidth(a.label, TICK) + textWidth(b.label, TICK)) / 2 + 6);
  const parts = ticks.map((t) => {
    const mark = `<line x1="${px(t.at)}" y1="${px(y0)}" x2="${px(t.at)}" y2="${px(y0 + 4)}" stroke="${AXIS}"/>`;
    const ty = y0 + 6 + TICK;
    const attrs = options.rotate === true
      ? `transform="rotate(-35 ${px(t.at)} ${px(ty)})" text-anchor="end" font-size="${TICK}" fill="${MUTED}"`
      : `text-anchor="middle" font-size="${TICK}" fill="${MUTED}"`;
    return mark + text(t.at, ty, t.label, attrs);
  });
  parts.push(`<line x1="${px(box.left)}" y1="${px(y0)}" x2="${px(box.left + box.width)}" y2="${px(y0)}" stroke="${AXIS}"/>`);
  if (label !== undefined) {
    parts.push(text(box.left + box.width / 2, y0 + 6 + TICK + 8 + LABEL + (options.labelOffset ?? 0), label,
      `text-anchor="middle" font-size="${LABEL}" fill="${INK}"`));
  }
  return `<g class="x-axis">${parts.join("")}</g>`;
}
