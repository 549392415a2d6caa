/**
 * Padded, time-major batches of (source, target) id sequences, and the masked cross-entropy with
 * optional label smoothing.
 *
 * Shape legend: S source steps, T target steps (the longest target + 1), B batch, V target vocabulary.
 * Decoder input is [bos, y_1 … y_n], decoder target is [y_1 … y_n, eos]; positions past a row's
 * length hold the pad id 0 and count for nothing.
 *
 * Loss with smoothing ε over V classes: q = (1 − ε)·onehot(y) + ε/V, L = −(1/N) Σ_{valid t,b} Σ_v q_v log p_v,
 * N the number of valid positions; dL/dlogits = (p − q)/N.
 */
import { ValueError } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";

export interface Seq2seqPair {
  readonly source: ArrayLike<number>;
  readonly target: ArrayLike<number>;
}

export interface Seq2seqBatch {
  readonly S: number;
  readonly T: number;
  readonly B: number;
  readonly source: Int32Array;        // [S, B]
  readonly sourceLengths: Int32Array; // [B]
  readonly targetIn: Int32Array;      // [T, B]: bos, y_1 … y_n
  readonly targetOut: Int32Array;     // [T, B]: y_1 … y_n, eos
  readonly targetLengths: Int32Array; // [B]: n + 1
}

/** Pads pairs into one batch; `minSourceSteps` pads the source further (for mask tests). */
export function makeBatch(pairs: readonly Seq2seqPair[], bos: number, eos: number, minSourceSteps = 0): Seq2seqBatch {
  const B = pairs.length;
  if (B === 0) throw new ValueError("seq2seq batch: expected at least one pair, got none");
  pairs.forEach((p, i) => { if (p.source.length === 0) throw new ValueError(`seq2seq batch: pair ${i} has an empty source; every row needs at least one source token`); });
  const S = Math.max(minSourceSteps, ...pairs.map((p) => p.source.length));
  const T = Math.max(...pairs.map((p) => p.target.length)) + 1;
  const source = new Int32Array(S * B), targetIn = new Int32Array(T * B), targetOut = new Int32Array(T * B);
  const sourceLengths = new Int32Array(B), targetLengths = new Int32Array(B);
  pairs.forEach((p, b) => {
    sourceLengths[b] = p.source.length;
    for (let s = 0; s < p.source.length; s++) source[s * B + b] = p.source[s]!;
    const n = p.target.length;
    targetLengths[b] = n + 1;
    targetIn[b] = bos;
    for (let t = 0; t < n; t++) { targetIn[(t + 1) * B + b] = p.target[t]!; targetOut[t * B + b] = p.target[t]!; }
    targetOut[n * B + b] = eos;
  });
  return { S, T, B, source, sourceLengths, targetIn, targetOut, targetLengths };
}

/** Masked mean cross-entropy of logits [T, B, V]; writes dL/dlogits into dLogits (same shape). */
export function sequenceCrossEntropy(logits: Vec, batch: Seq2seqBatch, V: number, smoothing: number, dLogits: Vec | null): number {
  const { T, B, targetOut, targetLengths } = batch;
  let N = 0;
  for (let b = 0; b < B; b++) N += targetLengths[b]!;
  let loss = 0;
  const p = new Float64Array(V);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
    const o = (t * B + b) * V;
    if (t >= targetLengths[b]!) { if (dLogits) dLogits.fill(0, o, o + V); continue; }
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[o + v]!);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += p[v] = Math.exp(logits[o + v]! - max);
    const logZ = max + Math.log(sum), y = targetOut[t * B + b]!;
    for (let v = 0; v < V; v++) {
      const q = (v === y ? 1 - smoothing : 0) + smoothing / V;
      if (q > 0) loss -= q * (logits[o + v]! - logZ);
      if (dLogits) dLogits[o + v] = (p[v]! / sum - q) / N;
    }
  }
  return loss / N;
}
