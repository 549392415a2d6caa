/**
 * Multiplicative attention, Luong, Pham & Manning 2015 ("Effective approaches to attention-based
 * neural machine translation"), the "general" score, on the decoder's current output h_t:
 *
 *   k_s   = W_a · m_s                    (keys, computed once per source batch)
 *   e_ts  = h_tᵀ · k_s = h_tᵀ W_a m_s
 *   α, c  = masked softmax and weighted sum (attention.ts)
 *
 * Shape legend: T target, S source, B batch, Q query (decoder hidden), C memory width.
 * W_a [Q, C] (rows: query units). Caches: memory, keys k [S, B, Q], queries, weights α.
 * Backward:  dh_t = Σ_s de_ts k_s;  dk_s = Σ_t de_ts h_t;  dW_a += Σ_s dk_s m_sᵀ;  dm_s += W_aᵀ dk_s
 */
import type { Vec } from "../kernels/types.js";
import { glorotUniform, uniform, type InitScheme } from "../layers/init.js";
import type { LayerParam } from "../layers/layer.js";
import type { Rng } from "../util/random.js";
import { backwardSoftmaxContext, softmaxContext, type Attention, type AttentionCache } from "./attention.js";

export class LuongAttention implements Attention {
  readonly kind = "luong";
  readonly params: readonly LayerParam[];
  readonly paramCount: number;
  private p: Vec = new Float64Array(0);
  private g: Vec = new Float64Array(0);
  private mem: Vec = new Float64Array(0);  // [S, B, C]
  private k: Float64Array = new Float64Array(0); // [S, B, Q]
  private lengths: Int32Array | null = null;
  private S = 0;
  private B = 0;
  private q: Vec = new Float64Array(0);    // [T, B, Q]
  private alpha: Vec = new Float64Array(0); // [T, B, S]
  private T = 0;

  constructor(readonly querySize: number, readonly memorySize: number) {
    this.params = [{ name: "Wa", shape: [querySize, memorySize], trainable: true, doc: "bilinear score weights (query, memory)" }];
    this.paramCount = querySize * memorySize;
  }

  bind(params: Vec, grads: Vec): void {
    this.p = params;
    this.g = grads;
  }

  init(rng: Rng, scheme: InitScheme): void {
    if (scheme === "none") this.p.fill(0);
    else if (scheme === "uniform") uniform(this.p, 1 / Math.sqrt(this.memorySize), rng);
    else glorotUniform(this.p, this.memorySize, this.querySize, rng);
  }

  prepare(memory: Vec, S: number, B: number, lengths: Int32Array | null): void {
    const Q = this.querySize, C = this.memorySize, W = this.p;
    this.mem = memory; this.S = S; this.B = B; this.lengths = lengths;
    // k_s = W_a · m_s
    const k = (this.k = new Float64Array(S * B * Q));
    for (let n = 0; n < S * B; n++) {
      for (let i = 0; i < Q; i++) {
        let acc = 0;
        for (let j = 0; j < C; j++) acc += W[i * C + j]! * memory[n * C + j]!;
        k[n * Q + i] = acc;
      }
    }
  }

  forward(queries: Vec, T: number): { context: Vec; weights: Vec } {
    const { S, B, querySize: Q, memorySize: C, k } = this;
    // e_ts = h_tᵀ · k_s
    const e = new Float64Array(T * B * S);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      const qo = (t * B + b) * Q, len = this.lengths ? this.lengths[b]! : S;
      for (let s = 0; s < len; s++) {
        let acc = 0;
        const ko = (s * B + b) * Q;
        for (let i = 0; i < Q; i++) acc += queries[qo + i]! * k[ko + i]!;
        e[(t * B + b) * S + s] = acc;
      }
    }
    const context = new Float64Array(T * B * C);
    softmaxContext(e, this.mem, this.lengths, T, B, S, C, context);
    this.q = queries; this.alpha = e; this.T = T;
    return { context, weights: e };
  }

  saved(): AttentionCache {
    return { T: this.T, q: this.q, alpha: this.alpha };
  }

  restore(c: AttentionCache): void {
    this.T = c.T; this.q = c.q; this.alpha = c.alpha;
  }

  get keySize(): number {
    return this.querySize;
  }

  backward(dContext: Vec, dMemory: Vec, dKeys?: Float64Array): Vec {
    const { S, B, T, querySize: Q, memorySize: C, k, q, mem } = this;
    const de = backwardSoftmaxContext(this.alpha, mem, dContext, this.lengths, T, B, S, C, dMemory);
    const dq = new Float64Array(T * B * Q), dk = dKeys ?? new Float64Array(S * B * Q);
    // e_ts = h_tᵀ · k_s:  dh_t += de_ts k_s,  dk_s += de_ts h_t
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) {
      const d = de[(t * B + b) * S + s]!;
      if (d === 0) continue;
      const qo = (t * B + b) * Q, ko = (s * B + b) * Q;
      for (let i = 0; i < Q; i++) { dq[qo + i] += d * k[ko + i]!; dk[ko + i] += d * q[qo + i]!; }
    }
    if (!dKeys) this.backwardKeys(dk, dMemory);
    return dq;
  }

  backwardKeys(dKeys: Float64Array, dMemory: Vec): void {
    const { S, B, querySize: Q, memorySize: C, mem } = this;
    // k_s = W_a · m_s:  dW_a += dk_s m_sᵀ,  dm_s += W_aᵀ dk_s
    for (let n = 0; n < S * B; n++) for (let i = 0; i < Q; i++) {
      const d = dKeys[n * Q + i]!;
      if (d === 0) continue;
      for (let j = 0; j < C; j++) { this.g[i * C + j] += d * mem[n * C + j]!; dMemory[n * C + j] += d * this.p[i * C + j]!; }
    }
  }
}
