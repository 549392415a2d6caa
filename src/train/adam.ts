/**
 * Adam (Kingma & Ba 2015) over one flat parameter buffer; its moments mirror the buffer's layout.
 *   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  p −= lr · m̂ / (√v̂ + ε),  m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t)
 */
import type { Vec } from "../kernels/types.js";

export interface AdamOptions {
  readonly lr?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

export class Adam {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(size: number, o: AdamOptions = {}) {
    this.lr = o.lr ?? 1e-3;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.epsilon = o.epsilon ?? 1e-8;
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(params: Vec, grads: Vec): void {
    const { beta1: b1, beta2: b2, epsilon: eps, m, v } = this;
    this.t++;
    const c1 = 1 - Math.pow(b1, this.t), c2 = 1 - Math.pow(b2, this.t);
    for (let i = 0; i < params.length; i++) {
      const g = grads[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      params[i] = params[i]! - (this.lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
    }
  }
}
