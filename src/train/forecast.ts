/**
 * Forecasting the future of a series with a trained model: the last `window` rows (in the model's
 * normalisation, relative to the last row when the model was trained that way) give the next
 * `horizon` rows; when the model reads only the columns it predicts, its forecasts are fed back
 * to go further.
 *
 * Shape legend: L rows of history, F features, C target columns, W window, H horizon.
 */
import { OptionError, ShapeError } from "../errors/index.js";
import type { Model } from "../model/model.js";
import { Rng } from "../util/random.js";
import { covariateWidth, writeKnown } from "../data/covariates.js";

/**
 * Forecast `steps` future rows of the target columns, in original units: [steps, C]. A model trained
 * with known-future covariates (data/covariates.ts) needs their table `known` [rows, K], row 0 = the
 * history's row 0 (model/forecast-known.ts makes it from dates).
 */
export function forecastSeries(model: Model, history: Float32Array, steps: number, known?: ArrayLike<number>): Float32Array {
  const d = model.spec.data ?? {};
  const { window: W, horizon: H, targetColumns: cols, normalisation: norm } = d;
  if (!W || !H || !cols || !norm) throw new OptionError("forecast: this model was not trained on a series (its file holds no window, horizon or normalisation)");
  const F = norm.mean.length, C = cols.length, L = history.length / F;
  if (!Number.isInteger(L) || L < W) throw new ShapeError(`forecast: the model reads windows of ${W} rows of ${F} values; the history has ${history.length / F} rows`);
  const feedsBack = C === F && cols.every((c, i) => c === i);
  if (steps > H && !feedsBack) throw new OptionError(`forecast: the model predicts ${H} step(s) and reads columns it does not predict, so it cannot forecast ${steps} steps`);
  const K = d.covariates ? covariateWidth(d.covariates.names) : 0, X = F + H * K;
  if (K > 0 && !known) throw new OptionError(`forecast: the model was trained with the covariates ${d.covariates!.names.join(", ")}; give the history's dates (model.forecast's dates option)`);
  const net = model.net, ctx = net.context(false, new Rng(0));
  // the working series in normalised units: history, then the forecasts as they come
  const series = new Float32Array((L + steps + H) * F);
  for (let i = 0; i < L * F; i++) series[i] = (history[i]! - norm.mean[i % F]!) / norm.std[i % F]!;
  const out = new Float32Array(steps * C);
  net.setCarry(false);
  for (let done = 0; done < steps; done += H) {
    const end = L + done, last = (end - 1) * F;
    const x = net.kernels.alloc(W * X);
    for (let t = 0; t < W; t++) {
      for (let f = 0; f < F; f++) x[t * X + f] = series[(end - W + t) * F + f]! - (d.relative ? series[last + f]! : 0);
      if (K > 0) writeKnown(x, t * X + F, known!, K, end - W + t, H);
    }
    const y = net.forward({ data: x, T: W, B: 1, F: X, lengths: null }, ctx).data; // [1, 1, H·C]
    for (let h = 0; h < H && done + h < steps; h++) {
      for (let c = 0; c < C; c++) {
        const v = y[h * C + c]! + (d.relative ? series[last + cols[c]!]! : 0);
        series[(end + h) * F + cols[c]!] = v;
        out[(done + h) * C + c] = v * norm.std[cols[c]!]! + norm.mean[cols[c]!]!;
      }
    }
  }
  return out;
}
