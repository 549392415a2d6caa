/**
 * Reading gated's own ONNX exports back: the metadata holds the model spec ("gated.model") or the
 * stack options ("gated.recurrent"), and every parameter is either an initializer named after its
 * gated entry (kept in gated's layout) or, for a stack layer exported as a native operator, the
 * W / R / B initializers of that node ("<prefix>layer<l>.onnx.W"), read back through the same
 * mapping as any ONNX recurrent node. Exact: values are copied, never recomputed — except a stack
 * layer exported in int8, whose W and U come back as the float32 weights that quantise to the
 * stored int8 values and scales (the same int8 model; int8-product.ts).
 */
import { FormatError, GatedError } from "../../errors/index.js";
import { checkFinite, type NonFiniteOption } from "../finite.js";
import { Model, type ModelSpec } from "../../model/model.js";
import type { RecurrentLayer } from "../../layers/recurrent.js";
import { Recurrent } from "../../sequence/recurrent.js";
import { Attrs, type NodeProto } from "./proto.js";
import { recurrentFromOnnx, type OnnxRecurrentOp } from "./recurrent-node.js";
import { initializersOf } from "./interp/graph.js";
import type { OnnxProgram } from "./program.js";
import type { OnnxTensor } from "./tensor.js";
import { q } from "./quote.js";
import { dequantiseWeightRows } from "./int8-product.js";

export function isGatedExport(p: OnnxProgram): boolean {
  return p.metadata["gated.model"] !== undefined || p.metadata["gated.recurrent"] !== undefined;
}

function parse<T>(where: string, key: string, text: string | undefined): T {
  try {
    return JSON.parse(text ?? "") as T;
  } catch {
    throw new FormatError(`${where}: metadata ${q(key)} is missing or not JSON`);
  }
}

/** The model a gated ONNX export was made from. */
export function modelFromGatedOnnx(p: OnnxProgram, opts: NonFiniteOption = {}): Model {
  const where = p.where;
  const spec = parse<ModelSpec>(where, "gated.model", p.metadata["gated.model"]);
  let model: Model;
  try {
    model = new Model(spec, { init: "none" });
  } catch (e) {
    if (e instanceof GatedError) throw new FormatError(`${where}: metadata "gated.model" is not a valid model: ${e.message}`);
    throw e;
  }
  const inits = initializersOf(p.graph, where), net = model.net;
  net.layers.forEach((layer, i) => {
    const pre = `${i}.${layer.kind}.`;
    if (layer.kind === "recurrent") { loadStack(p, inits, (layer as RecurrentLayer).rnn, pre, opts); return; }
    for (const e of net.entries.filter((x) => x.name.startsWith(pre))) net.view(e.name).set(verbatim(where, inits, e.name, e.size, opts));
  });
  net.markChanged();
  return model;
}

/** The stack a gated recurrentToOnnx export was made from. */
export function recurrentFromGatedOnnx(p: OnnxProgram): Recurrent {
  const opts = parse<Record<string, unknown>>(p.where, "gated.recurrent", p.metadata["gated.recurrent"]);
  let net: Recurrent;
  try {
    net = new Recurrent({ ...opts, init: "none" } as never);
  } catch (e) {
    if (e instanceof GatedError) throw new FormatError(`${p.where}: metadata "gated.recurrent" is not a valid stack: ${e.message}`);
    throw e;
  }
  loadStack(p, initializersOf(p.graph, p.where), net, "");
  return net;
}

function verbatim(where: string, inits: ReadonlyMap<string, OnnxTensor>, name: string, size: number, opts: NonFiniteOption = {}): ArrayLike<number> {
  const t = inits.get(name);
  if (!t) throw new FormatError(`${where}: missing initializer ${q(name)}`);
  if (t.dtype !== "float32" || t.data.length !== size) throw new FormatError(`${where}: initializer ${q(name)} must be float32 with ${size} values, got ${t.dtype} with ${t.data.length}`);
  if (!opts.allowNonFinite) checkFinite(where, name, t.data, "initializer");
  return t.data;
}

/** An int8 export's weights ("<name>.int8" and "<name>.scale"): the float32 weights that quantise back to them (int8-product.ts). */
function quantised(where: string, inits: ReadonlyMap<string, OnnxTensor>, name: string, shape: readonly number[]): Float32Array {
  const w = inits.get(`${name}.int8`), s = inits.get(`${name}.scale`);
  const [n, k] = [shape[0]!, shape[1] ?? 1];
  if (!w || w.dtype !== "int8" || w.data.length !== n * k) throw new FormatError(`${where}: initializer ${q(`${name}.int8`)} must be int8 with ${n * k} values, got ${w ? `${w.dtype} with ${w.data.length}` : "none"}`);
  if (!s || s.dtype !== "float32" || s.data.length !== n) throw new FormatError(`${where}: initializer ${q(`${name}.scale`)} must be float32 with ${n} values, got ${s ? `${s.dtype} with ${s.data.length}` : "none"}`);
  return dequantiseWeightRows(where, name, w.data, s.data, n, k);
}

function loadStack(p: OnnxProgram, inits: ReadonlyMap<string, OnnxTensor>, net: Recurrent, pre: string, opts: NonFiniteOption = { allowNonFinite: p.allowNonFinite }): void {
  const where = p.where;
  for (let l = 0; l < net.layers; l++) {
    const lp = `layer${l}.`;
    const node = (p.graph.node ?? []).find((n) => n.input?.[1] === `${pre}${lp}onnx.W`);
    if (!node) {
      for (const e of net.entries.filter((x) => x.name.startsWith(lp))) {
        const name = `${pre}${e.name}`;
        net.param(e.name).set(!inits.has(name) && inits.has(`${name}.int8`) ? quantised(where, inits, name, e.shape) : verbatim(where, inits, name, e.size, opts));
      }
      continue;
    }
    const one = nodeStack(where, node, inits, net.cells[l * net.numDirections]!.inputSize);
    for (const e of one.entries) net.param(`${lp}${e.name.slice("layer0.".length)}`).set(one.param(e.name));
  }
  net.markChanged();
}

/** A native GRU/LSTM/RNN node of a gated export as a one-layer stack. */
function nodeStack(where: string, node: NodeProto, inits: ReadonlyMap<string, OnnxTensor>, inputSize: number): Recurrent {
  const w = `${where}: node ${q(node.name)}`;
  const a = new Attrs(w, node);
  const attrs: Record<string, unknown> = { hidden_size: a.int("hidden_size") };
  for (const [k, v] of [["direction", a.string("direction")], ["clip", a.float("clip")], ["activations", a.strings("activations")], ["activation_alpha", a.floats("activation_alpha")], ["activation_beta", a.floats("activation_beta")], ["linear_before_reset", a.int("linear_before_reset")]] as const) {
    if (v !== undefined) attrs[k] = v;
  }
  const get = (i: number, required = false) => {
    const name = node.input?.[i];
    if (!name) {
      if (required) throw new FormatError(`${w}: input ${i} is required`);
      return undefined;
    }
    const t = inits.get(name);
    if (!t) throw new FormatError(`${w}: missing initializer ${q(name)}`);
    return t.data;
  };
  if (!["GRU", "LSTM", "RNN"].includes(node.opType ?? "")) throw new FormatError(`${w}: expected a GRU, LSTM or RNN node, got ${q(node.opType)}`);
  return recurrentFromOnnx(node.opType as OnnxRecurrentOp, inputSize, attrs as never, { W: get(1, true)!, R: get(2, true)!, B: get(3) }, "float32", w);
}
