/**
 * On-line keyword spotting with a word classifier trained on audio features (spoken-digits): audio
 * in chunks → the model's own front end (spec.data.audio: FeatureStream, standardisation,
 * quantisation, deltas; audio/front-end.ts) → voice activity → each segment stepped through the
 * network with Recurrent.step, one frame at a time, and classified at its end.
 *
 * Voice activity (per frame t, energy e_t = the mean of the frame's log-mel bands in dB, which for
 * MFCCs is c0 / √nMels):
 *   floor      the noise floor: the first frame's energy; then floor ← e_t when e_t < floor, and
 *              floor ← floor + 0.02 (e_t − floor) on frames outside a segment
 *   active     e_t > floor + threshold                                  (threshold default 12 dB)
 *   onset      an active frame outside a segment opens one, `padding` before it (default 50 ms,
 *              the silence the training words kept at each end)
 *   hangover   a segment stays open until `hangover` (default 250 ms) passes without an active
 *              frame; it then ends `padding` after its last active frame (frames after that were held
 *              back, never stepped)
 *   segments with less than `minSpeech` (default 100 ms) from first to last active frame are
 *   dropped; a segment reaching `maxSegment` (default 1.5 s, the longest training utterance) ends there.
 * With deltas the frame t is stepped once frames up to t + N are certain to belong to the segment
 * (N = (deltaWidth − 1) / 2), and the last N at its end with the end rule: the frames equal the
 * whole-segment features (deltas.ts), so the result equals model.classify on the segment.
 * Times: frame t is centred at t · hop / sampleRate seconds; a hit spans its first to its last frame.
 *
 * Which models: a per-sequence class task whose spec.data.audio exists and whose layers up to the
 * last-step layer run step by step (forward recurrent stacks, dense, layer norm, dropout).
 */
import { deltaAt, deltaCentre, deltaHalfWidth } from "../audio/deltas.js";
import { FeatureStream } from "../audio/stream.js";
import { frontEndWidth, standardiseFrame, type AudioFrontEnd } from "../audio/front-end.js";
import { resample } from "../audio/resample.js";
import { OptionError, ValueError, checkOptions, show } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import { LastStep } from "../layers/last-step.js";
import type { Context, Layer } from "../layers/layer.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import type { StreamState } from "../sequence/stream.js";
import { Rng } from "../util/random.js";
import type { Model } from "./model.js";

export interface SpotOptions {
  /** dB above the noise floor that makes a frame active (default 12). */
  readonly threshold?: number;
  /** Seconds without an active frame that end a segment (default 0.25). */
  readonly hangover?: number;
  /** Seconds kept before the first and after the last active frame (default 0.05). */
  readonly padding?: number;
  /** Shortest speech kept, first to last active frame, in seconds (default 0.1). */
  readonly minSpeech?: number;
  /** Longest segment in seconds (default 1.5). */
  readonly maxSegment?: number;
}

export interface KeywordHit {
  /** The class name saved with the model (or its index). */
  readonly word: string | number;
  readonly index: number;
  /** Seconds from the start of the audio: the segment's first and last frame. */
  readonly start: number;
  readonly end: number;
  /** Probability of `word`; `probabilities` has one per class. */
  readonly probability: number;
  readonly probabilities: number[];
}

const SPOT_KEYS = ["threshold", "hangover", "padding", "minSpeech", "maxSegment"];

/** The front end of a model that can spot keywords, or an OptionError that says why not. */
function frontEndOf(model: Model): AudioFrontEnd {
  const { data, task, input } = model.spec;
  const a = data?.audio;
  if (!a) throw new OptionError(`spotKeywords: this model holds no audio front end (spec.data.audio: feature settings and the training statistics), so raw audio cannot be featurised as in its training${data?.name ? ` (data "${data.name}": retrain it with this version of gated)` : ""}; train on audio data such as spoken-digits`);
  if (task.target !== "class" || task.perStep) throw new OptionError("spotKeywords: expected a model that gives one class per sequence (a word classifier)");
  if (input.kind !== "features" || input.features !== frontEndWidth(a)) throw new OptionError(`spotKeywords: the model reads ${show(input)}, its front end gives ${frontEndWidth(a)} features`);
  return a;
}

/** Steps a model's layers one frame at a time; `classify` runs the layers from the last-step layer on. */
class FrameStepper {
  private readonly head: readonly Layer[];
  private readonly tail: readonly Layer[];
  private readonly states: (StreamState | null)[];
  private readonly ctx: Context;
  private last: Vec | null = null;

  constructor(private readonly model: Model) {
    const layers = model.net.layers, cut = layers.findIndex((l) => l instanceof LastStep);
    if (cut < 0) throw new OptionError("spotKeywords: expected a model with a last-step layer (one class per sequence)");
    this.head = layers.slice(0, cut);
    this.tail = layers.slice(cut);
    for (const l of this.head) {
      if (l instanceof RecurrentLayer ? l.rnn.direction !== "forward" : !["dense", "layer-norm", "dropout"].includes(l.kind)) {
        throw new OptionError(`spotKeywords: a ${l.kind}${l instanceof RecurrentLayer ? ` (${l.rnn.direction})` : ""} layer cannot run one frame at a time; expected forward recurrent, dense, layer-norm or dropout layers before the last step`);
      }
    }
    this.states = this.head.map(() => null);
    this.ctx = model.net.context(false, new Rng(0));
  }

  reset(): void {
    this.head.forEach((l, i) => { this.states[i] = l instanceof RecurrentLayer ? l.rnn.createState(1) : null; });
    this.last = null;
  }

  step(frame: Float64Array): void {
    let x: Vec = this.model.net.kernels.alloc(frame.length);
    x.set(frame);
    this.head.forEach((l, i) => {
      if (l instanceof RecurrentLayer) x = l.rnn.step(this.states[i]!, { data: x, shape: [1, l.inputFeatures] }).output.data;
      else x = l.forward({ data: x, T: 1, B: 1, F: l.inputFeatures, lengths: null }, this.ctx).data;
    });
    this.last = x;
  }

  /** Softmax of the logits after the frames stepped so far. */
  classify(): number[] {
    let x = this.last!;
    for (const l of this.tail) x = l.forward({ data: x, T: 1, B: 1, F: l.inputFeatures, lengths: null }, this.ctx).data;
    const logits = Array.from(x), m = Math.max(...logits), e = logits.map((v) => Math.exp(v - m)), s = e.reduce((p, q) => p + q);
    return e.map((v) => v / s);
  }
}

function seconds(where: string, name: string, v: number | undefined, dflt: number): number {
  const s = v ?? dflt;
  if (typeof s !== "number" || !(s >= 0 && Number.isFinite(s))) throw new OptionError(`${where}: ${name}: expected seconds ≥ 0, got ${show(v)}`);
  return s;
}

/**
 * The streaming spotter: push samples (at the front end's sample rate) in chunks of any size; each
 * call returns the keywords whose segments ended in it. The hits do not depend on the chunking.
 */
export class KeywordSpotter {
  readonly sampleRate: number;
  private readonly fe: AudioFrontEnd;
  private readonly features: FeatureStream;
  private readonly stepper: FrameStepper;
  private readonly classes: readonly string[] | undefined;
  private readonly S: number;
  private readonly N: number;
  private readonly o: { threshold: number; hangover: number; padding: number; minSpeech: number; maxSegment: number };
  private t = 0;                            // frames seen
  private floor = NaN;
  private recent: Float64Array[] = [];      // standardised frames before a segment (≤ padding)
  private seg: Float64Array[] | null = null; // standardised frames of the open segment, held ones included
  private segStart = 0;                      // frame index of seg[0]
  private firstActive = 0;
  private lastActive = 0;
  private fed = 0;                           // frames of seg stepped

  constructor(model: Model, options: SpotOptions = {}) {
    checkOptions("spotKeywords", options, SPOT_KEYS);
    this.fe = frontEndOf(model);
    this.stepper = new FrameStepper(model);
    this.classes = model.spec.data?.classes;
    const f = this.fe.features, fps = f.sampleRate / f.hop;
    this.sampleRate = f.sampleRate;
    this.features = new FeatureStream({ ...f, deltas: 0, normalize: "none" }, "spotKeywords");
    this.S = this.features.size;
    this.N = this.fe.deltas === 0 ? 0 : deltaHalfWidth("spotKeywords", this.fe.deltas, this.fe.deltaWidth);
    const frames = (name: keyof SpotOptions, dflt: number) => Math.round(seconds("spotKeywords", name, options[name], dflt) * fps);
    const threshold = options.threshold ?? 12;
    if (typeof threshold !== "number" || !Number.isFinite(threshold)) throw new OptionError(`spotKeywords: threshold: expected dB, got ${show(threshold)}`);
    this.o = { threshold, hangover: frames("hangover", 0.25), padding: frames("padding", 0.05), minSpeech: frames("minSpeech", 0.1), maxSegment: Math.max(1, frames("maxSegment", 1.5)) };
  }

  push(samples: ArrayLike<number>): KeywordHit[] {
    return this.frames(this.features.push(samples).data, false);
  }

  /** Ends the audio: the last frames, and the open segment classified. */
  flush(): KeywordHit[] {
    return this.frames(this.features.flush().data, true);
  }

  private frames(data: Float32Array, final: boolean): KeywordHit[] {
    const hits: KeywordHit[] = [], S = this.S;
    for (let at = 0; at < data.length; at += S) {
      const z = Float64Array.from(data.subarray(at, at + S));
      const e = this.energy(z);
      standardiseFrame(this.fe, z, 0);
      this.frame(z, e, hits);
    }
    if (final && this.seg) this.close(hits);
    return hits;
  }

  /** Mean log-mel energy of a raw static frame, in dB. */
  private energy(s: Float64Array): number {
    const f = this.fe.features;
    let m = 0;
    if (f.kind === "mfcc") m = s[0]! / Math.sqrt(f.nMels);
    else { for (let i = 0; i < s.length; i++) m += s[i]!; m /= s.length; }
    return f.log === "ln" ? (10 / Math.LN10) * m : m;
  }

  private frame(z: Float64Array, e: number, hits: KeywordHit[]): void {
    const t = this.t++;
    if (Number.isNaN(this.floor) || e < this.floor) this.floor = e;
    const active = e > this.floor + this.o.threshold;
    if (!this.seg) {
      if (!active) {
        this.floor += 0.02 * (e - this.floor);
        this.recent.push(z);
        if (this.recent.length > this.o.padding) this.recent.shift();
        return;
      }
      this.stepper.reset();
      this.seg = [...this.recent, z];
      this.segStart = t - this.recent.length;
      this.recent = [];
      this.firstActive = this.lastActive = t;
      this.fed = 0;
    } else {
      this.seg.push(z);
      if (active) this.lastActive = t;
    }
    if (t - this.lastActive > this.o.hangover) return this.close(hits);
    this.feed(false);
    if (this.committed() >= this.o.maxSegment) this.close(hits);
  }

  /** Frames certain to belong to the open segment: up to `padding` after its last active frame. */
  private committed(): number {
    return Math.min(this.seg!.length, this.lastActive + this.o.padding - this.segStart + 1, this.o.maxSegment);
  }

  /** Steps the frames whose model input is known (all up to the end when `end`). */
  private feed(end: boolean): void {
    const seg = this.seg!, C = this.committed(), N = this.N, S = this.S, W = (1 + this.fe.deltas) * S;
    const upTo = end ? C : N === 0 ? C : C < 2 * N + 1 ? 0 : C - N;
    const flat = N === 0 ? null : new Float64Array(C * S);
    if (flat) seg.slice(0, C).forEach((f, i) => flat.set(f, i * S));
    const x = new Float64Array(W);
    for (; this.fed < upTo; this.fed++) {
      x.set(seg[this.fed]!);
      if (N > 0) deltaAt(flat!, S, end ? deltaCentre(this.fed, C, N) : Math.max(this.fed, N), N, this.fe.deltas as 1 | 2, x, 0);
      this.stepper.step(x);
    }
  }

  private close(hits: KeywordHit[]): void {
    const seg = this.seg!, C = this.committed(), fps = this.fe.features.sampleRate / this.fe.features.hop;
    const speech = this.lastActive - this.firstActive + 1;
    if (speech >= this.o.minSpeech && C >= (this.N > 0 ? this.fe.deltaWidth : 1)) {
      this.feed(true);
      const p = this.stepper.classify(), index = p.indexOf(Math.max(...p));
      const classes = this.classes;
      hits.push({ word: classes?.[index] ?? index, index, start: this.segStart / fps, end: (this.segStart + C - 1) / fps, probability: p[index]!, probabilities: p });
    }
    // frames held after the segment's end are the silence before the next one
    this.recent = this.o.padding === 0 ? [] : seg.slice(C).slice(-this.o.padding);
    this.seg = null;
  }
}

/**
 * Keywords in a recording: `samples` (mono) at `sampleRate` (resampled to the model's front-end
 * rate with audio/resample.ts when it differs), fed through a KeywordSpotter in chunks of
 * `chunk` samples (default 0.1 s; the hits do not depend on it).
 */
export function spotKeywords(model: Model, samples: Float32Array | Float64Array, sampleRate: number, options: SpotOptions & { chunk?: number } = {}): KeywordHit[] {
  const { chunk: chunkOpt, ...spot } = options;
  const spotter = new KeywordSpotter(model, spot);
  if (!(Number.isInteger(sampleRate) && sampleRate > 0)) throw new ValueError(`spotKeywords: sampleRate: expected a positive integer (Hz), got ${show(sampleRate)}`);
  const x = sampleRate === spotter.sampleRate ? samples : resample(samples, sampleRate, spotter.sampleRate);
  const chunk = chunkOpt ?? Math.round(spotter.sampleRate / 10);
  if (!(Number.isInteger(chunk) && chunk >= 1)) throw new OptionError(`spotKeywords: chunk: expected a positive number of samples, got ${show(chunkOpt)}`);
  const hits: KeywordHit[] = [];
  for (let at = 0; at < x.length; at += chunk) hits.push(...spotter.push(x.subarray(at, at + chunk)));
  hits.push(...spotter.flush());
  return hits;
}
