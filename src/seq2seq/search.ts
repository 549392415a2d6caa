/**
 * Search over a step function: greedy, sampling and beam search. Model-agnostic: anything that
 * turns the last tokens of R rows into logits [R, V] and can reorder its rows (a decoder state)
 * is searched the same way, so text generation and speech can share it.
 *
 * Scores are sums of log-probabilities log softmax(o_t). Beam search keeps the `width` best
 * prefixes; a prefix that emits eos is finished. Final ranking: score / length^α (α =
 * lengthPenalty, default 0: raw sum; length counts the eos). Ties: the lower token id, then the
 * earlier beam, so width 1 is exactly greedy.
 */
import { OptionError, show } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import { checkSampling, sampleToken, type SamplingOptions } from "../train/generate.js";
import type { Rng } from "../util/random.js";

export interface StepSource {
  /** Logits [R, V] for the last tokens [R] of each row (R fixed by the source). */
  step(tokens: Int32Array): Vec;
  /** Row i continues row parents[i]. */
  reorder(parents: Int32Array): void;
  readonly vocabulary: number;
}

export interface Hypothesis {
  /** Emitted ids, without bos, ending with eos when finished. */
  readonly tokens: number[];
  /** Σ log p of the emitted tokens. */
  readonly score: number;
  readonly finished: boolean;
}

export interface SearchOptions {
  readonly bos: number;
  readonly eos: number;
  readonly maxLength: number;
}

function logSoftmaxRow(logits: Vec, o: number, V: number, out: Float64Array): void {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[o + v]!);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(logits[o + v]! - max);
  const lz = max + Math.log(sum);
  for (let v = 0; v < V; v++) out[v] = logits[o + v]! - lz;
}

/** Greedy (temperature 0) or sampled decoding of every row of `src` at once. */
export function sampleSearch(src: StepSource, rows: number, o: SearchOptions, temperature = 0, rng: Rng | null = null, sampling: SamplingOptions = {}): Hypothesis[] {
  if (!(temperature >= 0)) throw new OptionError(`seq2seq decode: temperature must be ≥ 0, got ${show(temperature)}`);
  if (temperature > 0 && !rng) throw new OptionError("seq2seq decode: sampling (temperature > 0) needs an rng");
  checkSampling("seq2seq decode", sampling);
  const V = src.vocabulary, lp = new Float64Array(V);
  const hyps = Array.from({ length: rows }, () => ({ tokens: [] as number[], score: 0, finished: false }));
  let last = new Int32Array(rows).fill(o.bos);
  for (let t = 0; t < o.maxLength && hyps.some((h) => !h.finished); t++) {
    const logits = src.step(last);
    last = new Int32Array(rows);
    hyps.forEach((h, r) => {
      if (h.finished) { last[r] = o.eos; return; }
      const row = logits.subarray(r * V, (r + 1) * V);
      const y = sampleToken(row, temperature, rng as Rng, sampling);
      logSoftmaxRow(logits, r * V, V, lp);
      h.tokens.push(y);
      h.score += lp[y]!;
      h.finished = y === o.eos;
      last[r] = y;
    });
  }
  return hyps;
}

/** Beam search of one sequence with `width` rows in `src`; hypotheses best first. */
export function beamSearch(src: StepSource, width: number, o: SearchOptions & { readonly lengthPenalty?: number }): Hypothesis[] {
  if (!(Number.isSafeInteger(width) && width >= 1)) throw new OptionError(`seq2seq beam: width must be a positive integer, got ${show(width)}`);
  const alpha = o.lengthPenalty ?? 0, V = src.vocabulary, lp = new Float64Array(V);
  const rank = (h: Hypothesis) => (alpha === 0 ? h.score : h.score / Math.pow(h.tokens.length, alpha));
  let beams: Hypothesis[] = [{ tokens: [], score: 0, finished: false }];
  const done: Hypothesis[] = [];
  let last = new Int32Array(width).fill(o.bos);
  for (let t = 0; t < o.maxLength && beams.length > 0 && done.length < width; t++) {
    const logits = src.step(last);
    const cands: { parent: number; token: number; score: number }[] = [];
    beams.forEach((b, r) => {
      logSoftmaxRow(logits, r * V, V, lp);
      for (let v = 0; v < V; v++) cands.push({ parent: r, token: v, score: b.score + lp[v]! });
    });
    // best first; ties: earlier beam, then lower id (stable sort keeps this order)
    cands.sort((a, b) => b.score - a.score);
    const next: Hypothesis[] = [], parents = new Int32Array(width);
    for (const c of cands) {
      if (next.length >= width - done.length) break;
      const h = { tokens: [...beams[c.parent]!.tokens, c.token], score: c.score, finished: c.token === o.eos };
      if (h.finished) { done.push(h); continue; }
      parents[next.length] = c.parent;
      next.push(h);
      if (done.length >= width) break;
    }
    beams = next;
    last = new Int32Array(width).fill(o.eos);
    next.forEach((h, i) => (last[i] = h.tokens[h.tokens.length - 1]!));
    if (next.length > 0) src.reorder(parents);
  }
  const all = done.length > 0 ? done : beams;
  return [...all].sort((a, b) => rank(b) - rank(a));
}
