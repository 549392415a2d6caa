/**
 * How good a model is on a split, in the terms of its task, beside the naive baseline:
 * forecasting → RMSE and MAE in the data's units vs seasonal naive; classification → accuracy vs
 * the majority class; next-character → perplexity and accuracy vs the unigram model.
 */
import type { Dataset, SequenceSet } from "../data/types.js";
import type { Model } from "../model/model.js";
import { forecastErrors, majorityAccuracy, seasonalNaive, unigramPerplexity } from "../train/baselines.js";
import { evaluate } from "../train/evaluate.js";
import { predictSet } from "../train/predict.js";
import { kindOf } from "./data.js";
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
    const pred = predictSet(model, set);
    const ours = forecastErrors(pred, set, norm, sr.targetColumns);
    const naive = forecastErrors(seasonalNaive(set, sr.targetColumns, sr.horizon, sr.season), set, norm, sr.targetColumns);
    return {
      split, metric: "RMSE", value: ours.rmse, baselineName: sr.season ? `seasonal naive (season ${sr.season})` : "persistence",
      baseline: naive.rmse, lowerIsBetter: true, extra: { MAE: ours.mae, "baseline MAE": naive.mae, loss: m.loss }, unit: sr.columns[sr.targetColumns[0]!] ?? "",
    };
  }
  if (kind === "text") {
    return {
      split, metric: "perplexity", value: m.perplexity!, baselineName: "unigram", baseline: unigramPerplexity(d.train, set),
      lowerIsBetter: true, extra: { accuracy: m.accuracy!, loss: m.loss }, unit: "",
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

export function describeAssessment(a: Assessment): string {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3));
  const unit = a.unit ? ` ${a.unit}` : "";
  if (!Number.isFinite(a.baseline)) return `${a.split} ${a.metric} ${fmt(a.value)}${unit}`;
  const better = a.lowerIsBetter ? a.value < a.baseline : a.value > a.baseline;
  const ratio = a.lowerIsBetter ? a.baseline / a.value : a.value / a.baseline;
  return `${a.split} ${a.metric} ${fmt(a.value)}${unit} vs ${a.baselineName} ${fmt(a.baseline)}${unit}: ${better ? `${ratio.toFixed(2)}× better` : "NOT better than the baseline"}`;
}
