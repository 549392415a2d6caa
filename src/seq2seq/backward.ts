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
  const { S, T, B, targetLengths } = tape.batch;
  const ctx = m.context(true), k = m.kernels;
  const C = m.memorySize, H = m.decoder.hiddenSize, Ld = m.decoder.layers, E = m.targetEmbedding.outputFeatures, I = m.decoder.inputSize;
  // o_t = W_o h̃_t + b_o
  const dTop = m.output.backward(dLogits, ctx)!;
  const dMemory = k.alloc(S * B * C);
  let dh: Vec = dTop;
  if (m.attention && m.combine) {
    // h̃_t = tanh(W_c [c_t ; h_t] + b_c): split d[c_t ; h_t]
    const dcat = m.combine.backward(dTop, ctx)!;
    const dc = new Float64Array(T * B * C);
    dh = k.alloc(T * B * H);
    for (let n = 0; n < T * B; n++) {
      for (let j = 0; j < C; j++) dc[n * C + j] = dcat[n * (C + H) + j]!;
      for (let j = 0; j < H; j++) dh[n * H + j] = dcat[n * (C + H) + C + j]!;
    }
    // c_t = attention(h_t, m)
    const dq = m.attention.backward(dc, dMemory);
    for (let i = 0; i < dh.length; i++) dh[i] += dq[i]!;
  }
  // h_t = decoder(d_t, s_{t−1})
  const gd = m.decoder.backward(tape.decTape, { data: dh, shape: [T, B, H] }, { into: m.gradSlice("decoder") });
  // d_t = [E_tgt[y_{t−1}] ; z]: the embedding part to the table, the summary part summed over valid steps
  const dz = new Float64Array(B * C), dEmb = k.alloc(T * B * E), dIn = gd.dInput.data;
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
    const n = t * B + b;
    for (let j = 0; j < E; j++) dEmb[n * E + j] = dIn[n * I + j]!;
    if (m.contextFeed && t < targetLengths[b]!) for (let j = 0; j < C; j++) dz[b * C + j] += dIn[n * I + E + j]!;
  }
  m.targetEmbedding.backward(dEmb);
  // s_0 = tanh(W_br z + b_br) reshaped [B, Ld·H] → [Ld, B, H]; without a bridge s_0 = z in every layer
  const dInit = gd.dInitialState.data;
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
