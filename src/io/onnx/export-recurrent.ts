/**
 * A gated recurrent stack as ONNX nodes, one layer at a time (ONNX operators are single-layer).
 *
 * Native operators where the cell is one (exact mappings, the inverse of recurrent-node.ts):
 *   GRU (gates "full", update "keep", any reset): W [D, 3H, I], R [D, 3H, H] as gated's W, U
 *     (both z, r, h); reset "after" → linear_before_reset 1 with Wb = b, Rb = [0, 0, c];
 *     reset "before" → linear_before_reset 0 with Wb = b, Rb = 0.
 *   LSTM: gated blocks i, f, c, o → ONNX i, o, f, c; Wb = b, Rb = 0.
 *   RNN: W, R, Wb = b, Rb = 0.
 *   Activations with alpha/beta, clip and the two directions' own activations carry over.
 * Every other cell (and a GRU with another gate type or update) leaves as one Scan per direction
 * (scan-export.ts, scan-cells.ts), whose parameters are initializers named after gated's blocks.
 * A stack whose precision is "int8" leaves as Scans whatever the cell (GRU family, LSTM), its
 * products in gated's dynamic int8 (int8-product.ts): W and U as "<entry>.int8" and "<entry>.scale"
 * initializers, the other parameters as they are.
 * Native weights are initializers "<prefix>layer<l>.onnx.W" / ".R" / ".B" (prefix "3.recurrent."
 * in a model), so a gated reader finds each stack layer's node by name.
 *
 * Values: x [T, B, I] time-major; y [T, B, D·H] (forward direction first); final states
 * [L·D, B, H], row l·D + d, as gated's Recurrent.
 */
import type { Cell } from "../../cells/types.js";
import { OptionError } from "../../errors/index.js";
import type { ActivationConfig } from "../../kernels/activations.js";
import type { Recurrent } from "../../sequence/recurrent.js";
import type { GraphBuilder } from "./builder.js";
import { onnxActivationAttrs } from "./emit-activation.js";
import { stepMask, zeroState } from "./pieces.js";
import { int8Matrix } from "./int8-product.js";
import { gatedUnitStep, int8Products, lstmStep, scanStepFor, type ParamName } from "./scan-cells.js";
import { emitScan, type ScanStep } from "./scan-export.js";

export interface StackInputs {
  readonly x: string;
  /** int32 [B] sequence lengths, or null. */
  readonly lengths: string | null;
  /** [L·D, B, H] initial states, or null for zeros. */
  readonly initialH: string | null;
  readonly initialC: string | null;
}

export interface StackOutputs {
  readonly y: string;
  readonly finalH: string;
  readonly finalC: string | null;
}

type NativeOp = "GRU" | "LSTM" | "RNN";
/** ONNX LSTM block k is gated block LSTM_TO_ONNX[k] (ONNX i, o, f, c; gated i, f, c, o). */
const LSTM_TO_ONNX = [0, 3, 1, 2];

/** The native operator a cell maps to exactly, or null when it needs a Scan. */
export function nativeOp(cell: Cell): NativeOp | null {
  const c = cell.config;
  if (cell.kind === "lstm") return "LSTM";
  if (cell.kind === "rnn") return "RNN";
  if (cell.kind === "gru" && c.gates === "full" && c.update === "keep") return "GRU";
  return null;
}

/** The native operator of a layer's directions, when they agree on everything ONNX shares between them. */
function layerOp(cells: readonly Cell[]): NativeOp | null {
  const op = nativeOp(cells[0]!);
  if (!op || cells.some((c) => nativeOp(c) !== op)) return null;
  const shared = (c: Cell) => JSON.stringify([c.config.bias, c.config.clip, c.config.reset]);
  return cells.every((c) => shared(c) === shared(cells[0]!)) ? op : null;
}

function activationsOf(op: NativeOp, cell: Cell): ActivationConfig[] {
  const c = cell.config as Record<string, ActivationConfig>;
  if (op === "GRU") return [c.gateActivation!, c.candidateActivation!];
  if (op === "LSTM") return [c.gateActivation!, c.candidateActivation!, c.outputActivation!];
  return [c.activation!];
}

/** Rows [from, from + n) of a [R, B, H] state input, or null. */
function stateRows(g: GraphBuilder, v: string | null, from: number, n: number): string | null {
  if (v === null) return null;
  return g.op("Slice", [v, g.ints("s", [from]), g.ints("e", [from + n]), g.ints("ax", [0])]);
}

export function emitRecurrent(g: GraphBuilder, net: Recurrent, io: StackInputs, paramPrefix: string): StackOutputs {
  const D = net.numDirections;
  let x = io.x;
  const finalsH: string[] = [], finalsC: string[] = [];
  for (let l = 0; l < net.layers; l++) {
    const cells = net.cells.slice(l * D, (l + 1) * D);
    const op = net.precision === "int8" ? null : layerOp(cells);
    const h0 = stateRows(g, io.initialH, l * D, D), c0 = stateRows(g, io.initialC, l * D, D);
    const out = op ? emitNativeLayer(g, net, l, op, x, io.lengths, h0, c0, paramPrefix) : emitScanLayer(g, net, l, x, io.lengths, h0, c0, paramPrefix);
    x = out.y;
    finalsH.push(out.h);
    if (out.c) finalsC.push(out.c);
  }
  const cat = (v: string[]) => (v.length === 1 ? v[0]! : g.op("Concat", v, { axis: 0 }));
  return { y: x, finalH: cat(finalsH), finalC: finalsC.length ? cat(finalsC) : null };
}

function dirName(net: Recurrent, d: number): string {
  return net.direction === "bidirectional" ? (d === 0 ? "forward" : "reverse") : net.direction;
}

function emitNativeLayer(
  g: GraphBuilder, net: Recurrent, l: number, op: NativeOp, x: string, lengths: string | null, h0: string | null, c0: string | null, paramPrefix: string,
): { y: string; h: string; c: string | null } {
  const D = net.numDirections, H = net.hiddenSize, cell0 = net.cells[l * D]!;
  const I = cell0.inputSize, G = op === "GRU" ? 3 : op === "LSTM" ? 4 : 1;
  const order = op === "LSTM" ? LSTM_TO_ONNX : Array.from({ length: G }, (_, k) => k);
  const W = new Float32Array(D * G * H * I), R = new Float32Array(D * G * H * H);
  const bias = cell0.config.bias === true;
  const Bv = new Float32Array(D * 2 * G * H);
  for (let d = 0; d < D; d++) {
    const pre = `layer${l}.${dirName(net, d)}`;
    const w = net.param(`${pre}.W`), u = net.param(`${pre}.U`);
    order.forEach((src, k) => {
      W.set(w.subarray(src * H * I, (src + 1) * H * I), (d * G + k) * H * I);
      R.set(u.subarray(src * H * H, (src + 1) * H * H), (d * G + k) * H * H);
    });
    if (!bias) continue;
    const b = net.param(`${pre}.b`);
    order.forEach((src, k) => Bv.set(b.subarray(src * H, (src + 1) * H), d * 2 * G * H + k * H)); // Wb = b
    if (op === "GRU" && cell0.config.reset === "after") Bv.set(net.param(`${pre}.c`), d * 2 * G * H + G * H + 2 * H); // Rb_h = c
  }
  const base = `${paramPrefix}layer${l}.onnx`;
  const w = (k: string, shape: number[], v: Float32Array) => g.constant(`${base}.${k}`, "float32", shape, v, true);
  const inputs = [x, w("W", [D, G * H, I], W), w("R", [D, G * H, H], R), bias ? w("B", [D, 2 * G * H], Bv) : "", lengths ?? "", h0 ?? ""];
  if (op === "LSTM") inputs.push(c0 ?? "");
  while (inputs[inputs.length - 1] === "") inputs.pop();
  const acts = net.cells.slice(l * D, (l + 1) * D).flatMap((c) => activationsOf(op, c));
  const a = onnxActivationAttrs(acts);
  const attrs: Record<string, unknown> = { hidden_size: H, direction: net.direction, activations: a.activations };
  if (a.activation_alpha.length) attrs.activation_alpha = a.activation_alpha;
  if (a.activation_beta.length) attrs.activation_beta = a.activation_beta;
  if (cell0.config.clip !== null && cell0.config.clip !== undefined) attrs.clip = cell0.config.clip as number;
  if (op === "GRU") attrs.linear_before_reset = cell0.config.reset === "after" ? 1 : 0;
  const outs = g.node(op, inputs, attrs as never, op === "LSTM" ? 3 : 2, `${paramPrefix}layer${l}.${op}`);
  // Y [T, D, B, H] → [T, B, D·H]
  const y = D === 1
    ? g.op("Squeeze", [outs[0]!, g.ints("axes1_i", [1])])
    : g.op("Reshape", [g.op("Transpose", [outs[0]!], { perm: [0, 2, 1, 3] }), g.ints("shape_tb_i", [0, 0, -1])]);
  return { y, h: outs[1]!, c: op === "LSTM" ? outs[2]! : null };
}

/** The step of one direction: the cell's own Scan body, or with precision "int8" the int8 products' one. */
function stepOf(g: GraphBuilder, net: Recurrent, cell: Cell, p: ParamName, x: string, pre: string, paramPrefix: string): ScanStep {
  if (net.precision !== "int8") return scanStepFor(cell)(g, cell, p, x);
  const H = cell.hiddenSize, XH = cell.xBlocks * H;
  const matrix = (k: "W" | "U") => {
    const e = net.entries.find((v) => v.name === `${pre}.${k}`)!;
    return int8Matrix(g, `${paramPrefix}${e.name}`, net.param(e.name), e.shape[0]!, e.shape[1]!);
  };
  const products = int8Products(g, matrix("W"), matrix("U"), XH, H);
  if (cell.kind === "lstm") return lstmStep(g, cell, p, x, products);
  if (cell.kind === "gru" || cell.kind === "mgu") return gatedUnitStep(g, cell, p, x, products);
  throw new OptionError(`onnx export: precision "int8" covers the GRU family and the LSTM, not ${cell.kind}`);
}

function emitScanLayer(
  g: GraphBuilder, net: Recurrent, l: number, x: string, lengths: string | null, h0: string | null, c0: string | null, paramPrefix: string,
): { y: string; h: string; c: string | null } {
  const D = net.numDirections, H = net.hiddenSize;
  const mask = lengths ? stepMask(g, x, lengths) : null;
  const ys: string[] = [], hs: string[] = [], cs: string[] = [];
  const direction = (v: string | null, d: number) =>
    v ? g.op("Squeeze", [g.op("Slice", [v, g.ints("s", [d]), g.ints("e", [d + 1]), g.ints("ax", [0])]), g.ints("axes0_i", [0])]) : zeroState(g, x, H);
  for (let d = 0; d < D; d++) {
    const i = l * D + d, cell = net.cells[i]!, pre = `layer${l}.${dirName(net, d)}`;
    const params = new Map<string, string>();
    const p = (blockName: string) => {
      let name = params.get(blockName);
      if (!name) {
        const e = net.entries.find((x) => x.name === `${pre}.${blockName}`)!;
        name = g.constant(`${paramPrefix}${e.name}`, "float32", e.shape, net.param(e.name), true);
        params.set(blockName, name);
      }
      return name;
    };
    const step = stepOf(g, net, cell, p, x, pre, paramPrefix);
    const lstm = cell.states.length > 1;
    const init = lstm ? [direction(h0, d), direction(c0, d)] : [direction(h0, d)];
    const reverse = dirName(net, d) === "reverse";
    const { y, finals } = emitScan(g, step, init, mask, reverse, `layer${l}_${dirName(net, d)}_${cell.kind}`);
    ys.push(y);
    hs.push(g.op("Unsqueeze", [finals[0]!, g.ints("axes0_i", [0])]));
    if (lstm) cs.push(g.op("Unsqueeze", [finals[1]!, g.ints("axes0_i", [0])]));
  }
  const cat = (v: string[], axis: number) => (v.length === 1 ? v[0]! : g.op("Concat", v, { axis }));
  return { y: cat(ys, 2), h: cat(hs, 0), c: cs.length ? cat(cs, 0) : null };
}
