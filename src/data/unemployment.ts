/**
 * US unemployment by industry (vega-datasets data/unemployment-across-industries.json: records of
 * series, year, month, count, rate, date): the monthly unemployment rate (%) of the 14 series
 * (11 private industries, agriculture, government, self-employed; CPS Table A-31, not seasonally
 * adjusted) as a multivariate series, all 14 forecast. 122 months, 2000-01 to 2010-02, labels
 * YYYY-MM-01; columns in the file's order of first appearance. Every series must hold every month
 * once: a missing month or a non-numeric rate is a ValueError, never filled. Season 12.
 * Split: the last 10% of months are test, the 10% before validation. Default window 12 months.
 */
import { ValueError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { forecastDataset, type ForecastOptions } from "./forecast.js";
import { checkKeys } from "./options.js";
import type { Dataset } from "./types.js";

interface Record { series: unknown; year: unknown; month: unknown; rate: unknown }

export function unemploymentFromJson(text: string, options: ForecastOptions = {}): Dataset {
  const where = "unemployment", info = DATASETS[where];
  checkKeys(where, options, info.options);
  const records = JSON.parse(text) as unknown;
  if (!Array.isArray(records) || records.length === 0) throw new ValueError(`${where}: expected a non-empty JSON array of records`);
  const columns: string[] = [], rates = new Map<string, Map<number, number>>();
  let first = Infinity, last = -Infinity;
  records.forEach((r: Record, i) => {
    if (typeof r.series !== "string" || !Number.isInteger(r.year) || !Number.isInteger(r.month) || typeof r.rate !== "number" || !Number.isFinite(r.rate)) {
      throw new ValueError(`${where}: record ${i}: expected {series: string, year: integer, month: integer, rate: number}, got ${JSON.stringify(r)}`);
    }
    const k = (r.year as number) * 12 + (r.month as number) - 1;
    if (!rates.has(r.series)) (columns.push(r.series), rates.set(r.series, new Map()));
    rates.get(r.series)!.set(k, r.rate);
    first = Math.min(first, k), last = Math.max(last, k);
  });
  const F = columns.length, L = last - first + 1, values = new Float32Array(L * F); // [L, F]
  columns.forEach((name, f) => {
    const byMonth = rates.get(name)!;
    for (let t = 0; t < L; t++) {
      const v = byMonth.get(first + t);
      if (v === undefined) throw new ValueError(`${where}: series ${JSON.stringify(name)} has no rate for ${label(first + t)}`);
      values[t * F + f] = v;
    }
  });
  return forecastDataset(
    { name: where, description: info.description, source: info.source, license: info.license, values, features: F, columns, labels: Array.from({ length: L }, (_, t) => label(first + t)), targetColumns: columns.map((_, f) => f), season: 12, defaultWindow: 12 },
    options,
  );
}

const label = (k: number) => `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}-01`;
