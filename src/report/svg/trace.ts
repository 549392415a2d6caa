/**
 * A data series drawn as an SVG path: consecutive finite points are joined; a NaN, an infinity or a
 * value the axis cannot show (≤ 0 on a log axis) breaks the line, so gaps stay visible as gaps.
 * Points without a neighbour on either side would be invisible in a path and become dots.
 */
import type { Numbers } from "./check.js";
import { px } from "./format.js";
import type { Scale } from "./scale.js";
import { escapeAttr } from "../escape.js";

export interface Trace {
  /** Path data, "" when no two neighbouring points are drawable. */
  d: string;
  /** Isolated points, in px. */
  dots: [number, number][];
  /** Every drawable point, in px. */
  points: [number, number][];
}

export function trace(x: Numbers, y: Numbers, sx: Scale, sy: Scale, keep: (v: number) => boolean): Trace {
  const parts: string[] = [], dots: [number, number][] = [], points: [number, number][] = [];
  let run: [number, number][] = [];
  const flush = (): void => {
    if (run.length === 1) dots.push(run[0]!);
    if (run.length > 1) parts.push(run.map(([a, b], k) => `${k === 0 ? "M" : "L"}${px(a)} ${px(b)}`).join(""));
    run = [];
  };
  for (let i = 0; i < y.length; i++) {
    const xi = x[i]!, yi = y[i]!;
    if (!Number.isFinite(xi) || !Number.isFinite(yi) || !keep(yi)) { flush(); continue; }
    const p: [number, number] = [sx(xi), sy(yi)];
    run.push(p);
    points.push(p);
  }
  flush();
  return { d: parts.join(""), dots, points };
}

export interface StrokeStyle {
  color: string;
  width?: number;
  dashed?: boolean;
  /** Draw a dot at every point (short series). */
  markers?: boolean;
}

/** The trace as a <path> (plus <circle>s for isolated points and markers), in one <g>. */
export function drawTrace(t: Trace, style: StrokeStyle, cls: string): string {
  const color = escapeAttr(style.color);
  const w = style.width ?? 2;
  const dash = style.dashed === true ? ` stroke-dasharray="${px(w * 3)} ${px(w * 2)}"` : "";
  const path = t.d === "" ? "" : `<path d="${t.d}" fill="none" stroke="${color}" stroke-width="${px(w)}"`
    + ` stroke-linejoin="round" stroke-linecap="round"${dash}/>`;
  const dotsAt = style.markers === true ? t.points : t.dots;
  const dots = dotsAt.map(([a, b]) => `<circle cx="${px(a)}" cy="${px(b)}" r="${px(w + 0.8)}" fill="${color}"/>`).join("");
  return `<g class="${cls}">${path}${dots}</g>`;
}
