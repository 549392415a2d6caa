/**
 * Model outputs for a whole set, batch-major: [S, O] for one output per sequence, [S, T, O] per
 * step (logits for classes). Inference mode; rows are independent, so batching does not change them.
 */
import type { SequenceSet } from "../data/types.js";
import type { Model } from "../model/model.js";
import { Rng } from "../util/random.js";
import { gatherBatch } from "./batches.js";

export function predictSet(model: Model, set: SequenceSet, batchSize = 256): Float32Array {
  const net = model.net, ctx = net.context(false, new Rng(0));
  const O = model.spec.task.outputs, per = model.spec.task.perStep ? set.steps * O : O;
  const out = new Float32Array(set.count * per);
  const rows = Int32Array.from({ length: set.count }, (_, i) => i);
  net.setCarry(false);
  for (let at = 0; at < set.count; at += batchSize) {
    const r = rows.subarray(at, Math.min(set.count, at + batchSize));
    const y = net.forward(gatherBatch(net.kernels, set, r).input, ctx);
    const B = r.length;
    for (let t = 0; t < y.T; t++) {
      for (let b = 0; b < B; b++) out.set(y.data.subarray((t * B + b) * O, (t * B + b + 1) * O), (at + b) * per + t * O);
    }
  }
  return out;
}

/** Index of the largest value of each row of O values. */
export function argmaxRows(v: ArrayLike<number>, O: number): Int32Array {
  const n = v.length / O, out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < O; j++) if (v[i * O + j]! > v[i * O + best]!) best = j;
    out[i] = best;
  }
  return out;
}
