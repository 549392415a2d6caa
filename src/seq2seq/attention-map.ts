/**
 * The attention weights of decoded outputs: for each source and the target ids chosen for it (by
 * greedy or beam search), the weights α [T, B, S] each decoder step gave the source positions.
 * The chosen path is run again teacher-forced (decoder input bos, y_1 … y_n): the decoder's
 * whole-sequence forward equals its step-by-step form, so these are the weights the search saw
 * along that path. Step t is the one that emitted y_{t+1}; the last valid step (t = n) emitted eos.
 *
 * Shape legend: T target steps (the longest output + 1), B sources, S source steps (the longest).
 * α[t, b, s] sums to 1 over s < len_b for t ≤ n_b, and is exactly 0 on source padding (s ≥ len_b)
 * and on target steps past a row's output (t > n_b).
 */
import { OptionError } from "../errors/index.js";
import { makeBatch } from "./batch.js";
import type { Seq2seq } from "./model.js";

export interface AttentionMap {
  readonly weights: Float64Array;       // [T, B, S]
  readonly T: number;
  readonly B: number;
  readonly S: number;
  readonly sourceLengths: Int32Array;   // [B]
  readonly targetLengths: Int32Array;   // [B]: n_b + 1 (the eos step included)
}

/** α [T, B, S] of `outputs` (ids without bos and eos, one per source); refused for a model without attention. */
export function attentionMap(m: Seq2seq, sources: readonly ArrayLike<number>[], outputs: readonly ArrayLike<number>[], o: { readonly bos: number; readonly eos: number }): AttentionMap {
  if (!m.attention) throw new OptionError('seq2seq attention map: this model has no attention (attention "none"); there are no weights to show');
  if (sources.length !== outputs.length) throw new OptionError(`seq2seq attention map: expected one output per source (${sources.length}), got ${outputs.length}`);
  const batch = makeBatch(sources.map((source, i) => ({ source, target: outputs[i]! })), o.bos, o.eos);
  const { T, B, S, targetLengths } = batch;
  const weights = new Float64Array(T * B * S);
  m.forward(batch, false, batch.targetIn, (alpha) => weights.set(alpha));
  // target steps past a row's output attended to padding inputs: zero them
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (t >= targetLengths[b]!) weights.fill(0, (t * B + b) * S, (t * B + b + 1) * S);
  return { weights, T, B, S, sourceLengths: batch.sourceLengths, targetLengths };
}

/** Row b of a map as a grid [n_b + 1, len_b] (target steps × source positions), row-major. */
export function attentionGrid(map: AttentionMap, b: number): { values: Float64Array; rows: number; cols: number } {
  const rows = map.targetLengths[b]!, cols = map.sourceLengths[b]!, values = new Float64Array(rows * cols);
  for (let t = 0; t < rows; t++) for (let s = 0; s < cols; s++) values[t * cols + s] = map.weights[(t * map.B + b) * map.S + s]!;
  return { values, rows, cols };
}
