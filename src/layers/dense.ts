/**
 * Dense (fully connected) layer: y = act(x · Wᵀ + b).
 *
 * Shape legend: N rows, I inputs, O outputs. W [O, I] (out, in, as PyTorch's nn.Linear), b [O].
 * Forward caches y (activation derivatives are taken from outputs) and keeps a reference to x.
 */
import { makeActivation, resolveActivation, type Activation, type ActivationSpec } from "../kernels/activations.js";
import type { Kernels, Vec } from "../kernels/types.js";
import { positiveInt } from "../cells/options.js";
import type { Rng } from "../util/random.js";
import { glorotUniform } from "./init.js";

export interface DenseOptions {
  readonly inputSize: number;
  readonly outputSize: number;
  /** Default "Affine" with α = 1, β = 0 (identity). */
  readonly activation?: ActivationSpec;
}

export class Dense {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly act: Activation;
  private readonly identity: boolean;

  constructor(o: DenseOptions) {
    this.inputSize = positiveInt("dense", "inputSize", o.inputSize);
    this.outputSize = positiveInt("dense", "outputSize", o.outputSize);
    const cfg = resolveActivation("dense activation", o.activation ?? { name: "Affine", alpha: 1, beta: 0 });
    this.act = makeActivation(cfg);
    this.identity = cfg.name === "Affine" && cfg.alpha === 1 && cfg.beta === 0;
  }

  get paramCount(): number {
    return this.outputSize * (this.inputSize + 1);
  }

  /** Glorot-uniform W, zero b, into a [O·I + O] view. */
  init(params: Vec, rng: Rng): void {
    const { inputSize: I, outputSize: O } = this;
    glorotUniform(params.subarray(0, O * I), I, O, rng);
    params.fill(0, O * I, O * I + O);
  }

  /** y[N, O] = act(x[N, I] · Wᵀ + b) */
  forward(k: Kernels, params: Vec, x: Vec, y: Vec, N: number): void {
    const { inputSize: I, outputSize: O } = this;
    k.matmulNT(y, 0, O, x, 0, I, params, 0, I, N, O, I, 0);
    k.addBias(y, 0, O, y, 0, O, params, O * I, N, O);
    if (!this.identity) for (let i = 0; i < N * O; i++) y[i] = this.act.f(y[i]!);
  }

  /** From dy (overwritten with d(pre-activation)): dW += dyᵀ·x, db += Σ dy, dx = dy · W (when given). */
  backward(k: Kernels, params: Vec, grads: Vec, x: Vec, y: Vec, dy: Vec, dx: Vec | null, N: number): void {
    const { inputSize: I, outputSize: O } = this;
    // y = act(a)
    if (!this.identity) for (let i = 0; i < N * O; i++) dy[i] = dy[i]! * this.act.df(y[i]!);
    // a = x · Wᵀ + b
    k.matmulTN(grads, 0, I, dy, 0, O, x, 0, I, O, I, N, 1);
    k.sumRows(grads, O * I, dy, 0, O, N, O);
    if (dx) k.matmul(dx, 0, I, dy, 0, O, params, 0, I, N, I, O, 0);
  }
}
