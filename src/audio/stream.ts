/**
 * Streaming front end: samples pushed in chunks of any size come out as feature frames, the same
 * frames, bit for bit, as the whole signal gives (audioFeatures below is one push and a flush).
 * Every frame is computed by the same code from the same samples; only when it is emitted depends
 * on the chunking.
 *
 * Latency: a static frame t needs samples up to t·hop + nFft/2 (centred); with deltas a frame also
 * waits for N = (deltaWidth − 1) / 2 static frames after it. flush() ends the stream: it pads the
 * end with zeros (centred framing) and applies the end rule of the deltas.
 *
 * Deltas (librosa.feature.delta, mode "interp", which is Savitzky–Golay with polyorder = order):
 * with window n = −N … N around frame c,
 *   Δ_c  = Σ n · x_{c+n} / Σ n²
 *   ΔΔ_c = 2 Σ (n² − m̄) x_{c+n} / Σ (n² − m̄)²,   m̄ = Σ n² / (2N + 1)
 * (the slope and the second derivative of the least-squares line / parabola). "interp" fits the
 * first and last windows, whose derivative is constant, so frames t < N take the value at c = N and
 * frames t > T − 1 − N the value at c = T − 1 − N. Like librosa, it needs T ≥ 2N + 1 frames.
 *
 * Normalisation: "global" (fixed mean and std) streams; "utterance" needs the whole utterance, so
 * a FeatureStream refuses it (audioFeatures applies it after the last frame).
 * Frame layout: [static | Δ | ΔΔ], F = (1 + deltas) · static size.
 */
import { OptionError, ShapeError, ValueError } from "../errors/index.js";
import { FrameAnalyzer, resolveFeatureOptions, type FeatureOptions, type ResolvedFeatureOptions } from "./features.js";

export interface Features {
  /** Frames [T, F], row-major. */
  readonly data: Float32Array;
  readonly frames: number;
  readonly size: number;
}

export class FeatureStream {
  readonly size: number;
  readonly options: ResolvedFeatureOptions;
  private readonly an: FrameAnalyzer;
  private buf = new Float64Array(0);     // samples from absolute index bufStart (float64: float64 input keeps its precision)
  private bufStart = 0;
  private received = 0;
  private nextStatic = 0;                // next static frame to compute
  private statics: Float64Array[] = [];  // static frames kept for the deltas, from staticStart
  private staticStart = 0;
  private nextOut = 0;                   // next full frame to emit
  private readonly frame: Float64Array;  // [nFft]
  private readonly mean: Float64Array | null;
  private readonly std: Float64Array | null;
  private done = false;

  constructor(opts: FeatureOptions, where = "FeatureStream") {
    const o = resolveFeatureOptions(where, opts);
    if (o.normalize === "utterance" && where === "FeatureStream") {
      throw new OptionError(`${where}: normalize "utterance" needs the whole utterance; use "none" or global { mean, std }, or audioFeatures()`);
    }
    this.options = o;
    this.an = new FrameAnalyzer(o);
    this.size = this.an.size * (1 + o.deltas);
    this.frame = new Float64Array(o.nFft);
    if (typeof o.normalize === "object") {
      const { mean, std } = o.normalize;
      if (mean.length !== this.size || std.length !== this.size) {
        throw new ShapeError(`${where}: normalize: expected mean and std of length ${this.size}, got ${mean.length} and ${std.length}`);
      }
      this.mean = Float64Array.from(mean);
      this.std = Float64Array.from(std);
    } else {
      this.mean = this.std = null;
    }
  }

  /** Adds samples; returns the frames that became complete (possibly none). */
  push(chunk: ArrayLike<number>): Features {
    if (this.done) throw new ValueError("FeatureStream.push: the stream was flushed; make a new one");
    const keep = this.buf.length;
    const next = new Float64Array(keep + chunk.length);
    next.set(this.buf);
    for (let i = 0; i < chunk.length; i++) next[keep + i] = chunk[i]!;
    this.buf = next;
    this.received += chunk.length;
    return this.drain(false);
  }

  /** Ends the stream and returns the remaining frames. */
  flush(): Features {
    if (this.done) throw new ValueError("FeatureStream.flush: the stream was already flushed");
    this.done = true;
    return this.drain(true);
  }

  private totalStatics(): number {
    const { hop, nFft, center } = this.options, N = this.received;
    return center ? 1 + Math.floor(N / hop) : N >= nFft ? 1 + Math.floor((N - nFft) / hop) : 0;
  }

  private computeStatics(final: boolean): void {
    const { hop, nFft, center } = this.options;
    const half = center ? nFft >> 1 : 0;
    const last = final ? this.totalStatics() : Infinity;
    for (;;) {
      const t = this.nextStatic;
      const s = t * hop - half;
      if (t >= last || (!final && s + nFft > this.received)) break;
      for (let n = 0; n < nFft; n++) {
        const i = s + n;
        this.frame[n] = i < 0 || i >= this.received ? 0 : this.buf[i - this.bufStart]!;
      }
      const v = new Float64Array(this.an.size);
      this.an.analyze(this.frame, v, 0);
      this.statics.push(v);
      this.nextStatic++;
    }
    const need = this.nextStatic * hop - half; // first sample a later frame reads
    const drop = Math.min(Math.max(0, need - this.bufStart), this.buf.length);
    if (drop > 0) {
      this.buf = this.buf.slice(drop);
      this.bufStart += drop;
    }
  }

  private drain(final: boolean): Features {
    this.computeStatics(final);
    const o = this.options, S = this.an.size, Nd = (o.deltaWidth - 1) >> 1;
    const T = this.nextStatic; // statics known so far (all of them when final)
    if (final && o.deltas > 0 && T < o.deltaWidth && T > 0) {
      throw new ValueError(`FeatureStream: deltas with deltaWidth ${o.deltaWidth} need at least ${o.deltaWidth} frames, got ${T}`);
    }
    const ready = o.deltas === 0 ? T : final ? T : T >= o.deltaWidth ? T - Nd : 0;
    const count = Math.max(0, ready - this.nextOut);
    const out = new Float32Array(count * this.size);
    const row = new Float64Array(this.size);
    for (let j = 0; j < count; j++) {
      const t = this.nextOut + j;
      row.set(this.statics[t - this.staticStart]!, 0);
      if (o.deltas > 0) {
        const c = Math.min(Math.max(t, Nd), final ? T - 1 - Nd : Infinity);
        this.delta(c, Nd, row, S, o.deltas);
      }
      for (let f = 0; f < this.size; f++) out[j * this.size + f] = this.mean ? (row[f]! - this.mean[f]!) / this.std![f]! : row[f]!;
    }
    this.nextOut += count;
    // keep the statics a later delta window can reach: from min(nextOut − N, T − 2N − 1)
    const keepFrom = Math.max(0, Math.min(this.nextOut - Nd, T - o.deltaWidth));
    const from = o.deltas === 0 ? this.nextOut : keepFrom;
    if (from > this.staticStart) {
      this.statics.splice(0, from - this.staticStart);
      this.staticStart = from;
    }
    return { data: out, frames: count, size: this.size };
  }

  /** Writes Δ (and ΔΔ) of the window centred at static frame c into row[S…]. */
  private delta(c: number, Nd: number, row: Float64Array, S: number, order: number): void {
    let n2 = 0, m4 = 0;
    for (let n = -Nd; n <= Nd; n++) n2 += n * n;
    const mbar = n2 / (2 * Nd + 1);
    for (let n = -Nd; n <= Nd; n++) m4 += (n * n - mbar) ** 2;
    for (let f = 0; f < S; f++) {
      let d1 = 0, d2 = 0;
      for (let n = -Nd; n <= Nd; n++) {
        const x = this.statics[c + n - this.staticStart]![f]!;
        d1 += n * x;
        d2 += (n * n - mbar) * x;
      }
      row[S + f] = d1 / n2;
      if (order === 2) row[2 * S + f] = (2 * d2) / m4;
    }
  }
}

/** Features of a whole utterance (one push and a flush), then per-utterance normalisation if asked. */
export function audioFeatures(samples: ArrayLike<number>, opts: FeatureOptions): Features {
  const s = new FeatureStream(opts, "audioFeatures");
  const a = s.push(samples), b = s.flush();
  const data = new Float32Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  const T = a.frames + b.frames, F = s.size;
  if (s.options.normalize === "utterance" && T > 0) normalizeUtterance(data, T, F);
  return { data, frames: T, size: F };
}

/** Per dimension: (x − mean) / max(std, 1e-8), population std over the T frames. */
export function normalizeUtterance(data: Float32Array, T: number, F: number): void {
  for (let f = 0; f < F; f++) {
    let m = 0, v = 0;
    for (let t = 0; t < T; t++) m += data[t * F + f]!;
    m /= T;
    for (let t = 0; t < T; t++) v += (data[t * F + f]! - m) ** 2;
    const sd = Math.max(Math.sqrt(v / T), 1e-8);
    for (let t = 0; t < T; t++) data[t * F + f] = (data[t * F + f]! - m) / sd;
  }
}
