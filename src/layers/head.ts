/**
 * A distribution head: an affine projection of the features to P raw values per target, then a
 * link per target that maps them to the parameters of a predictive distribution.
 *
 *   a = x · Wᵀ + b            W [K·P, I], b [K·P]   (the projection is a Dense layer)
 *   y[k·P + j] = link(a[k·P .. k·P + P))[j]        target-major: target k's P parameters together
 *
 * Shape legend: N = T·B rows, I inputs, K targets, P parameters per target, O = K·P outputs.
 * Forward keeps a (the raw values) and y; backward maps dy to da through the link's Jacobian
 * (a lower-triangular P×P block per target), then backpropagates through the projection.
 * Each head (gaussian-head.ts, student-t-head.ts, quantile-head.ts) is only its link.
 */
import { checkObject } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import { positiveInt } from "../cells/options.js";
import type { Rng } from "../util/random.js";
import { Dense } from "./dense.js";
import type { InitScheme } from "./init.js";
import type { Act, Context, Layer, LayerParam } from "./layer.js";

export interface HeadOptions {
  readonly inputSize: number;
  /** Values predicted per position (e.g. horizon × target columns). */
  readonly targets: number;
}

/** σ(x) = 1/(1 + e^{−x}): the derivative of softplus. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** softplus(x) = log(1 + eˣ), without overflow. */
export const softplus = (x: number): number => (x > 30 ? x : Math.log1p(Math.exp(x)));

export abstract class DistributionHead implements Layer {
  abstract readonly kind: string;
  abstract readonly config: Layer["config"];
  readonly params: readonly LayerParam[];
  readonly paramCount: number;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  readonly targets: number;
  private readonly dense: Dense;
  private a: Vec = new Float32Array(0);   // [N, O] raw values
  private y: Vec = new Float32Array(0);   // [N, O] distribution parameters

  /** perTarget: P, the parameters of one target's distribution. */
  constructor(where: string, o: HeadOptions, readonly perTarget: number) {
    checkObject(where, o);
    this.inputFeatures = positiveInt(where, "inputSize", o.inputSize);
    this.targets = positiveInt(where, "targets", o.targets);
    this.outputFeatures = this.targets * perTarget;
    this.dense = new Dense({ inputSize: this.inputFeatures, outputSize: this.outputFeatures });
    this.params = this.dense.params;
    this.paramCount = this.dense.paramCount;
  }

  /** y[0..P) = link(a[0..P)) for one target, reading a at `at`, writing y at `at`. */
  protected abstract link(a: Vec, y: Vec, at: number): void;
  /** da[0..P) = (∂y/∂a)ᵀ dy[0..P) for one target (written, not accumulated). */
  protected abstract linkBackward(a: Vec, y: Vec, dy: Vec, da: Vec, at: number): void;

  bind(params: Vec, grads: Vec): void {
    this.dense.bind(params, grads);
  }

  init(rng: Rng, scheme: InitScheme): void {
    this.dense.init(rng, scheme);
  }

  forward(x: Act, ctx: Context): Act {
    const raw = this.dense.forward(x, ctx), n = raw.data.length, P = this.perTarget;
    if (this.a.length !== n) { this.a = ctx.kernels.alloc(n); this.y = ctx.kernels.alloc(n); }
    this.a.set(raw.data);
    for (let at = 0; at < n; at += P) this.link(this.a, this.y, at);
    return { data: this.y, T: x.T, B: x.B, F: this.outputFeatures, lengths: x.lengths };
  }

  backward(dy: Vec, ctx: Context): Vec {
    const n = this.a.length, P = this.perTarget, da = ctx.kernels.alloc(n);
    // y = link(a): da = Jᵀ dy, one target block at a time
    for (let at = 0; at < n; at += P) this.linkBackward(this.a, this.y, dy, da, at);
    // a = x · Wᵀ + b
    return this.dense.backward(da, ctx);
  }
}
