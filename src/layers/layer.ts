/**
 * The layer interface of a sequential model.
 *
 * Shape legend: T time, B batch, F features. Activations flow time-major [T, B, F]; a
 * per-sequence value (after LastStep) has T = 1. Token inputs are ids [T, B] in `ids`.
 *
 * A layer's parameters are views into the model's one flat buffer (and its gradients into the
 * mirror buffer), bound once by `bind`. forward keeps what backward reads until the next forward;
 * backward accumulates parameter gradients (+=) and returns dL/d(input) (null for the first
 * layer of token inputs).
 */
import type { Kernels, Vec } from "../kernels/types.js";
import type { Rng } from "../util/random.js";
import type { InitScheme } from "./init.js";

export interface Act {
  readonly data: Vec;                     // [T, B, F]
  readonly T: number;
  readonly B: number;
  readonly F: number;
  /** Token ids [T, B] (then data is empty and F is the vocabulary size). */
  readonly ids?: Int32Array;
  /** Per-row valid lengths [B]; positions past a row's length are padding. */
  readonly lengths: Int32Array | null;
}

export interface LayerParam {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  readonly doc: string;
}

export interface Context {
  readonly train: boolean;
  /** Source of dropout masks (saved and restored with checkpoints). */
  readonly rng: Rng;
  readonly kernels: Kernels;
}

export interface Layer {
  readonly kind: string;
  /** Serialisable configuration: `buildLayer(config)` makes the same layer. */
  readonly config: Readonly<Record<string, unknown>> & { readonly kind: string };
  readonly params: readonly LayerParam[];
  readonly paramCount: number;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  bind(params: Vec, grads: Vec): void;
  init(rng: Rng, scheme: InitScheme): void;
  forward(x: Act, ctx: Context): Act;
  backward(dy: Vec, ctx: Context): Vec | null;
}

export function countParams(params: readonly LayerParam[]): number {
  return params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}
