/**
 * Exact backward of the encoder–decoder (model.ts), each block quoting the forward line it inverts,
 * and the training step's loss-and-gradient. Parameter gradients accumulate (+=) into model.grads;
 * zeroing is the caller's (lossAndGradient zeroes first).
 *
 * Shape legend: S source, T target, B batch, E embedding, C memory width, H decoder hidden,
 * Ld decoder layers, Le encoder layers, De encoder directions, He encoder hidden, V target vocabulary.
 */
import type { Vec } from "../kernels/types.js";
import { sequenceCrossEntropy, type Seq2seqBatch } from "./batch.js";
import type { Seq2seq, Seq2seqTape } from "./model.js";

export function backwardSeq2seq(m: Seq2seq, tape: Seq2seqTape, dLogits: Vec): void {
  const { S, T, B } = tape.batch;
  const ctx = m.context(true), k = m.kernels;
  const C = m.memorySize, H = m.decoder.hiddenSize, Ld = m.decoder.layers, E = m.targetEmbedding.outputFeatures;
  // o_t = W_o h̃_t + b_o
  const dTop = m.output.backward(dLogits, ctx)!;
  const dMemory = k.alloc(S * B * C);
  let dh: Vec = dTop, dc: Float64Array | null = null, dEmbOut: Vec | null = null;
  if (m.attention && m.combine) {
    // h̃_t = tanh(W_c [c_t ; h_t] + b_c) (bahdanau: [c_t ; s_t ; e_t]): split the concatenation's gradient
    const dcat = m.combine.backward(dTop, ctx)!, W = m.combine.inputFeatures, Ef = m.feedsInput ? E : 0;
    dc = new Float64Array(T * B * C);
    dh = k.alloc(T * B * H);
    dEmbOut = Ef > 0 ? k.alloc(T * B * E) : null;
    for (let n = 0; n < T * B; n++) {
      for (let j = 0; j < C; j++) dc[n * C + j] = dcat[n * W + j]!;
      for (let j = 0; j < H; j++) dh[n * H + j] = dcat[n * W + C + j]!;
      if (dEmbOut) for (let j = 0; j < E; j++) dEmbOut[n * E + j] = dcat[n * W + C + H + j]!;
    }
    if (!m.feedsInput) {
      // c_t = attention(h_t, m)
      const dq = m.attention.backward(dc, dMemory);
      for (let i = 0; i < dh.length; i++) dh[i] += dq[i]!;
    }
  }
  const dec = m.feedsInput ? backwardStepDecoder(m, tape, dh, dc!, dMemory) : backwardWholeDecoder(m, tape, dh);
  if (dEmbOut) for (let i = 0; i < dEmbOut.length; i++) dec.dEmb[i] += dEmbOut[i]!;
  m.targetEmbedding.backward(dec.dEmb);
  const dz = dec.dz, dInit = dec.dInit;
  // s_0 = tanh(W_br z + b_br) reshaped [B, Ld·H] → [Ld, B, H]; without a bridge s_0 = z in every layer
  if (m.bridge) {
    const dy = k.alloc(B * Ld * H);
    for (let l = 0; l < Ld; l++) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) dy[b * Ld * H + l * H + j] = dInit[(l * B + b) * H + j]!;
    const dzb = m.bridge.backward(dy, ctx)!;
    for (let i = 0; i < dz.length; i++) dz[i] += dzb[i]!;
  } else for (let l = 0; l < Ld; l++) for (let i = 0; i < B * H; i++) dz[i] += dInit[l * B * H + i]!;
  // z = [h_S^fwd ; h_S^rev] of the last encoder layer
  const De = m.encoder.numDirections, Le = m.encoder.layers, He = m.encoder.hiddenSize;
  const dFinal = k.alloc(Le * De * B * He);
  for (let d = 0; d < De; d++) for (let b = 0; b < B; b++) for (let j = 0; j < He; j++) dFinal[(((Le - 1) * De + d) * B + b) * He + j] = dz[b * C + d * He + j]!;
  // m, h_S = encoder(x; lengths);  x_s = E_src[a_s]
  const ge = m.encoder.backward(tape.encTape, { data: dMemory, shape: [S, B, C] }, { dFinalState: { data: dFinal, shape: [Le * De, B, He] }, into: m.gradSlice("encoder") });
  m.sourceEmbedding.backward(ge.dInput.data);
}

/** What the decoder's backward hands on: d s_0 [Ld, B, H], dz [B, C] (context "every-step"), d e [T, B, E]. */
interface DecoderGradients { readonly dInit: Vec; readonly dz: Float64Array; readonly dEmb: Vec }

/** d_t [B, I] of step t → its embedding part into dEmb, its summary part into dz (valid rows), its context part into c [T, B, C] (bahdanau). */
function splitInput(m: Seq2seq, dIn: Vec, t: number, B: number, I: number, dEmb: Vec, dz: Float64Array, targetLengths: Int32Array, c: Float64Array | null): void {
  const E = m.targetEmbedding.outputFeatures, C = m.memorySize;
  for (let b = 0; b < B; b++) {
    const n = t * B + b, o = b * I;
    for (let j = 0; j < E; j++) dEmb[n * E + j] = dIn[o + j]!;
    let col = o + E;
    if (m.contextFeed) {
      if (t < targetLengths[b]!) for (let j = 0; j < C; j++) dz[b * C + j] += dIn[col + j]!;
      col += C;
    }
    if (c) for (let j = 0; j < C; j++) c[n * C + j] += dIn[col + j]!;
  }
}

/** h_t = decoder(d_t, s_{t−1}) over the whole target sequence at once; d_t = [e_t ; z]. */
function backwardWholeDecoder(m: Seq2seq, tape: Seq2seqTape, dh: Vec): DecoderGradients {
  const { T, B, targetLengths } = tape.batch, H = m.decoder.hiddenSize, I = m.decoder.inputSize;
  const gd = m.decoder.backward(tape.decTape, { data: dh, shape: [T, B, H] }, { into: m.gradSlice("decoder") });
  const dz = new Float64Array(B * m.memorySize), dEmb = m.kernels.alloc(T * B * m.targetEmbedding.outputFeatures);
  // d_t = [E_tgt[y_{t−1}] ; z]: the embedding part to the table, the summary part summed over valid steps
  for (let t = 0; t < T; t++) splitInput(m, gd.dInput.data.subarray(t * B * I, (t + 1) * B * I), t, B, I, dEmb, dz, targetLengths, null);
  return { dInit: gd.dInitialState.data, dz, dEmb };
}

/**
 * Attention "bahdanau", step by step in reverse: s_t = decoder([e_t ; c_t], s_{t−1}) with
 * c_t = attention(s_{t−1}, m). The top layer's s_t is step t's output (to the combine) and step t+1's
 * query, so its gradient gathers both; dc_t gathers the combine's and the decoder input's.
 */
function backwardStepDecoder(m: Seq2seq, tape: Seq2seqTape, dh: Vec, dc: Float64Array, dMemory: Vec): DecoderGradients {
  const { T, B, targetLengths } = tape.batch, k = m.kernels, steps = tape.steps!, attention = m.attention!;
  const H = m.decoder.hiddenSize, Ld = m.decoder.layers, I = m.decoder.inputSize, C = m.memorySize;
  const dz = new Float64Array(B * C), dEmb = k.alloc(T * B * m.targetEmbedding.outputFeatures), top = (Ld - 1) * B * H;
  let dState: Vec = k.alloc(Ld * B * H), dCell: Vec | null = null, dQuery: Vec | null = null;
  const dKeys = new Float64Array(tape.batch.S * B * attention.keySize);
  for (let t = T - 1; t >= 0; t--) {
    // s_t is step t+1's query: its gradient joins dL/ds_t from step t+1's initial state
    const dFinal = dState.slice();
    if (dQuery) for (let i = 0; i < B * H; i++) dFinal[top + i] += dQuery[i]!;
    const g = m.decoderAt(t).backward(steps.tapes[t]!, { data: dh.slice(t * B * H, (t + 1) * B * H), shape: [1, B, H] }, {
      dFinalState: { data: dFinal, shape: [Ld, B, H] }, ...(dCell ? { dFinalCell: { data: dCell, shape: [Ld, B, H] } } : {}), into: m.gradSlice("decoder"),
    });
    // d_t = [e_t ; (z ;) c_t]
    splitInput(m, g.dInput.data, t, B, I, dEmb, dz, targetLengths, dc);
    // c_t = attention(s_{t−1}, m): back through step t's scores (its record restored); the keys'
    // gradient gathers over the steps and goes back once, below
    attention.restore(steps.caches[t]!);
    dQuery = attention.backward(dc.subarray(t * B * C, (t + 1) * B * C), dMemory, dKeys);
    dState = g.dInitialState.data;
    dCell = g.dInitialCell?.data ?? null;
  }
  // k_s = W m_s, shared by every step
  attention.backwardKeys(dKeys, dMemory);
  // s_0 is step 0's initial state and step 0's query
  const dInit = dState.slice();
  for (let i = 0; i < B * H; i++) dInit[top + i] += dQuery![i]!;
  return { dInit, dz, dEmb };
}

export interface LossOptions {
  /** ε of label smoothing (default 0). */
  readonly labelSmoothing?: number;
  /** Decoder input ids [T, B] other than the teacher's (scheduled sampling). */
  readonly decoderIds?: Int32Array;
}

/** Zeroes model.grads, runs a teacher-forced forward and backward; returns the mean token loss. */
export function lossAndGradient(m: Seq2seq, batch: Seq2seqBatch, o: LossOptions = {}): number {
  m.grads.fill(0);
  const { logits, tape } = m.forward(batch, true, o.decoderIds ?? batch.targetIn);
  const V = m.output.outputFeatures, dLogits = m.kernels.alloc(logits.length);
  const loss = sequenceCrossEntropy(logits, batch, V, o.labelSmoothing ?? 0, dLogits);
  backwardSeq2seq(m, tape!, dLogits);
  return loss;
}

/** The mean token loss without gradients (evaluation mode). */
export function lossOf(m: Seq2seq, batch: Seq2seqBatch, labelSmoothing = 0): number {
  const { logits } = m.forward(batch, false);
  return sequenceCrossEntropy(logits, batch, m.output.outputFeatures, labelSmoothing, null);
}
