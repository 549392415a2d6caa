/**
 * CTC decoding and label error rates.
 *
 * Shape legend: T steps, C classes (blank included). One sequence per call: scores [T, C],
 * row-major, logits or log-probabilities (a log-softmax per step is applied where it matters).
 *
 * Greedy (best path): k_t = argmax_c y_t(c); merge repeats, then drop blanks.
 * Prefix beam search (Hannun et al. 2014, "First-pass large vocabulary continuous speech
 * recognition using bi-directional recurrent DNNs"): each prefix keeps log P_b (ending in blank)
 * and log P_nb (ending in its last label); per step, for a prefix ℓ with last label e:
 *   blank:      P_b(ℓ)    += (P_b + P_nb)(ℓ) · y(∅)
 *   c = e:      P_nb(ℓ)   += P_nb(ℓ) · y(c);   P_nb(ℓ + c) += P_b(ℓ) · y(c)
 *   c ≠ e:      P_nb(ℓ + c) += (P_b + P_nb)(ℓ) · y(c)
 * then the beamWidth prefixes with the largest P_b + P_nb are kept. With a beam wide enough to keep
 * every prefix the scores are the exact total probabilities p(ℓ | x). No language model.
 *
 * Edit distance: Levenshtein (insertions, deletions, substitutions, each 1). Error rate (PER / WER
 * / CER, depending on what the labels are) = Σ edits / Σ reference lengths.
 */
import { OptionError, ShapeError, ValueError, checkOptions } from "../errors/index.js";

function steps(where: string, scores: ArrayLike<number>, classes: number, blank: number): number {
  if (!Number.isInteger(classes) || classes < 1) throw new ValueError(`${where}: classes: expected a positive integer, got ${classes}`);
  if (scores.length % classes !== 0) throw new ShapeError(`${where}: expected scores [T, ${classes}], got ${scores.length} values (not a multiple of ${classes})`);
  if (!Number.isInteger(blank) || blank < 0 || blank >= classes) throw new OptionError(`${where}: blank: expected a class id in [0, ${classes}), got ${blank}`);
  return scores.length / classes;
}

/** Best-path decoding of one sequence's scores [T, C]. */
export function ctcGreedyDecode(scores: ArrayLike<number>, classes: number, opts: { readonly blank?: number } = {}): number[] {
  checkOptions("ctcGreedyDecode", opts, ["blank"]);
  const blank = opts.blank ?? 0;
  const T = steps("ctcGreedyDecode", scores, classes, blank);
  const out: number[] = [];
  let prev = -1;
  for (let t = 0; t < T; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[t * classes + c]! > scores[t * classes + best]!) best = c;
    if (best !== prev && best !== blank) out.push(best);
    prev = best;
  }
  return out;
}

export interface BeamOptions {
  readonly blank?: number;
  /** Prefixes kept per step (default 8). */
  readonly beamWidth?: number;
}

export interface BeamHypothesis {
  readonly labels: number[];
  /** log p(labels | x) as far as the beam kept its paths. */
  readonly logProb: number;
}

interface Prefix { labels: number[]; pb: number; pnb: number }

const lse = (a: number, b: number): number =>
  a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));

/** Prefix beam search over one sequence's scores [T, C]; hypotheses best first. */
export function ctcPrefixBeamSearch(scores: ArrayLike<number>, classes: number, opts: BeamOptions = {}): BeamHypothesis[] {
  checkOptions("ctcPrefixBeamSearch", opts, ["blank", "beamWidth"]);
  const blank = opts.blank ?? 0, width = opts.beamWidth ?? 8;
  if (!Number.isInteger(width) || width < 1) throw new OptionError(`ctcPrefixBeamSearch: beamWidth: expected a positive integer, got ${width}`);
  const T = steps("ctcPrefixBeamSearch", scores, classes, blank);
  let beam: Prefix[] = [{ labels: [], pb: 0, pnb: -Infinity }];
  const y = new Float64Array(classes); // log_softmax of step t [C]
  for (let t = 0; t < T; t++) {
    let m = -Infinity, s = 0;
    for (let c = 0; c < classes; c++) m = Math.max(m, scores[t * classes + c]!);
    for (let c = 0; c < classes; c++) s += Math.exp(scores[t * classes + c]! - m);
    for (let c = 0; c < classes; c++) y[c] = scores[t * classes + c]! - m - Math.log(s);
    const next = new Map<string, Prefix>();
    const at = (labels: number[]): Prefix => {
      const key = labels.join(",");
      let p = next.get(key);
      if (!p) next.set(key, (p = { labels, pb: -Infinity, pnb: -Infinity }));
      return p;
    };
    for (const p of beam) {
      const total = lse(p.pb, p.pnb), last = p.labels.length > 0 ? p.labels[p.labels.length - 1]! : -1;
      for (let c = 0; c < classes; c++) {
        if (c === blank) {
          const q = at(p.labels);
          q.pb = lse(q.pb, total + y[c]!);
        } else if (c === last) {
          const same = at(p.labels);
          same.pnb = lse(same.pnb, p.pnb + y[c]!);
          const ext = at([...p.labels, c]);
          ext.pnb = lse(ext.pnb, p.pb + y[c]!);
        } else {
          const ext = at([...p.labels, c]);
          ext.pnb = lse(ext.pnb, total + y[c]!);
        }
      }
    }
    beam = [...next.values()].filter((p) => lse(p.pb, p.pnb) > -Infinity).sort(byScore).slice(0, width); // impossible prefixes dropped
  }
  return beam.map((p) => ({ labels: p.labels, logProb: lse(p.pb, p.pnb) }));
}

/** Larger total probability first; ties by the shorter, then lexicographically smaller, prefix. */
function byScore(a: Prefix, b: Prefix): number {
  const d = lse(b.pb, b.pnb) - lse(a.pb, a.pnb);
  if (d !== 0 && !Number.isNaN(d)) return d;
  if (a.labels.length !== b.labels.length) return a.labels.length - b.labels.length;
  for (let i = 0; i < a.labels.length; i++) if (a.labels[i] !== b.labels[i]) return a.labels[i]! - b.labels[i]!;
  return 0;
}

/** Levenshtein distance between two label sequences. */
export function editDistance(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Σ editDistance(ref, hyp) / Σ |ref| over pairs (phoneme / word / character error rate). */
export function labelErrorRate(refs: readonly ArrayLike<unknown>[], hyps: readonly ArrayLike<unknown>[]): { errors: number; length: number; rate: number } {
  if (refs.length !== hyps.length) throw new ShapeError(`labelErrorRate: expected as many hypotheses as references (${refs.length}), got ${hyps.length}`);
  let errors = 0, length = 0;
  for (let i = 0; i < refs.length; i++) {
    errors += editDistance(refs[i]!, hyps[i]!);
    length += refs[i]!.length;
  }
  return { errors, length, rate: length > 0 ? errors / length : errors > 0 ? Infinity : 0 };
}
