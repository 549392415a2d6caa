/**
 * Additive attention, Bahdanau, Cho & Bengio 2015 ("Neural machine translation by jointly learning
 * to align and translate", eq. 6 and appendix A.1.2), scored on the decoder's current output h_t
 * (Luong et al.'s "concat" placement; the context then enters the output, not the recurrence):
 *
 *   k_s   = W_k · m_s                          (keys, computed once per source batch)
 *   u_ts  = tanh(W_q · h_t + k_s + b)
 *   e_ts  = vᵀ · u_ts
 *   α, c  = masked softmax and weighted sum (attention.ts)
 *
 * Shape legend: T target, S source, B batch, Q query (decoder hidden), C memory width, A attention.
 * W_q [A, Q], W_k [A, C], b [A], v [A]. Caches: memory, keys [S, B, A], queries, u [T, B, S, A]
 * (padding positions left 0), weights α. Derivatives from saved outputs: tanh' = 1 − u².
 * Backward:  dv += Σ de_ts u_ts;  du_ts = de_ts v ⊙ (1 − u_ts²);  db += Σ du;  dk_s = Σ_t du_ts;
 *            dW_q += Σ_t (Σ_s du_ts) h_tᵀ;  dh_t = W_qᵀ Σ_s du_ts;  dW_k += dk_s m_sᵀ;  dm_s += W_kᵀ dk_s
 */
import type { Vec } from "../kernels/types.js";
import { glorotUniform, uniform, type InitScheme } from "../layers/init.js";
import type { LayerParam } from "../layers/layer.js";
import type { Rng } from "../util/random.js";
import { backwardSoftmaxContext, softmaxContext, type Attention, type AttentionCache } from "./attention.js";

/** out[n, i] = Σ_j W[i, j] · x[n, j] for n < N (W at offset wo, rows of length J). */
function project(out: Float64Array, W: Vec, wo: number, x: Vec, N: number, I: number, J: number): void {
  for (let n = 0; n < N; n++) for (let i = 0; i < I; i++) {
    let acc = 0;
    for (let j = 0; j < J; j++) acc += W[wo + i * J + j]! * x[n * J + j]!;
    out[n * I + i] = acc;
  }
}

export class AdditiveAttention implements Attention {
  readonly kind = "additive";
  readonly params: readonly LayerParam[];
  readonly paramCount: number;
  private p: Vec = new Float64Array(0);
  private g: Vec = new Float64Array(0);
  private mem: Vec = new Float64Array(0);    // [S, B, C]
  private k = new Float64Array(0);           // [S, B, A]
  private lengths: Int32Array | null = null;
  private S = 0;
  private B = 0;
  private T = 0;
  private q: Vec = new Float64Array(0);      // [T, B, Q]
  private u: Float64Array = new Float64Array(0); // [T, B, S, A]
  private alpha: Vec = new Float64Array(0);  // [T, B, S]

  constructor(readonly querySize: number, readonly memorySize: number, readonly attentionSize: number) {
    const A = attentionSize, Q = querySize, C = memorySize;
    this.params = [
      { name: "Wq", shape: [A, Q], trainable: true, doc: "query projection" },
      { name: "Wk", shape: [A, C], trainable: true, doc: "key projection of the memory" },
      { name: "b", shape: [A], trainable: true, doc: "bias inside the tanh" },
      { name: "v", shape: [A], trainable: true, doc: "score vector" },
    ];
    this.paramCount = A * Q + A * C + 2 * A;
  }

  private get offsets() {
    const A = this.attentionSize, Q = this.querySize, C = this.memorySize;
    return { Wq: 0, Wk: A * Q, b: A * Q + A * C, v: A * Q + A * C + A };
  }

  bind(params: Vec, grads: Vec): void {
    this.p = params;
    this.g = grads;
  }

  init(rng: Rng, scheme: InitScheme): void {
    const A = this.attentionSize, Q = this.querySize, C = this.memorySize, o = this.offsets;
    if (scheme === "none") { this.p.fill(0); return; }
    if (scheme === "uniform") { uniform(this.p, 1 / Math.sqrt(A), rng); return; }
    glorotUniform(this.p.subarray(o.Wq, o.Wk), Q, A, rng);
    glorotUniform(this.p.subarray(o.Wk, o.b), C, A, rng);
    this.p.fill(0, o.b, o.v);
    glorotUniform(this.p.subarray(o.v, o.v + A), A, 1, rng);
  }

  prepare(memory: Vec, S: number, B: number, lengths: Int32Array | null): void {
    const A = this.attentionSize;
    this.mem = memory; this.S = S; this.B = B; this.lengths = lengths;
    // k_s = W_k · m_s
    this.k = new Float64Array(S * B * A);
    project(this.k, this.p, this.offsets.Wk, memory, S * B, A, this.memorySize);
  }

  forward(queries: Vec, T: number): { context: Vec; weights: Vec } {
    const { S, B, attentionSize: A, querySize: Q, memorySize: C, k, p } = this, o = this.offsets;
    const qp = new Float64Array(T * B * A);
    project(qp, p, o.Wq, queries, T * B, A, Q);
    const u = new Float64Array(T * B * S * A), e = new Float64Array(T * B * S);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      const len = this.lengths ? this.lengths[b]! : S, qo = (t * B + b) * A;
      for (let s = 0; s < len; s++) {
        // u_ts = tanh(W_q h_t + k_s + b);  e_ts = vᵀ u_ts
        const ko = (s * B + b) * A, uo = ((t * B + b) * S + s) * A;
        let acc = 0;
        for (let a = 0; a < A; a++) {
          const val = (u[uo + a] = Math.tanh(qp[qo + a]! + k[ko + a]! + p[o.b + a]!));
          acc += p[o.v + a]! * val;
        }
        e[(t * B + b) * S + s] = acc;
      }
    }
    const context = new Float64Array(T * B * C);
    softmaxContext(e, this.mem, this.lengths, T, B, S, C, context);
    this.q = queries; this.u = u; this.alpha = e; this.T = T;
    return { context, weights: e };
  }

  saved(): AttentionCache {
    return { T: this.T, q: this.q, alpha: this.alpha, u: this.u };
  }

  restore(c: AttentionCache): void {
    this.T = c.T; this.q = c.q; this.alpha = c.alpha; this.u = c.u!;
  }

  get keySize(): number {
    return this.attentionSize;
  }

  backward(dContext: Vec, dMemory: Vec, dKeys?: Float64Array): Vec {
    const { S, B, T, attentionSize: A, querySize: Q, memorySize: C, u, p, g, q, mem } = this, o = this.offsets;
    const de = backwardSoftmaxContext(this.alpha, mem, dContext, this.lengths, T, B, S, C, dMemory);
    const dqp = new Float64Array(T * B * A), dk = dKeys ?? new Float64Array(S * B * A);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      const len = this.lengths ? this.lengths[b]! : S, qo = (t * B + b) * A;
      for (let s = 0; s < len; s++) {
        const d = de[(t * B + b) * S + s]!, uo = ((t * B + b) * S + s) * A, ko = (s * B + b) * A;
        for (let a = 0; a < A; a++) {
          const ua = u[uo + a]!;
          // e_ts = vᵀ u_ts: dv += de u;  u = tanh(·): du = de v (1 − u²)
          g[o.v + a] += d * ua;
          const du = d * p[o.v + a]! * (1 - ua * ua);
          g[o.b + a] += du;
          dqp[qo + a] += du;
          dk[ko + a] += du;
        }
      }
    }
    // W_q h_t: dW_q += dqp h_tᵀ, dh_t = W_qᵀ dqp
    const dq = new Float64Array(T * B * Q);
    this.back(dqp, q, dq, T * B, Q, o.Wq);
    if (!dKeys) this.backwardKeys(dk, dMemory);
    return dq;
  }

  backwardKeys(dKeys: Float64Array, dMemory: Vec): void {
    // k_s = W_k m_s: dW_k += dk m_sᵀ, dm_s += W_kᵀ dk
    this.back(dKeys, this.mem, dMemory, this.S * this.B, this.memorySize, this.offsets.Wk);
  }

  /** y = W x rows (W [A, J] at offset wo): dW += d xᵀ, dx += Wᵀ d. */
  private back(d: Float64Array, x: Vec, dx: Vec, N: number, J: number, wo: number): void {
    const A = this.attentionSize, g = this.g, p = this.p;
    for (let n = 0; n < N; n++) for (let a = 0; a < A; a++) {
      const v = d[n * A + a]!;
      if (v === 0) continue;
      for (let j = 0; j < J; j++) { g[wo + a * J + j] += v * x[n * J + j]!; dx[n * J + j] += v * p[wo + a * J + j]!; }
    }
  }
}
