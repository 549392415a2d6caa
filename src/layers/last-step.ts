/**
 * Sequence → one vector per row, [T, B, D·H] → [1, B, D·H]. `at` says which step each direction's
 * columns come from:
 *   "final-state" (default): where each direction finished reading the row: the forward direction at
 *     step len−1, the reverse direction at step 0 (PyTorch's cat(h_n[-2], h_n[-1]), Keras's
 *     Bidirectional with return_sequences=False);
 *   "last-step": every direction at step len−1 (PyTorch's out[:, -1]: the reverse direction there has
 *     read one step only).
 * A row of length 0 gives zeros.
 */
import type { Vec } from "../kernels/types.js";
import { positiveInt } from "../cells/options.js";
import { OptionError, checkObject } from "../errors/index.js";
import type { Act, Context, Layer, LayerParam } from "./layer.js";

export interface LastStepOptions {
  /** Width of one direction's block (H). */
  readonly hiddenSize: number;
  /** Direction of each H-wide block, in column order. */
  readonly directions: readonly ("forward" | "reverse")[];
  /** Which step each direction is read at (default "final-state"). */
  readonly at?: LastStepAt;
}

export type LastStepAt = "final-state" | "last-step";

export class LastStep implements Layer {
  readonly kind = "last-step";
  readonly config: Layer["config"];
  readonly params: readonly LayerParam[] = [];
  readonly paramCount = 0;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  private readonly H: number;
  private readonly dirs: readonly ("forward" | "reverse")[];
  readonly at: LastStepAt;
  private src: { T: number; B: number; lengths: Int32Array | null } | null = null;

  constructor(o: LastStepOptions) {
    checkObject("last-step", o);
    this.H = positiveInt("last-step", "hiddenSize", o.hiddenSize);
    this.dirs = [...o.directions];
    this.inputFeatures = this.outputFeatures = this.H * this.dirs.length;
    const at = o.at ?? "final-state";
    if (at !== "final-state" && at !== "last-step") throw new OptionError(`last-step: "at" must be "final-state" or "last-step", got ${JSON.stringify(o.at)}`);
    this.at = at;
    // the default stays out of the config, so files written before the option read the same
    this.config = { kind: "last-step", hiddenSize: this.H, directions: this.dirs, ...(at === "last-step" ? { at } : {}) };
  }

  bind(): void {}
  init(): void {}

  /** The step row b reads for direction block d, or −1 for an empty row. */
  private stepOf(b: number, d: number, T: number, lengths: Int32Array | null): number {
    const len = lengths ? lengths[b]! : T;
    if (len === 0) return -1;
    return this.dirs[d] === "forward" || this.at === "last-step" ? len - 1 : 0;
  }

  forward(x: Act, ctx: Context): Act {
    const { T, B } = x, F = this.inputFeatures, H = this.H;
    const y = ctx.kernels.alloc(B * F);
    for (let b = 0; b < B; b++) {
      for (let d = 0; d < this.dirs.length; d++) {
        const t = this.stepOf(b, d, T, x.lengths);
        if (t >= 0) y.set(x.data.subarray((t * B + b) * F + d * H, (t * B + b) * F + (d + 1) * H), b * F + d * H);
      }
    }
    this.src = { T, B, lengths: x.lengths };
    return { data: y, T: 1, B, F, lengths: null };
  }

  backward(dy: Vec, ctx: Context): Vec {
    const { T, B, lengths } = this.src!, F = this.inputFeatures, H = this.H;
    const dx = ctx.kernels.alloc(T * B * F);
    for (let b = 0; b < B; b++) {
      for (let d = 0; d < this.dirs.length; d++) {
        const t = this.stepOf(b, d, T, lengths);
        if (t >= 0) dx.set(dy.subarray(b * F + d * H, b * F + (d + 1) * H), (t * B + b) * F + d * H);
      }
    }
    return dx;
  }
}
