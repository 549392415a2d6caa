/**
 * `gated run` for every model file that is not ONNX (a gated model, or any file `gated import`
 * reads: PyTorch .pt/.safetensors, Keras .keras/.h5, TF.js model.json): the model runs on the
 * input JSON and its output is printed as {"output": {"shape", "dtype", "data"}}.
 *
 * Input JSON: {"input": {"shape": [...], "data": [...]}, "lengths": [...]?}, where shape is
 * [B, T, F] (--layout batch-major) or [T, B, F] (time-major), [B, T] / [T, B] for token ids. The
 * layout is never assumed: a [T, B, F] array read as [B, T, F] would run without complaint and
 * give other numbers. Per-step outputs come back in the input's layout, per-sequence ones as [B, O].
 */
import type { Model } from "../model/model.js";
import { fmtShape } from "../errors/index.js";
import { checkInputSize } from "../util/limits.js";
import { previewJson, quoteText } from "../util/preview.js";
import { Rng } from "../util/random.js";
import { UserError } from "./errors.js";

export type RunLayout = "batch-major" | "time-major";

export interface RunOutput { readonly shape: number[]; readonly dtype: "float32"; readonly data: number[] }

/** The largest finite float32: a larger number would become Infinity in a float32 input. */
export const MAX_FLOAT32 = 3.4028234663852886e38;

/**
 * The values of a flat or nested array, in order, checked to be exactly `n` finite numbers
 * (booleans too when `booleans`, as 1 and 0). The walk keeps its own stack, so no nesting depth
 * overflows the call stack: deeper than `maxDepth` is refused, and so is a value past the n-th.
 */
export function flattenNumbers(where: string, v: unknown, n: number, opts: { maxDepth?: number; booleans?: boolean } = {}): number[] {
  if (!Array.isArray(v)) throw new UserError(`${where} must be an array of numbers, got ${previewJson(v)}`);
  const maxDepth = opts.maxDepth ?? 8, flat: number[] = [];
  const stack: { a: unknown[]; i: number }[] = [{ a: v, i: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i === top.a.length) { stack.pop(); continue; }
    const x = top.a[top.i++];
    if (Array.isArray(x)) {
      if (stack.length > maxDepth) throw new UserError(`${where} is nested more than ${maxDepth} deep`);
      stack.push({ a: x, i: 0 });
      continue;
    }
    const num = typeof x === "boolean" && opts.booleans ? Number(x) : x;
    if (typeof num !== "number" || !Number.isFinite(num)) throw new UserError(`${where}: value ${flat.length} must be a finite number, got ${previewJson(x)}`);
    if (flat.length === n) throw new UserError(`${where} has more than the ${n} values its shape needs`);
    flat.push(num);
  }
  if (flat.length !== n) throw new UserError(`${where} has ${flat.length} values; its shape needs ${n}`);
  return flat;
}

const numbers = (where: string, v: unknown, n: number): number[] => flattenNumbers(where, v, n);

/** Runs `model` on the input JSON in the given layout. */
export function runModelOnJson(model: Model, json: unknown, layout: RunLayout | undefined): { output: RunOutput } {
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new UserError('the input JSON must be an object: {"input": {"shape": [...], "data": [...]}, "lengths": [...]}');
  const j = json as Record<string, unknown>;
  const extra = Object.keys(j).filter((k) => k !== "input" && k !== "lengths");
  if (extra.length > 0) throw new UserError(`the input JSON has ${extra.slice(0, 5).map((k) => quoteText(k)).join(", ")}${extra.length > 5 ? ", …" : ""}; a gated model reads "input" and, optionally, "lengths"`);
  const e = j.input as { shape?: unknown; data?: unknown } | undefined;
  if (!e || typeof e !== "object") throw new UserError('the input JSON has no "input": {"shape": [...], "data": [...]}');
  const tokens = model.spec.input.kind === "tokens";
  const F = model.net.layers[0]!.inputFeatures, rank = tokens ? 2 : 3;
  const want = tokens ? "[B, T] token ids" : `[B, T, ${F}]`;
  if (!Array.isArray(e.shape) || e.shape.length !== rank || !e.shape.every((d) => Number.isInteger(d) && d >= 1 && d <= 1e7)) {
    throw new UserError(`input "shape" must be ${layout === "time-major" ? (tokens ? "[T, B] token ids" : `[T, B, ${F}]`) : want}, got ${previewJson(e.shape)}`);
  }
  if (!tokens && e.shape[2] !== F) throw new UserError(`the model reads ${F} features per step; the input has ${e.shape[2]}`);
  if (layout === undefined) throw new UserError(`give --layout batch-major (input [B, T${tokens ? "" : ", F"}]) or --layout time-major ([T, B${tokens ? "" : ", F"}]): the file does not say which the input is`);
  const [d0, d1] = e.shape as number[];
  const B = layout === "batch-major" ? d0! : d1!, T = layout === "batch-major" ? d1! : d0!;
  const W = tokens ? 1 : F, outs = B * (model.spec.task.perStep ? T : 1) * model.spec.task.outputs;
  // the values as a JS array (8 bytes each) and a float32 buffer (4), the same again for the outputs
  checkInputSize("gated run", `an input of shape ${fmtShape(e.shape as number[])}`, 12 * (B * T * W + outs), `${B * T * W} input and ${outs} output values × 12 bytes`, "run the sequences in smaller batches");
  const flat = numbers('input "data"', e.data, B * T * W);
  const big = tokens ? -1 : flat.findIndex((v) => Math.abs(v) > MAX_FLOAT32);
  if (big >= 0) throw new UserError(`input "data": value ${big} (${flat[big]}) is outside the float32 range (±3.4e38)`);
  let lengths: Int32Array | null = null;
  if (j.lengths !== undefined) {
    const l = numbers('"lengths"', j.lengths, B);
    if (l.some((v) => !Number.isInteger(v) || v < 0 || v > T)) throw new UserError(`"lengths" must be ${B} whole numbers from 0 to ${T}`);
    lengths = Int32Array.from(l);
  }
  const x = new Float32Array(T * B * W);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const src = layout === "batch-major" ? (b * T + t) * W : (t * B + b) * W;
      for (let f = 0; f < W; f++) x[(t * B + b) * W + f] = flat[src + f]!;
    }
  }
  if (tokens) {
    const V = F;
    const bad = x.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= V);
    if (bad >= 0) throw new UserError(`token ids are whole numbers from 0 to ${V - 1}; the input has ${x[bad]}`);
  }
  const net = model.net;
  const act = tokens ? { data: new Float32Array(0), T, B, F, ids: Int32Array.from(x), lengths } : { data: x, T, B, F, lengths };
  net.setCarry(false);
  const y = net.forward(act, net.context(false, new Rng(0)));
  const O = y.F;
  if (y.T === 1 && !model.spec.task.perStep) return { output: { shape: [B, O], dtype: "float32", data: Array.from(y.data.subarray(0, B * O)) } };
  const out = new Array<number>(T * B * O);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const dst = layout === "batch-major" ? (b * T + t) * O : (t * B + b) * O;
      for (let o = 0; o < O; o++) out[dst + o] = y.data[(t * B + b) * O + o]!;
    }
  }
  return { output: { shape: layout === "batch-major" ? [B, T, O] : [T, B, O], dtype: "float32", data: out } };
}
