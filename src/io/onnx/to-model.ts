/**
 * ONNX graph → gated Model, for graphs that are a chain gated's sequential model can express:
 * [Gather embedding] → GRU/LSTM/RNN nodes (with the Transpose / Squeeze / Reshape / Concat plumbing
 * exporters put between them) → [a last step: Gather/Slice at the last or first step, or the final
 * states Y_h] → [LayerNormalization] → MatMul + Add or Gemm, with an activation → [Softmax].
 *
 * The walk is symbolic (to-model-values.ts): each value records what it is (activations with the
 * role of every axis, final states, a shape vector, zeros, a constant), nodes on constants are
 * folded with the interpreter's own ops, and every other node must match a rule below or the
 * conversion stops with an OptionError that names the node and says why. What is exact by
 * construction: weights are copied (recurrent ones through recurrent-node.ts), nothing is refit.
 *
 * torch.onnx's dynamo exporter unrolls nn.RNN into per-step nodes: unrolled-rnn.ts folds that back
 * into one RNN node before the walk. Static shapes (dynamo's Reshape to [5, 2, 8]) are matched
 * against the graph input's fixed sizes.
 *
 * A bidirectional output read at the last step (PyTorch's out[:, -1]) becomes a last-step layer with
 * at "last-step" (the reverse direction there has read one step only).
 *
 * Refused, with the reason: a graph that is not a chain (a layer reading an older value), a step
 * other than the first or last, "last" steps with sequence lengths (ONNX Y is 0 there; gated reads len − 1),
 * non-zero initial states, LSTM's Y_c, activations after anything but a dense layer.
 *
 * gated's own exports carry their spec in the metadata and are read exactly by read-gated.ts.
 */
import { FormatError, OptionError, fmtShape } from "../../errors/index.js";
import type { InputSpec, Model } from "../../model/model.js";
import { assembleModel, type LayerOut } from "../assemble.js";
import type { Layout } from "../../sequence/tensor.js";
import { recurrentOptionsOf } from "./export-model.js";
import { OPS, initializersOf, nodeWhere } from "./interp/graph.js";
import { readRecurrentAttributes } from "./interp/recurrent-ops.js";
import type { OnnxProgram } from "./program.js";
import { Attrs, type NodeProto } from "./proto.js";
import { recurrentFromOnnx, type OnnxRecurrentOp } from "./recurrent-node.js";
import { modelFromGatedOnnx, isGatedExport } from "./read-gated.js";
import type { OnnxTensor } from "./tensor.js";
import { foldUnrolledRnns, looksUnrolled } from "./unrolled-rnn.js";
import { describe, type Act, type Dir, type Pick, type Role, type Sym } from "./to-model-values.js";
import { actRule, dimsRule, finalsRule } from "./to-model-rules.js";
import { q } from "./quote.js";

export interface OnnxModelImport {
  readonly model: Model;
  /** The graph input gated's model reads, and its layout ([T, B, ·] or [B, T, ·]). */
  readonly input: { readonly name: string; readonly layout: Layout };
  /** The graph input that holds sequence lengths, if any. */
  readonly lengths: string | null;
  /** The graph output the model computes; layout null when it is per sequence ([B, O]). */
  readonly output: { readonly name: string; readonly layout: Layout | null };
  readonly notes: readonly string[];
}

export interface OnnxImportOptions {
  /** Read gated's own exports from their metadata (default true). */
  readonly useMetadata?: boolean;
  /** Load NaN / ±Infinity weights instead of refusing them (for debugging); load the OnnxProgram with it too. */
  readonly allowNonFinite?: boolean;
}

/** The state of one conversion, shared with the rules. */
export class Conversion {
  readonly layers: LayerOut[] = [];
  readonly notes: string[] = [];
  /** Which role the graph input's first axis turned out to be. */
  firstAxis: "T" | "B" | null = null;
  lengths: string | null = null;
  usesLengths: boolean | null = null;
  softmax = false;
  inputFeatures = NaN;
  tokens: number | null = null;
  /** Static sizes of the graph input's first two axes, when the export fixed them (dynamo's static shapes). */
  readonly sizes: { a: number | null; b: number | null } = { a: null, b: null };

  constructor(readonly where: string) {}

  fail(node: NodeProto, why: string): never {
    throw new OptionError(`${nodeWhere(node, `${this.where} → gated model`)}: ${why}`);
  }

  role(r: Role): Role {
    if (r !== "a" && r !== "b") return r;
    if (!this.firstAxis) return r;
    return (r === "a") === (this.firstAxis === "T") ? "T" : "B";
  }

  /** The static size of a time or batch axis, if the graph input fixes it. */
  size(r: Role): number | null {
    if (r === "a" || r === "b") return this.sizes[r];
    if ((r !== "T" && r !== "B") || !this.firstAxis) return null;
    return this.sizes[(r === this.firstAxis) ? "a" : "b"];
  }

  roles(a: Act): Role[] {
    return a.roles.map((r) => this.role(r));
  }

  /** Appends a layer; `from` must be the newest value (the chain check). */
  push(node: NodeProto, from: Act, layer: LayerOut): number {
    if (from.depth !== this.layers.length) {
      this.fail(node, `the graph is not a chain: this node reads the output of layer ${from.depth}, but ${this.layers.length} layers come before it`);
    }
    this.layers.push(layer);
    return this.layers.length;
  }

  /** A per-sequence value made by step selection becomes a last-step layer (or is refused). */
  settle(node: NodeProto, a: Act): Act {
    if (!a.picks) return a;
    const dirs = a.dirs ?? ["forward"];
    const inOrder = a.picks.length === dirs.length && a.picks.every((p, i) => p.block === i);
    // each direction where it finished (gated's default), or every direction at the last step (out[:, -1])
    const finalState = inOrder && a.picks.every((p, i) => atMatches(p, dirs[i]!));
    const lastStep = inOrder && a.picks.every((p, i) => p.at === "last" || (dirs[i] === "forward" && p.at === "final"));
    if (!finalState && !lastStep) {
      const bad = a.picks.find((p, i) => p.block !== i || !atMatches(p, dirs[p.block]!));
      const why = bad && dirs[bad.block] === "forward" && bad.at === "first"
        ? "the forward direction is read at the first step; gated's last step reads it at the last step"
        : `the selected steps [${a.picks.map((p) => `block ${p.block} at ${p.at}`).join(", ")}] are neither every direction where it finished nor every direction at the last step`;
      this.fail(node, `no gated last-step layer reads these steps: ${why}`);
    }
    if (this.usesLengths && a.picks.some((p) => p.at === "last")) {
      this.fail(node, "with sequence lengths ONNX outputs 0 at the last step of a short row; gated's last step reads step len − 1 (use the final state Y_h instead)");
    }
    const H = a.dirs ? a.H : a.F;
    const at = finalState ? {} : { at: "last-step" };
    const depth = this.push(node, a, { config: { kind: "last-step", hiddenSize: H, directions: dirs, ...at }, params: new Map() });
    return { kind: "act", roles: ["B", "F"], F: H * dirs.length, dirs: a.dirs, H, depth, picks: null };
  }
}

function atMatches(p: Pick, dir: Dir): boolean {
  return p.at === "final" || (dir === "forward" ? p.at === "last" : p.at === "first");
}

/** Converts a loaded ONNX model into a gated model, or explains why it cannot. */
export function onnxToModel(p: OnnxProgram, opts: OnnxImportOptions = {}): OnnxModelImport {
  if (opts.useMetadata !== false && isGatedExport(p) && p.metadata["gated.model"] !== undefined) {
    const model = modelFromGatedOnnx(p, { allowNonFinite: opts.allowNonFinite === true || p.allowNonFinite });
    const layout = (p.metadata["gated.layout"] === "batch-major" ? "batch-major" : "time-major") as Layout;
    const perSeq = model.net.layers.some((l) => l.kind === "last-step");
    return {
      model, input: { name: "input", layout }, lengths: p.metadata["gated.lengths"] === "true" ? "lengths" : null,
      output: { name: "output", layout: perSeq ? null : layout }, notes: ["read from gated's own metadata"],
    };
  }
  const cv = new Conversion(p.where);
  const values = new Map<string, Sym>();
  for (const [name, t] of initializersOf(p.graph, p.where)) values.set(name, { kind: "const", t });
  const data = p.inputs.filter((i) => i.dtype === "float32" || i.dtype === null);
  const ints = p.inputs.filter((i) => i.dtype === "int64" || i.dtype === "int32");
  if (data.length + ints.length !== p.inputs.length) throw new OptionError(`${p.where} → gated model: inputs must be float32 features, int token ids or int lengths`);
  for (const i of p.inputs) {
    const rank = i.shape?.length ?? 0;
    if (i.name === mainInput(p)?.name) for (const [k, ax] of [["a", 0], ["b", 1]] as const) { const d = i.shape?.[ax]; if (typeof d === "number") cv.sizes[k] = d; }
    if (i.dtype === "float32" || i.dtype === null) {
      const F = typeof i.shape?.[2] === "number" ? (i.shape[2] as number) : NaN;
      cv.inputFeatures = F;
      values.set(i.name, { kind: "act", roles: ["a", "b", "F"], F, dirs: null, H: F, depth: 0, picks: null });
    } else {
      values.set(i.name, rank === 1 ? { kind: "lengths" } : { kind: "ids", roles: ["a", "b"] });
    }
  }
  const mainIn = p.inputs.find((i) => values.get(i.name)!.kind !== "lengths");
  if (!mainIn) throw new OptionError(`${p.where} → gated model: the graph has no feature or token input`);
  const outName = p.outputs[0]?.name;
  if (!outName) throw new FormatError(`${p.where}: the graph has no output`);
  const konst = (name: string) => { const v = values.get(name); return v?.kind === "const" ? v.t : undefined; };
  const folded = foldUnrolledRnns(p.graph.node ?? [], konst, p.outputs.map((o) => o.name));
  for (const [name, t] of folded.consts) values.set(name, { kind: "const", t });
  cv.notes.push(...folded.notes);
  try {
    for (const node of neededNodes(folded.nodes, outName)) step(cv, p, node, values);
  } catch (e) {
    if (!(e instanceof OptionError) || !looksUnrolled(folded.nodes, konst)) throw e;
    throw new OptionError(`${e.message}; hint: the graph looks like an unrolled recurrence (one weight feeds several MatMul nodes): torch.onnx's default exporter (dynamo=True) unrolls nn.RNN into per-step MatMul/Add/Tanh nodes, and gated folds back only the one-direction form; export with torch.onnx.export(..., dynamo=False) to get an ONNX RNN node`);
  }
  let out = values.get(outName)!;
  if (out.kind === "finals") out = finalsRule(cv, { opType: "Identity", name: "output", output: [outName] }, "Squeeze", out, []);
  if (out.kind !== "act") throw new OptionError(`${p.where} → gated model: the output ${q(outName)} is ${describe(out)}, not the model's activations`);
  const fin = cv.settle({ opType: "Identity", name: outName }, out);
  if (fin.depth !== cv.layers.length) throw new OptionError(`${p.where} → gated model: the output ${q(outName)} is not the last layer's value (the graph is not a chain)`);
  const roles = cv.roles(fin);
  const perStep = roles.length === 3;
  const outLayout: Layout | null = perStep ? (roles[0] === "T" ? "time-major" : "batch-major") : null;
  if (p.outputs.length > 1) cv.notes.push(`only the first output ${q(outName)} is modelled; ${p.outputs.slice(1).map((o) => `${q(o.name)}`).join(", ")} dropped`);
  const model = build(cv, fin.F, perStep, p.where, opts.allowNonFinite === true || p.allowNonFinite);
  return {
    model, input: { name: mainIn.name, layout: cv.firstAxis === "B" ? "batch-major" : "time-major" }, lengths: cv.lengths,
    output: { name: outName, layout: outLayout }, notes: cv.notes,
  };
}

/** The feature or token input (not the lengths). */
function mainInput(p: OnnxProgram): { name: string } | undefined {
  return p.inputs.find((i) => i.dtype === "float32" || i.dtype === null || (i.shape?.length ?? 0) >= 2);
}

/** The nodes the output depends on, in graph order. */
function neededNodes(nodes: readonly NodeProto[], out: string): NodeProto[] {
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  const need = new Set<NodeProto>(), stack = [out];
  while (stack.length) {
    const n = producer.get(stack.pop()!);
    if (!n || need.has(n)) continue;
    need.add(n);
    for (const i of n.input ?? []) if (i) stack.push(i);
  }
  return nodes.filter((n) => need.has(n));
}

function step(cv: Conversion, p: OnnxProgram, node: NodeProto, values: Map<string, Sym>): void {
  const where = nodeWhere(node, p.where);
  const ins = (node.input ?? []).map((n) => (n ? values.get(n) : undefined));
  const op = node.opType ?? "";
  let outs: (Sym | undefined)[];
  if (ins.every((s) => s === undefined || s.kind === "const") && op !== "Scan" && OPS[op]) {
    const attrs = new Attrs(where, node);
    const res = OPS[op]!({
      node, where, attrs, inputs: ins.map((s) => (s as { t: OnnxTensor } | undefined)?.t), outputs: node.output?.length ?? 0,
      opset: p.opset, cache: new Map(), runSubgraph: () => { throw new FormatError(`${where}: subgraphs cannot be folded`); },
    });
    outs = res.map((t) => (t ? { kind: "const", t } : undefined));
  } else if (op === "GRU" || op === "LSTM" || op === "RNN") {
    outs = recurrentRule(cv, p, node, op, ins);
  } else {
    const first = ins.find((s) => s !== undefined && s.kind !== "const");
    if (!first) cv.fail(node, "has no input");
    if (first.kind === "act" || first.kind === "ids") outs = actRule(cv, node, op, first, ins);
    else if (first.kind === "finals") outs = [finalsRule(cv, node, op, first, ins)];
    else if (first.kind === "dims" || first.kind === "zeros") outs = [dimsRule(cv, node, ins)];
    else cv.fail(node, `reads ${describe(first)}, which has no gated form`);
  }
  (node.output ?? []).forEach((n, i) => { if (n && outs[i]) values.set(n, outs[i]!); });
}

function recurrentRule(cv: Conversion, p: OnnxProgram, node: NodeProto, op: OnnxRecurrentOp, ins: (Sym | undefined)[]): Sym[] {
  const where = nodeWhere(node, p.where);
  const a = readRecurrentAttributes(new Attrs(where, node), where, op);
  const x = ins[0];
  if (!x || x.kind !== "act" || x.picks) cv.fail(node, `X must be a sequence of activations, got ${x ? describe(x) : "nothing"}`);
  const roles = cv.roles(x);
  if (roles.length !== 3 || roles[2] !== "F") cv.fail(node, `X must be [T, B, F] or [B, T, F], got [${roles.join(", ")}]`);
  const want: Role[] = a.layout === 1 ? ["B", "T"] : ["T", "B"];
  if ((roles[0] === "a" || roles[0] === "b") && !cv.firstAxis) cv.firstAxis = (roles[0] === "a") === (want[0] === "T") ? "T" : "B";
  const bound = cv.roles(x);
  if (bound[0] !== want[0] || bound[1] !== want[1]) cv.fail(node, `X has axes [${bound.join(", ")}], but layout ${a.layout} reads [${want.join(", ")}, F]`);
  const konst = (i: number, name: string, optional: boolean): OnnxTensor | undefined => {
    const s = ins[i];
    if (!s) { if (optional) return undefined; cv.fail(node, `${name} is required`); }
    if (s.kind !== "const") cv.fail(node, `${name} must be a constant (an initializer), got ${describe(s)}`);
    return s.t;
  };
  const W = konst(1, "W", false)!, R = konst(2, "R", false)!, B = konst(3, "B", true);
  const I = W.shape[2] ?? NaN;
  if (!Number.isNaN(x.F) && x.F !== I) cv.fail(node, `W reads ${I} input features, X has ${x.F}`);
  if (cv.layers.length === 0 && Number.isNaN(cv.inputFeatures)) cv.inputFeatures = I;
  for (const [i, name] of [[5, "initial_h"], [6, "initial_c"]] as const) {
    const s = ins[i];
    if (s && !(s.kind === "zeros" || (s.kind === "const" && s.t.data.every((v) => v === 0)))) {
      cv.fail(node, `${name} must be absent or zeros for a gated model (its layers start from zero states), got ${describe(s)}`);
    }
  }
  if (op === "LSTM" && ins[7]) cv.fail(node, "peephole weights P have no gated counterpart");
  const seq = ins[4];
  if (seq && seq.kind !== "lengths") cv.fail(node, `sequence_lens must be a graph input, got ${describe(seq)}`);
  const uses = !!seq;
  if (cv.usesLengths !== null && cv.usesLengths !== uses) cv.fail(node, "some recurrent nodes read sequence_lens and others do not; a gated model applies lengths to every layer");
  cv.usesLengths = uses;
  if (uses) cv.lengths = node.input![4]!;
  if (!W.shape.every((d, i) => d === [a.direction === "bidirectional" ? 2 : 1, W.shape[1], I][i])) throw new FormatError(`${where}: W has shape ${fmtShape(W.shape)}`);
  const net = recurrentFromOnnx(op, I, a, { W: W.data, R: R.data, B: B?.data }, "float32", where);
  const params = new Map(net.entries.map((e) => [e.name, net.param(e.name)] as const));
  const depth = cv.push(node, x, { config: { kind: "recurrent", ...recurrentOptionsOf(net) }, params });
  const dirs: Dir[] = net.direction === "bidirectional" ? ["forward", "reverse"] : [net.direction as Dir];
  const H = a.hidden_size;
  const Y: Act = { kind: "act", roles: a.layout === 1 ? ["B", "T", "D", "H"] : ["T", "D", "B", "H"], F: H, dirs, H, depth, picks: null };
  const Yh: Sym = { kind: "finals", rows: dirs.map((_, block) => ({ depth, dirs, block })), roles: a.layout === 1 ? ["B", "D", "H"] : ["D", "B", "H"], H };
  return [Y, Yh, { kind: "opaque", why: "the LSTM cell state Y_c, which a gated model does not output" }];
}

/** Assembles the spec and copies every parameter. */
function build(cv: Conversion, outputs: number, perStep: boolean, where: string, allowNonFinite: boolean): Model {
  const input: InputSpec = cv.tokens !== null ? { kind: "tokens", vocabularySize: cv.tokens } : { kind: "features", features: cv.inputFeatures };
  if (input.kind === "features" && !(input.features > 0)) throw new OptionError(`${where} → gated model: the number of input features is unknown`);
  if (cv.softmax) cv.notes.push("the final Softmax is the class task's link: the gated model outputs logits (softmax of them = the ONNX output)");
  return assembleModel(`${where} → gated model`, input, cv.layers, { target: cv.softmax ? "class" : "regression", perStep, outputs }, undefined, { allowNonFinite });
}
