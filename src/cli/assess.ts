/**
 * How good a model is on a split, in the terms of its task, beside the naive baseline:
 * forecasting → RMSE and MAE in the data's units vs seasonal naive; classification → accuracy vs
 * the majority class; next-character → perplexity and accuracy vs the unigram model; label
 * sequences (CTC) → the label (phoneme) error rate by greedy decoding vs an empty output (every
 * label deleted: 1).
 */
import { windowsEndingIn } from "../data/time-split.js";
import type { Dataset, SequenceSet } from "../data/types.js";
import { backtest, modelForecaster, type BacktestResult } from "../train/backtest.js";
import { optionalAutoArima, optionalSarima } from "../train/arima.js";
import { holtWintersForecaster, seasonalNaiveForecaster, type Forecaster } from "../train/baselines.js";
import type { Model } from "../model/model.js";
import { forecastErrors, majorityAccuracy, seasonalNaive, unigramPerplexity } from "../train/baselines.js";
import { evaluate } from "../train/evaluate.js";
import { predictSet } from "../train/predict.js";
import { kindOf } from "./data.js";
import { OptionError } from "../errors/index.js";
import { UserError } from "./errors.js";

export interface Assessment {
  readonly split: string;
  readonly metric: string;          // e.g. "RMSE"
  readonly value: number;
  readonly baselineName: string;
  readonly baseline: number;
  readonly lowerIsBetter: boolean;
  readonly extra: Readonly<Record<string, number>>;
  readonly unit: string;
  /** A forecast of several target columns: each column's figure and its baseline's (the pooled value mixes their units). */
  readonly columns?: { readonly names: readonly string[]; readonly value: readonly number[]; readonly baseline: readonly number[] };
}

export function splitOf(d: Dataset, name: string): SequenceSet {
  const s = name === "train" ? d.train : name === "validation" ? d.validation : name === "test" ? d.test : undefined;
  if (!s) {
    const have = ["train", ...(d.validation ? ["validation"] : []), ...(d.test ? ["test"] : [])];
    throw new UserError(`--split ${name}: the data set "${d.name}" has no ${name} part; its parts are ${have.join(", ")}`);
  }
  return s;
}

/** The part a result is reported on: test, else validation, else train (as `gated train` does). */
export function defaultSplit(d: Dataset): string {
  return d.test ? "test" : d.validation ? "validation" : "train";
}

export function assess(model: Model, d: Dataset, split: string): Assessment {
  const set = splitOf(d, split);
  const kind = kindOf(d);
  const m = evaluate(model, set);
  if (kind === "forecast") {
    const sr = d.series!, norm = model.spec.data?.normalisation ?? d.normalisation;
    // a distribution head's point forecast (mean or median), in the model's units as predictSet's
    const pred = model.spec.task.distribution ? model.predict({ data: set.x, shape: [set.count, set.steps, set.features] }, { units: "model" }).data : predictSet(model, set);
    const ours = forecastErrors(pred, set, norm, sr.targetColumns);
    const naive = forecastErrors(seasonalNaive(set, sr.targetColumns, sr.horizon, sr.season), set, norm, sr.targetColumns);
    const intervals = m.coverage95 !== undefined ? { "coverage 80%": m.coverage80!, "coverage 95%": m.coverage95 } : {};
    const several = sr.targetColumns.length > 1;
    return {
      split, metric: "RMSE", value: ours.rmse, baselineName: sr.season ? `seasonal naive (season ${sr.season})` : "persistence",
      baseline: naive.rmse, lowerIsBetter: true, extra: { MAE: ours.mae, "baseline MAE": naive.mae, loss: m.loss, ...intervals },
      // a single column's name is its unit; pooled columns have none in common
      unit: several ? "" : sr.columns[sr.targetColumns[0]!] ?? "",
      ...(several ? { columns: { names: sr.targetColumns.map((c) => sr.columns[c] ?? `column ${c}`), value: ours.columns.rmse, baseline: naive.columns.rmse } } : {}),
    };
  }
  if (kind === "text") {
    return {
      split, metric: "perplexity", value: m.perplexity!, baselineName: "unigram", baseline: unigramPerplexity(d.train, set),
      lowerIsBetter: true, extra: { accuracy: m.accuracy!, loss: m.loss }, unit: "",
    };
  }
  if (kind === "ctc") {
    return {
      split, metric: "PER", value: m.per!, baselineName: "empty output", baseline: 1, lowerIsBetter: true, extra: { loss: m.loss }, unit: "",
    };
  }
  if (kind === "classification") {
    return {
      split, metric: "accuracy", value: m.accuracy!, baselineName: "majority class", baseline: majorityAccuracy(d.train, set),
      lowerIsBetter: false, extra: { loss: m.loss }, unit: "",
    };
  }
  return { split, metric: "MSE", value: m.loss, baselineName: "training mean", baseline: meanBaselineMse(d.train, set), lowerIsBetter: true, extra: { MAE: m.mae!, RMSE: m.rmse! }, unit: "" };
}

/** Regression without a series: the MSE of always predicting the mean training target (per output). */
function meanBaselineMse(train: SequenceSet, set: SequenceSet): number {
  const O = train.outputs;
  const each = (s: SequenceSet, f: (o: number, v: number) => void) => {
    const y = s.y as Float32Array, T = s.perStep ? s.steps : 1;
    for (let i = 0; i < s.count; i++) {
      const n = s.perStep ? (s.lengths?.[i] ?? T) : 1;
      for (let t = 0; t < n; t++) for (let o = 0; o < O; o++) f(o, y[(i * T + t) * O + o]!);
    }
  };
  const sum = new Float64Array(O), count = new Float64Array(O);
  each(train, (o, v) => { sum[o]! += v; count[o]! += 1; });
  let se = 0, n = 0;
  each(set, (o, v) => { se += (v - sum[o]! / count[o]!) ** 2; n++; });
  return n > 0 ? se / n : NaN;
}

/**
 * The classical forecasters of a series: seasonal naive (or persistence), Holt-Winters where it has
 * a season, and SARIMA(1,1,1)(0,1,1,s) (ARIMA(1,1,1) without a season) when the optional package
 * `arima` is installed; with `autoArima` also its auto-(S)ARIMA (an order search per fit: slow).
 */
export async function classicalForecasters(season: number | undefined, autoArima = false): Promise<Forecaster[]> {
  const arima = await optionalSarima(season ?? 1), auto = autoArima ? await optionalAutoArima(season ?? 1) : null;
  return [seasonalNaiveForecaster(season ?? 1), ...(season && season >= 2 ? [holtWintersForecaster(season)] : []), ...(arima ? [arima] : []), ...(auto ? [auto] : [])];
}

/**
 * The classical forecasters' RMSE on the windows of a split, in the data's units, as the cells are
 * scored: each is fitted once on the rows before the first window's origin, then forecasts every
 * window from all rows before its origin (the first target column).
 */
export async function baselineScores(d: Dataset, split: string, autoArima = false): Promise<{ name: string; value: number }[]> {
  const sr = d.series;
  if (!sr) throw new UserError(`--baselines: the data set "${d.name}" is not a series; baselines are for forecasting data`);
  const [start, end] = split === "test" ? [sr.testStart, sr.length] : split === "validation" ? [sr.validationStart, sr.testStart] : [0, sr.validationStart];
  const { first, count } = windowsEndingIn(start, end, sr.window, sr.horizon), F = sr.features;
  // every target column, each forecast by its own fit, the squared errors pooled: the same RMSE over
  // all targets as the models' (a multi-column set scored on its first column alone misleads)
  const names = (await classicalForecasters(sr.season, autoArima)).map((f) => f.name);
  return Promise.all(names.map(async (name, k) => {
    let sq = 0, n = 0;
    for (const c of sr.targetColumns) {
      const f = (await classicalForecasters(sr.season, autoArima))[k]!;
      const rows = (m: number) => ({ values: sr.values.subarray(0, m * F), features: F, target: c });
      try {
        f.fit(rows(first + sr.window));
        for (let w = 0; w < count; w++) {
          const origin = first + w + sr.window, fc = f.forecast(rows(origin), sr.horizon);
          for (let h = 0; h < sr.horizon; h++) { sq += (fc.mean[h]! - sr.values[(origin + h) * F + c]!) ** 2; n++; }
        }
      } catch (e) {
        // a fit that failed on one column has no score: shown as "—" with the reason, never a number
        if (e instanceof OptionError) { process.stderr.write(`gated: warning: ${e.message} (column ${sr.columns?.[c] ?? c})\n`); return { name, value: NaN }; }
        throw e;
      }
    }
    return { name, value: Math.sqrt(sq / n) };
  }));
}

/**
 * `eval --backtest N`: N rolling origins at the end of the series, horizon the model's; the model
 * (never refitted) beside the classical forecasters (refitted every fold, expanding window). The
 * folds must lie after the model's training rows.
 */
export async function backtestSeries(model: Model, d: Dataset, folds: number, autoArima = false): Promise<BacktestResult[]> {
  const sr = d.series;
  if (!sr) throw new UserError(`--backtest: the data set "${d.name}" is not a series; backtesting is for forecasting data`);
  const series = { values: sr.values, features: sr.features, target: sr.targetColumns[0]! };
  const o = { folds, horizon: sr.horizon, season: sr.season ?? 1 };
  const firstOrigin = sr.length - sr.horizon * folds;
  if (firstOrigin < sr.validationStart) {
    throw new UserError(`--backtest ${folds}: ${folds} fold(s) of ${sr.horizon} step(s) start at row ${firstOrigin}, inside the model's training rows (0..${sr.validationStart - 1}); use at most ${Math.floor((sr.length - sr.validationStart) / sr.horizon)} folds`);
  }
  return [
    backtest(series, modelForecaster(model, "model", sr.covariates?.table), { ...o, refit: "first-fold" }),
    ...(await classicalForecasters(sr.season, autoArima)).map((f) => backtest(series, f, { ...o, refit: "every-fold" })),
  ];
}

export function describeBacktest(results: readonly BacktestResult[], unit: string): string {
  const r0 = results[0]!, n = (v: number) => (Number.isNaN(v) ? "—" : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));
  const pct = (v: number) => (Number.isNaN(v) ? "—" : `${Math.round(100 * v)}%`);
  const lines = [`backtest: ${r0.folds.length} rolling origin(s), horizon ${r0.folds[0]!.fold.testEnd - r0.folds[0]!.fold.testStart}, expanding window${unit ? ` (${unit})` : ""}`];
  for (const r of results) {
    lines.push(`  ${r.name}`);
    for (const f of r.folds) {
      lines.push(`    fold ${f.fold.index + 1}  train [0, ${f.fold.trainEnd})  test [${f.fold.testStart}, ${f.fold.testEnd})  RMSE ${n(f.rmse)}  MAE ${n(f.mae)}  MASE ${n(f.mase)}  cover80 ${pct(f.coverage80)}  cover95 ${pct(f.coverage95)}  pinball ${n(f.pinball)}  CRPS ${n(f.crps)}`);
    }
    lines.push(`    mean ± sd  RMSE ${n(r.mean.rmse)} ± ${n(r.std.rmse)}  MAE ${n(r.mean.mae)} ± ${n(r.std.mae)}  MASE ${n(r.mean.mase)} ± ${n(r.std.mase)}  cover80 ${pct(r.mean.coverage80)}  cover95 ${pct(r.mean.coverage95)}  pinball ${n(r.mean.pinball)}  CRPS ${n(r.mean.crps)}`);
  }
  return lines.join("\n");
}

export function describeAssessment(a: Assessment): string {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3));
  const unit = a.unit ? ` ${a.unit}` : "";
  if (!Number.isFinite(a.baseline)) return `${a.split} ${a.metric} ${fmt(a.value)}${unit}`;
  const better = a.lowerIsBetter ? a.value < a.baseline : a.value > a.baseline;
  const ratio = a.lowerIsBetter ? a.baseline / a.value : a.value / a.baseline;
  const pooled = a.columns ? ` (${a.columns.names.length} columns pooled)` : "";
  const line = `${a.split} ${a.metric}${pooled} ${fmt(a.value)}${unit} vs ${a.baselineName} ${fmt(a.baseline)}${unit}: ${better ? `${ratio.toFixed(2)}× better` : "NOT better than the baseline"}`;
  if (!a.columns) return line;
  const cols = a.columns.names.map((n, i) => `${n} ${fmt(a.columns!.value[i]!)} (${fmt(a.columns!.baseline[i]!)})`).join(", ");
  return `${line}\n  ${a.split} RMSE per column (${a.baselineName} in brackets): ${cols}`;
}
