/**
 * Forecast-residual anomaly detection: a one-step forecaster's surprise at each reading, thresholded,
 * scored against labelled anomalies (the data's series.anomalies).
 *
 * Scores. For each scored row r and target column c, the residual e = y[r, c] − ŷ[r, c], ŷ the
 * forecast of row r from the window before it (the first step of a multi-step forecast), in the
 * model's normalised units (the same for every detector, so scores compare):
 *   point forecasts        s = |e − m_c| / σ_c with the robust centre and scale of column c's
 *                          validation residuals: m_c the median, σ_c = 1.4826 · median |e − m_c|
 *                          (the mean |e − m_c| where that is 0, and 1 where both are)
 *   distribution heads     s = |e| / σ̂ with σ̂ the predicted scale: the 80% interval's half-width
 *                          over Φ⁻¹(0.9) = 1.2816 (a Gaussian's σ; for the point forecast, the mean
 *                          or median the head gives)
 * Metrics (on the cells (row, target column) of the scored rows):
 *   point-wise  precision = TP / flagged cells, recall = TP / anomalous cells, F1 their harmonic mean
 *   event-wise  recall = the labelled events (runs of rows in one column) with at least one flagged
 *               cell / the events that reach into the scored rows; precision = the point-wise one
 *               (TP / flagged cells); F1 their harmonic mean: the composite F-score of Garg et al.,
 *               "An Evaluation of Anomaly Detection and Diagnosis in Multivariate Time Series",
 *               IEEE TNNLS 2021. (Precision over alarms instead would reward flagging everything:
 *               one run per column touching some label.)
 * Threshold. The one threshold τ that maximises the event-wise F1 on the validation rows' labels
 * (every distinct validation score tried; cells with s > τ are flagged). Point-wise F1 is no good
 * criterion here: most labelled cells belong to long events (drift, stuck-at) that a one-step
 * residual cannot see past their onset, and flagging every cell can then score best. τ is chosen
 * with the labels: the results on the test rows are the honest ones.
 * Precision with nothing flagged, or recall with nothing to find, is NaN (shown as —), never 0 or 1.
 *
 * Shape legend: N scored rows, C target columns.
 */
import { windowsEndingIn } from "../data/time-split.js";
import type { AnomalyEvent, Dataset, SequenceSet } from "../data/types.js";
import { OptionError } from "../errors/index.js";
import type { Model } from "../model/model.js";
import { normalQuantile } from "./distributions.js";
import { predictSet } from "./predict.js";

export interface DetectionMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Point-wise: true/false positives, false negatives in cells. Event-wise: events found, events, true positive cells, flagged cells. */
  readonly counts: Readonly<Record<string, number>>;
}

/** A one-step forecaster's outputs on windows [S, O] (O = H·C, normalised units), with a predicted scale where it has one. */
export interface ResidualSource {
  readonly name: string;
  forecast(set: SequenceSet): { readonly point: ArrayLike<number>; readonly scale?: ArrayLike<number> };
}

export interface AnomalyReport {
  readonly name: string;
  /** The threshold on the score, chosen on the validation rows. */
  readonly threshold: number;
  readonly scoring: "robust residual" | "predicted scale";
  readonly validation: { readonly point: DetectionMetrics; readonly event: DetectionMetrics };
  readonly test: { readonly point: DetectionMetrics; readonly event: DetectionMetrics };
  /** The test rows' events of each kind: how many, and how many found. */
  readonly byKind: Readonly<Record<string, { readonly found: number; readonly events: number }>>;
}

const harmonic = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : Number.isNaN(p) || Number.isNaN(r) ? NaN : 0);

/** Point-wise metrics of flags [N·C] against labels [N·C] (non-zero = anomalous). */
export function pointMetrics(flags: ArrayLike<number>, labels: ArrayLike<number>): DetectionMetrics {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i] !== 0, l = labels[i] !== 0;
    if (f && l) tp++; else if (f) fp++; else if (l) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : NaN, recall = tp + fn > 0 ? tp / (tp + fn) : NaN;
  return { precision, recall, f1: harmonic(precision, recall), counts: { tp, fp, fn } };
}

/** The events of `events` that reach into series rows [first, first + N) of the target columns, clipped to them, as cell ranges. */
function eventsIn(N: number, columns: readonly number[], events: readonly AnomalyEvent[], first: number): { c: number; lo: number; hi: number }[] {
  const out: { c: number; lo: number; hi: number }[] = [];
  for (const e of events) {
    const c = columns.indexOf(e.column), lo = Math.max(e.start, first) - first, hi = Math.min(e.end, first + N) - first;
    if (c >= 0 && lo < hi) out.push({ c, lo, hi });
  }
  return out;
}

/**
 * Event-wise metrics of flags [N, C] (row-major) over series rows [first, first + N), `events` in
 * series rows and columns (target column c of the flags is series column columns[c]): recall over
 * events, precision over flagged cells (the composite F-score of Garg et al. 2021). Flagging every
 * cell finds every event but keeps the precision of the labels' share, so it scores low.
 */
export function eventMetrics(flags: ArrayLike<number>, labels: ArrayLike<number>, N: number, columns: readonly number[], events: readonly AnomalyEvent[], first: number): DetectionMetrics {
  const C = columns.length, inside = eventsIn(N, columns, events, first);
  let found = 0;
  for (const { c, lo, hi } of inside) for (let r = lo; r < hi; r++) if (flags[r * C + c] !== 0) { found++; break; }
  let flagged = 0, tp = 0;
  for (let i = 0; i < N * C; i++) if (flags[i] !== 0) { flagged++; if (labels[i] !== 0) tp++; }
  const precision = flagged > 0 ? tp / flagged : NaN, recall = inside.length > 0 ? found / inside.length : NaN;
  return { precision, recall, f1: harmonic(precision, recall), counts: { found, events: inside.length, tp, flagged } };
}

/** Each event's largest score (the event is found exactly when the threshold is below it). */
export function eventPeaks(scores: ArrayLike<number>, N: number, columns: readonly number[], events: readonly AnomalyEvent[], first: number): Float64Array {
  const C = columns.length, inside = eventsIn(N, columns, events, first);
  return Float64Array.from(inside, ({ c, lo, hi }) => {
    let m = -Infinity;
    for (let r = lo; r < hi; r++) m = Math.max(m, scores[r * C + c]!);
    return m;
  });
}

/**
 * The threshold τ maximising the event-wise (composite) F1 of (score > τ): precision over cells
 * against labels, recall over events, each event found when its peak (eventPeaks) exceeds τ.
 * Every distinct score is tried; τ is the midpoint between the lowest flagged score and the next.
 */
export function bestThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>, peaks: ArrayLike<number>): number {
  if (peaks.length === 0) throw new OptionError("anomaly detection: the validation rows hold no labelled anomaly, so no threshold can be chosen (hint: a larger validation fraction)");
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const top = Float64Array.from(peaks).sort().reverse();
  let tp = 0, found = 0, best = -1, tau = Infinity;
  for (let k = 0; k < order.length; k++) {
    const v = scores[order[k]!]!;
    if (labels[order[k]!] !== 0) tp++;
    const next = k + 1 < order.length ? scores[order[k + 1]!]! : -Infinity;
    if (next === v) continue; // a tie flags both or neither
    while (found < top.length && top[found]! >= v) found++;
    const precision = tp / (k + 1), recall = found / top.length, f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    // s > τ flags exactly these k + 1: the midpoint to the next score (or that score, past an infinite one)
    if (f1 > best) { best = f1; tau = Number.isFinite(v) && Number.isFinite(next) ? (v + next) / 2 : next; }
  }
  return tau;
}

/** Median of values (a copy is sorted). */
function median(v: ArrayLike<number>): number {
  const s = Float64Array.from(v).sort(), n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

interface Part { readonly set: SequenceSet; readonly first: number; readonly rows: number }

/** The windows of one part (their last target row in it, as the data cut them) and the row their first step forecasts. */
function partOf(d: Dataset, which: "validation" | "test"): Part {
  const sr = d.series!, set = which === "validation" ? d.validation : d.test;
  if (!set) throw new OptionError(`anomaly detection: the data set "${d.name}" has no ${which} part (hint: validation and test fractions above 0)`);
  const [start, end] = which === "validation" ? [sr.validationStart, sr.testStart] : [sr.testStart, sr.length];
  const w = windowsEndingIn(start, end, sr.window, sr.horizon);
  if (w.count !== set.count) throw new OptionError(`anomaly detection: the ${which} part holds ${set.count} windows, its rows ${w.count} (the data was not cut by forecastDataset)`);
  return { set, first: w.first + sr.window, rows: w.count };
}

/** Residuals [N, C] of the first forecast step, and the predicted scale [N, C] where given. */
function residuals(src: ResidualSource, part: Part, C: number): { e: Float64Array; scale?: Float64Array } {
  const { set } = part, O = set.outputs, out = src.forecast(set), N = set.count;
  const e = new Float64Array(N * C), y = set.y as Float32Array;
  for (let s = 0; s < N; s++) for (let c = 0; c < C; c++) e[s * C + c] = y[s * O + c]! - out.point[s * O + c]!;
  if (!out.scale) return { e };
  const scale = new Float64Array(N * C);
  for (let s = 0; s < N; s++) for (let c = 0; c < C; c++) scale[s * C + c] = out.scale[s * O + c]!;
  return { e, scale };
}

/** Labels [N, C] of the scored cells. */
function labelsOf(d: Dataset, part: Part): Uint8Array {
  const sr = d.series!, a = sr.anomalies!, F = sr.features, C = sr.targetColumns.length, out = new Uint8Array(part.rows * C);
  for (let r = 0; r < part.rows; r++) for (let c = 0; c < C; c++) out[r * C + c] = a.cells[(part.first + r) * F + sr.targetColumns[c]!]!;
  return out;
}

/** Scores, threshold on validation, metrics on validation and test, for one residual source. */
export function detectAnomalies(d: Dataset, src: ResidualSource): AnomalyReport {
  const sr = d.series;
  if (!sr?.anomalies) throw new OptionError(`anomaly detection: the data set "${d.name}" carries no anomaly labels (series.anomalies); sensor-anomalies does`);
  const C = sr.targetColumns.length, val = partOf(d, "validation"), test = partOf(d, "test");
  const rv = residuals(src, val, C), rt = residuals(src, test, C);
  const byScale = rv.scale !== undefined;
  let score: (r: { e: Float64Array; scale?: Float64Array }) => Float64Array;
  if (byScale) {
    score = (r) => r.e.map((v, i) => Math.abs(v) / r.scale![i]!);
  } else {
    const centre = new Float64Array(C), spread = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const col = rv.e.filter((_, i) => i % C === c);
      centre[c] = median(col);
      const dev = col.map((v) => Math.abs(v - centre[c]!));
      // half the residuals exactly at the median: the mean deviation instead, else 1
      spread[c] = 1.4826 * median(dev) || dev.reduce((a, b) => a + b, 0) / Math.max(1, dev.length) || 1;
    }
    score = (r) => r.e.map((v, i) => Math.abs(v - centre[i % C]!) / spread[i % C]!);
  }
  const sv = score(rv), st = score(rt), lv = labelsOf(d, val), lt = labelsOf(d, test);
  const tau = bestThreshold(sv, lv, eventPeaks(sv, val.rows, sr.targetColumns, sr.anomalies.events, val.first));
  const judge = (s: Float64Array, l: Uint8Array, p: Part) => {
    const flags = s.map((v) => (v > tau ? 1 : 0));
    return { point: pointMetrics(flags, l), event: eventMetrics(flags, l, p.rows, sr.targetColumns, sr.anomalies!.events, p.first), flags };
  };
  const v = judge(sv, lv, val), t = judge(st, lt, test), byKind: Record<string, { found: number; events: number }> = {};
  for (const kind of sr.anomalies.kinds) {
    const m = eventMetrics(t.flags, lt, test.rows, sr.targetColumns, sr.anomalies.events.filter((e) => e.kind === kind), test.first).counts;
    byKind[kind] = { found: m.found!, events: m.events! };
  }
  return { name: src.name, threshold: tau, scoring: byScale ? "predicted scale" : "robust residual", validation: { point: v.point, event: v.event }, test: { point: t.point, event: t.event }, byKind };
}

/**
 * A trained forecaster: its point forecasts (predictSet), and with a distribution head its predicted
 * scale, the 80% interval's half-width over Φ⁻¹(0.9), in the model's units.
 */
export function modelSource(model: Model, name = "model"): ResidualSource {
  return {
    name,
    forecast(set) {
      if (!model.spec.task.distribution) return { point: predictSet(model, set) };
      const out = model.predict({ data: set.x as Float32Array, shape: [set.count, set.steps, set.features] }, { units: "model" });
      const iv = out.intervals!, z = normalQuantile(0.9);
      const scale = iv.upper80.map((u, i) => (u - iv.lower80[i]!) / (2 * z));
      if (scale.some((v) => Number.isNaN(v))) throw new OptionError("anomaly detection: this quantile head has no 80% interval (levels 0.1 and 0.9); train with them, or with a Gaussian or Student-t head");
      return { point: out.data, scale };
    },
  };
}

/** Persistence: every target forecast as the window's last reading of its column. */
export function persistenceSource(targetColumns: readonly number[]): ResidualSource {
  return {
    name: "persistence",
    forecast(set) {
      const W = set.steps, F = set.features, O = set.outputs, C = targetColumns.length, x = set.x as Float32Array;
      const point = new Float32Array(set.count * O);
      for (let s = 0; s < set.count; s++) for (let j = 0; j < O; j++) point[s * O + j] = x[(s * W + W - 1) * F + targetColumns[j % C]!]!;
      return { point };
    },
  };
}
