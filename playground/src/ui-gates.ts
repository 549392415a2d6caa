/**
 * Page side: the gate view. One heat map per captured value (gated's heatmap: rows = time steps,
 * columns = units) beside the input; hovering a cell shows its exact value in a tooltip, which also
 * carries it in data attributes (data-grid, data-step, data-unit, data-value) for tests and tools.
 * The step slider marks one time step in every map and lists that step's values.
 */
import { heatmap } from "../../src/report/index.js";
import { GATE_NAMES } from "./cells.js";
import { $ } from "./dom.js";
import type { FromWorker, Grid } from "./protocol.js";

type GatesMessage = Extract<FromWorker, { type: "gates" }>;

interface Shown { readonly grid: Grid; readonly figure: HTMLElement; readonly box: DOMRect; readonly mark: SVGRectElement }

let shown: Shown[] = [];
let labels: readonly string[] | null = null;
let last: GatesMessage | null = null;

const SIGMOID_GATES = new Set(["z", "r", "f", "i", "o"]);
const gateOf = (name: string) => name.split(".").pop() ?? name;

function title(name: string): string {
  const g = gateOf(name), parts = name.split(".");
  const where = parts.length === 3 ? ` · ${parts[0]} ${parts[1]}` : "";
  return `${GATE_NAMES[g] ?? g}${where}`;
}

function figureFor(grid: Grid, width: number): HTMLElement {
  const fig = document.createElement("figure");
  fig.className = "heatmap";
  fig.dataset["grid"] = grid.name;
  const gate = gateOf(grid.name), input = grid.name.startsWith("input") || grid.name === "token id";
  const bounded = SIGMOID_GATES.has(gate);
  fig.innerHTML = heatmap({
    title: input ? grid.name : title(grid.name), values: grid.values, rows: grid.rows, cols: grid.cols,
    rowLabel: "time step", colLabel: input ? "feature" : "unit", palette: bounded || grid.name === "token id" ? "sequential" : "diverging",
    ...(bounded ? { min: 0, max: 1 } : {}), valueLabel: "value",
    width, height: Math.max(220, Math.min(520, 110 + grid.rows * 9)), maxCells: 1_000_000,
  });
  fig.querySelector("svg > title")?.remove(); // the browser's own tooltip would cover ours
  return fig;
}

function mark(fig: HTMLElement, box: DOMRect): SVGRectElement {
  const svg = fig.querySelector("svg")!;
  const r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  r.setAttribute("class", "step-mark");
  r.setAttribute("x", String(box.x - 2));
  r.setAttribute("width", String(box.width + 4));
  r.setAttribute("fill", "none");
  r.setAttribute("stroke", "#111");
  r.setAttribute("stroke-width", "1.5");
  svg.appendChild(r);
  return r;
}

function hover(s: Shown, e: PointerEvent): void {
  const tip = $("tooltip"), svg = s.figure.querySelector("svg")!;
  const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(svg.getScreenCTM()!.inverse());
  const { box, grid } = s;
  const t = Math.floor(((p.y - box.y) / box.height) * grid.rows), j = Math.floor(((p.x - box.x) / box.width) * grid.cols);
  if (t < 0 || t >= grid.rows || j < 0 || j >= grid.cols) { tip.hidden = true; return; }
  const v = grid.values[t * grid.cols + j]!;
  const word = labels && labels[t] !== undefined ? ` (“${labels[t]}”)` : "";
  tip.textContent = `${title(grid.name)} · step ${t}${word} · ${grid.cols > 1 || grid.name.includes(".") ? `unit ${j}` : "value"} = ${v.toPrecision(6)}`;
  Object.assign(tip.dataset, { grid: grid.name, step: String(t), unit: String(j), value: String(v) });
  tip.hidden = false;
  const x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
  tip.style.left = `${Math.max(4, x) + window.scrollX}px`;
  tip.style.top = `${e.clientY + 16 + window.scrollY}px`;
}

/** Marks step t in every map and lists its values. */
export function showStep(t: number): void {
  $("time-out").textContent = shown.length ? `${t}${labels?.[t] !== undefined ? ` · “${labels[t]}”` : ""}` : "–";
  const rows: string[] = [];
  for (const s of shown) {
    const { grid, box } = s;
    if (t >= grid.rows) continue;
    const h = box.height / grid.rows;
    s.mark.setAttribute("y", String(box.y + t * h));
    s.mark.setAttribute("height", String(h));
    const vals = Array.from(grid.values.subarray(t * grid.cols, t * grid.cols + Math.min(grid.cols, 12)), (v) => v.toFixed(3));
    rows.push(`<div><b>${grid.name.startsWith("input") || grid.name === "token id" ? grid.name : title(grid.name)}</b> ${vals.join(" ")}${grid.cols > 12 ? " …" : ""}</div>`);
  }
  $("readout").innerHTML = rows.join("");
}

export function renderGates(m: GatesMessage): void {
  last = m;
  const host = $("heatmaps");
  host.innerHTML = "";
  labels = m.inputLabels;
  const width = Math.max(300, Math.min(460, host.clientWidth || 460));
  const grids = [m.input, ...m.layers.flatMap((l) => l.grids)];
  shown = grids.map((grid) => {
    const figure = figureFor(grid, width);
    host.appendChild(figure);
    const cells = figure.querySelector<SVGGElement>("g.cells")!;
    const box = cells.getBBox();
    const s: Shown = { grid, figure, box: new DOMRect(box.x, box.y, box.width, box.height), mark: mark(figure, new DOMRect(box.x, box.y, box.width, box.height)) };
    figure.addEventListener("pointermove", (e) => hover(s, e));
    figure.addEventListener("pointerleave", () => { $("tooltip").hidden = true; });
    return s;
  });
  $("gate-output").textContent = m.output;
  const time = $<HTMLInputElement>("time");
  time.max = String(Math.max(0, m.input.rows - 1));
  time.disabled = false;
  time.value = String(Math.min(Number(time.value), m.input.rows - 1));
  showStep(Number(time.value));
  host.dataset["sequence"] = String(m.sequence);
}

/** Draws the last gates again (after the window changed width). */
export function redrawGates(): void {
  if (last) renderGates(last);
}

export function clearGates(note: string): void {
  shown = [];
  last = null;
  $("heatmaps").innerHTML = "";
  $("readout").innerHTML = "";
  $("gate-output").textContent = "";
  $("gate-source").textContent = note;
}
