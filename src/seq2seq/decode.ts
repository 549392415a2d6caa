/**
 * Decoding a trained encoder–decoder: the model as a StepSource (search.ts) — the source is
 * encoded once, the decoder advances one step per call (Recurrent.step, equal to its whole-sequence
 * forward), attention reads the kept memory — and greedy, sampled and beam decoding of id sequences.
 *
 * Shape legend: R rows being decoded, S source steps, C memory width, H decoder hidden, V target vocabulary.
 */
import { OptionError, ValueError, show } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import type { StreamState } from "../sequence/stream.js";
import type { SamplingOptions } from "../train/generate.js";
import type { Rng } from "../util/random.js";
import type { Seq2seq } from "./model.js";
import { beamSearch, sampleSearch, type Hypothesis, type StepSource } from "./search.js";

export interface DecodeOptions {
  readonly bos: number;
  readonly eos: number;
  /** Most target tokens to emit, eos included (default 64). */
  readonly maxLength?: number;
}

/** Pads sources into [S, R] ids (each repeated `copies` times) with their lengths. */
function padSources(sources: readonly ArrayLike<number>[], copies: number, V: number) {
  const R = sources.length * copies, S = Math.max(...sources.map((s) => s.length));
  const ids = new Int32Array(S * R), lengths = new Int32Array(R);
  sources.forEach((src, i) => {
    if (src.length === 0) throw new ValueError(`seq2seq decode: source ${i} is empty; give at least one token`);
    for (let c = 0; c < copies; c++) {
      const r = i * copies + c;
      lengths[r] = src.length;
      for (let s = 0; s < src.length; s++) {
        const id = src[s]!;
        if (!(Number.isInteger(id) && id >= 0 && id < V)) throw new ValueError(`seq2seq decode: source ${i} holds id ${show(id)} at position ${s}, expected 0..${V - 1}`);
        ids[s * R + r] = id;
      }
    }
  });
  return { ids, lengths, S, R };
}

/** The model stepping R rows at once: `copies` rows per source (beam search) or one. */
export class ModelStepper implements StepSource {
  readonly vocabulary: number;
  private readonly state: StreamState;
  private readonly summary: Vec;
  private readonly R: number;

  constructor(private readonly m: Seq2seq, sources: readonly ArrayLike<number>[], copies = 1) {
    const { ids, lengths, S, R } = padSources(sources, copies, m.sourceEmbedding.inputFeatures);
    const enc = m.encode(ids, S, R, lengths, false);
    const H = m.decoder.hiddenSize, Ld = m.decoder.layers;
    this.state = m.decoder.createState(R, { initialState: { data: enc.init, shape: [Ld, R, H] } });
    this.summary = enc.summary;
    this.R = R;
    this.vocabulary = m.output.outputFeatures;
  }

  step(tokens: Int32Array): Vec {
    const m = this.m, R = this.R, emb = m.embedTarget(tokens, 1, R, false);
    if (m.feedsInput) {
      // bahdanau: c_t = attention(s_{t−1}, m) from the top layer's state, then s_t = decoder([e_t ; c_t], s_{t−1})
      const { context } = m.attention!.forward(this.state.state(m.decoder.layers - 1, 0).slice(), 1);
      const x = m.decoderInput(emb, 1, R, this.summary, context);
      const h = m.decoder.step(this.state, { data: x, shape: [R, m.decoder.inputSize] }).output.data;
      return m.head(h, 1, R, false, undefined, { context, emb }).slice();
    }
    const x = m.decoderInput(emb, 1, R, this.summary);
    const h = m.decoder.step(this.state, { data: x, shape: [R, m.decoder.inputSize] }).output.data;
    return m.head(h, 1, R, false).slice();
  }

  reorder(parents: Int32Array): void {
    const R = this.R, H = this.m.decoder.hiddenSize, comps = this.m.decoder.cells[0]!.states.length;
    for (let l = 0; l < this.m.decoder.layers; l++) for (let c = 0; c < comps; c++) {
      const st = this.state.state(l, c), old = st.slice();
      for (let r = 0; r < R; r++) st.set(old.subarray(parents[r]! * H, (parents[r]! + 1) * H), r * H);
    }
  }
}

function maxLength(o: DecodeOptions): number {
  const n = o.maxLength ?? 64;
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new OptionError(`seq2seq decode: maxLength must be a positive integer, got ${show(n)}`);
  return n;
}

/** Greedy decoding of every source (batched); each result without its eos. */
export function greedyDecode(m: Seq2seq, sources: readonly ArrayLike<number>[], o: DecodeOptions): number[][] {
  return sampleSearch(new ModelStepper(m, sources), sources.length, { ...o, maxLength: maxLength(o) }).map(strip);
}

/** Sampled decoding: softmax(o/temperature), then top-k and top-p (train/generate.ts's sampleToken). */
export function sampleDecode(m: Seq2seq, sources: readonly ArrayLike<number>[], o: DecodeOptions & SamplingOptions & { readonly temperature: number; readonly rng: Rng }): number[][] {
  const sampling = { ...(o.topK !== undefined ? { topK: o.topK } : {}), ...(o.topP !== undefined ? { topP: o.topP } : {}) };
  return sampleSearch(new ModelStepper(m, sources), sources.length, { ...o, maxLength: maxLength(o) }, o.temperature, o.rng, sampling).map(strip);
}

/** Beam search of one source: hypotheses best first (tokens include the eos of finished ones). */
export function beamDecode(m: Seq2seq, source: ArrayLike<number>, o: DecodeOptions & { readonly width: number; readonly lengthPenalty?: number }): Hypothesis[] {
  const width = o.width;
  if (!(Number.isSafeInteger(width) && width >= 1)) throw new OptionError(`seq2seq beam: width must be a positive integer, got ${show(width)}`);
  return beamSearch(new ModelStepper(m, [source], width), width, { ...o, maxLength: maxLength(o) });
}

function strip(h: Hypothesis): number[] {
  return h.finished ? h.tokens.slice(0, -1) : h.tokens;
}
