/**
 * A small CSV reader (RFC 4180): comma-separated cells, double-quoted cells may hold commas,
 * newlines and "" for a quote; line ends are CRLF, LF or a lone CR (old Mac files), each one line
 * (also inside quotes, for the count); blank lines are skipped. Each record keeps the 1-based line
 * number where it starts, for error messages.
 */
import { FormatError } from "../errors/index.js";

export interface CsvRecord {
  readonly line: number;
  readonly cells: readonly string[];
}

export function parseCsv(text: string, where = "csv"): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let line = 1, start = 1, quoted = false, wasQuoted = false;
  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || cell !== "" || wasQuoted) records.push({ line: start, cells });
    cells = [];
    cell = "";
    wasQuoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else { if (ch === "\n" || (ch === "\r" && text[i + 1] !== "\n")) line++; cell += ch; }
    } else if (ch === '"' && cell === "") { quoted = true; wasQuoted = true; }
    else if (ch === ",") { cells.push(cell); cell = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++; // CRLF is one line end
      endRecord(); line++; start = line;
    } else cell += ch;
  }
  if (quoted) throw new FormatError(`${where}: line ${start}: a quoted cell is not closed before the end of the text`);
  endRecord();
  return records;
}
