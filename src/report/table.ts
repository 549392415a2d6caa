/**
 * Tables for the HTML report: a header row and rows of cells. Numbers are right-aligned and shown
 * with up to 4 significant digits (integers in full); strings are escaped. keyValueTable turns a
 * run's configuration object into a two-column table.
 */
import { ShapeError, ValueError } from "../errors/index.js";
import { escapeText } from "./escape.js";
import { formatValue } from "./svg/format.js";

export type Cell = string | number | boolean | null;

export interface ReportTable {
  columns: readonly string[];
  rows: readonly (readonly Cell[])[];
}

/**
 * A configuration (or any flat record) as rows of [setting, value]. Values are shown in full as
 * text (numbers unrounded, nested values as JSON), left-aligned like the strings beside them.
 */
export function keyValueTable(record: Readonly<Record<string, unknown>>, columns: readonly [string, string] = ["setting", "value"]): ReportTable {
  const rows = Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]): Cell[] => [k, typeof v === "string" ? v : JSON.stringify(v)]);
  return { columns, rows };
}

export function checkTable(where: string, t: ReportTable): void {
  if (!Array.isArray(t.columns) || t.columns.length === 0) throw new ValueError(`${where}: columns must be a non-empty array of strings`);
  if (!Array.isArray(t.rows)) throw new ValueError(`${where}: rows must be an array of rows`);
  t.rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== t.columns.length) {
      const got = Array.isArray(row) ? `${row.length} cells` : typeof row;
      throw new ShapeError(`${where}: rows[${i}] has ${got}, expected ${t.columns.length} (one per column: ${t.columns.join(", ")})`);
    }
  });
}

function cell(v: Cell): string {
  if (typeof v === "number") return `<td class="num">${escapeText(formatValue(v))}</td>`;
  return `<td>${escapeText(v === null ? "" : String(v))}</td>`;
}

/** The table as HTML (the caller has checked it). */
export function tableHtml(t: ReportTable): string {
  const head = `<tr>${t.columns.map((c) => `<th>${escapeText(String(c))}</th>`).join("")}</tr>`;
  const body = t.rows.map((row) => `<tr>${row.map(cell).join("")}</tr>`).join("\n");
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
