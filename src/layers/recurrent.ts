/**
 * A recurrent stack (any cell kind, layers, directions) as a model layer. With `carry` set, the
 * final state of one call is the initial state of the next (streams split into windows for
 * truncated BPTT); the carried state is a value, so no gradient flows into the previous window.
 */
import { checkObject } from "../errors/index.js";
import type { CellKind } from "../cells/index.js";
import type { Vec } from "../kernels/types.js";
import { Recurrent, type RecurrentOptions, type Tape } from "../sequence/recurrent.js";
import type { Tensor } from "../sequence/tensor.js";
import type { Rng } from "../util/random.js";
import type { InitScheme } from "./init.js";
import type { Act, Context, Layer, LayerParam } from "./layer.js";

export class RecurrentLayer implements Layer {
  readonly kind = "recurrent";
  readonly config: Layer["config"];
  readonly params: readonly LayerParam[];
  readonly paramCount: number;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  readonly rnn: Recurrent;
  /** Carry the final state into the next forward (truncated BPTT over windows). */
  carry = false;
  private carried: { h: Tensor; c?: Tensor } | null = null;
  private g: Vec = new Float32Array(0);
  private tape: Tape | undefined;

  constructor(options: RecurrentOptions) {
    checkObject("recurrent layer", options);
    this.rnn = new Recurrent({ ...options, init: "none" } as RecurrentOptions);
    const { init: _init, seed: _seed, dtype: _dtype, backend: _backend, ...rest } = options as RecurrentOptions & { init?: unknown; seed?: unknown };
    this.config = { kind: "recurrent", ...(rest as Record<string, unknown>), cell: options.cell as CellKind };
    this.params = this.rnn.entries.map((e) => ({ name: e.name, shape: e.shape, trainable: e.trainable, doc: e.doc }));
    this.paramCount = this.rnn.paramCount;
    this.inputFeatures = this.rnn.inputSize;
    this.outputFeatures = this.rnn.hiddenSize * this.rnn.numDirections;
  }

  bind(params: Vec, grads: Vec): void {
    this.rnn.attach(params);
    this.g = grads;
  }

  init(rng: Rng, scheme: InitScheme): void {
    this.rnn.initialise(scheme, rng);
  }

  /** Forget the carried state (start of a new batch of streams). */
  resetCarry(): void {
    this.carried = null;
  }

  forward(x: Act, ctx: Context): Act {
    const useCarry = this.carry && this.carried !== null && this.carried.h.shape[1] === x.B;
    const r = this.rnn.forward({ data: x.data, shape: [x.T, x.B, x.F] }, {
      train: ctx.train, rng: ctx.rng,
      ...(x.lengths ? { lengths: x.lengths } : {}),
      ...(useCarry ? { initialState: this.carried!.h, ...(this.carried!.c ? { initialCell: this.carried!.c } : {}) } : {}),
    });
    this.tape = r.tape;
    if (this.carry) this.carried = r.finalCell ? { h: r.finalState, c: r.finalCell } : { h: r.finalState };
    return { data: r.output.data, T: x.T, B: x.B, F: this.outputFeatures, lengths: x.lengths };
  }

  backward(dy: Vec): Vec {
    const t = this.tape!;
    const g = this.rnn.backward(t, { data: dy, shape: [t.T, t.B, this.outputFeatures] }, { into: this.g });
    return g.dInput.data;
  }
}
