/**
 * Losses and metrics over model outputs, mean over the counted positions.
 *
 * Shape legend: P positions (B rows for one target per sequence, T·B valid steps per step),
 * O outputs. Outputs arrive time-major [T, B, O] (T = 1 per sequence); targets time-major too:
 * regression values [T, B, O], class ids [T, B]. Positions past a row's length are not counted.
 *
 * | loss                  | per position                                   | targets           |
 * |-----------------------|------------------------------------------------|-------------------|
 * | mse                   | Σ_o (y − t)² / O                               | values            |
 * | mae                   | Σ_o |y − t| / O                                | values            |
 * | huber (δ)             | Σ_o (½d² if |d| ≤ δ else δ(|d| − ½δ)) / O     | values            |
 * | cross-entropy         | −log softmax(y)_t  (y are logits)              | class ids         |
 * | binary-cross-entropy  | Σ_o −t log σ(y) − (1 − t) log(1 − σ(y)) / O   | values in [0, 1]  |
 */
import { OptionError, ValueError, oneOf } from "../errors/index.js";
import { softplus } from "../kernels/activations.js";
import type { Vec } from "../kernels/types.js";

export type LossName = "mse" | "mae" | "huber" | "cross-entropy" | "binary-cross-entropy";
export const LOSSES: readonly LossName[] = ["mse", "mae", "huber", "cross-entropy", "binary-cross-entropy"];

export interface LossSpec {
  readonly name: LossName;
  /** Huber's δ (default 1). */
  readonly delta?: number;
}

export interface LossInput {
  readonly y: Vec;                       // outputs [T, B, O]
  readonly T: number;
  readonly B: number;
  readonly O: number;
  readonly target: Float32Array | Int32Array;
  readonly lengths: Int32Array | null;   // counted positions: t < lengths[b] (per-step losses)
}

export interface LossResult {
  /** Mean loss over the counted positions. */
  readonly loss: number;
  readonly count: number;
  /** Sums for metrics: correct predictions (classes), Σ|d| and Σd² over values (regression). */
  readonly correct: number;
  readonly absSum: number;
  readonly sqSum: number;
}

export function resolveLoss(where: string, spec: LossSpec | LossName): Required<LossSpec> {
  const s = typeof spec === "string" ? { name: spec } : spec;
  const name = oneOf(where, "loss", s.name, LOSSES);
  const delta = s.delta ?? 1;
  if (!(delta > 0)) throw new OptionError(`${where}: huber delta must be positive, got ${delta}`);
  return { name, delta };
}

/**
 * Computes the loss and, when `dy` is given, writes dL/dy into it (zero at uncounted positions).
 */
export function computeLoss(spec: Required<LossSpec>, a: LossInput, dy: Vec | null): LossResult {
  const { y, T, B, O, target, lengths } = a;
  let count = 0;
  for (let b = 0; b < B; b++) count += lengths ? Math.min(lengths[b]!, T) : T;
  if (dy) dy.fill(0);
  let total = 0, correct = 0, absSum = 0, sqSum = 0;
  if (count === 0) return { loss: 0, count, correct, absSum, sqSum };
  const isClass = spec.name === "cross-entropy";
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      if (lengths && t >= lengths[b]!) continue;
      const p = t * B + b, o = p * O;
      if (isClass) {
        const cls = target[p]!;
        if (!(cls >= 0 && cls < O)) throw new ValueError(`loss: class id ${cls} at step ${t}, row ${b} is outside 0..${O - 1}`);
        // softmax cross-entropy: L = logΣe^y − y_t; dL/dy = softmax(y) − onehot(t)
        let m = -Infinity, arg = 0;
        for (let j = 0; j < O; j++) if (y[o + j]! > m) { m = y[o + j]!; arg = j; }
        let s = 0;
        for (let j = 0; j < O; j++) s += Math.exp(y[o + j]! - m);
        const lse = m + Math.log(s);
        total += lse - y[o + cls]!;
        if (arg === cls) correct++;
        if (dy) for (let j = 0; j < O; j++) dy[o + j] = (Math.exp(y[o + j]! - lse) - (j === cls ? 1 : 0)) / count;
        continue;
      }
      for (let j = 0; j < O; j++) {
        const v = y[o + j]!, tv = target[o + j]!, d = v - tv;
        absSum += Math.abs(d);
        sqSum += d * d;
        let l: number, g: number;
        switch (spec.name) {
          case "mse": l = d * d; g = 2 * d; break;
          case "mae": l = Math.abs(d); g = Math.sign(d); break;
          case "huber": {
            const ad = Math.abs(d);
            l = ad <= spec.delta ? 0.5 * d * d : spec.delta * (ad - 0.5 * spec.delta);
            g = ad <= spec.delta ? d : spec.delta * Math.sign(d);
            break;
          }
          default: {
            // binary cross-entropy on logits: L = softplus(y) − t·y; dL/dy = σ(y) − t
            l = softplus(v) - tv * v;
            g = 1 / (1 + Math.exp(-v)) - tv;
            if ((v >= 0 ? 1 : 0) === (tv >= 0.5 ? 1 : 0)) correct++;
          }
        }
        total += l / O;
        if (dy) dy[o + j] = g / (O * count);
      }
    }
  }
  return { loss: total / count, count, correct, absSum, sqSum };
}
