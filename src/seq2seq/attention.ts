/**
 * What both attention kinds share: the interface, and the masked softmax over source positions with
 * the weighted sum of the memory (Bahdanau et al. 2015 eq. 5–6; Luong et al. 2015 eq. 7).
 *
 * Shape legend: T target steps, S source steps, B batch, C memory width (the encoder output, D·H),
 * Q query width (the decoder output). memory [S, B, C], queries [T, B, Q], scores and weights
 * [T, B, S], context [T, B, C]. Source position s of row b is padding when s ≥ lengths[b]: its
 * weight is exactly 0, so it changes neither the context nor any gradient.
 *
 *   α_ts = exp(e_ts − max) / Σ_{s' < len_b} exp(e_ts' − max)      (0 for s ≥ len_b)
 *   c_t  = Σ_s α_ts · m_s
 * Backward (given dc_t):
 *   dα_ts = dc_t · m_s;   dm_s += α_ts · dc_t;   de_ts = α_ts · (dα_ts − Σ_s' α_ts' dα_ts')
 */
import type { Vec } from "../kernels/types.js";
import type { LayerParam } from "../layers/layer.js";
import type { InitScheme } from "../layers/init.js";
import type { Rng } from "../util/random.js";

/**
 * Where and how the decoder attends (model.ts has the equations): "additive" (Bahdanau's score) and
 * "luong" (Luong's "general" score) score the decoder's current output and feed the output layer;
 * "bahdanau" is Bahdanau et al.'s own form — the additive score on the previous decoder state,
 * the context feeding the decoder's input; "none" attends to nothing.
 */
export type AttentionKind = "none" | "additive" | "luong" | "bahdanau";
export const ATTENTION_KINDS: readonly AttentionKind[] = ["none", "additive", "luong", "bahdanau"];

export interface Attention {
  readonly kind: Exclude<AttentionKind, "none">;
  readonly params: readonly LayerParam[];
  readonly paramCount: number;
  bind(params: Vec, grads: Vec): void;
  init(rng: Rng, scheme: InitScheme): void;
  /** Keeps the memory [S, B, C] and its lengths, and computes the keys (once per source batch). */
  prepare(memory: Vec, S: number, B: number, lengths: Int32Array | null): void;
  /** queries [T, B, Q] → context [T, B, C] and weights [T, B, S] (fresh arrays). */
  forward(queries: Vec, T: number): { context: Vec; weights: Vec };
  /**
   * dContext [T, B, C] of the last forward → dQueries [T, B, Q]; adds into dMemory [S, B, C] and the
   * bound gradients. With `dKeys` [S, B, K] the keys' gradient is only added there: backwardKeys
   * finishes it once for many calls (a step-by-step decoder).
   */
  backward(dContext: Vec, dMemory: Vec, dKeys?: Float64Array): Vec;
  /** The keys' backward (k_s = W m_s): adds into dMemory [S, B, C] and the bound gradients. */
  backwardKeys(dKeys: Float64Array, dMemory: Vec): void;
  /** Width K of the keys. */
  readonly keySize: number;
  /** What the last forward kept for backward, to restore() later (a step-by-step decoder calls forward once per step). */
  saved(): AttentionCache;
  restore(cache: AttentionCache): void;
}

/** An attention's record of one forward (opaque to callers). */
export interface AttentionCache { readonly T: number; readonly q: Vec; readonly alpha: Vec; readonly u?: Float64Array }

/** Scores [T, B, S] → weights in place (masked softmax), and context [T, B, C]. */
export function softmaxContext(e: Vec, memory: Vec, lengths: Int32Array | null, T: number, B: number, S: number, C: number, context: Vec): void {
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const len = lengths ? lengths[b]! : S, o = (t * B + b) * S;
      let max = -Infinity;
      for (let s = 0; s < len; s++) max = Math.max(max, e[o + s]!);
      let sum = 0;
      for (let s = 0; s < len; s++) sum += e[o + s] = Math.exp(e[o + s]! - max);
      for (let s = 0; s < S; s++) e[o + s] = s < len ? e[o + s]! / sum : 0;
      // c_t = Σ_s α_ts · m_s
      const co = (t * B + b) * C;
      for (let s = 0; s < len; s++) {
        const a = e[o + s]!, mo = (s * B + b) * C;
        for (let j = 0; j < C; j++) context[co + j] += a * memory[mo + j]!;
      }
    }
  }
}

/** Backward of softmaxContext: adds α·dc into dMemory and returns de [T, B, S] (0 at padding). */
export function backwardSoftmaxContext(alpha: Vec, memory: Vec, dContext: Vec, lengths: Int32Array | null, T: number, B: number, S: number, C: number, dMemory: Vec): Float64Array {
  const de = new Float64Array(T * B * S);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const len = lengths ? lengths[b]! : S, o = (t * B + b) * S, co = (t * B + b) * C;
      let dot = 0;
      for (let s = 0; s < len; s++) {
        const mo = (s * B + b) * C, a = alpha[o + s]!;
        // c_t = Σ_s α_ts · m_s:  dα_ts = dc_t · m_s,  dm_s += α_ts · dc_t
        let da = 0;
        for (let j = 0; j < C; j++) { da += dContext[co + j]! * memory[mo + j]!; dMemory[mo + j] += a * dContext[co + j]!; }
        de[o + s] = da;
        dot += a * da;
      }
      // α = softmax(e): de_ts = α_ts · (dα_ts − Σ α dα)
      for (let s = 0; s < len; s++) de[o + s] = alpha[o + s]! * (de[o + s]! - dot);
    }
  }
  return de;
}
