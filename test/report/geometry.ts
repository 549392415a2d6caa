/**
 * Reading geometry back from a chart's SVG tree for the tests: the plot box (from the axis lines),
 * the points of a path, the rectangles of a heat map's cell paths, and the tick labels with their
 * pixel positions.
 */
import { byClass, findAll, textOf, type XmlElement } from "./xml.js";

export interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const num = (e: XmlElement, a: string): number => Number(e.attrs[a]);

/** The box from the last <line> of g.y-axis (x, top → bottom) and of g.x-axis (left → right). */
export function plotBox(svg: XmlElement): Box {
  const y = findAll(byClass(svg, "y-axis")[0]!, "line").at(-1)!;
  const x = findAll(byClass(svg, "x-axis")[0]!, "line").at(-1)!;
  return { left: num(y, "x1"), top: num(y, "y1"), bottom: num(y, "y2"), right: num(x, "x2") };
}

/** The subpaths of an "M x y L x y …" path as lists of points. */
export function pathPoints(d: string): [number, number][][] {
  return d.split("M").filter((s) => s !== "").map((s) => s.split("L").map((p) => {
    const [x, y] = p.trim().split(/\s+/).map(Number);
    return [x!, y!] as [number, number];
  }));
}

export interface CellRect {
  x: number;
  y: number;
  w: number;
  h: number;
  fill: string;
}

/** The rectangles "M x y h w v h h -w z" of every path in g.cells, with their fill. */
export function cellRects(svg: XmlElement): CellRect[] {
  const out: CellRect[] = [];
  for (const p of findAll(byClass(svg, "cells")[0]!, "path")) {
    for (const m of p.attrs["d"]!.matchAll(/M(-?[\d.]+) (-?[\d.]+)h(-?[\d.]+)v(-?[\d.]+)h(-?[\d.]+)z/g)) {
      out.push({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]), fill: p.attrs["fill"]! });
    }
  }
  return out;
}

/** Tick labels of an axis group with their position along the axis (y for the y axis, x for the x axis). */
export function tickLabels(svg: XmlElement, axis: "x-axis" | "y-axis"): { label: string; at: number }[] {
  const g = byClass(svg, axis)[0]!;
  return findAll(g, "text").filter((t) => t.attrs["font-size"] === "11")
    .map((t) => ({ label: textOf(t), at: Number(axis === "y-axis" ? t.attrs["y"] : t.attrs["x"]) }));
}
