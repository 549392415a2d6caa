/**
 * The graph interpreter: nodes run in their (topological) order over a map of values; subgraphs
 * see their enclosing values. validateGraph checks a whole graph before anything runs: every op
 * is supported (named in the error if not), every value a node reads exists by then (a missing
 * initializer is named), subgraphs included.
 */
import { FormatError } from "../../../errors/index.js";
import { Attrs, type GraphProto, type NodeProto } from "../proto.js";
import { fromTensorProto, type OnnxTensor } from "../tensor.js";
import type { OpContext, OpFn } from "./context.js";
import { ELEMENTWISE_OPS } from "./elementwise.js";
import { NN_OPS } from "./nn-ops.js";
import { RECURRENT_OPS } from "./recurrent-ops.js";
import { scan } from "./scan.js";
import { SHAPE_OPS } from "./shape-ops.js";

export const OPS: Readonly<Record<string, OpFn>> = { ...ELEMENTWISE_OPS, ...SHAPE_OPS, ...NN_OPS, ...RECURRENT_OPS, Scan: scan };
export const SUPPORTED_OPS = Object.keys(OPS).sort();

export function nodeWhere(node: NodeProto, where: string): string {
  return `${where}: node ${JSON.stringify(node.name || node.output?.[0] || "?")} (${node.opType})`;
}

/** Initializers of a graph, decoded once per graph object. */
const initCache = new WeakMap<GraphProto, Map<string, OnnxTensor>>();
export function initializersOf(graph: GraphProto, where: string): Map<string, OnnxTensor> {
  let m = initCache.get(graph);
  if (!m) {
    m = new Map();
    for (const t of graph.initializer ?? []) m.set(t.name ?? "", fromTensorProto(t, where));
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
    if (node.domain && node.domain !== "ai.onnx") throw new FormatError(`${w}: operators of domain "${node.domain}" are not supported`);
    if (!OPS[node.opType ?? ""]) throw new FormatError(`${w}: operator ${node.opType} is not supported; supported: ${SUPPORTED_OPS.join(", ")}`);
    for (const name of node.input ?? []) {
      if (name !== "" && !known.has(name)) throw new FormatError(`${w}: input "${name}" is neither a graph input, an initializer nor the output of an earlier node (missing initializer?)`);
    }
    for (const a of node.attribute ?? []) if (a.g) validateGraph(a.g, `${w} ${a.name}`, known, depth + 1);
    for (const name of node.output ?? []) if (name !== "") known.add(name);
  }
  for (const v of graph.output ?? []) {
    if (!known.has(v.name ?? "")) throw new FormatError(`${where}: graph output "${v.name}" is never produced`);
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
      if (n !== "" && !inputs[i]) throw new FormatError(`${where}: input "${n}" has no value`);
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
      if (!v) throw new FormatError(`${where}: output ${i} ("${n}") is not produced by this operator`);
      values.set(n, v);
    });
  }
  return values;
}
