/**
 * Seattle daily weather (vega-datasets data/seattle-weather.csv: date, precipitation, temp_max,
 * temp_min, wind, weather): precipitation (mm), temp_max and temp_min (°C) and wind (m/s) as a
 * multivariate forecasting series, all four columns forecast. 1461 consecutive days, 2012-01-01 to
 * 2015-12-31, labels YYYY-MM-DD; the categorical "weather" column is left out (vega-datasets
 * synthesised it from the others). The file has no gaps: a missing day or an empty cell is a
 * ValueError, never filled. No season is set (the yearly cycle is 365 days, longer than a window),
 * so the baseline is persistence.
 * Split: the last 10% of days (146, from 2015-08-08) are test, the 10% before validation.
 * Default window 28 days, horizon 1.
 */
import { ValueError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { parseCsv } from "./csv.js";
import { forecastDataset, type ForecastOptions } from "./forecast.js";
import { numericTable } from "./load-csv.js";
import { checkKeys } from "./options.js";
import type { Dataset } from "./types.js";

const COLUMNS = ["precipitation", "temp_max", "temp_min", "wind"] as const;
const DAY_MS = 86_400_000;

export function seattleWeatherFromCsv(text: string, options: ForecastOptions = {}): Dataset {
  const where = "seattle-weather", info = DATASETS[where];
  checkKeys(where, options, info.options);
  const [head, ...rows] = parseCsv(text, where);
  const names = head?.cells ?? [];
  const date = names.indexOf("date"), idx = COLUMNS.map((c) => names.indexOf(c));
  if (date < 0 || idx.some((i) => i < 0)) throw new ValueError(`${where}: expected columns date, ${COLUMNS.join(", ")}, got ${JSON.stringify(names)}`);
  const values = numericTable(where, rows, idx, names); // [L, 4]
  const labels = rows.map((r) => r.cells[date]!.trim());
  labels.forEach((d, i) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(t)) throw new ValueError(`${where}: line ${rows[i]!.line}, column "date": expected YYYY-MM-DD, got ${JSON.stringify(d)}`);
    if (i > 0 && t - Date.parse(`${labels[i - 1]}T00:00:00Z`) !== DAY_MS) throw new ValueError(`${where}: line ${rows[i]!.line}: expected the day after ${labels[i - 1]}, got ${d} (the series must be daily without gaps)`);
  });
  return forecastDataset(
    { name: where, description: info.description, source: info.source, license: info.license, values, features: 4, columns: COLUMNS, labels, targetColumns: [0, 1, 2, 3], defaultWindow: 28 },
    options,
  );
}
