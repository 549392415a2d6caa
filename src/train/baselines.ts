/**
 * Naive baselines a trained model must beat, and forecast errors in the data's own units.
 *
 * - Forecasting, seasonal naive: the value one season earlier, ŷ[r] = y[r − m] (m = season); with
 *   no season, persistence ŷ[r] = the window's last value. Read from the window itself, so it
 *   needs m ≤ window (and horizon ≤ m).
 * - Classification: always the most frequent training class.
 * - Next-token prediction: the training unigram distribution (its perplexity).
 *
 * Classical forecasters share one interface with trained models (Forecaster: fit on a history,
 * forecast the next steps with a standard deviation per step), so backtests and `gated compare
 * --baselines` treat them alike:
 * - seasonal naive: ŷ_{T+h} = y_{T+h−m(k+1)}, k = ⌊(h−1)/m⌋;  σ_h = σ̂·√(k+1), σ̂ the RMS of its
 *   in-sample one-season-ago errors (Hyndman & Athanasopoulos, FPP3 §5.5); m = 1 is persistence;
 * - Holt-Winters additive (holt-winters.ts), fitted by least squares, its ETS(A,A,A) variance.
 */
import type { Normalisation, SequenceSet } from "../data/types.js";
import { OptionError } from "../errors/index.js";
import { fitHoltWinters, holtWintersFilter, holtWintersForecast, type HoltWintersFit } from "./holt-winters.js";

export interface ForecastErrors {
  /** Over every target column together (in each column's own units). */
  readonly rmse: number;
  readonly mae: number;
  /** Per target column, in targetColumns' order. */
  readonly columns: { readonly rmse: readonly number[]; readonly mae: readonly number[] };
}

/** Seasonal-naive (or persistence) forecasts of a windowed set, normalised like the set: [S, H·C]. */
export function seasonalNaive(set: SequenceSet, targetColumns: readonly number[], horizon: number, season: number | undefined): Float32Array {
  const W = set.steps, F = set.features, C = targetColumns.length, O = horizon * C;
  const m = season ?? 0;
  if (m > 0 && (m > W || horizon > m)) throw new OptionError(`baseline: a season of ${m} needs window ≥ ${m} and horizon ≤ ${m} (window ${W}, horizon ${horizon})`);
  const x = set.x as Float32Array, out = new Float32Array(set.count * O);
  for (let s = 0; s < set.count; s++) {
    for (let h = 0; h < horizon; h++) {
      // target row W + h of the window's frame; one season earlier is W + h − m, inside the window
      const row = m > 0 ? W + h - m : W - 1;
      for (let c = 0; c < C; c++) out[s * O + h * C + c] = x[(s * W + row) * F + targetColumns[c]!]!;
    }
  }
  return out;
}

/** RMSE and MAE of predictions [S, H·C] against the set's targets, in original units. */
export function forecastErrors(pred: ArrayLike<number>, set: SequenceSet, norm: Normalisation | undefined, targetColumns: readonly number[]): ForecastErrors {
  const C = targetColumns.length, sqC = new Array<number>(C).fill(0), absC = new Array<number>(C).fill(0);
  let sq = 0, abs = 0;
  for (let i = 0; i < pred.length; i++) {
    const c = i % C, std = norm ? norm.std[targetColumns[c]!]! : 1;
    const d = (pred[i]! - set.y[i]!) * std;
    sq += d * d;
    abs += Math.abs(d);
    sqC[c] += d * d;
    absC[c] += Math.abs(d);
  }
  const per = pred.length / C;
  return { rmse: Math.sqrt(sq / pred.length), mae: abs / pred.length, columns: { rmse: sqC.map((v) => Math.sqrt(v / per)), mae: absC.map((v) => v / per) } };
}

/** Accuracy of always answering the most frequent class of `train`. */
export function majorityAccuracy(train: SequenceSet, test: SequenceSet): number {
  const counts = new Array<number>(train.outputs).fill(0);
  for (const c of train.y) counts[c]!++;
  const top = counts.indexOf(Math.max(...counts));
  let hit = 0;
  for (const c of test.y) if (c === top) hit++;
  return hit / test.y.length;
}

/** Perplexity of the training unigram distribution (add-one smoothed) on the test targets. */
export function unigramPerplexity(train: SequenceSet, test: SequenceSet): number {
  const V = train.outputs, counts = new Array<number>(V).fill(1);
  for (const c of train.y) counts[c]!++;
  const total = counts.reduce((a, b) => a + b, 0);
  let nll = 0;
  for (const c of test.y) nll -= Math.log(counts[c]! / total);
  return Math.exp(nll / test.y.length);
}

// ---- forecasters ---------------------------------------------------------------------------

/**
 * A forecast of one column: the mean and a standard deviation per step (Gaussian intervals), or,
 * from a distribution head, the point forecast with its own 80% and 95% intervals (sigma NaN).
 */
export interface PointForecast {
  readonly mean: Float64Array;          // [steps]
  readonly sigma: Float64Array;         // [steps]
  readonly intervals?: { readonly lower80: Float64Array; readonly upper80: Float64Array; readonly lower95: Float64Array; readonly upper95: Float64Array };
}

/** Rows [L, F] of a series in original units and the column forecast. */
export interface SeriesRows {
  readonly values: ArrayLike<number>;
  readonly features: number;
  readonly target: number;
}

export interface Forecaster {
  readonly name: string;
  /** Learn from the history (a trained model learns nothing here). */
  fit(history: SeriesRows): void;
  /** Forecast the `steps` values after the history, with what the last fit learned. */
  forecast(history: SeriesRows, steps: number): PointForecast;
}

/** The target column of rows, as float64. */
export function column(rows: SeriesRows): Float64Array {
  const n = rows.values.length / rows.features, out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rows.values[i * rows.features + rows.target]!;
  return out;
}

export function seasonalNaiveForecaster(season = 1): Forecaster {
  const m = Math.max(1, season);
  return {
    name: m > 1 ? `seasonal naive (season ${m})` : "persistence",
    fit: () => {},
    forecast(history, steps) {
      const y = column(history), n = y.length;
      if (n <= m) throw new OptionError(`${this.name}: needs more than ${m} values of history, got ${n}`);
      let sq = 0;
      for (let t = m; t < n; t++) sq += (y[t]! - y[t - m]!) ** 2;
      const s = Math.sqrt(sq / (n - m)), mean = new Float64Array(steps), sigma = new Float64Array(steps);
      for (let h = 1; h <= steps; h++) {
        const k = Math.floor((h - 1) / m);
        mean[h - 1] = y[n - 1 + h - m * (k + 1)]!;
        sigma[h - 1] = s * Math.sqrt(k + 1);
      }
      return { mean, sigma };
    },
  };
}

export function holtWintersForecaster(season: number): Forecaster {
  let fit: HoltWintersFit | null = null;
  return {
    name: `Holt-Winters additive (season ${season})`,
    fit(history) { fit = fitHoltWinters(column(history), season); },
    forecast(history, steps) {
      if (!fit) throw new OptionError(`${this.name}: forecast before fit; call fit(history) first`);
      // the fitted parameters and initial states, filtered through the history (which starts where the fit's did)
      const y = column(history), f = holtWintersFilter(y, season, fit);
      return holtWintersForecast({ ...fit, final: f, sigma2: fit.sigma2 }, steps);
    },
  };
}
