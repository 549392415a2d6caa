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
import { Rng } from "../util/random.js";
import { UserError } from "./errors.js";

export type RunLayout = "batch-major" | "time-major";

export interface RunOutput { readonly shape: number[]; readonly dtype: "float32"; readonly data: number[] }

function numbers(where: string, v: unknown, n: number): number[] {
  if (!Array.isArray(v)) throw new UserError(`${where} must be an array of numbers`);
  const flat: unknown[] = [];
  const walk = (a: unknown[], depth: number) => {
    if (depth > 8) throw new UserError(`${where} is nested more than 8 deep`);
    for (const x of a) {
      if (Array.isArray(x)) walk(x, depth + 1);
      else flat.push(x);
      if (flat.length > n) throw new UserError(`${where} has more than the ${n} values its shape needs`);
    }
  };
  walk(v, 0);
  if (flat.length !== n) throw new UserError(`${where} has ${flat.length} values; its shape needs ${n}`);
  if (flat.some((x) => typeof x !== "number" || !Number.isFinite(x))) throw new UserError(`${where} must hold finite numbers only`);
  return flat as number[];
}

/** Runs `model` on the input JSON in the given layout. */
export function runModelOnJson(model: Model, json: unknown, layout: RunLayout | undefined): { output: RunOutput } {
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new UserError('the input JSON must be an object: {"input": {"shape": [...], "data": [...]}, "lengths": [...]}');
  const j = json as Record<string, unknown>;
  const extra = Object.keys(j).filter((k) => k !== "input" && k !== "lengths");
  if (extra.length > 0) throw new UserError(`the input JSON has ${extra.map((k) => JSON.stringify(k)).join(", ")}; a gated model reads "input" and, optionally, "lengths"`);
  const e = j.input as { shape?: unknown; data?: unknown } | undefined;
  if (!e || typeof e !== "object") throw new UserError('the input JSON has no "input": {"shape": [...], "data": [...]}');
  const tokens = model.spec.input.kind === "tokens";
  const F = model.net.layers[0]!.inputFeatures, rank = tokens ? 2 : 3;
  const want = tokens ? "[B, T] token ids" : `[B, T, ${F}]`;
  if (!Array.isArray(e.shape) || e.shape.length !== rank || !e.shape.every((d) => Number.isInteger(d) && d >= 1 && d <= 1e7)) {
    throw new UserError(`input "shape" must be ${layout === "time-major" ? (tokens ? "[T, B] token ids" : `[T, B, ${F}]`) : want}, got ${JSON.stringify(e.shape)}`);
  }
  if (!tokens && e.shape[2] !== F) throw new UserError(`the model reads ${F} features per step; the input has ${e.shape[2]}`);
  if (layout === undefined) throw new UserError(`give --layout batch-major (input [B, T${tokens ? "" : ", F"}]) or --layout time-major ([T, B${tokens ? "" : ", F"}]): the file does not say which the input is`);
  const [d0, d1] = e.shape as number[];
  const B = layout === "batch-major" ? d0! : d1!, T = layout === "batch-major" ? d1! : d0!;
  if (B * T * (tokens ? 1 : F) > 1 << 26) throw new UserError(`the input holds ${B * T * F} values; gated run takes at most ${1 << 26}`);
  const flat = numbers('input "data"', e.data, B * T * (tokens ? 1 : F));
  let lengths: Int32Array | null = null;
  if (j.lengths !== undefined) {
    const l = numbers('"lengths"', j.lengths, B);
    if (l.some((v) => !Number.isInteger(v) || v < 0 || v > T)) throw new UserError(`"lengths" must be ${B} whole numbers from 0 to ${T}`);
    lengths = Int32Array.from(l);
  }
  const W = tokens ? 1 : F, x = new Float32Array(T * B * W);
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
