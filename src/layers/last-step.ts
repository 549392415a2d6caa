/**
 * Sequence → one vector: the recurrent output at each row's last valid step, [T, B, D·H] → [1, B, D·H].
 * The forward direction's columns come from step len−1, the reverse direction's from step 0
 * (where it finished reading the row). A row of length 0 gives zeros.
 */
import type { Vec } from "../kernels/types.js";
import { positiveInt } from "../cells/options.js";
import type { Act, Context, Layer, LayerParam } from "./layer.js";

export interface LastStepOptions {
  /** Width of one direction's block (H). */
  readonly hiddenSize: number;
  /** Direction of each H-wide block, in column order. */
  readonly directions: readonly ("forward" | "reverse")[];
}

export class LastStep implements Layer {
  readonly kind = "last-step";
  readonly config: Layer["config"];
  readonly params: readonly LayerParam[] = [];
  readonly paramCount = 0;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  private readonly H: number;
  private readonly dirs: readonly ("forward" | "reverse")[];
  private src: { T: number; B: number; lengths: Int32Array | null } | null = null;

  constructor(o: LastStepOptions) {
    this.H = positiveInt("last-step", "hiddenSize", o.hiddenSize);
    this.dirs = [...o.directions];
    this.inputFeatures = this.outputFeatures = this.H * this.dirs.length;
    this.config = { kind: "last-step", hiddenSize: this.H, directions: this.dirs };
  }

  bind(): void {}
  init(): void {}

  /** The step row b reads for direction block d, or −1 for an empty row. */
  private stepOf(b: number, d: number, T: number, lengths: Int32Array | null): number {
    const len = lengths ? lengths[b]! : T;
    if (len === 0) return -1;
    return this.dirs[d] === "forward" ? len - 1 : 0;
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
