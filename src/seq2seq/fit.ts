/**
 * Training an encoder–decoder with teacher forcing: shuffled mini-batches, masked cross-entropy
 * (label smoothing as an option), global-norm clipping, one of train/optimizers.ts's optimisers.
 *
 * Scheduled sampling (Bengio et al. 2015) in its parallel form (Duckworth et al. 2019): with
 * probability p each decoder input y_{t−1} (t ≥ 2) is replaced by the model's own greedy prediction
 * from a teacher-forced pass without gradients; the gradient then flows through the mixed inputs
 * as usual (none through the choice, as in the original).
 */
import { OptionError, show } from "../errors/index.js";
import { Optimizer, clipByGlobalNorm, type OptimizerOptions } from "../train/optimizers.js";
import { Rng } from "../util/random.js";
import { makeBatch, type Seq2seqBatch, type Seq2seqPair } from "./batch.js";
import { lossAndGradient } from "./backward.js";
import type { Seq2seq } from "./model.js";

export interface FitSeq2seqOptions {
  readonly bos: number;
  readonly eos: number;
  readonly epochs?: number;            // default 10
  readonly batchSize?: number;         // default 32
  readonly optimizer?: OptimizerOptions; // default adam, lr 0.003
  readonly clipNorm?: number;          // default 5
  readonly labelSmoothing?: number;    // default 0
  /** Scheduled sampling probability p in [0, 1) (default 0: pure teacher forcing). */
  readonly samplingProbability?: number;
  readonly seed?: number;
  /** Stop after the batch that crosses this many seconds. */
  readonly timeLimitSeconds?: number;
  readonly onEpoch?: (epoch: number, meanLoss: number) => void;
}

export interface FitSeq2seqResult {
  readonly epochs: number;
  readonly steps: number;
  readonly losses: readonly number[];
  readonly seconds: number;
}

/** Decoder inputs with each y_{t−1} (t ≥ 2, valid positions) replaced by the model's guess with probability p. */
function scheduledInputs(m: Seq2seq, batch: Seq2seqBatch, p: number, rng: Rng): Int32Array {
  const { logits } = m.forward(batch, false);
  const { T, B } = batch, V = m.output.outputFeatures, ids = batch.targetIn.slice();
  for (let t = 1; t < T; t++) for (let b = 0; b < B; b++) {
    if (t >= batch.targetLengths[b]! || rng.uniform() >= p) continue;
    const o = ((t - 1) * B + b) * V;
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[o + v]! > logits[o + best]!) best = v;
    ids[t * B + b] = best;
  }
  return ids;
}

export function fitSeq2seq(m: Seq2seq, pairs: readonly Seq2seqPair[], o: FitSeq2seqOptions): FitSeq2seqResult {
  const where = "fitSeq2seq";
  const epochs = o.epochs ?? 10, batchSize = o.batchSize ?? 32, clip = o.clipNorm ?? 5, smoothing = o.labelSmoothing ?? 0, p = o.samplingProbability ?? 0;
  if (!(Number.isSafeInteger(epochs) && epochs >= 1)) throw new OptionError(`${where}: epochs must be a positive integer, got ${show(epochs)}`);
  if (!(Number.isSafeInteger(batchSize) && batchSize >= 1)) throw new OptionError(`${where}: batchSize must be a positive integer, got ${show(batchSize)}`);
  if (!(smoothing >= 0 && smoothing < 1)) throw new OptionError(`${where}: labelSmoothing must be in [0, 1), got ${show(smoothing)}`);
  if (!(p >= 0 && p < 1)) throw new OptionError(`${where}: samplingProbability must be in [0, 1), got ${show(p)}`);
  if (pairs.length === 0) throw new OptionError(`${where}: expected at least one training pair, got none`);
  const opt = new Optimizer(m.paramCount, o.optimizer ?? { kind: "adam", lr: 0.003 });
  const rng = new Rng(o.seed ?? 0), start = performance.now(), order = Array.from(pairs.keys()), losses: number[] = [];
  let steps = 0, epoch = 0, out = false;
  for (; epoch < epochs && !out; epoch++) {
    for (let i = order.length - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
    let sum = 0, n = 0;
    for (let s = 0; s < order.length; s += batchSize) {
      const batch = makeBatch(order.slice(s, s + batchSize).map((i) => pairs[i]!), o.bos, o.eos);
      const decoderIds = p > 0 ? scheduledInputs(m, batch, p, rng) : batch.targetIn;
      sum += lossAndGradient(m, batch, { labelSmoothing: smoothing, decoderIds });
      n++;
      clipByGlobalNorm(m.grads, m.mask, clip);
      opt.step(m.params, m.grads, m.mask);
      m.markChanged();
      steps++;
      if (o.timeLimitSeconds !== undefined && (performance.now() - start) / 1000 > o.timeLimitSeconds) { out = true; break; }
    }
    losses.push(sum / n);
    o.onEpoch?.(epoch, sum / n);
  }
  return { epochs: epoch, steps, losses, seconds: (performance.now() - start) / 1000 };
}
