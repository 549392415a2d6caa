/**
 * The S&P 500 index from vega-datasets, two series; vega-datasets states no licence for either
 * file (its BSD-3-Clause covers the package's code, not these data).
 * - sp500 (data/sp500.csv: date "Jan 1 2000", price): monthly closing values, 123 consecutive
 *   months 2000-01 to 2010-03, labels YYYY-MM-01; vega-datasets names no source.
 *   Default window 12 months, no season (persistence baseline).
 * - sp500-daily (data/sp500-2000.csv: date, open, high, low, close, adjclose, volume; "Yahoo
 *   Finance" as source): the daily close, 5105 trading days 2000-01-03 to 2020-04-17. One step is
 *   one trading day: weekends and market holidays are not in the file and are not filled (there is
 *   nothing to fill: the market was closed); dates must ascend. Default window 20 (four weeks).
 * Neither file has missing values: an empty cell is a ValueError. Split: the last 10% of rows are
 * test, the 10% before validation.
 */
import { ValueError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { parseCsv } from "./csv.js";
import { forecastDataset, type ForecastOptions } from "./forecast.js";
import { numericTable } from "./load-csv.js";
import { checkKeys } from "./options.js";
import type { Dataset } from "./types.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function sp500FromCsv(text: string, options: ForecastOptions = {}): Dataset {
  const where = "sp500";
  const { values, dates } = readColumns(where, text, "price", options);
  let prev = -1;
  const labels = dates.map((d, i) => {
    const m = /^([A-Z][a-z]{2}) 1 (\d{4})$/.exec(d), month = m ? MONTHS.indexOf(m[1]!) : -1;
    if (!m || month < 0) throw new ValueError(`${where}: row ${i + 1}, column "date": expected a month start like "Jan 1 2000", got ${JSON.stringify(d)}`);
    const k = Number(m[2]) * 12 + month;
    if (prev >= 0 && k !== prev + 1) throw new ValueError(`${where}: row ${i + 1}: expected the month after the previous row, got ${JSON.stringify(d)} (the series must be monthly without gaps)`);
    prev = k;
    return `${m[2]}-${String(month + 1).padStart(2, "0")}-01`;
  });
  return build(where, values, "price", labels, 12, options);
}

export function sp500DailyFromCsv(text: string, options: ForecastOptions = {}): Dataset {
  const where = "sp500-daily";
  const { values, dates } = readColumns(where, text, "close", options);
  dates.forEach((d, i) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new ValueError(`${where}: row ${i + 1}, column "date": expected YYYY-MM-DD, got ${JSON.stringify(d)}`);
    if (i > 0 && d <= dates[i - 1]!) throw new ValueError(`${where}: row ${i + 1}: dates must ascend, got ${d} after ${dates[i - 1]}`);
  });
  return build(where, values, "close", dates, 20, options);
}

function readColumns(where: "sp500" | "sp500-daily", text: string, column: string, options: ForecastOptions): { values: Float32Array; dates: string[] } {
  checkKeys(where, options, DATASETS[where].options);
  const [head, ...rows] = parseCsv(text, where);
  const names = head?.cells ?? [];
  const date = names.indexOf("date"), col = names.indexOf(column);
  if (date < 0 || col < 0) throw new ValueError(`${where}: expected columns "date" and ${JSON.stringify(column)}, got ${JSON.stringify(names)}`);
  return { values: numericTable(where, rows, [col], names), dates: rows.map((r) => r.cells[date]!.trim()) };
}

function build(where: "sp500" | "sp500-daily", values: Float32Array, column: string, labels: string[], defaultWindow: number, options: ForecastOptions): Dataset {
  const info = DATASETS[where];
  return forecastDataset(
    { name: where, description: info.description, source: info.source, license: info.license, values, features: 1, columns: [column], labels, targetColumns: [0], defaultWindow },
    options,
  );
}
