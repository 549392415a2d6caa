/**
 * Layer normalisation (Ba et al. 2016) over the features of every row:
 *   μ = mean(x), σ² = mean((x − μ)²), x̂ = (x − μ)/√(σ² + ε), y = γ ⊙ x̂ + β.
 * Forward keeps x̂ and 1/√(σ² + ε) per row for backward (the kernels are in kernels/norm.ts).
 */
import { checkObject } from "../errors/index.js";
import { layerNormBackward, layerNormForward } from "../kernels/norm.js";
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
  private work: Vec = new Float32Array(0); // [N, F + 1]: x̂, then 1/σ of the row

  constructor(o: LayerNormOptions) {
    checkObject("layer-norm", o);
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
    if (this.work.length !== N * (F + 1)) this.work = ctx.kernels.alloc(N * (F + 1));
    layerNormForward(x.data, y, N, F, p.subarray(0, F), p.subarray(F), this.eps, this.work, F + 1);
    return { ...x, data: y };
  }

  backward(dy: Vec, ctx: Context): Vec {
    const F = this.inputFeatures, N = dy.length / F, p = this.p, g = this.g;
    const dx = ctx.kernels.alloc(N * F);
    layerNormBackward(dy, dx, N, F, p.subarray(0, F), g.subarray(0, F), g.subarray(F), this.work, F + 1);
    return dx;
  }
}
