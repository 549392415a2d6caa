/**
 * Known-future covariates when forecasting with a model trained on them (data/covariates.ts): the
 * model file names them (data.covariates); forecast computes the same values from the history's
 * dates, continued past its end at the model's frequency, or takes a ready table.
 *
 * Shape legend: L history rows, F normalised columns, K covariate values per row, H horizon,
 * W window; a table is [rows, K] with row 0 = the history's row 0.
 */
import { covariateTable, covariateWidth, inferFrequency, writeKnown } from "../data/covariates.js";
import { OptionError, show } from "../errors/index.js";
import type { Model } from "./model.js";

/** What forecast takes for a model with covariates: the history's dates (and holiday values), or the table itself. */
export interface KnownOptions {
  /** ISO date of every history row (YYYY-MM-DD, or YYYY-MM for months), oldest first. */
  readonly dates?: readonly string[];
  /** holiday:<column> values by column, for the history rows and then the rows forecast. */
  readonly holidays?: Readonly<Record<string, ArrayLike<number>>>;
  /** Or the covariate table [rows, K] (covariateTable) whose row 0 is the history's row 0. */
  readonly known?: ArrayLike<number>;
}

/** The covariate table for forecasting `steps` rows after L history rows, or undefined when the model uses none. */
export function knownFor(model: Model, L: number, steps: number, o: KnownOptions): ArrayLike<number> | undefined {
  const info = model.spec.data?.covariates, H = model.spec.data?.horizon ?? 1;
  if (!info) {
    const given = (["dates", "holidays", "known"] as const).find((k) => o[k] !== undefined);
    if (given) throw new OptionError(`forecast: ${given}: the model was trained without covariates`);
    return undefined;
  }
  const K = covariateWidth(info.names), rows = L + H * Math.ceil(steps / H); // the last window reads rows up to L − 1 + H·⌈steps/H⌉
  if (o.known !== undefined) {
    if (o.known.length < rows * K) throw new OptionError(`forecast: known: expected a covariate table of at least ${rows} rows × ${K} values (${info.names.join(", ")}), got ${o.known.length} values`);
    return o.known;
  }
  if (!o.dates) throw new OptionError(`forecast: the model was trained with the covariates ${info.names.join(", ")} (${info.frequency}); give the dates of the history rows (the dates option)`);
  if (o.dates.length !== L) throw new OptionError(`forecast: dates: expected one date per history row (${L}), got ${show(o.dates.length)}`);
  const frequency = inferFrequency("forecast: dates", o.dates);
  if (frequency !== info.frequency) throw new OptionError(`forecast: dates: the model was trained on a ${info.frequency} series, the history's dates are ${frequency}`);
  return covariateTable(info, o.dates[0]!, rows, o.holidays ?? {});
}

/** Rows [first, first+W) of x [W, F] (normalised) followed, each, by the covariates of the H rows after it: [W, F + H·K]. */
export function withKnown(x: ArrayLike<number>, W: number, F: number, first: number, table: ArrayLike<number>, K: number, H: number): Float64Array {
  const X = F + H * K, out = new Float64Array(W * X);
  for (let t = 0; t < W; t++) {
    for (let f = 0; f < F; f++) out[t * X + f] = x[t * F + f]!;
    writeKnown(out, t * X + F, table, K, first + t, H);
  }
  return out;
}
