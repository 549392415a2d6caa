/**
 * Naive baselines a trained model must beat, and forecast errors in the data's own units.
 *
 * - Forecasting, seasonal naive: the value one season earlier, ŷ[r] = y[r − m] (m = season); with
 *   no season, persistence ŷ[r] = the window's last value. Read from the window itself, so it
 *   needs m ≤ window (and horizon ≤ m).
 * - Classification: always the most frequent training class.
 * - Next-token prediction: the training unigram distribution (its perplexity).
 */
import type { Normalisation, SequenceSet } from "../data/types.js";
import { OptionError } from "../errors/index.js";

export interface ForecastErrors {
  readonly rmse: number;
  readonly mae: number;
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
  const C = targetColumns.length;
  let sq = 0, abs = 0;
  for (let i = 0; i < pred.length; i++) {
    const std = norm ? norm.std[targetColumns[i % C]!]! : 1;
    const d = (pred[i]! - set.y[i]!) * std;
    sq += d * d;
    abs += Math.abs(d);
  }
  return { rmse: Math.sqrt(sq / pred.length), mae: abs / pred.length };
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
