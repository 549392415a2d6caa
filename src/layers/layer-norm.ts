/**
 * Layer normalisation (Ba et al. 2016) over the features of every row:
 *   μ = mean(x), σ² = mean((x − μ)²), x̂ = (x − μ)/√(σ² + ε), y = γ ⊙ x̂ + β.
 * Forward keeps x̂ and 1/√(σ² + ε) per row for backward.
 */
import type { Vec } from "../kernels/types.js";
import { positiveInt } from "../cells/options.js";
import type { Act, Context, Layer, LayerParam } from "./layer.js";

export interface LayerNormOptions {
  readonly features: number;
  readonly epsilon?: number;
}

export class LayerNorm implements Layer {
  readonly kind = "layer-norm";
  readonly config: Layer["config"];
  readonly params: readonly LayerParam[];
  readonly paramCount: number;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  private readonly eps: number;
  private p: Vec = new Float32Array(0);
  private g: Vec = new Float32Array(0);
  private xHat: Vec = new Float32Array(0);
  private inv = new Float64Array(0);

  constructor(o: LayerNormOptions) {
    const F = (this.inputFeatures = this.outputFeatures = positiveInt("layer-norm", "features", o.features));
    this.eps = o.epsilon ?? 1e-5;
    this.config = { kind: "layer-norm", features: F, epsilon: this.eps };
    this.params = [
      { name: "gamma", shape: [F], trainable: true, doc: "scale γ" },
      { name: "beta", shape: [F], trainable: true, doc: "shift β" },
    ];
    this.paramCount = 2 * F;
  }

  bind(params: Vec, grads: Vec): void {
    this.p = params;
    this.g = grads;
  }

  init(): void {
    const F = this.inputFeatures;
    this.p.fill(1, 0, F);
    this.p.fill(0, F, 2 * F);
  }

  forward(x: Act, ctx: Context): Act {
    const F = this.inputFeatures, N = x.T * x.B, p = this.p;
    const y = ctx.kernels.alloc(N * F);
    if (this.xHat.length !== N * F) { this.xHat = ctx.kernels.alloc(N * F); this.inv = new Float64Array(N); }
    for (let n = 0; n < N; n++) {
      let mu = 0, v = 0;
      for (let j = 0; j < F; j++) mu += x.data[n * F + j]!;
      mu /= F;
      for (let j = 0; j < F; j++) v += (x.data[n * F + j]! - mu) ** 2;
      const inv = 1 / Math.sqrt(v / F + this.eps);
      this.inv[n] = inv;
      for (let j = 0; j < F; j++) {
        const xh = (x.data[n * F + j]! - mu) * inv;
        this.xHat[n * F + j] = xh;
        y[n * F + j] = p[j]! * xh + p[F + j]!;
      }
    }
    return { ...x, data: y };
  }

  backward(dy: Vec, ctx: Context): Vec {
    const F = this.inputFeatures, N = dy.length / F, p = this.p, g = this.g, xh = this.xHat;
    const dx = ctx.kernels.alloc(N * F);
    for (let n = 0; n < N; n++) {
      // y = γ x̂ + β: dγ += dy x̂, dβ += dy, dx̂ = γ dy
      // x̂ = (x − μ)·inv: dx = inv·(dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂))
      let m1 = 0, m2 = 0;
      for (let j = 0; j < F; j++) {
        const d = dy[n * F + j]!, xhj = xh[n * F + j]!;
        g[j] += d * xhj;
        g[F + j] += d;
        const dxh = p[j]! * d;
        m1 += dxh;
        m2 += dxh * xhj;
      }
      m1 /= F;
      m2 /= F;
      for (let j = 0; j < F; j++) {
        const dxh = p[j]! * dy[n * F + j]!;
        dx[n * F + j] = this.inv[n]! * (dxh - m1 - xh[n * F + j]! * m2);
      }
    }
    return dx;
  }
}
