/**
 * An RNN encoder–decoder (Cho et al. 2014; Sutskever et al. 2014) with optional attention, any of
 * gated's cells on either side. Three attention placements (option `attention`):
 *
 *   x_s   = E_src[a_s]                                  source embedding
 *   m, h_S = encoder(x; lengths)                         m [S, B, C], C = D·H_enc (bidirectional: D = 2)
 *   z     = [h_S^fwd ; h_S^rev]                          the last layer's final states [B, C]
 *   s_0   = tanh(W_br z + b_br) per decoder layer        (bridge, when C ≠ H_dec; else s_0 = z)
 *
 * "none", "additive", "luong" — attention on the decoder's output (Luong et al. 2015's placement):
 *   d_t   = [E_tgt[y_{t−1}] ; z]                         Cho's form: the summary feeds every step
 *   h_t   = decoder(d_t, s_{t−1})
 *   c_t   = attention(h_t, m)                            additive (Bahdanau's score) or Luong "general"
 *   h̃_t   = tanh(W_c [c_t ; h_t] + b_c)                  (Luong eq. 5; none: h̃_t = h_t)
 *   o_t   = W_o h̃_t + b_o                                logits over the target vocabulary
 *
 * "bahdanau" — Bahdanau, Cho & Bengio 2015's own form: the context is scored on the previous
 * decoder state and feeds the recurrence (eq. 4–6 and appendix A.2; s_{t−1} the top layer's state):
 *   e_ts  = vᵀ tanh(W_q s_{t−1} + W_k m_s + b),  α_t = masked softmax(e_t),  c_t = Σ_s α_ts m_s
 *   d_t   = [E_tgt[y_{t−1}] ; c_t]                       ([E_tgt[y_{t−1}] ; z ; c_t] with context "every-step")
 *   s_t   = decoder(d_t, s_{t−1})
 *   h̃_t   = tanh(W_c [c_t ; s_t ; E_tgt[y_{t−1}]] + b_c)  output from s_t, c_t, y_{t−1} (eq. 4; the
 *                                                         paper's deep output uses a maxout, this a tanh)
 *   o_t   = W_o h̃_t + b_o
 * The context option defaults to "initial-only" for "bahdanau" (the paper's form) and "every-step"
 * otherwise. Training runs the decoder step by step (one stack per step sharing the parameters, so
 * each keeps its own tape); the other placements run the whole target sequence in one forward.
 *
 * Shape legend: S source, T target, B batch, C memory width, H decoder hidden, E embedding,
 * V target vocabulary. All parameters live in one flat buffer with named entries
 * ("encoder.layer0.forward.W", "attention.v", "output.W", ...); grads mirror it. Backward reverses
 * the lines above one by one (seq2seq/backward.ts); the decoder state for step-by-step decoding
 * lives in decode.ts.
 */
import type { CellKind, CellOptionsByKind } from "../cells/index.js";
import { OptionError, checkObject, oneOf } from "../errors/index.js";
import type { DType, Kernels, Vec } from "../kernels/types.js";
import { Dense } from "../layers/dense.js";
import { Embedding } from "../layers/embedding.js";
import type { Act, Context, Layer } from "../layers/layer.js";
import { positiveInt } from "../cells/options.js";
import { Recurrent, type StackOptions } from "../sequence/recurrent.js";
import { Rng } from "../util/random.js";
import { ATTENTION_KINDS, type Attention, type AttentionCache, type AttentionKind } from "./attention.js";
import { AdditiveAttention } from "./attention-additive.js";
import { LuongAttention } from "./attention-luong.js";

/** One side's recurrent stack: a cell kind, its hidden size and options (inputSize is set here). */
export type SideOptions = { readonly cell: CellKind; readonly hiddenSize: number; readonly layers?: number; readonly direction?: "forward" | "bidirectional" }
  & Partial<Omit<CellOptionsByKind[CellKind], "inputSize" | "hiddenSize">>;

export interface Seq2seqOptions {
  readonly sourceVocabulary: number;
  readonly targetVocabulary: number;
  /** Embedding width of both sides (default 32). */
  readonly embeddingSize?: number;
  readonly encoder: SideOptions;
  /** The decoder runs forward only. */
  readonly decoder: Omit<SideOptions, "direction">;
  /** "additive" (default), "luong", "bahdanau" (context from the previous state feeds the decoder input) or "none". */
  readonly attention?: AttentionKind;
  /** Width A of the additive score (default: the decoder's hidden size). */
  readonly attentionSize?: number;
  /**
   * "every-step" (Cho et al.: the encoder summary joins every decoder input; the default but for
   * attention "bahdanau") or "initial-only" (the summary only initialises the decoder).
   */
  readonly context?: "every-step" | "initial-only";
  readonly dtype?: DType;
  readonly seed?: number;
  readonly backend?: StackOptions<CellKind>["backend"];
}

export interface Seq2seqEntry { readonly name: string; readonly shape: readonly number[]; readonly offset: number; readonly size: number; readonly trainable: boolean }

/** The values one training forward keeps for backward (see backward.ts). */
export interface Seq2seqTape {
  readonly batch: import("./batch.js").Seq2seqBatch;
  readonly encTape: NonNullable<ReturnType<Recurrent["forward"]>["tape"]>;
  readonly decTape: NonNullable<ReturnType<Recurrent["forward"]>["tape"]>;
  readonly memory: Vec;       // [S, B, C]
  readonly summary: Vec;      // [B, C]
  readonly decOut: Vec;       // [T, B, H]
  /** Attention "bahdanau" only: what the step-by-step decoder keeps. */
  readonly steps?: BahdanauTape;
}

/** The step-by-step decoder's record (attention "bahdanau"). */
export interface BahdanauTape {
  readonly tapes: NonNullable<ReturnType<Recurrent["forward"]>["tape"]>[]; // one per target step
  readonly caches: AttentionCache[];  // the attention's record of each step
}

export class Seq2seq {
  readonly options: Seq2seqOptions;
  readonly dtype: DType;
  readonly kernels: Kernels;
  readonly encoder: Recurrent;
  readonly decoder: Recurrent;
  readonly sourceEmbedding: Embedding;
  readonly targetEmbedding: Embedding;
  readonly bridge: Dense | null;
  readonly attention: Attention | null;
  readonly combine: Dense | null;
  readonly output: Dense;
  readonly memorySize: number;
  readonly contextFeed: boolean;
  /** Attention "bahdanau": the context of the previous state feeds the decoder's input. */
  readonly feedsInput: boolean;
  readonly params: Vec;
  readonly grads: Vec;
  readonly mask: Uint8Array;
  readonly entries: readonly Seq2seqEntry[];
  /** Stacks sharing the decoder's parameters, one per target step after the first (attention "bahdanau" training). */
  private readonly stepDecoders: Recurrent[] = [];
  private readonly decoderOptions: object;

  constructor(o: Seq2seqOptions) {
    const where = "seq2seq";
    checkObject(where, o);
    const Vs = positiveInt(where, "sourceVocabulary", o.sourceVocabulary), Vt = positiveInt(where, "targetVocabulary", o.targetVocabulary);
    const E = positiveInt(where, "embeddingSize", o.embeddingSize ?? 32);
    const attention = oneOf(where, "attention", o.attention ?? "additive", ATTENTION_KINDS);
    this.feedsInput = attention === "bahdanau";
    this.contextFeed = oneOf(where, "context", o.context ?? (this.feedsInput ? "initial-only" : "every-step"), ["every-step", "initial-only"] as const) === "every-step";
    this.dtype = oneOf(where, "dtype", o.dtype ?? "float32", ["float32", "float64"] as const);
    checkObject(`${where} encoder`, o.encoder);
    checkObject(`${where} decoder`, o.decoder);
    if ("direction" in o.decoder && (o.decoder as SideOptions).direction !== "forward") {
      throw new OptionError(`${where}: decoder direction must be "forward" (it reads its own output step by step), got ${JSON.stringify((o.decoder as SideOptions).direction)}`);
    }
    this.options = o;
    const seed = o.seed ?? 0, common = { dtype: this.dtype, ...(o.backend ? { backend: o.backend } : {}) };
    this.encoder = new Recurrent({ ...o.encoder, ...common, inputSize: E, seed } as never);
    const C = (this.memorySize = this.encoder.numDirections * this.encoder.hiddenSize);
    this.decoderOptions = { ...o.decoder, ...common, direction: "forward", inputSize: E + (this.contextFeed ? C : 0) + (this.feedsInput ? C : 0), seed: seed + 1 };
    this.decoder = new Recurrent(this.decoderOptions as never);
    const H = this.decoder.hiddenSize, Ld = this.decoder.layers;
    this.kernels = this.encoder.kernels;
    this.sourceEmbedding = new Embedding({ vocabularySize: Vs, embeddingSize: E });
    this.targetEmbedding = new Embedding({ vocabularySize: Vt, embeddingSize: E });
    this.bridge = C === H ? null : new Dense({ inputSize: C, outputSize: Ld * H, activation: "Tanh" });
    this.attention = attention === "none" ? null
      : attention === "luong" ? new LuongAttention(H, C)
      : new AdditiveAttention(H, C, positiveInt(where, "attentionSize", o.attentionSize ?? H));
    this.combine = this.attention ? new Dense({ inputSize: C + H + (this.feedsInput ? E : 0), outputSize: H, activation: "Tanh" }) : null;
    this.output = new Dense({ inputSize: H, outputSize: Vt });
    const parts: [string, { paramCount: number; params: readonly { name: string; shape: readonly number[] }[] } | Recurrent][] = [
      ["source", this.sourceEmbedding], ["target", this.targetEmbedding], ["encoder", this.encoder], ["bridge", this.bridge!],
      ["decoder", this.decoder], ["attention", this.attention!], ["combine", this.combine!], ["output", this.output],
    ];
    const entries: Seq2seqEntry[] = [];
    let offset = 0;
    const spans: [number, number][] = [];
    for (const [prefix, part] of parts) {
      const start = offset;
      if (part instanceof Recurrent) for (const e of part.entries) entries.push({ name: `${prefix}.${e.name}`, shape: e.shape, offset: offset + e.offset, size: e.size, trainable: e.trainable });
      else if (part) {
        let inner = offset;
        for (const p of part.params) { const n = p.shape.reduce((a, b) => a * b, 1); entries.push({ name: `${prefix}.${p.name}`, shape: p.shape, offset: inner, size: n, trainable: true }); inner += n; }
      }
      offset += part ? (part instanceof Recurrent ? part.params.length : part.paramCount) : 0;
      spans.push([start, offset]);
    }
    this.entries = entries;
    this.params = this.kernels.alloc(offset);
    this.grads = this.kernels.alloc(offset);
    this.mask = new Uint8Array(offset);
    for (const e of entries) if (e.trainable) this.mask.fill(1, e.offset, e.offset + e.size);
    const rng = new Rng(seed + 2);
    parts.forEach(([, part], i) => {
      if (!part) return;
      const [a, b] = spans[i]!;
      if (part instanceof Recurrent) part.attach(this.params.subarray(a, b));
      else { (part as Layer | Attention).bind(this.params.subarray(a, b), this.grads.subarray(a, b)); (part as Layer | Attention).init(rng, "glorot"); }
    });
  }

  get paramCount(): number {
    return this.params.length;
  }

  /** Call after writing into `params` directly (optimisers, loading): the stacks repack their weights. */
  markChanged(): void {
    this.encoder.markChanged();
    this.decoder.markChanged();
    for (const d of this.stepDecoders) d.markChanged();
  }

  /** The stack that runs target step t (attention "bahdanau"): step 0 the decoder itself, later steps stacks sharing its parameters. */
  decoderAt(t: number): Recurrent {
    if (t === 0) return this.decoder;
    while (this.stepDecoders.length < t) {
      const r = new Recurrent(this.decoderOptions as never);
      r.params.set(this.decoder.params); // attach copies these values into the shared view: unchanged
      r.attach(this.decoder.params);
      this.stepDecoders.push(r);
    }
    return this.stepDecoders[t - 1]!;
  }

  /** The gradient view of the encoder's or decoder's slice of `grads`. */
  gradSlice(part: "encoder" | "decoder"): Vec {
    const first = this.entries.find((e) => e.name.startsWith(`${part}.`))!;
    return this.grads.subarray(first.offset, first.offset + (part === "encoder" ? this.encoder : this.decoder).params.length);
  }

  context(train: boolean): Context {
    return { train, rng: new Rng(0), kernels: this.kernels };
  }

  /** Encodes a source batch: memory [S, B, C], summary z [B, C], the decoder's initial state [Ld, B, H]. */
  encode(source: Int32Array, S: number, B: number, lengths: Int32Array | null, train: boolean) {
    const ctx = this.context(train), C = this.memorySize, De = this.encoder.numDirections, Le = this.encoder.layers, He = this.encoder.hiddenSize;
    const x = this.sourceEmbedding.forward({ data: this.kernels.alloc(0), ids: source, T: S, B, F: 0, lengths }, ctx);
    const enc = this.encoder.forward({ data: x.data, shape: [S, B, x.F] }, { train, ...(lengths ? { lengths } : {}) });
    const summary = this.kernels.alloc(B * C);
    for (let d = 0; d < De; d++) {
      const f = enc.finalState.data, row = (Le - 1) * De + d;
      for (let b = 0; b < B; b++) summary.set(f.subarray((row * B + b) * He, (row * B + b + 1) * He), b * C + d * He);
    }
    const H = this.decoder.hiddenSize, Ld = this.decoder.layers, init = this.kernels.alloc(Ld * B * H);
    if (this.bridge) {
      // s_0 = tanh(W_br z + b_br): [B, Ld·H] → [Ld, B, H]
      const y = this.bridge.forward({ data: summary, T: 1, B, F: C, lengths: null }, ctx).data;
      for (let l = 0; l < Ld; l++) for (let b = 0; b < B; b++) init.set(y.subarray(b * Ld * H + l * H, b * Ld * H + (l + 1) * H), (l * B + b) * H);
    } else for (let l = 0; l < Ld; l++) init.set(summary, l * B * H);
    if (this.attention) this.attention.prepare(enc.output.data, S, B, lengths);
    return { memory: enc.output.data, summary, init, tape: enc.tape };
  }

  /** E_tgt[y] of ids [T, B] → [T, B, E] (a fresh array). */
  embedTarget(ids: Int32Array, T: number, B: number, train: boolean): Vec {
    return this.targetEmbedding.forward({ data: this.kernels.alloc(0), ids, T, B, F: 0, lengths: null }, this.context(train)).data.slice();
  }

  /** d_t = [e_t ; z] (context "every-step") or e_t, then ; c_t (attention "bahdanau", context [T, B, C]) for embeddings e [T, B, E]. */
  decoderInput(emb: Vec, T: number, B: number, summary: Vec, context: Vec | null = null): Vec {
    const E = this.targetEmbedding.outputFeatures, C = this.memorySize, I = this.decoder.inputSize;
    if (I === E) return emb;
    const x = this.kernels.alloc(T * B * I);
    for (let n = 0; n < T * B; n++) {
      x.set(emb.subarray(n * E, (n + 1) * E), n * I);
      let col = n * I + E;
      if (this.contextFeed) { x.set(summary.subarray((n % B) * C, (n % B + 1) * C), col); col += C; }
      if (context) for (let j = 0; j < C; j++) x[col + j] = context[n * C + j]!;
    }
    return x;
  }

  /**
   * Decoder outputs h [T, B, H] → logits [T, B, V] (attention and combine when present); `seen`,
   * when given, receives the attention weights α [T, B, S]. Attention "bahdanau" gives its
   * contexts c [T, B, C] and the embeddings e [T, B, E] of the decoder inputs (`fed`).
   */
  head(h: Vec, T: number, B: number, train: boolean, seen?: (weights: Vec) => void, fed?: { readonly context: Vec; readonly emb: Vec }): Vec {
    const ctx = this.context(train), H = this.decoder.hiddenSize, C = this.memorySize;
    let top: Act = { data: h, T, B, F: H, lengths: null };
    if (this.attention && this.combine) {
      let context: Vec;
      if (fed) context = fed.context;
      else {
        const a = this.attention.forward(h, T);
        context = a.context;
        seen?.(a.weights);
      }
      // h̃_t = tanh(W_c [c_t ; h_t] + b_c);  bahdanau: tanh(W_c [c_t ; s_t ; e_t] + b_c)
      const E = fed ? this.targetEmbedding.outputFeatures : 0, W = C + H + E;
      const cat = this.kernels.alloc(T * B * W);
      for (let n = 0; n < T * B; n++) {
        for (let j = 0; j < C; j++) cat[n * W + j] = context[n * C + j]!;
        cat.set(h.subarray(n * H, (n + 1) * H), n * W + C);
        if (fed) cat.set(fed.emb.subarray(n * E, (n + 1) * E), n * W + C + H);
      }
      top = this.combine.forward({ data: cat, T, B, F: W, lengths: null }, ctx);
    }
    return this.output.forward(top, ctx).data;
  }

  /** Teacher-forced forward: logits [T, B, V] and, when training, the tape backward reads. */
  forward(batch: import("./batch.js").Seq2seqBatch, train: boolean, decoderIds: Int32Array = batch.targetIn, seen?: (weights: Vec) => void) {
    const { S, T, B } = batch;
    const enc = this.encode(batch.source, S, B, batch.sourceLengths, train);
    if (this.feedsInput) return this.forwardBahdanau(batch, enc, decoderIds, train, seen);
    const x = this.decoderInput(this.embedTarget(decoderIds, T, B, train), T, B, enc.summary);
    const H = this.decoder.hiddenSize, Ld = this.decoder.layers;
    const dec = this.decoder.forward({ data: x, shape: [T, B, this.decoder.inputSize] }, { train, lengths: batch.targetLengths, initialState: { data: enc.init, shape: [Ld, B, H] } });
    const logits = this.head(dec.output.data, T, B, train, seen);
    const tape: Seq2seqTape | null = train ? { batch, encTape: enc.tape!, decTape: dec.tape!, memory: enc.memory, summary: enc.summary, decOut: dec.output.data } : null;
    return { logits, tape };
  }

  /**
   * The step-by-step teacher-forced forward of attention "bahdanau": at step t the query is the top
   * layer's state s_{t−1} (s_0 the initial state), c_t = attention(s_{t−1}, m), d_t = [e_t ; c_t],
   * s_t = decoder(d_t, s_{t−1}) for the rows with t < their target length (the others carry their state).
   */
  private forwardBahdanau(batch: import("./batch.js").Seq2seqBatch, enc: ReturnType<Seq2seq["encode"]>, decoderIds: Int32Array, train: boolean, seen?: (weights: Vec) => void) {
    const { S, T, B } = batch, k = this.kernels, attention = this.attention!;
    const C = this.memorySize, H = this.decoder.hiddenSize, Ld = this.decoder.layers, I = this.decoder.inputSize;
    const emb = this.embedTarget(decoderIds, T, B, train);
    const contexts = k.alloc(T * B * C), outs = k.alloc(T * B * H), weights = new Float64Array(T * B * S);
    const tapes: NonNullable<ReturnType<Recurrent["forward"]>["tape"]>[] = [], caches: AttentionCache[] = [];
    let state: Vec = enc.init, cell: Vec | null = null;
    for (let t = 0; t < T; t++) {
      // e_ts = vᵀ tanh(W_q s_{t−1} + W_k m_s + b);  c_t = Σ_s α_ts m_s
      const q = state.subarray((Ld - 1) * B * H, Ld * B * H);
      const a = attention.forward(q, 1);
      if (train) caches.push(attention.saved());
      contexts.set(a.context, t * B * C);
      weights.set(a.weights, t * B * S);
      // s_t = decoder([e_t ; c_t], s_{t−1})
      const E = this.targetEmbedding.outputFeatures, x = this.decoderInput(emb.subarray(t * B * E, (t + 1) * B * E), 1, B, enc.summary, a.context);
      const lengths = Int32Array.from(batch.targetLengths, (n) => (t < n ? 1 : 0));
      const dec = this.decoderAt(t).forward({ data: x, shape: [1, B, I] }, {
        train, lengths, initialState: { data: state, shape: [Ld, B, H] }, ...(cell ? { initialCell: { data: cell, shape: [Ld, B, H] } } : {}),
      });
      outs.set(dec.output.data, t * B * H);
      state = dec.finalState.data;
      cell = dec.finalCell?.data ?? null;
      if (train) tapes.push(dec.tape!);
    }
    seen?.(weights);
    const logits = this.head(outs, T, B, train, undefined, { context: contexts, emb });
    const tape: Seq2seqTape | null = train
      ? { batch, encTape: enc.tape!, decTape: tapes[0]!, memory: enc.memory, summary: enc.summary, decOut: outs, steps: { tapes, caches } }
      : null;
    return { logits, tape };
  }
}

export function checkPositive(where: string, name: string, v: unknown): number {
  if (!(typeof v === "number" && v > 0)) throw new OptionError(`${where}: ${name} must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}
