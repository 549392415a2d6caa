/**
 * Connectionist temporal classification loss (Graves et al., ICML 2006), forward–backward in log
 * space, with its exact gradient with respect to the logits.
 *
 * Shape legend: T time, B batch, C classes (blank included), L_b label length of row b,
 * S = 2 L_b + 1 extended labels. Logits arrive time-major [T, B, C]; a row's steps t ≥ lengths[b]
 * are ignored. Labels are concatenated, row after row (torch's 1-D form), none equal to blank.
 *
 *   y_t = log_softmax(z_t)       (idempotent: log-probabilities may be passed as they are)
 *   l' = (∅, l₁, ∅, l₂, …, l_L, ∅)
 *   α_0(0) = y_0(∅),  α_0(1) = y_0(l₁)
 *   α_t(s) = lse(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) if l'_s ≠ ∅ and l'_s ≠ l'_{s−2}) + y_t(l'_s)
 *   β_{T−1}(S−1) = y_{T−1}(∅),  β_{T−1}(S−2) = y_{T−1}(l_L)
 *   β_t(s) = lse(β_{t+1}(s), β_{t+1}(s+1), β_{t+1}(s+2) if l'_s ≠ ∅ and l'_{s+2} ≠ l'_s) + y_t(l'_s)
 *   log p(l | z) = lse(α_{T−1}(S−1), α_{T−1}(S−2)),   loss_b = −log p
 *   ∂loss_b / ∂z_t(k) = softmax(z_t)(k) − Σ_{s: l'_s = k} exp(α_t(s) + β_t(s) − y_t(k) − log p)
 * (α and β both hold y_t(l'_s), hence the − y_t(k)).
 *
 * Reductions (torch.nn.functional.ctc_loss): "mean" = mean over rows of loss_b / max(L_b, 1)
 * (the default), "sum" = Σ_b loss_b, "none" = the per-row losses (gradient of their sum).
 * An impossible alignment (T_b < L_b + repeats) gives loss_b = +∞ and a zero gradient for the row;
 * zeroInfinity: true turns that loss into 0 (torch's zero_infinity).
 * Arithmetic is float64 throughout.
 */
import { OptionError, ShapeError, ValueError, checkOptions, oneOf } from "../errors/index.js";

export type CtcReduction = "mean" | "sum" | "none";

export interface CtcOptions {
  /** Blank class id (default 0). */
  readonly blank?: number;
  readonly reduction?: CtcReduction;
  readonly zeroInfinity?: boolean;
}

export interface CtcResult {
  /** The reduced loss ("none": the sum of the rows). */
  readonly loss: number;
  /** loss_b per row, before reduction. */
  readonly losses: Float64Array;
  /** ∂loss / ∂logits [T, B, C]. */
  readonly dLogits: Float64Array;
}

const NEG = -Infinity;

function lse2(a: number, b: number): number {
  if (a === NEG) return b;
  if (b === NEG) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

function checkCtcInput(
  shape: readonly [number, number, number], logits: ArrayLike<number>, lengths: ArrayLike<number>,
  labels: ArrayLike<number>, labelLengths: ArrayLike<number>, blank: number,
): void {
  const [T, B, C] = shape, W = "ctcLoss";
  if (logits.length !== T * B * C) throw new ShapeError(`${W}: expected logits of ${T}·${B}·${C} = ${T * B * C} values [T, B, C], got ${logits.length}`);
  if (lengths.length !== B || labelLengths.length !== B) {
    throw new ShapeError(`${W}: expected ${B} lengths and ${B} label lengths (one per row), got ${lengths.length} and ${labelLengths.length}`);
  }
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) throw new OptionError(`${W}: blank: expected a class id in [0, ${C}), got ${blank}`);
  let total = 0;
  for (let b = 0; b < B; b++) {
    const n = lengths[b]!, m = labelLengths[b]!;
    if (!Number.isInteger(n) || n < 1 || n > T) throw new ValueError(`${W}: lengths[${b}]: expected an integer in [1, ${T}], got ${n}`);
    if (!Number.isInteger(m) || m < 0) throw new ValueError(`${W}: labelLengths[${b}]: expected a non-negative integer, got ${m}`);
    total += m;
  }
  if (labels.length !== total) throw new ShapeError(`${W}: expected ${total} labels (the sum of labelLengths), got ${labels.length}`);
  for (let i = 0; i < total; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= C || l === blank) {
      throw new ValueError(`${W}: labels[${i}]: expected a class id in [0, ${C}) other than blank ${blank}, got ${l}`);
    }
  }
}

/** CTC loss and its gradient with respect to the logits [T, B, C]. */
export function ctcLoss(
  logits: ArrayLike<number>, shape: readonly [number, number, number], lengths: ArrayLike<number>,
  labels: ArrayLike<number>, labelLengths: ArrayLike<number>, opts: CtcOptions = {},
): CtcResult {
  checkOptions("ctcLoss", opts, ["blank", "reduction", "zeroInfinity"]);
  const blank = opts.blank ?? 0;
  const reduction = oneOf("ctcLoss", "reduction", opts.reduction ?? "mean", ["mean", "sum", "none"] as const);
  checkCtcInput(shape, logits, lengths, labels, labelLengths, blank);
  const [T, B, C] = shape;
  const losses = new Float64Array(B);
  const dLogits = new Float64Array(T * B * C); // [T, B, C]
  let loss = 0;
  for (let b = 0, off = 0; b < B; off += labelLengths[b]!, b++) {
    const L = labelLengths[b]!;
    const ext = new Int32Array(2 * L + 1).fill(blank); // l' [S]
    for (let i = 0; i < L; i++) ext[2 * i + 1] = labels[off + i]!;
    const scale = reduction === "mean" ? 1 / (B * Math.max(L, 1)) : 1;
    const lb = rowLoss(logits, B, C, b, lengths[b]!, ext, dLogits, scale);
    losses[b] = lb === Infinity && opts.zeroInfinity === true ? 0 : lb;
    loss += losses[b]! * scale;
  }
  return { loss, losses, dLogits };
}

/** One row: writes scale · ∂loss_b/∂z into dLogits and returns loss_b. */
function rowLoss(
  z: ArrayLike<number>, B: number, C: number, b: number, Tb: number, ext: Int32Array, dLogits: Float64Array, scale: number,
): number {
  const S = ext.length;
  const y = new Float64Array(Tb * C);     // log_softmax [Tb, C]
  for (let t = 0; t < Tb; t++) {
    const o = (t * B + b) * C;
    let m = NEG;
    for (let k = 0; k < C; k++) m = Math.max(m, z[o + k]!);
    let s = 0;
    for (let k = 0; k < C; k++) s += Math.exp(z[o + k]! - m);
    const lz = m + Math.log(s);
    for (let k = 0; k < C; k++) y[t * C + k] = z[o + k]! - lz;
  }
  const skip = (s: number): boolean => s >= 2 && ext[s] !== ext[0] && ext[s] !== ext[s - 2]; // ext[0] is blank
  const alpha = new Float64Array(Tb * S).fill(NEG); // [Tb, S]
  const beta = new Float64Array(Tb * S).fill(NEG);  // [Tb, S]
  alpha[0] = y[ext[0]!]!;
  if (S > 1) alpha[1] = y[ext[1]!]!;
  for (let t = 1; t < Tb; t++) {
    for (let s = 0; s < S; s++) {
      let a = alpha[(t - 1) * S + s]!;
      if (s >= 1) a = lse2(a, alpha[(t - 1) * S + s - 1]!);
      if (skip(s)) a = lse2(a, alpha[(t - 1) * S + s - 2]!);
      alpha[t * S + s] = a === NEG ? NEG : a + y[t * C + ext[s]!]!;
    }
  }
  const last = (Tb - 1) * S;
  beta[last + S - 1] = y[(Tb - 1) * C + ext[S - 1]!]!;
  if (S > 1) beta[last + S - 2] = y[(Tb - 1) * C + ext[S - 2]!]!;
  for (let t = Tb - 2; t >= 0; t--) {
    for (let s = 0; s < S; s++) {
      let v = beta[(t + 1) * S + s]!;
      if (s + 1 < S) v = lse2(v, beta[(t + 1) * S + s + 1]!);
      if (s + 2 < S && skip(s + 2)) v = lse2(v, beta[(t + 1) * S + s + 2]!);
      beta[t * S + s] = v === NEG ? NEG : v + y[t * C + ext[s]!]!;
    }
  }
  const logp = S > 1 ? lse2(alpha[last + S - 1]!, alpha[last + S - 2]!) : alpha[last]!;
  if (logp === NEG) return Infinity;
  const occ = new Float64Array(C); // log Σ_{s: l'_s = k} α β / y, per step
  for (let t = 0; t < Tb; t++) {
    occ.fill(NEG);
    for (let s = 0; s < S; s++) {
      const k = ext[s]!, ab = alpha[t * S + s]! + beta[t * S + s]!;
      if (ab !== NEG) occ[k] = lse2(occ[k]!, ab - y[t * C + k]!);
    }
    const o = (t * B + b) * C;
    for (let k = 0; k < C; k++) dLogits[o + k] = scale * (Math.exp(y[t * C + k]!) - Math.exp(occ[k]! - logp));
  }
  return -logp;
}
