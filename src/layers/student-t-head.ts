/**
 * Student-t head: per target a location, a scale and degrees of freedom, y = [μ, σ, ν]
 * (target-major, see head.ts). ν > 2 keeps the variance finite.
 *
 *   μ = a₀                    ∂μ/∂a₀ = 1
 *   σ = softplus(a₁) + ε      ∂σ/∂a₁ = sigmoid(a₁)       ε = 1e-4
 *   ν = 2 + softplus(a₂)      ∂ν/∂a₂ = sigmoid(a₂)
 *
 * Trained by the Student-t negative log-likelihood (losses.ts, "student-t-nll").
 */
import type { Vec } from "../kernels/types.js";
import { MIN_SCALE } from "./gaussian-head.js";
import type { Layer } from "./layer.js";
import { DistributionHead, sigmoid, softplus, type HeadOptions } from "./head.js";

export class StudentTHead extends DistributionHead {
  readonly kind = "student-t-head";
  readonly config: Layer["config"];

  constructor(o: HeadOptions) {
    super("student-t-head", o, 3);
    this.config = { kind: "student-t-head", inputSize: this.inputFeatures, targets: this.targets };
  }

  protected link(a: Vec, y: Vec, at: number): void {
    y[at] = a[at]!;
    y[at + 1] = softplus(a[at + 1]!) + MIN_SCALE;
    y[at + 2] = 2 + softplus(a[at + 2]!);
  }

  protected linkBackward(a: Vec, _y: Vec, dy: Vec, da: Vec, at: number): void {
    da[at] = dy[at]!;
    da[at + 1] = dy[at + 1]! * sigmoid(a[at + 1]!);
    da[at + 2] = dy[at + 2]! * sigmoid(a[at + 2]!);
  }
}
