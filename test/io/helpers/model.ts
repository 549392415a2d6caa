/** Running a gated Model on time-major features or token ids (inference), for the interchange tests. */
import type { Model } from "../../../src/model/model.js";
import { Rng } from "../../../src/util/random.js";

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

/** Deterministic values in [−scale, scale). */
export function values(n: number, seed: number, scale = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 1) * scale;
  }
  return out;
}
