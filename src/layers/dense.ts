/**
 * Dense (fully connected) layer, applied to every row: y = act(x · Wᵀ + b).
 *
 * Shape legend: N = T·B rows, I inputs, O outputs. W [O, I] (out, in, as PyTorch's nn.Linear),
 * b [O]. Forward keeps x and y (activation derivatives are taken from outputs).
 */
import { checkObject } from "../errors/index.js";
import { makeActivation, resolveActivation, type Activation, type ActivationConfig, type ActivationSpec } from "../kernels/activations.js";
import type { Vec } from "../kernels/types.js";
import { positiveInt } from "../cells/options.js";
import type { Rng } from "../util/random.js";
import { glorotUniform, uniform, type InitScheme } from "./init.js";
import type { Act, Context, Layer, LayerParam } from "./layer.js";

export interface DenseOptions {
  readonly inputSize: number;
  readonly outputSize: number;
  /** Default Affine(1, 0), the identity. */
  readonly activation?: ActivationSpec | ActivationConfig;
}

export class Dense implements Layer {
  readonly kind = "dense";
  readonly config: Layer["config"];
  readonly params: readonly LayerParam[];
  readonly paramCount: number;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  private readonly act: Activation;
  private readonly identity: boolean;
  private p: Vec = new Float32Array(0);
  private g: Vec = new Float32Array(0);
  private x: Act | null = null;
  private y: Vec = new Float32Array(0);

  constructor(o: DenseOptions) {
    checkObject("dense", o);
    const I = (this.inputFeatures = positiveInt("dense", "inputSize", o.inputSize));
    const O = (this.outputFeatures = positiveInt("dense", "outputSize", o.outputSize));
    const act = resolveActivation("dense activation", o.activation ?? { name: "Affine", alpha: 1, beta: 0 });
    this.act = makeActivation(act);
    this.identity = act.name === "Affine" && act.alpha === 1 && act.beta === 0;
    this.config = { kind: "dense", inputSize: I, outputSize: O, activation: act };
    this.params = [
      { name: "W", shape: [O, I], trainable: true, doc: "weights (out, in)" },
      { name: "b", shape: [O], trainable: true, doc: "bias" },
    ];
    this.paramCount = O * I + O;
  }

  bind(params: Vec, grads: Vec): void {
    this.p = params;
    this.g = grads;
  }

  init(rng: Rng, scheme: InitScheme): void {
    const { inputFeatures: I, outputFeatures: O } = this;
    if (scheme === "none") { this.p.fill(0); return; }
    // PyTorch nn.Linear: U(−1/√I, 1/√I) for W and b; Keras: Glorot-uniform W, zero b
    if (scheme === "uniform") { uniform(this.p, 1 / Math.sqrt(I), rng); return; }
    glorotUniform(this.p.subarray(0, O * I), I, O, rng);
    this.p.fill(0, O * I);
  }

  forward(x: Act, ctx: Context): Act {
    const k = ctx.kernels, { inputFeatures: I, outputFeatures: O } = this, N = x.T * x.B;
    if (this.y.length !== N * O) this.y = k.alloc(N * O);
    const y = this.y;
    // a = x · Wᵀ + b;  y = act(a)
    k.matmulNT(y, 0, O, x.data, 0, I, this.p, 0, I, N, O, I, 0);
    k.addBias(y, 0, O, y, 0, O, this.p, O * I, N, O);
    if (!this.identity) for (let i = 0; i < N * O; i++) y[i] = this.act.f(y[i]!);
    this.x = x;
    return { data: y, T: x.T, B: x.B, F: O, lengths: x.lengths };
  }

  backward(dy: Vec, ctx: Context): Vec {
    const k = ctx.kernels, { inputFeatures: I, outputFeatures: O } = this, x = this.x!, N = x.T * x.B;
    // y = act(a): da = dy ⊙ act'(y)  (in place)
    if (!this.identity) for (let i = 0; i < N * O; i++) dy[i] = dy[i]! * this.act.df(this.y[i]!);
    // a = x · Wᵀ + b: dW += daᵀ · x, db += Σ da, dx = da · W
    k.matmulTN(this.g, 0, I, dy, 0, O, x.data, 0, I, O, I, N, 1);
    k.sumRows(this.g, O * I, dy, 0, O, N, O);
    const dx = k.alloc(N * I);
    k.matmul(dx, 0, I, dy, 0, O, this.p, 0, I, N, I, O, 0);
    return dx;
  }
}
