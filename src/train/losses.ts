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
import { digamma, studentTLogPdf } from "./distributions.js";

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
