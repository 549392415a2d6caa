/**
 * Global temperature anomalies (vega-datasets data/global-temp.csv: year, temp): NASA GISS's
 * yearly Land-Ocean Temperature Index (°C relative to 1951–1980) as a univariate forecasting
 * series, 144 consecutive years 1880–2023, labels YYYY. The file has no gaps: a missing year or an
 * empty cell is a ValueError, never filled. No season (yearly means), so the baseline is persistence.
 * Split: the last 10% of years (14, 2010 on) are test, the 10% before validation.
 * Default window 10 years, horizon 1.
 */
import { ValueError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { parseCsv } from "./csv.js";
import { forecastDataset, type ForecastOptions } from "./forecast.js";
import { numericTable } from "./load-csv.js";
import { checkKeys } from "./options.js";
import type { Dataset } from "./types.js";

export function globalTempFromCsv(text: string, options: ForecastOptions = {}): Dataset {
  const where = "global-temp", info = DATASETS[where];
  checkKeys(where, options, info.options);
  const [head, ...rows] = parseCsv(text, where);
  const names = head?.cells ?? [];
  const year = names.indexOf("year"), temp = names.indexOf("temp");
  if (year < 0 || temp < 0) throw new ValueError(`${where}: expected columns "year" and "temp", got ${JSON.stringify(names)}`);
  const table = numericTable(where, rows, [year, temp], names); // [L, 2]
  const L = rows.length, values = new Float32Array(L), labels: string[] = [];
  for (let r = 0; r < L; r++) {
    const y = table[r * 2]!;
    if (r > 0 && y !== table[(r - 1) * 2]! + 1) throw new ValueError(`${where}: line ${rows[r]!.line}: expected the year ${table[(r - 1) * 2]! + 1}, got ${y} (the series must be yearly without gaps)`);
    values[r] = table[r * 2 + 1]!;
    labels.push(String(y));
  }
  return forecastDataset(
    { name: where, description: info.description, source: info.source, license: info.license, values, features: 1, columns: ["temp"], labels, targetColumns: [0], defaultWindow: 10 },
    options,
  );
}
