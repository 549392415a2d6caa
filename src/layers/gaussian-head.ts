/**
 * Gaussian head: per target a mean and a scale, y = [μ, σ] (target-major, see head.ts).
 *
 *   μ = a₀                    ∂μ/∂a₀ = 1
 *   σ = softplus(a₁) + ε      ∂σ/∂a₁ = sigmoid(a₁)       ε = 1e-4 keeps the NLL finite
 *
 * Trained by the Gaussian negative log-likelihood (losses.ts, "gaussian-nll").
 */
import type { Vec } from "../kernels/types.js";
import type { Layer } from "./layer.js";
import { DistributionHead, sigmoid, softplus, type HeadOptions } from "./head.js";

export const MIN_SCALE = 1e-4;

export class GaussianHead extends DistributionHead {
  readonly kind = "gaussian-head";
  readonly config: Layer["config"];

  constructor(o: HeadOptions) {
    super("gaussian-head", o, 2);
    this.config = { kind: "gaussian-head", inputSize: this.inputFeatures, targets: this.targets };
  }

  protected link(a: Vec, y: Vec, at: number): void {
    y[at] = a[at]!;
    y[at + 1] = softplus(a[at + 1]!) + MIN_SCALE;
  }

  protected linkBackward(a: Vec, _y: Vec, dy: Vec, da: Vec, at: number): void {
    da[at] = dy[at]!;
    da[at + 1] = dy[at + 1]! * sigmoid(a[at + 1]!);
  }
}
