/**
 * Context window: each step sees its neighbours, with no recurrence, the input of a frame-wise
 * (non-recurrent) network such as the stacked-frame MLPs of hybrid speech recognisers.
 *
 * Shape legend: T time, B batch, F input features, K = left + 1 + right frames per window.
 *   y_t = [x_{t−left}; …; x_t; …; x_{t+right}]   [T, B, K·F], frame k of the window at k·F
 * where x_u = 0 outside a row's steps [0, lengths[b]) (so padding never leaks into a window).
 * Backward: dx_u += dy_t's slice for frame u − t + left, for every t whose window holds u.
 * No parameters; nothing cached but the lengths.
 */
import { OptionError, checkObject, show } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import { positiveInt } from "../cells/options.js";
import type { Act, Context, Layer, LayerParam } from "./layer.js";

export interface ContextOptions {
  readonly features: number;
  /** Frames before (default 0) and after (default 0) each step. */
  readonly left?: number;
  readonly right?: number;
}

function frames(name: string, v: unknown): number {
  if (!(typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) throw new OptionError(`context: ${name} must be a non-negative integer (frames), got ${show(v)}`);
  return v;
}

export class ContextWindow implements Layer {
  readonly kind = "context";
  readonly config: Layer["config"];
  readonly params: readonly LayerParam[] = [];
  readonly paramCount = 0;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  private readonly left: number;
  private readonly right: number;
  private last: { T: number; B: number; lengths: Int32Array | null } | null = null;

  constructor(o: ContextOptions) {
    checkObject("context", o);
    this.inputFeatures = positiveInt("context", "features", o.features);
    this.left = frames("left", o.left ?? 0);
    this.right = frames("right", o.right ?? 0);
    this.outputFeatures = this.inputFeatures * (this.left + 1 + this.right);
    this.config = { kind: "context", features: this.inputFeatures, left: this.left, right: this.right };
  }

  bind(): void {}
  init(): void {}

  forward(x: Act, ctx: Context): Act {
    const { T, B, F } = x, K = this.left + 1 + this.right, KF = K * F;
    const y = ctx.kernels.alloc(T * B * KF); // [T, B, K·F], zero outside the rows
    for (let b = 0; b < B; b++) {
      const n = x.lengths ? x.lengths[b]! : T;
      for (let t = 0; t < n; t++) {
        for (let k = 0; k < K; k++) {
          const u = t + k - this.left;
          if (u < 0 || u >= n) continue;
          y.set(x.data.subarray((u * B + b) * F, (u * B + b + 1) * F), (t * B + b) * KF + k * F);
        }
      }
    }
    this.last = { T, B, lengths: x.lengths };
    return { data: y, T, B, F: KF, lengths: x.lengths };
  }

  backward(dy: Vec, ctx: Context): Vec {
    const { T, B, lengths } = this.last!, F = this.inputFeatures, K = this.left + 1 + this.right, KF = K * F;
    const dx = ctx.kernels.alloc(T * B * F); // [T, B, F]
    for (let b = 0; b < B; b++) {
      const n = lengths ? lengths[b]! : T;
      for (let t = 0; t < n; t++) {
        for (let k = 0; k < K; k++) {
          const u = t + k - this.left;
          if (u < 0 || u >= n) continue;
          // y_t[k·F..] = x_u  →  dx_u += dy_t[k·F..]
          const o = (u * B + b) * F, i = (t * B + b) * KF + k * F;
          for (let f = 0; f < F; f++) dx[o + f] += dy[i + f]!;
        }
      }
    }
    return dx;
  }
}
