/** Running a gated Model on time-major features or token ids (inference), for the interchange tests. */
import type { Model } from "../../../src/model/model.js";
import { Rng } from "../../../src/util/random.js";
import { swap01 } from "./fixtures.js";

export interface ModelInput {
  readonly T: number;
  readonly B: number;
  /** [T, B, F] features, or token ids [T, B]. */
  readonly data: ArrayLike<number>;
  readonly lengths?: ArrayLike<number>;
}

/** Output [T, B, O] per step, or [B, O] after a last-step layer. */
export function runModel(model: Model, x: ModelInput): Float32Array {
  const net = model.net, tokens = model.spec.input.kind === "tokens";
  const F = net.layers[0]!.inputFeatures;
  const lengths = x.lengths ? Int32Array.from(x.lengths) : null;
  const act = tokens
    ? { data: new Float32Array(0), T: x.T, B: x.B, F, ids: Int32Array.from(x.data), lengths }
    : { data: Float32Array.from(x.data), T: x.T, B: x.B, F, lengths };
  return Float32Array.from(net.forward(act, net.context(false, new Rng(0))).data);
}

/** A seeded uniform generator on [0, 1) (mulberry32): deterministic test data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic values in [−scale, scale). */
export function values(n: number, seed: number, scale = 1): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (2 * next() - 1) * scale);
}

/** Row-wise softmax of v [rows, O] (class probabilities from logits). */
export function softmaxRows(v: Float32Array, O: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < v.length / O; r++) {
    const row = Array.from(v.slice(r * O, (r + 1) * O)), m = Math.max(...row), s = row.reduce((a, x) => a + Math.exp(x - m), 0);
    row.forEach((x, j) => { out[r * O + j] = Math.exp(x - m) / s; });
  }
  return out;
}

/** A model on a batch-major nested input [B][T][F] (Keras's layout): its output in that layout, probabilities for a class model. */
export function runBatchMajor(model: Model, input: readonly unknown[], lengths?: ArrayLike<number> | null, opts: { probabilities?: boolean } = {}): Float32Array {
  const B = input.length, T = (input[0] as unknown[]).length;
  const flat = (input as unknown[]).flat(2) as number[];
  const F = flat.length / (B * T);
  let y = runModel(model, { T, B, data: swap01(flat, B, T, F), ...(lengths ? { lengths } : {}) });
  const O = model.spec.task.outputs;
  if (model.spec.task.perStep) y = swap01(y, T, B, O);
  if (model.spec.task.target === "class" && opts.probabilities !== false) y = softmaxRows(y, O);
  return y;
}

