/** Node only: the forecasting sets read from vega-datasets' data/ folder (see each parser's file). */
import type { ForecastOptions } from "../forecast.js";
import { globalTempFromCsv } from "../global-temp.js";
import { seattleWeatherFromCsv } from "../seattle-weather.js";
import { sp500DailyFromCsv, sp500FromCsv } from "../sp500.js";
import type { Dataset } from "../types.js";
import { unemploymentFromJson } from "../unemployment.js";
import { readPackageText } from "./package-file.js";

const read = (file: string, where: string) => readPackageText("vega-datasets", `data/${file}`, where);

export const loadSeattleWeather = async (o: ForecastOptions = {}): Promise<Dataset> => seattleWeatherFromCsv(await read("seattle-weather.csv", "seattle-weather"), o);
export const loadSp500 = async (o: ForecastOptions = {}): Promise<Dataset> => sp500FromCsv(await read("sp500.csv", "sp500"), o);
export const loadSp500Daily = async (o: ForecastOptions = {}): Promise<Dataset> => sp500DailyFromCsv(await read("sp500-2000.csv", "sp500-daily"), o);
export const loadGlobalTemp = async (o: ForecastOptions = {}): Promise<Dataset> => globalTempFromCsv(await read("global-temp.csv", "global-temp"), o);
export const loadUnemployment = async (o: ForecastOptions = {}): Promise<Dataset> => unemploymentFromJson(await read("unemployment-across-industries.json", "unemployment"), o);
