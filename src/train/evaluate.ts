/**
 * Metrics of a model on a set: the loss, and accuracy (classes), perplexity (cross-entropy),
 * MAE and RMSE (regression, in the units the model sees, i.e. normalised). A distribution head's
 * model (model/distribution.ts) trains its distribution loss; MAE and RMSE are then those of its
 * point forecast (mean or median), and evaluate adds the coverage of its 80% and 95% intervals,
 * the pinball loss and the CRPS (normalised units too). A ctc model's loss is per label
 * (losses.ts) and `per` is its label error rate: Σ edit distance of the greedy decoding to the
 * labels / Σ labels (the phoneme error rate on phoneme labels).
 */
import type { SequenceSet } from "../data/types.js";
import { OptionError, show } from "../errors/index.js";
import type { Model } from "../model/model.js";
import { checkModel, checkSet } from "./check-set.js";
import { Rng } from "../util/random.js";
import { gatherBatch } from "./batches.js";
import { computeDistributionLoss, computeLoss, type LossInput, type LossResult } from "./losses.js";
import { addScores, emptyScores, parameterCount, type ScoreSums } from "../model/distribution.js";

export interface Metrics {
  readonly loss: number;
  readonly count: number;
  readonly accuracy?: number;
  readonly perplexity?: number;
  readonly mae?: number;
  readonly rmse?: number;
  /** A distribution head's: the fraction of targets inside the 80% and 95% intervals, mean pinball loss, mean CRPS. */
  readonly coverage80?: number;
  readonly coverage95?: number;
  readonly pinball?: number;
  readonly crps?: number;
  /** A ctc model's label error rate by greedy decoding (phoneme error rate, PER). */
  readonly per?: number;
}

/** The task's loss: the distribution's when the model has a head, else task.loss. */
export function taskLoss(model: Model, a: LossInput, dy: LossInput["y"] | null): LossResult {
  const d = model.spec.task.distribution;
  return d ? computeDistributionLoss(d, a, dy) : computeLoss(model.spec.task.loss, a, dy);
}

/** Adds the interval scores of outputs [T, B, K·P] against targets [T, B, K] at the counted positions. */
function addBatchScores(s: ScoreSums, model: Model, a: LossInput): void {
  const d = model.spec.task.distribution!, P = parameterCount(d), K = a.O / P;
  for (let t = 0; t < a.T; t++) {
    for (let b = 0; b < a.B; b++) {
      if (a.lengths && t >= a.lengths[b]!) continue;
      const p = t * a.B + b;
      for (let k = 0; k < K; k++) addScores(s, d, a.y, p * a.O + k * P, a.target[p * K + k]!);
    }
  }
}

/** Accumulates loss results of several batches into metrics. */
export class MetricSum {
  private loss = 0;
  private count = 0;
  private correct = 0;
  private abs = 0;
  private sq = 0;

  constructor(private readonly model: Model) {}

  /** ctc has no values: its edit and label sums take the slots of Σ|d| and Σd² (checkpoints keep five sums). */
  add(r: LossResult): void {
    this.loss += r.loss * r.count;
    this.count += r.count;
    this.correct += r.correct;
    this.abs += r.edits ?? r.absSum;
    this.sq += r.labels ?? r.sqSum;
  }

  /** The accumulators, for checkpoints. */
  save(): number[] {
    return [this.loss, this.count, this.correct, this.abs, this.sq];
  }

  load(v: readonly number[]): void {
    [this.loss, this.count, this.correct, this.abs, this.sq] = v as [number, number, number, number, number];
  }

  result(): Metrics {
    const { task } = this.model.spec;
    const n = Math.max(1, this.count), loss = this.loss / n;
    if (task.loss.name === "cross-entropy") return { loss, count: this.count, accuracy: this.correct / n, perplexity: Math.exp(loss) };
    if (task.loss.name === "ctc") return { loss, count: this.count, per: this.sq > 0 ? this.abs / this.sq : this.abs > 0 ? Infinity : 0 };
    const values = n * task.outputs;
    if (task.loss.name === "binary-cross-entropy") return { loss, count: this.count, accuracy: this.correct / values, mae: this.abs / values, rmse: Math.sqrt(this.sq / values) };
    return { loss, count: this.count, mae: this.abs / values, rmse: Math.sqrt(this.sq / values) };
  }
}

export function evaluate(model: Model, set: SequenceSet, batchSize = 256): Metrics {
  checkModel("evaluate", model);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new OptionError(`evaluate: batchSize must be a positive integer, got ${show(batchSize)}`);
  checkSet("evaluate: data", model, set);
  const net = model.net, k = net.kernels, ctx = net.context(false, new Rng(0));
  const sum = new MetricSum(model), dist = model.spec.task.distribution, scores = emptyScores();
  const rows = Int32Array.from({ length: set.count }, (_, i) => i);
  net.setCarry(false);
  for (let at = 0; at < set.count; at += batchSize) {
    const b = gatherBatch(k, set, rows.subarray(at, Math.min(set.count, at + batchSize)));
    const out = net.forward(b.input, ctx);
    const a: LossInput = { y: out.data, T: out.T, B: out.B, O: out.F, target: b.target, lengths: model.spec.task.perStep ? b.lengths : null, labelLengths: b.labelLengths };
    sum.add(taskLoss(model, a, null));
    if (dist) addBatchScores(scores, model, a);
  }
  const m = sum.result(), n = Math.max(1, scores.n);
  return dist ? { ...m, coverage80: scores.inside80 / n, coverage95: scores.inside95 / n, pinball: scores.pinball / n, crps: scores.crps / n } : m;
}
