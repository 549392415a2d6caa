/**
 * Metrics of a model on a set: the loss, and accuracy (classes), perplexity (cross-entropy),
 * MAE and RMSE (regression, in the units the model sees, i.e. normalised).
 */
import type { SequenceSet } from "../data/types.js";
import { OptionError, show } from "../errors/index.js";
import type { Model } from "../model/model.js";
import { checkModel, checkSet } from "./check-set.js";
import { Rng } from "../util/random.js";
import { gatherBatch } from "./batches.js";
import { computeLoss, type LossResult } from "./losses.js";

export interface Metrics {
  readonly loss: number;
  readonly count: number;
  readonly accuracy?: number;
  readonly perplexity?: number;
  readonly mae?: number;
  readonly rmse?: number;
}

/** Accumulates loss results of several batches into metrics. */
export class MetricSum {
  private loss = 0;
  private count = 0;
  private correct = 0;
  private abs = 0;
  private sq = 0;

  constructor(private readonly model: Model) {}

  add(r: LossResult): void {
    this.loss += r.loss * r.count;
    this.count += r.count;
    this.correct += r.correct;
    this.abs += r.absSum;
    this.sq += r.sqSum;
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
  const sum = new MetricSum(model);
  const rows = Int32Array.from({ length: set.count }, (_, i) => i);
  net.setCarry(false);
  for (let at = 0; at < set.count; at += batchSize) {
    const b = gatherBatch(k, set, rows.subarray(at, Math.min(set.count, at + batchSize)));
    const out = net.forward(b.input, ctx);
    sum.add(computeLoss(model.spec.task.loss, { y: out.data, T: out.T, B: out.B, O: out.F, target: b.target, lengths: model.spec.task.perStep ? b.lengths : null }, null));
  }
  return sum.result();
}
