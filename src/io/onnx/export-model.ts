/**
 * gated → ONNX: a Model (or a bare Recurrent stack) as an ONNX model that ONNX Runtime runs with
 * gated's outputs.
 *
 * Model graph (time-major by default; `layout: "batch-major"` transposes at the edges):
 *   input  "input"   float [T, B, F] (features) or int64 [T, B] (token ids)
 *          "lengths" int32 [B]  (only with `lengths: true`; rows past their length are padding)
 *   output "output"  [T, B, O] per step, or [B, O] after a last-step layer
 * Layers: embedding → Gather; recurrent → export-recurrent.ts; layer-norm → LayerNormalization;
 * dropout → nothing (inference); last-step → Gather at T − 1 / 0, or with lengths a one-hot
 * mask over time and ReduceSum; dense → MatMul + Add + activation. With `link: true` a
 * class model ends in Softmax and a binary-cross-entropy model in Sigmoid (gated's outputs
 * are logits).
 * Parameters other than native recurrent weights are initializers named after the model's
 * entries ("3.dense.W"), kept in gated's layout (a recurrent layer in precision "int8" holds its
 * W and U quantised, export-recurrent.ts); the transposes are graph nodes that ONNX
 * Runtime folds at load. The metadata holds the model spec ("gated.model") so gated can read
 * its own export back exactly.
 */
import type { Dense } from "../../layers/dense.js";
import type { LastStep } from "../../layers/last-step.js";
import type { RecurrentLayer } from "../../layers/recurrent.js";
import type { Model } from "../../model/model.js";
import type { Recurrent } from "../../sequence/recurrent.js";
import { OptionError } from "../../errors/index.js";
import type { ActivationConfig } from "../../kernels/activations.js";
import { GraphBuilder } from "./builder.js";
import { emitActivation } from "./emit-activation.js";
import { emitRecurrent } from "./export-recurrent.js";
import { lengths64, stepRange } from "./pieces.js";
import { encodeOnnx, IR_VERSION, OPSET } from "./proto.js";

export type OnnxLayout = "time-major" | "batch-major";

export interface OnnxExportOptions {
  /** Layout of the input and of per-step outputs (default "time-major"). */
  readonly layout?: OnnxLayout;
  /** Add an int32 "lengths" [B] input (default false). */
  readonly lengths?: boolean;
  /** End with the task's link: Softmax for classes, Sigmoid for binary cross-entropy (default false). */
  readonly link?: boolean;
}

export interface RecurrentExportOptions {
  readonly layout?: OnnxLayout;
  /** Add an int32 "sequence_lens" [B] input. */
  readonly lengths?: boolean;
  /** Add "initial_h" (and "initial_c" for LSTM) [L·D, B, H] inputs. */
  readonly initialState?: boolean;
}

function finish(g: GraphBuilder, name: string, metadata: Record<string, string>): Uint8Array {
  return encodeOnnx({
    irVersion: IR_VERSION,
    producerName: "gated",
    opsetImport: [{ domain: "", version: OPSET }],
    graph: g.graph(name),
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
}

/** Swaps axes 0 and 1 of a rank-3 (or rank-2) value. */
function swap01(g: GraphBuilder, v: string, rank: 2 | 3): string {
  return g.op("Transpose", [v], { perm: rank === 3 ? [1, 0, 2] : [1, 0] });
}

/** A bare recurrent stack: inputs X, [sequence_lens], [initial_h, initial_c]; outputs Y, Y_h, [Y_c]. */
export function recurrentToOnnx(net: Recurrent, opts: RecurrentExportOptions = {}): Uint8Array {
  const g = new GraphBuilder();
  const bm = opts.layout === "batch-major";
  const L = net.layers, D = net.numDirections, H = net.hiddenSize, lstm = net.cells[0]!.states.length > 1;
  const xIn = g.addInput("X", "float32", bm ? ["B", "T", net.inputSize] : ["T", "B", net.inputSize]);
  const lengths = opts.lengths ? g.addInput("sequence_lens", "int32", ["B"]) : null;
  const initialH = opts.initialState ? g.addInput("initial_h", "float32", [L * D, "B", H]) : null;
  const initialC = opts.initialState && lstm ? g.addInput("initial_c", "float32", [L * D, "B", H]) : null;
  const x = bm ? swap01(g, xIn, 3) : xIn;
  const out = emitRecurrent(g, net, { x, lengths, initialH, initialC }, "");
  g.addOutput("Y", bm ? swap01(g, out.y, 3) : out.y, "float32", bm ? ["B", "T", D * H] : ["T", "B", D * H]);
  g.addOutput("Y_h", out.finalH, "float32", [L * D, "B", H]);
  if (out.finalC) g.addOutput("Y_c", out.finalC, "float32", [L * D, "B", H]);
  return finish(g, "gated_recurrent", { "gated.recurrent": JSON.stringify(recurrentOptionsOf(net)), "gated.layout": bm ? "batch-major" : "time-major" });
}

/** The options that rebuild `net` (cell conventions resolved, reverse direction's own where they differ). */
export function recurrentOptionsOf(net: Recurrent): Record<string, unknown> {
  const c0 = net.cells[0]!;
  const opts: Record<string, unknown> = {
    cell: c0.kind, inputSize: net.inputSize, hiddenSize: net.hiddenSize, layers: net.layers, direction: net.direction, ...c0.config,
  };
  if (net.precision === "int8") opts.precision = "int8";
  if (net.direction === "bidirectional") {
    const rev = net.cells[1]!.config, diff: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rev)) if (JSON.stringify(v) !== JSON.stringify(c0.config[k])) diff[k] = v;
    if (Object.keys(diff).length) opts.reverseOptions = diff;
  }
  return opts;
}

export function modelToOnnx(model: Model, opts: OnnxExportOptions = {}): Uint8Array {
  const g = new GraphBuilder();
  const net = model.net, bm = opts.layout === "batch-major", tokens = model.spec.input.kind === "tokens";
  const F = net.layers[0]!.inputFeatures;
  const tb = bm ? ["B", "T"] : ["T", "B"];
  const xIn = g.addInput("input", tokens ? "int64" : "float32", tokens ? tb : [...tb, F]);
  const lengths = opts.lengths ? g.addInput("lengths", "int32", ["B"]) : null;
  let x = bm ? swap01(g, xIn, tokens ? 2 : 3) : xIn;
  let perSeq = false;
  const param = (exact: string) => g.constant(exact, "float32", net.entries.find((e) => e.name === exact)!.shape, net.view(exact), true);
  net.layers.forEach((layer, i) => {
    const pre = `${i}.${layer.kind}.`;
    switch (layer.kind) {
      case "embedding": x = g.op("Gather", [param(`${pre}table`), x], { axis: 0 }, "embedding"); break;
      case "recurrent": x = emitRecurrent(g, (layer as RecurrentLayer).rnn, { x, lengths, initialH: null, initialC: null }, pre).y; break;
      case "layer-norm":
        x = g.op("LayerNormalization", [x, param(`${pre}gamma`), param(`${pre}beta`)], { axis: -1, epsilon: layer.config.epsilon as number });
        break;
      case "dropout": break; // identity at inference
      case "last-step": x = emitLastStep(g, layer as LastStep, x, lengths); perSeq = true; break;
      case "dense": x = emitDense(g, layer as Dense, x, param(`${pre}W`), param(`${pre}b`)); break;
      default: throw new OptionError(`onnx export: layer ${i} has kind "${layer.kind}", which has no ONNX form`);
    }
  });
  const task = model.spec.task;
  if (opts.link && task.loss.name === "cross-entropy") x = g.op("Softmax", [x], { axis: -1 });
  else if (opts.link && task.loss.name === "binary-cross-entropy") x = g.op("Sigmoid", [x]);
  const O = task.outputs;
  g.addOutput("output", !perSeq && bm ? swap01(g, x, 3) : x, "float32", perSeq ? ["B", O] : [...tb, O]);
  return finish(g, "gated_model", { "gated.model": JSON.stringify(model.spec), "gated.layout": bm ? "batch-major" : "time-major", "gated.lengths": opts.lengths ? "true" : "false" });
}

function emitDense(g: GraphBuilder, layer: Dense, x: string, W: string, b: string): string {
  // y = act(x · Wᵀ + b)
  const a = g.op("Add", [g.op("MatMul", [x, g.op("Transpose", [W], { perm: [1, 0] })]), b], {}, "dense");
  return emitActivation(g, a, layer.config.activation as ActivationConfig);
}

/**
 * Each H-wide block at its row's last step: forward blocks at len − 1 (T − 1), reverse blocks at 0
 * (where they finished), or at len − 1 too with at "last-step".
 */
function emitLastStep(g: GraphBuilder, layer: LastStep, x: string, lengths: string | null): string {
  const H = layer.config.hiddenSize as number;
  const dirs = (layer.config.directions as readonly string[]).map((d) => (layer.at === "last-step" ? "forward" : d));
  const cols = (v: string, d: number, axis: number) => (dirs.length === 1 ? v : g.op("Slice", [v, g.ints("s", [d * H]), g.ints("e", [(d + 1) * H]), g.ints("ax", [axis])]));
  const parts = dirs.map((dir, d) => {
    if (!lengths) return cols(g.op("Gather", [x, g.constant("t_index", "int64", [], [dir === "forward" ? -1 : 0])], { axis: 0 }, "last_step"), d, 1);
    // one-hot over time: m[t, b] = (t = len_b − 1) for forward, (t = 0 and len_b > 0) for reverse
    const len = lengths64(g, lengths);
    const t = g.op("Unsqueeze", [stepRange(g, x), g.ints("axes1_i", [1])]);
    const at = dir === "forward" ? g.op("Sub", [len, g.constant("one_i64", "int64", [], [1])]) : g.constant("zero_i64", "int64", [], [0]);
    let m = g.op("Equal", [t, at]);
    if (dir !== "forward") m = g.op("And", [m, g.op("Greater", [len, g.constant("zero_i64", "int64", [], [0])])]);
    const mf = g.op("Unsqueeze", [g.op("Cast", [m], { to: 1 }), g.ints("axes2_i", [2])]);
    return g.op("ReduceSum", [g.op("Mul", [cols(x, d, 2), mf]), g.ints("axes0_i", [0])], { keepdims: 0 }, "last_step");
  });
  return parts.length === 1 ? parts[0]! : g.op("Concat", parts, { axis: 1 });
}

