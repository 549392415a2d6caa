/**
 * loadCsv: a forecasting Dataset (like co2) from the user's own CSV text.
 *
 * The rules, in order:
 * - Numbers are decimal only: `12`, `-0.5`, `.5`, `1e-3`. Not `0x10`, `Infinity`, `1_000` or
 *   `0b1`: those are text. A number beyond float32's range (±3.4e38) is refused with its line.
 * - Header ("auto", the default): the first row is a header when none of its cells is a number.
 * - `limit`: only the first `limit` data rows are read.
 * - Columns are chosen by name (with a header) or 0-based index; a string of digits that is not a
 *   column's name is an index too (so `--columns 1,2` works with or without a header).
 * - By default the feature (and target) columns are the numeric ones: every non-empty data cell a
 *   number. A column holding both numbers and text is refused, naming the column, the line of the
 *   odd cell and what it holds: it is never dropped silently (pass `columns` to leave it out). The
 *   first all-text column not among the features gives the row labels (e.g. a date).
 * - Covariates (covariates.ts): `holiday:<column>` reads that column (numbers, any column of the
 *   file); such a column is left out of the default feature columns. The labels must be ISO dates.
 * - Inputs whose buffers would exceed the memory limit (util/limits.ts) are refused before the
 *   buffers are allocated, with the estimate.
 */
import { FormatError, OptionError, ValueError } from "../errors/index.js";
import { checkInputSize } from "../util/limits.js";
import { quoteText } from "../util/preview.js";
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
  /** Column of row labels such as dates (default: the first text column not in `columns`). */
  labels?: ColumnRef;
  /** true, false or "auto" (default). */
  hasHeader?: boolean | "auto";
  /** Read at most this many data rows, the first ones (default: all). */
  limit?: number;
  season?: number;
  name?: string;
  window: number;
}

const KEYS = ["columns", "target", "labels", "hasHeader", "limit", "season", "name", "window", "horizon", "validation", "test", "normalisation", "relative", "covariates"];

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A decimal number (surrounding spaces allowed); hexadecimal, binary, Infinity and the like are text. */
export const isNumber = (cell: string): boolean => DECIMAL.test(cell.trim());
/** The largest finite float32. */
const MAX_FLOAT32 = 3.4028234663852886e38;

export function loadCsv(text: string, options: CsvOptions): Dataset {
  const where = options.name ?? "loadCsv";
  checkKeys(where, options, KEYS);
  if (options.window === undefined) throw new OptionError(`${where}: the window option is required (input steps per window)`);
  const window = optInt(where, "window", options.window, 1);
  const limit = options.limit === undefined ? Infinity : optInt(where, "limit", options.limit, 1);
  checkParseSize(where, text);
  const { names, rows } = readTable(where, text, options.hasHeader ?? "auto", limit);
  const holidayNames = holidayColumnsOf(options.covariates);
  const { columns, targetColumns, labelColumn } = chooseColumns(where, options, names, rows, holidayNames);
  const L = rows.length, C = columns.length, O = (options.horizon ?? 1) * targetColumns.length;
  // the table, its normalised copy and the windows (each row starts about one window of W rows)
  checkInputSize(where, `${L} rows of ${C} columns in windows of ${window}`, 4 * L * (C * (2 + window) + O), `${L} × (${C} × (2 + ${window}) + ${O}) × 4 bytes`, "a smaller window, fewer columns, or limit");
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
      ...(holidayNames.length ? { holidays: holidayTables(where, rows, names, holidayNames) } : {}),
    },
    options,
  );
}

/** Parsing keeps every cell as a string: refuse a text whose cells alone would pass the limit. */
function checkParseSize(where: string, text: string): void {
  let cells = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 10 || c === 13) cells++; // , \n \r
  }
  checkInputSize(where, `a CSV text of ${text.length} characters`, 2 * text.length + 48 * cells, `${text.length} characters × 2 bytes + about ${cells} cells × 48 bytes`, "split the file, or keep only the columns you need");
}

/** Column names (from the header, or "0", "1", … without one) and the data rows, all of one width. */
function readTable(where: string, text: string, header: boolean | "auto", limit: number): { names: string[]; rows: CsvRecord[] } {
  const records = parseCsv(text, where);
  if (records.length === 0) throw new ValueError(`${where}: the CSV text has no rows`);
  const first = records[0]!;
  const hasHeader = header === "auto" ? !first.cells.some(isNumber) : header;
  const names = first.cells.map((c, i) => (hasHeader ? c.trim() : String(i)));
  const all = hasHeader ? records.slice(1) : records;
  const rows = all.length > limit ? all.slice(0, limit) : all;
  if (rows.length === 0) throw new ValueError(`${where}: the CSV text has a header but no data rows`);
  for (const r of rows) {
    if (r.cells.length !== names.length) {
      throw new FormatError(`${where}: line ${r.line} has ${r.cells.length} cells, expected ${names.length} like line ${first.line}`);
    }
  }
  return { names, rows };
}

type ColumnKind = "number" | "text" | "empty";

/** What a column holds: numbers only, text only, nothing, or a refusal naming the odd cell. */
function columnKind(where: string, rows: readonly CsvRecord[], col: number, name: string, refuseMixed: boolean): ColumnKind | "mixed" {
  let firstNumber = -1, firstText = -1, numbers = 0, texts = 0;
  rows.forEach((r, i) => {
    const cell = r.cells[col]!;
    if (cell.trim() === "") return;
    if (isNumber(cell)) { numbers++; if (firstNumber < 0) firstNumber = i; }
    else { texts++; if (firstText < 0) firstText = i; }
  });
  if (numbers > 0 && texts > 0) {
    if (!refuseMixed) return "mixed";
    // name the cell that is out of place: the text among mostly numbers, or the other way round
    const odd = rows[numbers >= texts ? firstText : firstNumber]!, usual = rows[numbers >= texts ? firstNumber : firstText]!;
    const header = odd.line === 1 ? "; if line 1 is a header, none of its cells may be a number" : "";
    throw new ValueError(`${where}: column "${quoteText(name).slice(1, -1)}" mixes numbers and text: line ${odd.line} holds ${quoteText(odd.cells[col]!.trim())}, line ${usual.line} holds ${quoteText(usual.cells[col]!.trim())} (hint: fix that cell, or choose the columns: the columns option, --columns on the command line${header})`);
  }
  return numbers > 0 ? "number" : texts > 0 ? "text" : "empty";
}

/** The columns named by holiday:<column> covariates. */
function holidayColumnsOf(covariates: CsvOptions["covariates"]): string[] {
  if (covariates === undefined) return [];
  const items = typeof covariates === "string" ? covariates.split(",") : [...covariates];
  return items.map((s) => s.trim()).filter((s) => s.startsWith("holiday:")).map((s) => s.slice("holiday:".length));
}

/** The holiday columns' values by name [rows each]; an unknown column is refused with the list. */
function holidayTables(where: string, rows: readonly CsvRecord[], names: readonly string[], holidays: readonly string[]): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const h of holidays) {
    const i = names.indexOf(h);
    if (i < 0) throw new OptionError(`${where}: covariates: holiday:${h}: no column ${quoteText(h)}; the columns are ${quoteList(names)}`);
    out[h] = numericTable(where, rows, [i], names);
  }
  return out;
}

/** Feature columns, targets (as indices into the features) and the label column (−1: none). */
function chooseColumns(where: string, options: CsvOptions, names: readonly string[], rows: readonly CsvRecord[], holidays: readonly string[] = []) {
  const resolve = (ref: ColumnRef) => columnIndex(where, ref, names);
  const kinds = names.map((n, i) => columnKind(where, rows, i, n, options.columns === undefined));
  const columns = options.columns ? options.columns.map(resolve) : names.map((_, i) => i).filter((i) => kinds[i] === "number" && !holidays.includes(names[i]!));
  if (columns.length === 0) throw new OptionError(`${where}: no numeric column found; the columns are ${quoteList(names)} (hint: pass columns)`);
  const targets = options.target === undefined ? columns : (Array.isArray(options.target) ? options.target : [options.target]).map(resolve);
  const targetColumns = targets.map((t) => {
    const k = columns.indexOf(t);
    if (k < 0) throw new OptionError(`${where}: target column ${quoteText(names[t]!)} is not among the feature columns ${quoteList(columns.map((c) => names[c]!))}`);
    return k;
  });
  const labelColumn = options.labels !== undefined ? resolve(options.labels) : names.findIndex((_, i) => !columns.includes(i) && kinds[i] === "text");
  return { columns, targetColumns, labelColumn };
}

/** A column by name, by 0-based index, or by a string of digits that is no column's name. */
function columnIndex(where: string, ref: ColumnRef, names: readonly string[]): number {
  const byName = typeof ref === "string" ? names.indexOf(ref) : -1;
  const i = typeof ref === "number" ? ref : byName >= 0 ? byName : /^\d+$/.test(ref.trim()) ? Number(ref) : -1;
  if (!Number.isInteger(i) || i < 0 || i >= names.length) {
    const got = typeof ref === "number" ? String(ref) : quoteText(ref);
    throw new OptionError(`${where}: unknown column ${got}; the columns are ${quoteList(names)} (or indices 0..${names.length - 1})`);
  }
  return i;
}

/** The chosen columns as numbers [rows, C]; an empty, non-numeric or too large cell names its line and column. */
export function numericTable(where: string, rows: readonly CsvRecord[], columns: readonly number[], names: readonly string[]): Float32Array {
  const C = columns.length;
  const out = new Float32Array(rows.length * C);
  rows.forEach((r, i) => {
    columns.forEach((col, c) => {
      const cell = r.cells[col]!.trim(), at = `${where}: line ${r.line}, column ${quoteText(names[col]!)}`;
      if (cell === "") throw new ValueError(`${at}: missing value (empty cell)`);
      if (!isNumber(cell)) throw new ValueError(`${at}: expected a decimal number, got ${quoteText(cell)}`);
      const v = Number(cell);
      if (!(Math.abs(v) <= MAX_FLOAT32)) throw new ValueError(`${at}: ${quoteText(cell)} is outside the float32 range (±3.4e38)`);
      out[i * C + c] = v;
    });
  });
  return out;
}

/** Column names for messages: each cut to ~80 characters, at most 20 of them. */
const quoteList = (names: readonly string[]) =>
  names.slice(0, 20).map((n) => quoteText(n)).join(", ") + (names.length > 20 ? `, … (${names.length} columns)` : "");
