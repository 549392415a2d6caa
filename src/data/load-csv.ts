/**
 * loadCsv: a forecasting Dataset (like co2) from the user's own CSV text.
 *
 * Columns are chosen by name (with a header) or 0-based index. By default every column whose first
 * data cell is a number is a feature and a target; the first other column (e.g. a date) gives the
 * row labels. A header is detected ("auto") when no cell of the first row is a number.
 */
import { FormatError, OptionError, ValueError } from "../errors/index.js";
import { parseCsv, type CsvRecord } from "./csv.js";
import { forecastDataset, type ForecastOptions } from "./forecast.js";
import { checkKeys, optInt } from "./options.js";
import type { Dataset } from "./types.js";

export type ColumnRef = string | number;

export interface CsvOptions extends ForecastOptions {
  /** Feature columns (default: the numeric ones). */
  columns?: readonly ColumnRef[];
  /** Target column(s), among `columns` (default: all of them). */
  target?: ColumnRef | readonly ColumnRef[];
  /** Column of row labels such as dates (default: the first non-numeric column not in `columns`). */
  labels?: ColumnRef;
  /** true, false or "auto" (default). */
  hasHeader?: boolean | "auto";
  season?: number;
  name?: string;
  window: number;
}

const KEYS = ["columns", "target", "labels", "hasHeader", "season", "name", "window", "horizon", "validation", "test", "normalisation", "relative"];

const isNumber = (cell: string): boolean => cell.trim() !== "" && Number.isFinite(Number(cell));

export function loadCsv(text: string, options: CsvOptions): Dataset {
  const where = options.name ?? "loadCsv";
  checkKeys(where, options, KEYS);
  if (options.window === undefined) throw new OptionError(`${where}: the window option is required (input steps per window)`);
  const window = optInt(where, "window", options.window, 1);
  const { names, rows } = readTable(where, text, options.hasHeader ?? "auto");
  const { columns, targetColumns, labelColumn } = chooseColumns(where, options, names, rows[0]!.cells);
  return forecastDataset(
    {
      name: where,
      description: `${where}: ${columns.map((c) => names[c]).join(", ")} (${rows.length} rows)`,
      source: "user CSV",
      license: "as supplied by the user",
      values: numericTable(where, rows, columns, names),
      features: columns.length,
      columns: columns.map((c) => names[c]!),
      ...(labelColumn >= 0 ? { labels: rows.map((r) => r.cells[labelColumn]!.trim()) } : {}),
      targetColumns,
      ...(options.season !== undefined ? { season: optInt(where, "season", options.season, 1) } : {}),
      defaultWindow: window,
    },
    options,
  );
}

/** Column names (from the header, or "0", "1", … without one) and the data rows, all of one width. */
function readTable(where: string, text: string, header: boolean | "auto"): { names: string[]; rows: CsvRecord[] } {
  const records = parseCsv(text, where);
  if (records.length === 0) throw new ValueError(`${where}: the CSV text has no rows`);
  const first = records[0]!;
  const hasHeader = header === "auto" ? !first.cells.some(isNumber) : header;
  const names = first.cells.map((c, i) => (hasHeader ? c.trim() : String(i)));
  const rows = hasHeader ? records.slice(1) : records;
  if (rows.length === 0) throw new ValueError(`${where}: the CSV text has a header but no data rows`);
  for (const r of rows) {
    if (r.cells.length !== names.length) {
      throw new FormatError(`${where}: line ${r.line} has ${r.cells.length} cells, expected ${names.length} like line ${first.line}`);
    }
  }
  return { names, rows };
}

/** Feature columns, targets (as indices into the features) and the label column (−1: none). */
function chooseColumns(where: string, options: CsvOptions, names: readonly string[], firstRow: readonly string[]) {
  const resolve = (ref: ColumnRef) => columnIndex(where, ref, names);
  const columns = options.columns ? options.columns.map(resolve) : names.map((_, i) => i).filter((i) => isNumber(firstRow[i]!));
  if (columns.length === 0) throw new OptionError(`${where}: no numeric column found; the columns are ${quoteList(names)} (hint: pass columns)`);
  const targets = options.target === undefined ? columns : (Array.isArray(options.target) ? options.target : [options.target]).map(resolve);
  const targetColumns = targets.map((t) => {
    const k = columns.indexOf(t);
    if (k < 0) throw new OptionError(`${where}: target column "${names[t]}" is not among the feature columns ${quoteList(columns.map((c) => names[c]!))}`);
    return k;
  });
  const labelColumn = options.labels !== undefined ? resolve(options.labels) : names.findIndex((_, i) => !columns.includes(i) && !isNumber(firstRow[i]!));
  return { columns, targetColumns, labelColumn };
}

function columnIndex(where: string, ref: ColumnRef, names: readonly string[]): number {
  const i = typeof ref === "number" ? ref : names.indexOf(ref);
  if (!Number.isInteger(i) || i < 0 || i >= names.length) {
    throw new OptionError(`${where}: unknown column ${JSON.stringify(ref)}; the columns are ${quoteList(names)} (or indices 0..${names.length - 1})`);
  }
  return i;
}

/** The chosen columns as numbers [rows, C]; an empty or non-numeric cell names its line and column. */
export function numericTable(where: string, rows: readonly CsvRecord[], columns: readonly number[], names: readonly string[]): Float32Array {
  const C = columns.length;
  const out = new Float32Array(rows.length * C);
  rows.forEach((r, i) => {
    columns.forEach((col, c) => {
      const cell = r.cells[col]!.trim();
      if (cell === "") throw new ValueError(`${where}: line ${r.line}, column "${names[col]}": missing value (empty cell)`);
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new ValueError(`${where}: line ${r.line}, column "${names[col]}": expected a number, got ${JSON.stringify(cell)}`);
      out[i * C + c] = v;
    });
  });
  return out;
}

const quoteList = (names: readonly string[]) => names.map((n) => `"${n}"`).join(", ");
