/**
 * One ONNX GRU / LSTM / RNN node as a gated Recurrent stack (one layer), with its weights.
 *
 * ONNX layouts (per direction d): W [D, G·H, I], R [D, G·H, H], B [D, 2·G·H] = [Wb | Rb].
 *   GRU  gate order z, r, h (= ours). linear_before_reset 1 → reset "after": b_z,r = Wb + Rb,
 *        b_h = Wb_h and c = Rb_h (inside r ⊙ (·)); 0 → reset "before": b = Wb + Rb.
 *   LSTM gate order i, o, f, c → ours i, f, c, o; b = Wb + Rb. Peepholes (P) and input_forget = 1
 *        have no gated equivalent and are refused.
 *   RNN  W [D, H, I]; b = Wb + Rb.
 * Activations: GRU [f, g], LSTM [f, g, h], RNN [f] per direction (see activations.ts).
 * Absent B means no biases (bias: false).
 */
import { FormatError, OptionError, ShapeError, fmtShape } from "../../errors/index.js";
import type { ActivationConfig } from "../../kernels/activations.js";
import { Recurrent, type Direction } from "../../sequence/recurrent.js";
import { onnxActivations } from "./activations.js";

export type OnnxRecurrentOp = "GRU" | "LSTM" | "RNN";

export interface OnnxRecurrentAttributes {
  readonly hidden_size: number;
  readonly direction?: string;
  readonly linear_before_reset?: number;
  readonly clip?: number;
  readonly activations?: readonly string[];
  readonly activation_alpha?: readonly number[];
  readonly activation_beta?: readonly number[];
  readonly input_forget?: number;
  readonly layout?: number;
}

export interface OnnxRecurrentWeights {
  readonly W: ArrayLike<number>;
  readonly R: ArrayLike<number>;
  readonly B?: ArrayLike<number> | undefined;
  readonly P?: ArrayLike<number> | undefined;
}

const GATES: Record<OnnxRecurrentOp, number> = { GRU: 3, LSTM: 4, RNN: 1 };
const DEFAULT_ACTS: Record<OnnxRecurrentOp, string[]> = { GRU: ["Sigmoid", "Tanh"], LSTM: ["Sigmoid", "Tanh", "Tanh"], RNN: ["Tanh"] };
/** Our block b of an LSTM takes ONNX block LSTM_FROM[b] (ours i, f, c, o; ONNX i, o, f, c). */
const LSTM_FROM = [0, 2, 3, 1];

function cellActivations(op: OnnxRecurrentOp, acts: ActivationConfig[]): Record<string, ActivationConfig> {
  if (op === "GRU") return { gateActivation: acts[0]!, candidateActivation: acts[1]! };
  if (op === "LSTM") return { gateActivation: acts[0]!, candidateActivation: acts[1]!, outputActivation: acts[2]! };
  return { activation: acts[0]! };
}

const DIRECTIONS: readonly Direction[] = ["forward", "reverse", "bidirectional"];

/** The largest hidden_size read (a corrupt attribute fails here, not in an allocation). */
export const MAX_HIDDEN = 1 << 16;

/**
 * Checks every attribute's domain (the ONNX operator's definition): a value out of it is refused,
 * never rounded or read as another (linear_before_reset = 1e12 is not "after").
 */
export function checkRecurrentAttributes(where: string, op: OnnxRecurrentOp, a: OnnxRecurrentAttributes): Direction {
  const H = a.hidden_size;
  if (!Number.isInteger(H) || H < 1 || H > MAX_HIDDEN) throw new FormatError(`${where}: hidden_size must be an integer in 1..${MAX_HIDDEN}, got ${JSON.stringify(H ?? null)}`);
  const direction = a.direction ?? "forward";
  if (!(DIRECTIONS as readonly string[]).includes(direction)) throw new FormatError(`${where}: direction must be one of "forward", "reverse", "bidirectional", got ${JSON.stringify(direction)}`);
  const flag = (name: string, v: number | undefined) => {
    if (v !== undefined && v !== 0 && v !== 1) throw new FormatError(`${where}: ${name} must be 0 or 1, got ${v}`);
  };
  if (op === "GRU") flag("linear_before_reset", a.linear_before_reset);
  if (op === "LSTM") flag("input_forget", a.input_forget);
  flag("layout", a.layout);
  if (a.clip !== undefined && !(Number.isFinite(a.clip) && a.clip > 0)) throw new FormatError(`${where}: clip must be a finite number > 0, got ${a.clip}`);
  for (const k of ["activation_alpha", "activation_beta"] as const) {
    const bad = (a[k] ?? []).findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new FormatError(`${where}: ${k}[${bad}] must be finite, got ${a[k]![bad]}`);
  }
  return direction as Direction;
}

export function recurrentFromOnnx(
  op: OnnxRecurrentOp, inputSize: number, a: OnnxRecurrentAttributes, w: OnnxRecurrentWeights, dtype: "float32" | "float64" = "float32", where = `onnx ${op}`,
): Recurrent {
  const H = a.hidden_size, G = GATES[op];
  const direction = checkRecurrentAttributes(where, op, a), dirName = direction;
  if (w.P !== undefined) throw new OptionError(`${where}: peephole weights (input P) are not supported by gated's LSTM`);
  if ((a.input_forget ?? 0) !== 0) throw new OptionError(`${where}: input_forget = 1 (coupled input and forget gates) is not supported`);
  const D = direction === "bidirectional" ? 2 : 1;
  const need = (name: string, v: ArrayLike<number> | undefined, shape: number[]) => {
    const n = shape.reduce((x, y) => x * y, 1);
    if (v !== undefined && v.length !== n) throw new ShapeError(`${where}: expected ${name} of shape ${fmtShape(shape)} (${n} values), got ${v.length} values`);
  };
  need("W", w.W, [D, G * H, inputSize]);
  need("R", w.R, [D, G * H, H]);
  need("B", w.B, [D, 2 * G * H]);
  const names = a.activations ?? [...DEFAULT_ACTS[op], ...(D === 2 ? DEFAULT_ACTS[op] : [])];
  const per = DEFAULT_ACTS[op].length;
  if (names.length !== per * D) throw new OptionError(`${where}: expected ${per * D} activations for ${dirName}, got ${names.length}`);
  const acts = onnxActivations(where, names, a.activation_alpha, a.activation_beta);
  const cell = op === "GRU" ? "gru" : op === "LSTM" ? "lstm" : "rnn";
  const opts: Record<string, unknown> = {
    cell, inputSize, hiddenSize: H, direction, dtype, bias: w.B !== undefined,
    clip: a.clip ?? null, ...cellActivations(op, acts.slice(0, per)),
  };
  if (op === "GRU") opts.reset = (a.linear_before_reset ?? 0) === 1 ? "after" : "before";
  if (D === 2) opts.reverseOptions = cellActivations(op, acts.slice(per));
  const net = new Recurrent(opts as never);
  for (let d = 0; d < D; d++) loadDirection(net, op, d, H, inputSize, w, (a.linear_before_reset ?? 0) === 1);
  return net;
}

function loadDirection(net: Recurrent, op: OnnxRecurrentOp, d: number, H: number, I: number, w: OnnxRecurrentWeights, after: boolean): void {
  const G = GATES[op];
  const pre = `layer0.${net.direction === "bidirectional" ? (d === 0 ? "forward" : "reverse") : net.direction}`;
  const from = (g: number) => (op === "LSTM" ? LSTM_FROM[g]! : g);
  const Wd = net.param(`${pre}.W`), Ud = net.param(`${pre}.U`);
  for (let g = 0; g < G; g++) {
    const src = from(g);
    for (let i = 0; i < H * I; i++) Wd[g * H * I + i] = w.W[d * G * H * I + src * H * I + i]!;
    for (let i = 0; i < H * H; i++) Ud[g * H * H + i] = w.R[d * G * H * H + src * H * H + i]!;
  }
  if (!w.B) return;
  const bd = net.param(`${pre}.b`);
  const Bd = (k: number) => w.B![d * 2 * G * H + k]!;
  for (let g = 0; g < G; g++) {
    const src = from(g);
    for (let j = 0; j < H; j++) {
      const wb = Bd(src * H + j), rb = Bd(G * H + src * H + j);
      // GRU reset-after: the candidate's recurrent bias stays inside r ⊙ (·) as c
      bd[g * H + j] = op === "GRU" && after && g === 2 ? wb : wb + rb;
    }
  }
  if (op === "GRU" && after) {
    const c = net.param(`${pre}.c`);
    for (let j = 0; j < H; j++) c[j] = Bd(G * H + 2 * H + j);
  }
}
