/**
 * Heat map: a row-major grid of values, such as gate activations over time (rows = time steps,
 * columns = units) for z, r and the candidate, with a colour bar and its scale.
 *
 *   heatmap({ title, values, rows, cols, rowLabel, colLabel, min?, max?, palette: "sequential" | "diverging" })
 *
 * Row 0 is at the top. min maps to the palette's first colour and max to its last (values outside
 * are clamped); by default they are the data's range, made symmetric about 0 for "diverging".
 * Colours are quantised to 256 levels and the cells of one colour form one <path> (horizontal runs
 * merged), so the document stays small. A grid with more cells than `maxCells` (default 50 000), or
 * more rows or columns than the plot has pixels, is downsampled by block means (rows, i.e. time,
 * first), and the subtitle says so.
 */
import { ShapeError, ValueError } from "../../errors/index.js";
import { checkNumbers, checkOptionalString, checkSize, checkString, finiteRange, type Numbers } from "./check.js";
import { blockMean, downsampleFactors, type Factors, type Grid } from "./downsample.js";
import { layoutFrame, svgDocument, text, xAxis, yAxis, INK, MUTED, type Box } from "./frame.js";
import { px, textWidth } from "./format.js";
import { MISSING_COLOR, checkPalette, colorTable, type PaletteName } from "./palette.js";
import { formatTick, niceTicks } from "./ticks.js";

export interface HeatmapOptions {
  title: string;
  subtitle?: string;
  values: Numbers; // [rows × cols], row-major
  rows: number;
  cols: number;
  rowLabel: string;
  colLabel: string;
  min?: number;
  max?: number;
  palette: PaletteName;
  /** Caption of the colour bar (what the colours measure). */
  valueLabel?: string;
  width?: number;
  height?: number;
  maxCells?: number;
}

const WHERE = "heatmap";
export const HEATMAP_LEVELS = 256;
const BAR = 14;

function checkGrid(o: HeatmapOptions): Numbers {
  for (const k of ["rows", "cols"] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new ValueError(`${WHERE}: ${k} must be an integer ≥ 1, got ${o[k]}`);
  }
  const values = checkNumbers(WHERE, "values", o.values);
  if (values.length !== o.rows * o.cols) {
    throw new ShapeError(`${WHERE}: expected values of length rows × cols = ${o.rows} × ${o.cols} = ${o.rows * o.cols}, got ${values.length}`);
  }
  return values;
}

/** The colour domain: the given min/max, else the data range (symmetric about 0 for "diverging"). */
export function heatmapDomain(values: Numbers, palette: PaletteName, min?: number, max?: number): [number, number] {
  const data = finiteRange([values]) ?? [0, 1];
  let lo = min ?? data[0], hi = max ?? data[1];
  if (palette === "diverging" && min === undefined && max === undefined) { hi = Math.max(Math.abs(lo), Math.abs(hi)); lo = -hi; }
  if (min !== undefined && max !== undefined && !(min < max)) throw new ValueError(`${WHERE}: expected min < max, got min ${min}, max ${max}`);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new ValueError(`${WHERE}: min and max must be finite, got ${lo}, ${hi}`);
  if (hi <= lo) { const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1; return [lo - pad, hi + pad]; }
  return [lo, hi];
}

/** The colour level 0 … 255 of a value (clamped), or −1 for NaN. */
export function colorLevel(v: number, lo: number, hi: number): number {
  if (Number.isNaN(v)) return -1;
  const t = (v - lo) / (hi - lo);
  return Math.min(HEATMAP_LEVELS - 1, Math.max(0, Math.round(t * (HEATMAP_LEVELS - 1))));
}

function edges(start: number, length: number, n: number): number[] {
  return Array.from({ length: n + 1 }, (_, k) => Math.round(start + (k * length) / n));
}

/** One <path> per colour; each row's runs of equal colour become one rectangle. */
function cells(grid: Grid, box: Box, lo: number, hi: number, table: readonly string[]): string {
  const xe = edges(box.left, box.width, grid.cols), ye = edges(box.top, box.height, grid.rows);
  const byLevel = new Map<number, string[]>();
  for (let r = 0; r < grid.rows; r++) {
    let c0 = 0;
    for (let c = 1; c <= grid.cols; c++) {
      const level = colorLevel(grid.values[r * grid.cols + c0]!, lo, hi);
      if (c < grid.cols && colorLevel(grid.values[r * grid.cols + c]!, lo, hi) === level) continue;
      const w = xe[c]! - xe[c0]!, h = ye[r + 1]! - ye[r]!;
      if (w > 0 && h > 0) {
        const list = byLevel.get(level) ?? [];
        list.push(`M${xe[c0]} ${ye[r]}h${w}v${h}h${-w}z`);
        byLevel.set(level, list);
      }
      c0 = c;
    }
  }
  const paths = [...byLevel.entries()].sort((a, b) => a[0] - b[0])
    .map(([level, d]) => `<path fill="${level < 0 ? MISSING_COLOR : table[level]}" d="${d.join("")}"/>`);
  return `<g class="cells" shape-rendering="crispEdges">${paths.join("")}</g>`;
}

/** The colour bar right of the box: 64 bands from min (bottom) to max (top), with nice ticks. */
function colorBar(box: Box, lo: number, hi: number, table: readonly string[], label: string | undefined): string {
  const x = box.left + box.width + 16, n = 64, h = box.height / n;
  const bands = Array.from({ length: n }, (_, k) => {
    const color = table[Math.round((k * (HEATMAP_LEVELS - 1)) / (n - 1))]!;
    return `<rect x="${px(x)}" y="${px(box.top + box.height - (k + 1) * h)}" width="${BAR}" height="${px(h + 0.5)}" fill="${color}"/>`;
  });
  const ticks = niceTicks(lo, hi, { target: Math.max(2, Math.round(box.height / 60)) });
  const at = (v: number) => box.top + ((hi - v) / (hi - lo)) * box.height;
  const marks = ticks.values.map((v) => `<line x1="${px(x + BAR)}" y1="${px(at(v))}" x2="${px(x + BAR + 4)}" y2="${px(at(v))}" stroke="${MUTED}"/>`
    + text(x + BAR + 6, at(v), formatTick(v, ticks.step), `dy="0.35em" font-size="11" fill="${MUTED}"`));
  const caption = label === undefined ? "" : text(x + BAR / 2, box.top - 6, label, `text-anchor="middle" font-size="11" fill="${INK}"`);
  return `<g class="color-bar">${bands.join("")}<rect x="${px(x)}" y="${px(box.top)}" width="${BAR}" height="${px(box.height)}"`
    + ` fill="none" stroke="${MUTED}" stroke-width="0.5"/>${marks.join("")}${caption}</g>`;
}

function note(o: HeatmapOptions, f: Factors, grid: Grid): string | undefined {
  const parts = [checkOptionalString(WHERE, "subtitle", o.subtitle)].filter((s): s is string => s !== undefined && s !== "");
  if (f.rows > 1 || f.cols > 1) {
    parts.push(`downsampled by averaging ${f.rows}×${f.cols} blocks: ${o.rows}×${o.cols} shown as ${grid.rows}×${grid.cols}`);
  }
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

function colorBarWidth(lo: number, hi: number): number {
  const t = niceTicks(lo, hi);
  return 16 + BAR + 6 + Math.max(...t.values.map((v) => textWidth(formatTick(v, t.step), 11))) + 4;
}

export function heatmap(o: HeatmapOptions): string {
  const title = checkString(WHERE, "title", o.title);
  const width = checkSize(WHERE, "width", o.width, 720, 160);
  const height = checkSize(WHERE, "height", o.height, 420, 120);
  const maxCells = checkSize(WHERE, "maxCells", o.maxCells, 50_000, 1);
  const palette = checkPalette(WHERE, o.palette);
  const values = checkGrid(o);
  const [lo, hi] = heatmapDomain(values, palette, o.min, o.max);
  const rowTicks = niceTicks(0, o.rows - 1, { integer: true, target: Math.max(2, Math.round(height / 50)) });
  const rowLabels = rowTicks.values.map((v) => formatTick(v, rowTicks.step));
  const frameFor = (subtitle: string | undefined) => layoutFrame({
    width, height, title, subtitle, xLabel: checkString(WHERE, "colLabel", o.colLabel), yLabel: checkString(WHERE, "rowLabel", o.rowLabel),
    yTickLabels: rowLabels, legend: [], rightExtra: colorBarWidth(lo, hi),
  });
  const probe = frameFor("probe").box; // the box with a subtitle line, to size the grid before the note is known
  const f = downsampleFactors(o.rows, o.cols, { maxRows: Math.floor(probe.height), maxCols: Math.floor(probe.width), maxCells });
  const grid = f.rows > 1 || f.cols > 1 ? blockMean(values, o.rows, o.cols, f) : { values: Float64Array.from(values), rows: o.rows, cols: o.cols };
  const { box, header } = frameFor(note(o, f, grid));
  const table = colorTable(palette, HEATMAP_LEVELS);
  const colTicks = niceTicks(0, o.cols - 1, { integer: true, target: Math.max(2, Math.round(box.width / 60)) });
  const rowAt = (i: number) => box.top + ((i + 0.5) * box.height) / o.rows;
  const colAt = (j: number) => box.left + ((j + 0.5) * box.width) / o.cols;
  return svgDocument(width, height, title, [
    header,
    cells(grid, box, lo, hi, table),
    yAxis(box, rowTicks.values.map((v, i) => ({ at: rowAt(v), label: rowLabels[i]! })), o.rowLabel, false),
    xAxis(box, colTicks.values.map((v) => ({ at: colAt(v), label: formatTick(v, colTicks.step) })), o.colLabel),
    colorBar(box, lo, hi, table, o.valueLabel),
  ]);
}
