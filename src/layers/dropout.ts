/**
 * Inverted dropout: in training y = x ⊙ m / (1 − p) with m ~ Bernoulli(1 − p); at inference y = x.
 * `mask: "element"` draws a mask per value; `mask: "sequence"` one mask per sequence and feature,
 * shared by every step (variational dropout, Gal & Ghahramani 2016). Masks come from the
 * context's seeded generator, so runs repeat exactly.
 */
import { OptionError, checkObject } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import { oneOf } from "../errors/index.js";
import { positiveInt } from "../cells/options.js";
import type { Act, Context, Layer, LayerParam } from "./layer.js";

export interface DropoutOptions {
  readonly features: number;
  readonly rate: number;
  readonly mask?: "element" | "sequence";
}

export class Dropout implements Layer {
  readonly kind = "dropout";
  readonly config: Layer["config"];
  readonly params: readonly LayerParam[] = [];
  readonly paramCount = 0;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  private readonly rate: number;
  private readonly perSequence: boolean;
  private scale: Vec | null = null; // [T, B, F] multipliers of the last training forward, or null

  constructor(o: DropoutOptions) {
    checkObject("dropout", o);
    this.inputFeatures = this.outputFeatures = positiveInt("dropout", "features", o.features);
    if (!(o.rate >= 0 && o.rate < 1)) throw new OptionError(`dropout: rate must be in [0, 1), got ${o.rate}`);
    this.rate = o.rate;
    const mask = oneOf("dropout", "mask", o.mask ?? "element", ["element", "sequence"] as const);
    this.perSequence = mask === "sequence";
    this.config = { kind: "dropout", features: this.inputFeatures, rate: o.rate, mask };
  }

  bind(): void {}
  init(): void {}

  forward(x: Act, ctx: Context): Act {
    if (!ctx.train || this.rate === 0) { this.scale = null; return x; }
    const { T, B, F } = x, keep = 1 / (1 - this.rate);
    const s = ctx.kernels.alloc(T * B * F);
    const draw = () => (ctx.rng.uniform() >= this.rate ? keep : 0);
    if (this.perSequence) {
      for (let i = 0; i < B * F; i++) s[i] = draw();
      for (let t = 1; t < T; t++) s.copyWithin(t * B * F, 0, B * F);
    } else {
      for (let i = 0; i < s.length; i++) s[i] = draw();
    }
    const y = ctx.kernels.alloc(T * B * F);
    for (let i = 0; i < y.length; i++) y[i] = x.data[i]! * s[i]!;
    this.scale = s;
    return { ...x, data: y };
  }

  backward(dy: Vec): Vec {
    const s = this.scale;
    if (!s) return dy;
    const dx = dy.slice();
    for (let i = 0; i < dx.length; i++) dx[i] = dx[i]! * s[i]!;
    return dx;
  }
}
