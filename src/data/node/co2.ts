/** Node only: co2 from vega-datasets' data/co2-concentration.csv. */
import { co2FromCsv } from "../co2.js";
import type { ForecastOptions } from "../forecast.js";
import type { Dataset } from "../types.js";
import { readPackageText } from "./package-file.js";

export async function loadCo2(options: ForecastOptions = {}): Promise<Dataset> {
  return co2FromCsv(await readPackageText("vega-datasets", "data/co2-concentration.csv", "co2"), options);
}
