/**
 * The graph interpreter: nodes run in their (topological) order over a map of values; subgraphs
 * see their enclosing values. validateGraph checks a whole graph before anything runs: every op
 * is supported (named in the error if not), every value a node reads exists by then (a missing
 * initializer is named), subgraphs included; no value is defined twice (an initializer, a graph
 * input or a node output: ONNX graphs are single-assignment, and a second definition would
 * silently replace the first).
 */
import { FormatError } from "../../../errors/index.js";
import { checkFinite } from "../../finite.js";
import { Attrs, type GraphProto, type NodeProto } from "../proto.js";
import { fromTensorProto, type OnnxTensor } from "../tensor.js";
import type { OpContext, OpFn } from "./context.js";
import { ELEMENTWISE_OPS } from "./elementwise.js";
import { NN_OPS } from "./nn-ops.js";
import { RECURRENT_OPS } from "./recurrent-ops.js";
import { scan } from "./scan.js";
import { SHAPE_OPS } from "./shape-ops.js";
import { opName, q } from "../quote.js";

export const OPS: Readonly<Record<string, OpFn>> = { ...ELEMENTWISE_OPS, ...SHAPE_OPS, ...NN_OPS, ...RECURRENT_OPS, Scan: scan };
export const SUPPORTED_OPS = Object.keys(OPS).sort();

export function nodeWhere(node: NodeProto, where: string): string {
  return `${where}: node ${q(node.name || node.output?.[0] || "?")} (${opName(node.opType)})`;
}

/** Initializers of a graph, decoded once per graph object. */
const initCache = new WeakMap<GraphProto, Map<string, OnnxTensor>>();
export function initializersOf(graph: GraphProto, where: string): Map<string, OnnxTensor> {
  let m = initCache.get(graph);
  if (!m) {
    m = new Map();
    for (const t of graph.initializer ?? []) {
      const name = t.name ?? "";
      if (name === "") throw new FormatError(`${where}: an initializer has no name`);
      if (m.has(name)) throw new FormatError(`${where}: initializer ${q(name)} is defined twice (ONNX names each value once; which copy holds the weights is ambiguous)`);
      m.set(name, fromTensorProto(t, where));
    }
    if ((graph.sparseInitializer?.length ?? 0) > 0) throw new FormatError(`${where}: sparse initializers are not supported`);
    initCache.set(graph, m);
  }
  return m;
}

/** Checks ops and value availability of a graph (and its subgraphs) before running it. */
export function validateGraph(graph: GraphProto, where: string, outer: ReadonlySet<string> = new Set(), depth = 0): void {
  if (depth > 8) throw new FormatError(`${where}: subgraphs nested more than 8 deep`);
  const known = new Set(outer);
  for (const v of graph.input ?? []) known.add(v.name ?? "");
  for (const name of initializersOf(graph, where).keys()) known.add(name);
  for (const node of graph.node ?? []) {
    const w = nodeWhere(node, where);
    if (node.domain && node.domain !== "ai.onnx") throw new FormatError(`${w}: operators of domain ${q(node.domain)} are not supported`);
    if (!Object.hasOwn(OPS, node.opType ?? "")) throw new FormatError(`${w}: operator ${opName(node.opType)} is not supported; supported: ${SUPPORTED_OPS.join(", ")}`);
    for (const name of node.input ?? []) {
      if (name !== "" && !known.has(name)) throw new FormatError(`${w}: input ${q(name)} is neither a graph input, an initializer nor the output of an earlier node (missing initializer?)`);
    }
    for (const a of node.attribute ?? []) if (a.g) validateGraph(a.g, `${w} ${q(a.name)}`, known, depth + 1);
    for (const name of node.output ?? []) {
      if (name === "") continue;
      if (known.has(name)) throw new FormatError(`${w}: output ${q(name)} is already defined (by a graph input, an initializer or an earlier node); ONNX names each value once`);
      known.add(name);
    }
  }
  for (const v of graph.output ?? []) {
    if (!known.has(v.name ?? "")) throw new FormatError(`${where}: graph output ${q(v.name)} is never produced`);
  }
}

/**
 * The inputs that are learned weights, by operator: the recurrent operators' W, R, B, P and initial
 * states, MatMul's and Gemm's operands, LayerNormalization's scale and bias. A NaN or infinite
 * initializer there makes every output NaN and is refused at load (`allowNonFinite` loads it).
 * Other initializers are left alone on purpose: the interpreter runs arbitrary graphs, and a
 * −Infinity constant is an ordinary thing there (an additive attention mask, a Clip or Max bound).
 */
const WEIGHT_INPUTS: Readonly<Record<string, readonly number[]>> = {
  GRU: [1, 2, 3, 5], LSTM: [1, 2, 3, 5, 6, 7], RNN: [1, 2, 3, 5], MatMul: [0, 1], Gemm: [0, 1, 2], LayerNormalization: [1, 2],
};

/** Refuses a non-finite float initializer read as a weight (WEIGHT_INPUTS), in the graph and its subgraphs. */
export function checkWeightsFinite(graph: GraphProto, where: string, outer: ReadonlyMap<string, OnnxTensor> = new Map(), depth = 0): void {
  if (depth > 8) return; // validateGraph refuses the nesting
  const inits = new Map([...outer, ...initializersOf(graph, where)]);
  for (const node of graph.node ?? []) {
    for (const i of WEIGHT_INPUTS[node.opType ?? ""] ?? []) {
      const name = node.input?.[i], t = name ? inits.get(name) : undefined;
      if (t && (t.dtype === "float32" || t.dtype === "float64")) checkFinite(nodeWhere(node, where), name!, t.data, "initializer");
    }
    for (const a of node.attribute ?? []) if (a.g) checkWeightsFinite(a.g, `${nodeWhere(node, where)} ${q(a.name)}`, inits, depth + 1);
  }
}

export interface RunOptions {
  readonly where: string;
  readonly opset: number;
  readonly cache: Map<string, unknown>;
}

/** Runs a graph; returns every value it computed (graph outputs included). */
export function runGraph(graph: GraphProto, feeds: ReadonlyMap<string, OnnxTensor>, opts: RunOptions, outer: ReadonlyMap<string, OnnxTensor> | null = null): Map<string, OnnxTensor> {
  const values = new Map<string, OnnxTensor>(outer ?? []);
  for (const [k, v] of initializersOf(graph, opts.where)) values.set(k, v);
  for (const [k, v] of feeds) values.set(k, v);
  for (const node of graph.node ?? []) {
    const where = nodeWhere(node, opts.where);
    const inputs = (node.input ?? []).map((n) => (n === "" ? undefined : values.get(n)));
    (node.input ?? []).forEach((n, i) => {
      if (n !== "" && !inputs[i]) throw new FormatError(`${where}: input ${q(n)} has no value`);
    });
    const ctx: OpContext = {
      node, where, inputs, attrs: new Attrs(where, node), outputs: node.output?.length ?? 0, opset: opts.opset, cache: opts.cache,
      runSubgraph: (g, f) => runGraph(g, f, opts, values),
    };
    const outs = OPS[node.opType ?? ""]!(ctx);
    ctx.attrs.checkAllUsed();
    (node.output ?? []).forEach((n, i) => {
      if (n === "") return;
      const v = outs[i];
      if (!v) throw new FormatError(`${where}: output ${i} (${q(n)}) is not produced by this operator`);
      values.set(n, v);
    });
  }
  return values;
}
