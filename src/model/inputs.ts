/**
 * The inputs of `model.predict` / `classify` / `forecast` as the API takes them (plain nested arrays
 * or a typed array with a shape), checked and read into one batch-major buffer with each row's
 * length. Every refusal names where, what was expected and what came.
 *
 * Shape legend: B rows (sequences), T steps, W values per step (F features, or 1 token id).
 * Nested, batch-major: number[][][] [B][T][F] (rows may differ in length: each row's length is its
 * own), number[][] [B][T] of token ids (or of values, when F = 1). Time-major nested: [T][B][F].
 * Typed: { data, shape: [B, T, F] } ([B, T] for token ids), or [T, B, ...] when time-major.
 */
import { OptionError, ShapeError, ValueError, fmtShape, show } from "../errors/index.js";
import type { Layout } from "../sequence/tensor.js";
import { checkInputSize } from "../util/limits.js";

export type { Layout };
/** [B][T][F] feature values, or [B][T] token ids (values when F = 1); [T][B]… when time-major. */
export type NestedInput = readonly (readonly (readonly number[] | number)[])[];
export interface TensorInput {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}
export type ModelInput = NestedInput | TensorInput;

/** What the model reads per step. */
export interface InputKind {
  readonly tokens: boolean;
  /** Values per step of a features model; the vocabulary size of a tokens model. */
  readonly width: number;
}

export interface ReadInput {
  readonly B: number;
  readonly T: number;
  /** Values per step: F, or 1 for token ids. */
  readonly W: number;
  readonly x: Float64Array; // [B, T, W], zero past each row's length
  /** Each row's length, or null when every row has T steps. */
  readonly lengths: Int32Array | null;
  readonly nested: boolean;
}

const MAX_FLOAT32 = 3.4028234663852886e38;

const isTensor = (x: unknown): x is TensorInput => x !== null && typeof x === "object" && !Array.isArray(x) && "shape" in x && "data" in x;

/** The input shape a model wants, in words: "[B, T, 3]" or "[B, T] token ids". */
export function wanted(k: InputKind, layout: Layout): string {
  const bt = layout === "batch-major" ? "B, T" : "T, B";
  return k.tokens ? `[${bt}] token ids` : `[${bt}, ${k.width}]`;
}

/** Reads `x` (with an optional `lengths`) for a model that reads `k`. */
export function readInput(where: string, x: unknown, k: InputKind, layout: Layout = "batch-major", lengths?: ArrayLike<number>): ReadInput {
  if (layout !== "batch-major" && layout !== "time-major") throw new OptionError(`${where}: layout: expected "batch-major" | "time-major", got ${show(layout)}`);
  const r = isTensor(x) ? readTensor(where, x, k, layout) : readNested(where, x, k, layout);
  for (let i = 0; i < r.x.length; i++) checkValue(where, r, i, k);
  return lengths === undefined ? r : withLengths(where, r, lengths);
}

function readTensor(where: string, x: TensorInput, k: InputKind, layout: Layout): ReadInput {
  const W = k.tokens ? 1 : k.width, rank = k.tokens ? 2 : 3, s = x.shape;
  if (!Array.isArray(s) || s.length !== rank || !s.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    throw new ShapeError(`${where}: expected input of shape ${wanted(k, layout)}, got shape ${show(s)}`);
  }
  if (!k.tokens && s[2] !== W) throw new ShapeError(`${where}: expected input of shape ${wanted(k, layout)}, got ${fmtShape(s)}`);
  const [d0, d1] = s as number[];
  const B = layout === "batch-major" ? d0! : d1!, T = layout === "batch-major" ? d1! : d0!;
  const data = x.data;
  if (data === null || typeof data !== "object" || typeof data.length !== "number") throw new ShapeError(`${where}: data: expected an array or typed array of ${B * T * W} numbers, got ${show(data)}`);
  if (data.length !== B * T * W) throw new ShapeError(`${where}: data: a shape of ${fmtShape(s)} needs ${B * T * W} values, got ${data.length}`);
  size(where, B, T, W);
  const out = new Float64Array(B * T * W);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const src = layout === "batch-major" ? (b * T + t) * W : (t * B + b) * W;
      for (let f = 0; f < W; f++) out[(b * T + t) * W + f] = Number(data[src + f]);
    }
  }
  return { B, T, W, x: out, lengths: null, nested: false };
}

function readNested(where: string, x: unknown, k: InputKind, layout: Layout): ReadInput {
  const W = k.tokens ? 1 : k.width;
  if (!Array.isArray(x) || x.length === 0) {
    throw new ShapeError(`${where}: expected a non-empty array ${wanted(k, layout)} or {data, shape}, got ${show(x)}`);
  }
  const outer = x as unknown[];
  for (let i = 0; i < outer.length; i++) {
    if (!Array.isArray(outer[i])) throw new ShapeError(`${where}: ${layout === "batch-major" ? "sequence" : "step"} ${i}: expected an array of ${layout === "batch-major" ? "steps" : "rows"}, got ${show(outer[i])}`);
  }
  const inner = outer as unknown[][];
  let B: number, T: number, ragged = false;
  if (layout === "batch-major") {
    B = inner.length;
    T = Math.max(...inner.map((r) => r.length));
    ragged = inner.some((r) => r.length !== T);
  } else {
    T = inner.length;
    B = inner[0]!.length;
    const bad = inner.findIndex((r) => r.length !== B);
    if (bad >= 0) throw new ShapeError(`${where}: time-major input: step ${bad} has ${inner[bad]!.length} rows, step 0 has ${B}; every step needs the same rows`);
  }
  if (T === 0 || B === 0) throw new ShapeError(`${where}: every sequence is empty; give at least one step`);
  size(where, B, T, W);
  const out = new Float64Array(B * T * W), lengths = ragged ? Int32Array.from(inner, (r) => r.length) : null;
  for (let b = 0; b < B; b++) {
    const len = lengths ? lengths[b]! : T;
    for (let t = 0; t < len; t++) {
      const step = layout === "batch-major" ? inner[b]![t] : inner[t]![b];
      const at = (b * T + t) * W;
      if (W === 1 && typeof step === "number") { out[at] = step; continue; }
      if (!Array.isArray(step) || step.length !== W || k.tokens) {
        const want = k.tokens ? "a token id" : W === 1 ? "a number (or [number])" : `an array of ${W} numbers`;
        throw new ShapeError(`${where}: sequence ${b}, step ${t}: expected ${want}, got ${show(step)}`);
      }
      for (let f = 0; f < W; f++) out[at + f] = typeof step[f] === "number" ? step[f] : NaN;
      if (step.some((v) => typeof v !== "number")) throw new ValueError(`${where}: sequence ${b}, step ${t}: expected ${W} numbers, got ${show(step)}`);
    }
  }
  return { B, T, W, x: out, lengths, nested: true };
}

function size(where: string, B: number, T: number, W: number): void {
  checkInputSize(where, `an input of ${B} × ${T} × ${W} values`, 16 * B * T * W, `${B * T * W} values × 16 bytes (read and batched)`, "predict in smaller pieces");
}

function checkValue(where: string, r: ReadInput, i: number, k: InputKind): void {
  const v = r.x[i]!;
  const step = Math.floor(i / r.W), b = Math.floor(step / r.T), t = step % r.T;
  if (r.lengths && t >= r.lengths[b]!) return;
  if (k.tokens) {
    if (!(Number.isInteger(v) && v >= 0 && v < k.width)) throw new ValueError(`${where}: sequence ${b}, step ${t}: expected a token id in 0..${k.width - 1}, got ${show(v)}`);
  } else if (!(Number.isFinite(v) && Math.abs(v) <= MAX_FLOAT32)) {
    throw new ValueError(`${where}: sequence ${b}, step ${t}: expected finite numbers in the float32 range (±3.4e38), got ${show(v)}`);
  }
}

function withLengths(where: string, r: ReadInput, lengths: ArrayLike<number>): ReadInput {
  if (lengths === null || typeof lengths !== "object" || lengths.length !== r.B) {
    throw new ShapeError(`${where}: lengths: expected ${r.B} lengths (one per sequence), got ${show(lengths)}`);
  }
  const out = new Int32Array(r.B);
  for (let b = 0; b < r.B; b++) {
    const n = lengths[b], most = r.lengths ? r.lengths[b]! : r.T;
    if (!(typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= most)) {
      throw new ValueError(`${where}: lengths[${b}]: expected an integer in 0..${most} (the steps of sequence ${b}), got ${show(n)}`);
    }
    out[b] = n;
  }
  return { ...r, lengths: out };
}
