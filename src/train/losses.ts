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
 * | ctc (blank)           | per row −log p(l | y) (ctc.ts); Σ / Σ_b max(L_b, 1) | label sequences |
 *
 * CTC compares a row's per-step class scores y [T_b, O] (O classes, the blank among them) with a
 * label sequence l of another length L_b: targets are then padded label sequences [B, Lmax] with
 * `labelLengths` [B]. Its loss is per label: Σ_b −log p(l_b | y_b) / Σ_b max(L_b, 1) (a row with no
 * labels counts as one), the position count is that divisor. Greedy decoding of each row gives the
 * label error rate's sums: `edits` (Levenshtein distance to the labels) and `labels` (Σ L_b).
 */
import { OptionError, ValueError, oneOf } from "../errors/index.js";
import { softplus } from "../kernels/activations.js";
import type { Vec } from "../kernels/types.js";
import { ctcLoss } from "./ctc.js";
import { ctcGreedyDecode, editDistance } from "./decode-ctc.js";
import { digamma, studentTLogPdf } from "./distributions.js";

export type LossName = "mse" | "mae" | "huber" | "cross-entropy" | "binary-cross-entropy" | "ctc";
export const LOSSES: readonly LossName[] = ["mse", "mae", "huber", "cross-entropy", "binary-cross-entropy", "ctc"];

export interface LossSpec {
  readonly name: LossName;
  /** Huber's δ (default 1). */
  readonly delta?: number;
  /** CTC's blank class id (default 0); only for ctc. */
  readonly blank?: number;
}

/** A loss with its defaults filled in (what a model spec holds): delta always, blank for ctc. */
export interface ResolvedLoss {
  readonly name: LossName;
  readonly delta: number;
  readonly blank?: number;
}

export interface LossInput {
  readonly y: Vec;                       // outputs [T, B, O]
  readonly T: number;
  readonly B: number;
  readonly O: number;
  readonly target: Float32Array | Int32Array;
  readonly lengths: Int32Array | null;   // counted positions: t < lengths[b] (per-step losses)
  /** ctc: each row's label count; `target` then holds label sequences [B, Lmax], padded. */
  readonly labelLengths?: Int32Array | null;
}

export interface LossResult {
  /** Mean loss over the counted positions. */
  readonly loss: number;
  readonly count: number;
  /** Sums for metrics: correct predictions (classes), Σ|d| and Σd² over values (regression). */
  readonly correct: number;
  readonly absSum: number;
  readonly sqSum: number;
  /** ctc: Σ edit distance of the greedy decoding to the labels, and Σ label count (the error rate's sums). */
  readonly edits?: number;
  readonly labels?: number;
}

export function resolveLoss(where: string, spec: LossSpec | LossName): ResolvedLoss {
  const s: LossSpec = typeof spec === "string" ? { name: spec } : spec;
  const name = oneOf(where, "loss", s.name, LOSSES);
  const delta = s.delta ?? 1;
  if (!(delta > 0)) throw new OptionError(`${where}: huber delta must be positive, got ${delta}`);
  if (s.blank !== undefined && name !== "ctc") throw new OptionError(`${where}: blank is an option of the ctc loss, not of ${name}`);
  if (name !== "ctc") return { name, delta };
  const blank = s.blank ?? 0;
  if (!(Number.isSafeInteger(blank) && blank >= 0)) throw new OptionError(`${where}: ctc blank: expected a class id (a non-negative integer), got ${blank}`);
  return { name, delta, blank };
}

/**
 * Computes the loss and, when `dy` is given, writes dL/dy into it (zero at uncounted positions).
 */
export function computeLoss(spec: ResolvedLoss, a: LossInput, dy: Vec | null): LossResult {
  if (spec.name === "ctc") return computeCtcLoss(spec.blank ?? 0, a, dy);
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

/**
 * CTC over a batch: Σ_b −log p(l_b | y_b) / Σ_b max(L_b, 1), dL/dy beside it, and the greedy
 * decoding's edit distance to the labels. An impossible alignment (T_b < L_b + repeats) is refused.
 */
function computeCtcLoss(blank: number, a: LossInput, dy: Vec | null): LossResult {
  const { y, T, B, O, target, lengths, labelLengths } = a;
  if (!labelLengths) throw new ValueError("loss: ctc needs label sequences (targets [B, L] with labelLengths); got per-step targets without them");
  const L = B > 0 ? target.length / B : 0;
  const steps = Int32Array.from({ length: B }, (_, b) => (lengths ? Math.min(lengths[b]!, T) : T));
  let n = 0, labelCount = 0;
  for (let b = 0; b < B; b++) { n += Math.max(labelLengths[b]!, 1); labelCount += labelLengths[b]!; }
  const flat = new Int32Array(labelCount); // the labels, concatenated (ctc.ts's 1-D form)
  for (let b = 0, at = 0; b < B; b++) for (let i = 0; i < labelLengths[b]!; i++) flat[at++] = target[b * L + i]!;
  const r = ctcLoss(y, [T, B, O], steps, flat, labelLengths, { blank, reduction: "none" });
  let total = 0;
  for (let b = 0; b < B; b++) {
    if (r.losses[b] === Infinity) {
      throw new ValueError(`loss: ctc: row ${b} has ${labelLengths[b]} labels that cannot be aligned to its ${steps[b]} steps (it needs at least one step per label and one between repeated labels)`);
    }
    total += r.losses[b]!;
  }
  if (dy) for (let i = 0; i < dy.length; i++) dy[i] = r.dLogits[i]! / n;
  let edits = 0;
  const scores = new Float64Array(T * O); // one row's [T_b, O]
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < steps[b]!; t++) for (let k = 0; k < O; k++) scores[t * O + k] = y[(t * B + b) * O + k]!;
    const hyp = ctcGreedyDecode(scores.subarray(0, steps[b]! * O), O, { blank });
    edits += editDistance(target.subarray(b * L, b * L + labelLengths[b]!), hyp);
  }
  return { loss: total / n, count: n, correct: 0, absSum: 0, sqSum: 0, edits, labels: labelCount };
}

// ---- distribution losses (heads of layers/*-head.ts) ------------------------------------------
//
// Outputs carry P parameters per target, target-major (y[p·O + k·P + j], O = K·P); targets carry one
// value per target (t[p·K + k]). The loss is the mean over counted positions and targets.
//
// | loss           | per target (z = (t − μ)/σ)                                                       |
// |----------------|----------------------------------------------------------------------------------|
// | gaussian-nll   | ½log 2π + log σ + ½z²;  ∂μ = −z/σ,  ∂σ = (1 − z²)/σ                              |
// | student-t-nll  | −log Γ((ν+1)/2) + log Γ(ν/2) + ½log νπ + log σ + (ν+1)/2 · log(1 + z²/ν);        |
// |                | ∂μ = −(ν+1)z/((ν+z²)σ),  ∂σ = (1 − (ν+1)z²/(ν+z²))/σ,                             |
// |                | ∂ν = ½ψ(ν/2) − ½ψ((ν+1)/2) + 1/(2ν) + ½log(1 + z²/ν) − (ν+1)z²/(2ν(ν+z²))        |
// | pinball (τ₁..Q)| Σ_j ρ_τj(t − q_j)/Q,  ρ_τ(u) = max(τu, (τ − 1)u);  ∂q_j = (1{t < q_j} − τ_j)/Q   |
//
// absSum and sqSum measure the point forecast: μ, or the middle quantile (the median at τ = ½).

export type DistributionLossName = "gaussian-nll" | "student-t-nll" | "pinball";
export const DISTRIBUTION_LOSSES: readonly DistributionLossName[] = ["gaussian-nll", "student-t-nll", "pinball"];

export interface DistributionLossSpec {
  readonly name: DistributionLossName;
  /** Pinball levels, strictly increasing in (0, 1) (the quantile head's own). */
  readonly quantiles?: readonly number[];
}

/** Parameters per target of a distribution loss. */
export function parametersPerTarget(spec: DistributionLossSpec): number {
  return spec.name === "gaussian-nll" ? 2 : spec.name === "student-t-nll" ? 3 : (spec.quantiles?.length ?? 0);
}

/** Per-target loss of parameters y[at..at+P) against t, writing ∂/∂y (unscaled) into g[0..P). */
function distributionTerm(spec: DistributionLossSpec, y: Vec, at: number, t: number, g: Float64Array): number {
  const mu = y[at]!, sigma = y[at + 1]!, z = (t - mu) / sigma;
  if (spec.name === "gaussian-nll") {
    g[0] = -z / sigma;
    g[1] = (1 - z * z) / sigma;
    return 0.5 * Math.log(2 * Math.PI) + Math.log(sigma) + 0.5 * z * z;
  }
  if (spec.name === "student-t-nll") {
    const nu = y[at + 2]!, z2 = z * z, w = (nu + 1) / (nu + z2);
    g[0] = (-w * z) / sigma;
    g[1] = (1 - w * z2) / sigma;
    g[2] = 0.5 * digamma(nu / 2) - 0.5 * digamma((nu + 1) / 2) + 1 / (2 * nu) + 0.5 * Math.log1p(z2 / nu) - (w * z2) / (2 * nu);
    return -studentTLogPdf(z, nu) + Math.log(sigma);
  }
  const q = spec.quantiles!, Q = q.length;
  let l = 0;
  for (let j = 0; j < Q; j++) {
    const u = t - y[at + j]!, tau = q[j]!;
    l += Math.max(tau * u, (tau - 1) * u) / Q;
    g[j] = ((u < 0 ? 1 : 0) - tau) / Q;
  }
  return l;
}

/** The point forecast of one target's parameters: μ, or the middle quantile. */
export function pointForecast(spec: DistributionLossSpec, y: Vec, at: number): number {
  return spec.name === "pinball" ? y[at + Math.floor((spec.quantiles!.length - 1) / 2)]! : y[at]!;
}

/**
 * A distribution loss (mean over counted positions and targets) and, when `dy` is given, dL/dy.
 * `a.O` is K·P outputs; `a.target` holds K values per position.
 */
export function computeDistributionLoss(spec: DistributionLossSpec, a: LossInput, dy: Vec | null): LossResult {
  const name = oneOf("distribution loss", "loss", spec.name, DISTRIBUTION_LOSSES);
  const P = parametersPerTarget(spec), { y, T, B, O, target, lengths } = a;
  if (name === "pinball" && P === 0) throw new OptionError("distribution loss: pinball needs its quantile levels (quantiles: [0.1, 0.5, 0.9], say)");
  if (O % P !== 0) throw new ValueError(`distribution loss: ${name} has ${P} parameters per target; expected outputs a multiple of ${P}, got ${O}`);
  const K = O / P, g = new Float64Array(P);
  let count = 0;
  for (let b = 0; b < B; b++) count += lengths ? Math.min(lengths[b]!, T) : T;
  if (dy) dy.fill(0);
  let total = 0, absSum = 0, sqSum = 0;
  if (count === 0) return { loss: 0, count, correct: 0, absSum, sqSum };
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      if (lengths && t >= lengths[b]!) continue;
      const p = t * B + b;
      for (let k = 0; k < K; k++) {
        const at = p * O + k * P, tv = target[p * K + k]!;
        total += distributionTerm(spec, y, at, tv, g);
        const d = pointForecast(spec, y, at) - tv;
        absSum += Math.abs(d);
        sqSum += d * d;
        if (dy) for (let j = 0; j < P; j++) dy[at + j] = g[j]! / (count * K);
      }
    }
  }
  return { loss: total / (count * K), count, correct: 0, absSum, sqSum };
}
