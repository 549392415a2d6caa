/**
 * Mauna Loa CO2 (vega-datasets data/co2-concentration.csv: Date, CO2, adjusted CO2; gated ships
 * its Date and CO2 columns in co2-series.ts): the monthly "CO2" column (ppm, seasonal cycle kept)
 * as a univariate forecasting series, season 12.
 *
 * The file lists only months with valid data: 741 rows from 1958-03 to 2020-04, missing 1958-06,
 * 1958-10 and 1964-02..04. Those 5 months are filled by linear interpolation between their
 * neighbours, so every step is one month (746 rows) and the seasonal lag 12 is exact.
 * Split: the last 10% of months (75, about 6 years: 2014-02 on) are test, the 10% before validation.
 * Default window 24 months, horizon 1.
 */
import { ValueError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { parseCsv } from "./csv.js";
import { forecastDataset, type ForecastOptions } from "./forecast.js";
import { numericTable } from "./load-csv.js";
import { checkKeys } from "./options.js";
import type { Dataset } from "./types.js";

export function co2FromCsv(text: string, options: ForecastOptions = {}): Dataset {
  const info = DATASETS.co2;
  checkKeys("co2", options, info.options);
  const [head, ...rows] = parseCsv(text, "co2");
  const names = head?.cells ?? [];
  const date = names.indexOf("Date"), co2 = names.indexOf("CO2");
  if (date < 0 || co2 < 0) throw new ValueError(`co2: expected columns "Date" and "CO2", got ${JSON.stringify(names)}`);
  const raw = numericTable("co2", rows, [co2], names);
  const months = rows.map((r) => monthIndex(r.cells[date]!, r.line));
  const { values, labels } = fillMonths(raw, months);
  return forecastDataset(
    { name: "co2", description: info.description, source: info.source, license: info.license, values, features: 1, columns: ["CO2"], labels, targetColumns: [0], season: 12, defaultWindow: 24 },
    options,
  );
}

/** "YYYY-MM-DD" → months since year 0. */
function monthIndex(date: string, line: number): number {
  const m = /^(\d{4})-(\d{2})/.exec(date.trim());
  if (!m) throw new ValueError(`co2: line ${line}, column "Date": expected a date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

const monthLabel = (k: number) => `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}-01`;

/** One value per month from the first to the last, gaps filled linearly between the neighbours. */
export function fillMonths(raw: Float32Array, months: readonly number[]): { values: Float32Array; labels: string[] } {
  const first = months[0]!, n = months[months.length - 1]! - first + 1;
  const values = new Float32Array(n);
  for (let i = 0; i < months.length; i++) {
    const k = months[i]! - first;
    values[k] = raw[i]!;
    const gap = i > 0 ? months[i]! - months[i - 1]! : 1;
    if (gap < 1) throw new ValueError(`co2: months out of order at ${monthLabel(months[i]!)}`);
    for (let g = 1; g < gap; g++) values[k - gap + g] = raw[i - 1]! + ((raw[i]! - raw[i - 1]!) * g) / gap;
  }
  return { values, labels: Array.from({ length: n }, (_, k) => monthLabel(first + k)) };
}
