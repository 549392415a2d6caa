/**
 * A forecasting Dataset from a series: split by time, normalise with training statistics,
 * cut into windows. Shared by co2, births, mackey-glass and loadCsv.
 *
 * Shape legend: L rows, F features, W window, H horizon, C target columns, O = H·C outputs.
 */
import { OptionError, oneOf } from "../errors/index.js";
import { covariateTable, covariateWidth, inferFrequency, parseCovariates, type CovariateInfo } from "./covariates.js";
import { applyNormalisation, fitNormalisation, identityNormalisation } from "./normalise.js";
import { optFraction, optInt } from "./options.js";
import { splitByTime, windowsEndingIn } from "./time-split.js";
import type { Dataset } from "./types.js";
import { makeWindows } from "./windows.js";

export interface ForecastOptions {
  /** Input steps per window (default per data set). */
  window?: number;
  /** Steps ahead to forecast; the target is the next `horizon` rows (default 1). */
  horizon?: number;
  /** Fraction of rows held out at the end for test (default 0.1) and, before it, validation (default 0.1). */
  validation?: number;
  test?: number;
  /** "z-score" (default): per-feature (x − mean) / std on training rows; "none": raw values. */
  normalisation?: "z-score" | "none";
  /** Express each window relative to its last input row (see windows.ts); default false. */
  relative?: boolean;
  /**
   * Known-future covariates appended to every input step (covariates.ts): "calendar",
   * "day-of-week", "month", "holiday:<column>" (a CSV column), as a list or "a,b". Needs ISO date labels.
   */
  covariates?: string | readonly string[];
}

/** A series in original units and what describes it. */
export interface SeriesSource {
  readonly name: string;
  readonly description: string;
  readonly source: string;
  readonly license: string;
  readonly values: Float32Array; // [L, F]
  readonly features: number;
  readonly columns: readonly string[];
  readonly labels?: readonly string[];
  readonly targetColumns: readonly number[];
  readonly season?: number;
  readonly defaultWindow: number;
  /** Columns a holiday:<column> covariate may name, by name [L] (loadCsv: the CSV's numeric columns). */
  readonly holidays?: Readonly<Record<string, Float32Array>>;
}

export function forecastDataset(src: SeriesSource, options: ForecastOptions = {}): Dataset {
  const where = src.name;
  const window = optInt(where, "window", options.window, src.defaultWindow);
  const horizon = optInt(where, "horizon", options.horizon, 1);
  const validation = optFraction(where, "validation", options.validation, 0.1);
  const test = optFraction(where, "test", options.test, 0.1);
  const mode = options.normalisation === undefined ? "z-score" : oneOf(where, "normalisation", options.normalisation, ["z-score", "none"]);
  const F = src.features, L = src.values.length / F;
  const split = splitByTime(where, L, window, horizon, validation, test);
  const norm = mode === "z-score" ? fitNormalisation(src.values, F, split.validationStart) : identityNormalisation(F);
  const series = applyNormalisation(src.values, F, norm);
  const cov = options.covariates === undefined ? null : knownOf(src, options.covariates, L);
  const known = cov ? { table: cov.table, width: covariateWidth(cov.names) } : undefined;
  const part = (start: number, end: number) =>
    makeWindows(series, F, src.targetColumns, window, horizon, windowsEndingIn(start, end, window, horizon), options.relative === true, known);
  return {
    name: src.name,
    description: src.description,
    source: src.source,
    license: src.license,
    train: part(0, split.validationStart),
    ...(split.testStart > split.validationStart ? { validation: part(split.validationStart, split.testStart) } : {}),
    ...(L > split.testStart ? { test: part(split.testStart, L) } : {}),
    normalisation: norm,
    series: {
      values: src.values,
      length: L,
      features: F,
      columns: src.columns,
      ...(src.labels ? { labels: src.labels } : {}),
      window,
      horizon,
      targetColumns: src.targetColumns,
      ...(src.season !== undefined ? { season: src.season } : {}),
      validationStart: split.validationStart,
      testStart: split.testStart,
      relative: options.relative === true,
      ...(cov ? { covariates: cov } : {}),
    },
  };
}

/** The covariates of the series' rows [L, K] and which they are; refusals name the option. */
function knownOf(src: SeriesSource, option: string | readonly string[], L: number): CovariateInfo & { table: Float64Array } {
  const where = src.name, frequency = inferFrequency(where, src.labels);
  const names = parseCovariates(where, option, frequency), holidays = src.holidays ?? {};
  for (const n of names) {
    const col = n.startsWith("holiday:") ? n.slice("holiday:".length) : null;
    if (col !== null && !Object.hasOwn(holidays, col)) {
      const have = Object.keys(holidays);
      throw new OptionError(`${where}: covariates: ${n}: no numeric column "${col}"${have.length ? `; the numeric columns are ${have.join(", ")}` : " (holiday columns come from a CSV file)"}`);
    }
  }
  const info = { names, frequency };
  return { ...info, table: covariateTable(info, src.labels![0]!, L, holidays) };
}
