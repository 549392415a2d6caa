/**
 * Quantile head: per target Q quantiles at levels τ₁ < … < τ_Q that never cross, y = [q₁ … q_Q]
 * (target-major, see head.ts). A base quantile plus positive increments:
 *
 *   q₁ = a₀
 *   q_j = q_{j−1} + softplus(a_{j−1})        (j = 2..Q, so q_j > q_{j−1} always)
 *
 *   backward: dq accumulates from the top, S_j = Σ_{i≥j} dq_i;
 *             da₀ = S₁,  da_{j−1} = S_j · sigmoid(a_{j−1})
 *
 * Trained by the pinball loss at the same levels (losses.ts, "pinball").
 */
import { OptionError, show } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import type { Layer } from "./layer.js";
import { DistributionHead, sigmoid, softplus, type HeadOptions } from "./head.js";

/** 95% and 80% central intervals and the median. */
export const DEFAULT_QUANTILES: readonly number[] = [0.025, 0.1, 0.5, 0.9, 0.975];

export interface QuantileHeadOptions extends HeadOptions {
  /** Levels in (0, 1), strictly increasing (default DEFAULT_QUANTILES). */
  readonly quantiles?: readonly number[];
}

export function checkLevels(where: string, q: unknown): readonly number[] {
  const ok = Array.isArray(q) && q.length >= 1 && q.every((x, i) => typeof x === "number" && x > 0 && x < 1 && (i === 0 || x > q[i - 1]));
  if (!ok) throw new OptionError(`${where}: quantiles must be a non-empty array of strictly increasing levels in (0, 1), got ${show(q)}`);
  return q as number[];
}

export class QuantileHead extends DistributionHead {
  readonly kind = "quantile-head";
  readonly config: Layer["config"];
  readonly quantiles: readonly number[];

  constructor(o: QuantileHeadOptions) {
    const levels = checkLevels("quantile-head", o.quantiles ?? DEFAULT_QUANTILES);
    super("quantile-head", o, levels.length);
    this.quantiles = [...levels];
    this.config = { kind: "quantile-head", inputSize: this.inputFeatures, targets: this.targets, quantiles: this.quantiles };
  }

  protected link(a: Vec, y: Vec, at: number): void {
    y[at] = a[at]!;
    for (let j = 1; j < this.perTarget; j++) y[at + j] = y[at + j - 1]! + softplus(a[at + j]!);
  }

  protected linkBackward(a: Vec, _y: Vec, dy: Vec, da: Vec, at: number): void {
    let s = 0;
    for (let j = this.perTarget - 1; j >= 1; j--) {
      s += dy[at + j]!;
      da[at + j] = s * sigmoid(a[at + j]!);
    }
    da[at] = s + dy[at]!;
  }
}
