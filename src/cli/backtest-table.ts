/**
 * `gated compare --backtest N`: every trained cell and every classical forecaster scored over the
 * same N rolling origins at the end of a series (train/backtest.ts), one table of point metrics
 * (RMSE, MAE, MASE) and interval metrics (80%/95% coverage, pinball, CRPS), each the mean ± the
 * sample standard deviation over the folds.
 *
 * The folds: origins L − H·N, L − H·(N−1), …, L − H (H the models' horizon), each forecasting the
 * next H rows; a data set with several target columns gets one table per column (its own MASE
 * scale, its own baseline fits). A cell is trained once on the data's training part and
 * never refitted (its folds must lie after its training rows); the classical forecasters are refitted
 * on every fold's whole past (expanding window). A forecaster without intervals (a cell without a
 * distribution head) shows "—" for them, never a number.
 */
import type { Dataset } from "../data/types.js";
import type { Model } from "../model/model.js";
import { OptionError } from "../errors/index.js";
import { backtest, modelForecaster, SCORES, type BacktestOptions, type BacktestResult, type ScoreName } from "../train/backtest.js";
import type { SeriesRows } from "../train/baselines.js";
import { classicalForecasters } from "./assess.js";
import { UserError } from "./errors.js";

/** One target column's backtest: the series rows, the column's name and the fold options. */
export interface BacktestPlan { readonly series: SeriesRows; readonly column: string; readonly options: BacktestOptions; readonly known?: ArrayLike<number> }
type Plan = BacktestPlan;

/** The plans of `--backtest folds` on `d`, one per target column; a UserError when the folds reach into the training rows. */
export function backtestPlans(d: Dataset, folds: number): Plan[] {
  const sr = d.series;
  if (!sr) throw new UserError(`--backtest: the data set "${d.name}" is not a series; backtesting is for forecasting data`);
  if (!(Number.isSafeInteger(folds) && folds >= 1)) throw new UserError(`--backtest: expected a positive integer number of folds, got ${folds}`);
  const firstOrigin = sr.length - sr.horizon * folds;
  if (firstOrigin < sr.validationStart) {
    throw new UserError(`--backtest ${folds}: ${folds} fold(s) of ${sr.horizon} step(s) start at row ${firstOrigin}, inside the training rows (0..${sr.validationStart - 1}); use at most ${Math.floor((sr.length - sr.validationStart) / sr.horizon)} folds (or a shorter --horizon)`);
  }
  return sr.targetColumns.map((target) => ({
    series: { values: sr.values, features: sr.features, target }, column: sr.columns[target] ?? `column ${target}`,
    options: { folds, horizon: sr.horizon, season: sr.season ?? 1 },
    ...(sr.covariates ? { known: sr.covariates.table } : {}),
  }));
}

/** A trained model over the plan's folds (never refitted). */
export function backtestModel(model: Model, plan: Plan, name: string): BacktestResult {
  return backtest(plan.series, modelForecaster(model, name, plan.known), { ...plan.options, refit: "first-fold" });
}

/** The classical forecasters over the plan's folds, each refitted on every fold. */
export async function backtestBaselines(d: Dataset, plan: Plan, autoArima = false): Promise<BacktestResult[]> {
  return (await classicalForecasters(d.series!.season, autoArima)).map((f) => {
    try {
      return backtest(plan.series, f, { ...plan.options, refit: "every-fold" });
    } catch (e) {
      // a fit that failed on some fold has no score: a row that says so, never a number
      if (!(e instanceof OptionError)) throw e;
      process.stderr.write(`gated: warning: ${e.message} (column ${plan.column}; its backtest row shows "fit failed")\n`);
      const none = Object.fromEntries(SCORES.map((k) => [k, NaN])) as Record<ScoreName, number>;
      return { name: `${f.name} (fit failed)`, folds: [], mean: none, std: none };
    }
  });
}

const COLUMNS: readonly [ScoreName, string][] = [["rmse", "RMSE"], ["mae", "MAE"], ["mase", "MASE"], ["coverage80", "cover 80%"], ["coverage95", "cover 95%"], ["pinball", "pinball"], ["crps", "CRPS"]];

/** The table: one row per forecaster, each metric "mean ± sd" over the folds ("—": the forecaster gives no interval). */
export function backtestTable(d: Dataset, plan: Plan, results: readonly BacktestResult[]): string {
  const sr = d.series!, N = Math.max(...results.map((r) => r.folds.length)), H = sr.horizon;
  // the spread with the mean's decimals: 1 from 100 on, 3 from 1 on, 3 significant digits below
  const decimals = (m: number) => (Math.abs(m) >= 100 ? 1 : Math.abs(m) >= 1 || m === 0 ? 3 : Math.min(8, 2 - Math.floor(Math.log10(Math.abs(m)))));
  const cell = (r: BacktestResult, k: ScoreName) => {
    const m = r.mean[k], s = r.std[k];
    if (Number.isNaN(m)) return "—";
    return k.startsWith("coverage") ? `${(100 * m).toFixed(0)}% ± ${(100 * s).toFixed(0)}` : `${m.toFixed(decimals(m))} ± ${s.toFixed(decimals(m))}`;
  };
  const head = ["forecaster", ...COLUMNS.map(([, h]) => h)];
  const body = results.map((r) => [r.name, ...COLUMNS.map(([k]) => cell(r, k))]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
  return [
    `backtest on ${d.name}: ${N} rolling origin(s) at the end of the series, horizon ${H}, column ${plan.column}; mean ± sd over the folds`,
    line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line),
    "(— : no interval: a cell without --distribution gives point forecasts only. Pinball: mean over the levels 2.5, 10, 50, 90, 97.5%.",
    " CRPS: closed form for Gaussian forecasts (the baselines' intervals, a Gaussian head); from those five quantiles for a Student-t or quantile head)", "",
  ].join("\n");
}
