/**
 * The node rules of the ONNX → gated model conversion (to-model.ts): what each op does to a
 * symbolic value. A rule either returns the new value or calls cv.fail with the reason.
 */
import { resolveActivation, type ActivationConfig, type ActivationName } from "../../kernels/activations.js";
import { transpose } from "../blocks.js";
import type { Conversion } from "./to-model.js";
import type { NodeProto } from "./proto.js";
import { Attrs } from "./proto.js";
import { describe, type Act, type Dims, type Finals, type Pick, type Role, type Sym } from "./to-model-values.js";
import { opName, q } from "./quote.js";

/** ONNX activation ops a dense layer can take, with their attribute defaults. */
export const ACTIVATION_NODE: Record<string, ActivationName> = {
  Sigmoid: "Sigmoid", Tanh: "Tanh", Relu: "Relu", Softsign: "Softsign", Softplus: "Softplus",
  HardSigmoid: "HardSigmoid", LeakyRelu: "LeakyRelu", Elu: "Elu", ThresholdedRelu: "ThresholdedRelu",
};

const BIG = 2 ** 31;

function constInts(cv: Conversion, node: NodeProto, s: Sym | undefined, what: string): number[] {
  if (!s || s.kind !== "const") cv.fail(node, `${what} must be a constant, got ${s ? describe(s) : "nothing"}`);
  return Array.from(s.t.data);
}

/** Axes from input 1 (opset ≥ 13) or the attribute. */
function axesArg(cv: Conversion, node: NodeProto, ins: (Sym | undefined)[]): number[] | undefined {
  const a = new Attrs("", node).ints("axes");
  if (a) return a;
  return ins[1] ? constInts(cv, node, ins[1], "axes") : undefined;
}

const norm = (a: number, r: number) => (a < 0 ? a + r : a);

export function actRule(cv: Conversion, node: NodeProto, op: string, first: Act | { kind: "ids"; roles: readonly Role[] }, ins: (Sym | undefined)[]): (Sym | undefined)[] {
  if (first.kind === "ids") {
    if (op === "Transpose") return [{ kind: "ids", roles: [first.roles[1]!, first.roles[0]!] }];
    if (op === "Identity" || op === "Cast") return [first];
    return [embedding(cv, node, op, ins)];
  }
  const a = first;
  if (a.final && op !== "Identity") cv.fail(node, "nothing but the graph output may follow the final Softmax");
  switch (op) {
    case "Identity": case "Cast": return [a];
    case "Dropout": cv.notes.push(`Dropout ${q(node.name)} is the identity at inference`); return [a, { kind: "opaque", why: "a dropout mask" }];
    case "Transpose": {
      const perm = new Attrs("", node).ints("perm") ?? a.roles.map((_, i) => a.roles.length - 1 - i);
      if (perm.length !== a.roles.length) cv.fail(node, `perm [${perm.join(", ")}] does not fit ${describe(a)}`);
      return [{ ...a, roles: perm.map((p) => a.roles[p]!) }];
    }
    case "Squeeze": return [squeeze(cv, node, a, axesArg(cv, node, ins))];
    case "Unsqueeze": {
      const axes = (axesArg(cv, node, ins) ?? []).map((x) => norm(x, a.roles.length + 1)).sort((p, q) => p - q);
      const roles = [...a.roles];
      for (const x of axes) roles.splice(x, 0, "1");
      return [{ ...a, roles }];
    }
    case "Reshape": return [reshape(cv, node, a, ins[1])];
    case "Gather": return [gatherStep(cv, node, a, ins)];
    case "Slice": return [slice(cv, node, a, ins)];
    case "Concat": return [concatPicks(cv, node, ins)];
    case "MatMul": return [dense(cv, node, cv.settle(node, a), ins[1], false)];
    case "Gemm": return [gemm(cv, node, cv.settle(node, a), ins)];
    case "Add": return [bias(cv, node, a, ins)];
    case "Softmax": {
      const axis = new Attrs("", node).int("axis");
      if (axis !== undefined && norm(axis, a.roles.length) !== a.roles.length - 1) cv.fail(node, "only a Softmax over the features (the last axis) is the class task's link");
      const s = cv.settle(node, a);
      cv.softmax = true;
      return [{ ...s, final: true }];
    }
    case "LayerNormalization": return [layerNorm(cv, node, cv.settle(node, a), ins)];
    case "Shape": {
      // opset 15's start / end (dynamo's Shape(x, start=0, end=1) for the batch size), clamped as ONNX does
      const at = new Attrs("", node), r = a.roles.length, clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      const from = clamp(at.int("start") ?? 0), to = clamp(at.int("end") ?? r);
      return [{ kind: "dims", dims: cv.roles(a).slice(from, Math.max(from, to)).map((x) => dimOf(cv, node, a, x)) }];
    }
    default:
      if (ACTIVATION_NODE[op]) return [activation(cv, node, a, op)];
      return cv.fail(node, `operator ${opName(op)} on ${describe(a)} has no gated layer form`);
  }
}

function dimOf(cv: Conversion, node: NodeProto, a: Act, r: Role): number | "T" | "B" | "a" | "b" {
  if (r === "T" || r === "B" || r === "a" || r === "b") return r;
  if (r === "D") return a.dirs?.length ?? 1;
  if (r === "H") return a.H;
  if (r === "F") { if (Number.isNaN(a.F)) cv.fail(node, "the number of input features is unknown"); return a.F; }
  return 1;
}

function squeeze(cv: Conversion, node: NodeProto, a: Act, axes0: number[] | undefined): Act {
  const r = a.roles.length;
  const axes = axes0 ? axes0.map((x) => norm(x, r)) : a.roles.map((role, i) => (role === "1" || role === "Tl" || role === "Tf" || (role === "D" && (a.dirs?.length ?? 1) === 1) ? i : -1)).filter((i) => i >= 0);
  let out: Act = { ...a, roles: a.roles.filter((_, i) => !axes.includes(i)) };
  for (const i of axes) {
    const role = a.roles[i];
    if (role === "D") {
      if ((a.dirs?.length ?? 1) !== 1) cv.fail(node, "squeezes the direction axis of a bidirectional output");
      out = { ...out, roles: out.roles.map((x) => (x === "H" ? "F" : x)), F: a.H };
    } else if (role === "Tl" || role === "Tf") {
      const blocks = a.dirs ?? ["forward"];
      if (a.roles.includes("D")) cv.fail(node, "selects a step before the direction axis is merged into the features");
      out = { ...out, picks: blocks.map((_, block) => ({ block, at: role === "Tl" ? "last" : "first" })) };
    } else if (role !== "1") {
      cv.fail(node, `squeezes axis ${i} (${role}) of ${describe(a)}`);
    }
  }
  return out;
}

/** Target shape entries: numbers from a constant, or symbols from a shape computed from the input. */
function reshape(cv: Conversion, node: NodeProto, a: Act, s: Sym | undefined): Act {
  const target: (number | string)[] = s?.kind === "dims" ? [...s.dims] : constInts(cv, node, s, "shape");
  const roles = cv.roles(a), out: Role[] = [];
  let i = 0, F = a.F;
  const size = (r: Role) => dimOf(cv, node, a, r);
  for (let k = 0; k < target.length; k++) {
    const t = target[k]!;
    while (i < roles.length && roles[i] === "1" && t !== 1 && t !== 0) i++;
    const r = roles[i];
    if (r === undefined) cv.fail(node, `reshapes ${describe(a)} to [${target.join(", ")}]`);
    const merge = r === "D" && roles[i + 1] === "H" && (t === -1 || t === (a.dirs?.length ?? 1) * a.H);
    if (merge) { out.push("F"); F = (a.dirs?.length ?? 1) * a.H; i += 2; continue; }
    const same = t === 0 || t === r || t === cv.role(r as Role) || (typeof t === "number" && t === size(r) && typeof size(r) === "number")
      || (typeof t === "number" && t === cv.size(r))
      || (t === -1 && k === target.length - 1 && i === roles.length - 1);
    if (!same) cv.fail(node, `reshapes ${describe(a)} to [${target.join(", ")}], which mixes axes gated keeps apart`);
    out.push(r);
    i++;
  }
  while (i < roles.length && roles[i] === "1") i++;
  if (i !== roles.length) cv.fail(node, `reshapes ${describe(a)} to [${target.join(", ")}]`);
  return { ...a, roles: out, F };
}

function stepIndex(cv: Conversion, node: NodeProto, v: number): "last" | "first" {
  if (v === -1) return "last";
  if (v === 0) return "first";
  return cv.fail(node, `selects step ${v}; gated's last-step layer reads the first or the last step only`);
}

function gatherStep(cv: Conversion, node: NodeProto, a: Act, ins: (Sym | undefined)[]): Act {
  const idx = ins[1];
  if (!idx || idx.kind !== "const" || idx.t.data.length !== 1 || idx.t.shape.length !== 0) cv.fail(node, "only a Gather of one step (a scalar index) on the time axis has a gated form");
  const roles = cv.roles(a), axis = norm(new Attrs("", node).int("axis") ?? 0, roles.length);
  if (roles[axis] !== "T") cv.fail(node, `gathers along axis ${axis} (${roles[axis]}), not the time axis`);
  if (roles.includes("D")) cv.fail(node, "selects a step before the direction axis is merged into the features");
  const at = stepIndex(cv, node, idx.t.data[0]!);
  const picks: Pick[] = (a.dirs ?? ["forward"]).map((_, block) => ({ block, at }));
  return { ...a, roles: a.roles.filter((_, i) => i !== axis), picks };
}

function slice(cv: Conversion, node: NodeProto, a: Act, ins: (Sym | undefined)[]): Act {
  const starts = constInts(cv, node, ins[1], "starts"), ends = constInts(cv, node, ins[2], "ends");
  const axes = ins[3] ? constInts(cv, node, ins[3], "axes") : starts.map((_, i) => i);
  const steps = ins[4] ? constInts(cv, node, ins[4], "steps") : starts.map(() => 1);
  if (starts.length !== 1 || steps[0] !== 1) cv.fail(node, "only a one-axis Slice with step 1 has a gated form");
  const roles = cv.roles(a), axis = norm(axes[0]!, roles.length), s = starts[0]!, e = ends[0]!;
  if (roles[axis] === "T") {
    const role: Role = s === -1 && e >= BIG ? "Tl" : s === 0 && e === 1 ? "Tf" : cv.fail(node, "slices several steps; gated's last-step layer reads one");
    return { ...a, roles: a.roles.map((r, i) => (i === axis ? role : r)) };
  }
  if (roles[axis] === "F" && a.picks && a.dirs) {
    const H = a.H, from = s / H, to = Math.min(e, a.picks.length * H) / H;
    if (!Number.isInteger(from) || !Number.isInteger(to)) cv.fail(node, "slices features across direction blocks");
    const picks = a.picks.slice(from, to);
    return { ...a, picks, F: picks.length * H };
  }
  return cv.fail(node, `slices axis ${axis} (${roles[axis]}) of ${describe(a)}`);
}

function concatPicks(cv: Conversion, node: NodeProto, ins: (Sym | undefined)[]): Act {
  const parts = ins.filter((s): s is Sym => s !== undefined);
  const acts = parts.filter((s): s is Act => s.kind === "act" && s.picks !== null);
  if (acts.length !== parts.length || acts.some((x) => x.depth !== acts[0]!.depth)) cv.fail(node, "only direction blocks of one recurrent layer's last step can be concatenated");
  const picks = acts.flatMap((x) => x.picks!);
  return { ...acts[0]!, picks, F: picks.length * acts[0]!.H };
}

function embedding(cv: Conversion, node: NodeProto, op: string, ins: (Sym | undefined)[]): Sym {
  const table = ins[0], ids = ins[1];
  if (op !== "Gather" || !table || table.kind !== "const" || table.t.shape.length !== 2 || ids?.kind !== "ids") {
    return cv.fail(node, "token ids can only be looked up in an embedding table (Gather of a constant [V, E])");
  }
  if (cv.layers.length !== 0 || (new Attrs("", node).int("axis") ?? 0) !== 0) cv.fail(node, "the embedding must be the first layer, gathering rows");
  const [V, E] = table.t.shape as [number, number];
  cv.tokens = V;
  const depth = cv.push(node, { kind: "act", roles: [], F: V, dirs: null, H: V, depth: 0, picks: null }, {
    config: { kind: "embedding", vocabularySize: V, embeddingSize: E }, params: new Map([["table", table.t.data]]),
  });
  return { kind: "act", roles: [...ids.roles, "F"], F: E, dirs: null, H: E, depth, picks: null };
}

/** MatMul by a constant [F, O] (or Gemm's B): a dense layer with zero bias, which an Add may fill. */
function dense(cv: Conversion, node: NodeProto, a: Act, w: Sym | undefined, transposed: boolean): Act {
  const roles = cv.roles(a);
  if (roles[roles.length - 1] !== "F" || roles.includes("D")) cv.fail(node, `multiplies ${describe(a)}; the features must be the last axis`);
  if (!w || w.kind !== "const" || w.t.shape.length !== 2) cv.fail(node, `the weight must be a constant matrix, got ${w ? describe(w) : "nothing"}`);
  const [r0, r1] = w.t.shape as [number, number];
  const [I, O] = transposed ? [r1, r0] : [r0, r1];
  if (!Number.isNaN(a.F) && I !== a.F) cv.fail(node, `the weight takes ${I} features, the input has ${a.F}`);
  if (cv.layers.length === 0 && Number.isNaN(cv.inputFeatures)) cv.inputFeatures = I;
  const W = transposed ? w.t.data : transpose(w.t.data, I, O);
  const depth = cv.push(node, a, { config: { kind: "dense", inputSize: I, outputSize: O }, params: new Map([["W", W], ["b", new Float32Array(O)]]) });
  return { kind: "act", roles: a.roles, F: O, dirs: null, H: O, depth, picks: null };
}

function gemm(cv: Conversion, node: NodeProto, a: Act, ins: (Sym | undefined)[]): Act {
  const at = new Attrs("", node);
  if ((at.int("transA") ?? 0) !== 0 || (at.float("alpha") ?? 1) !== 1 || (at.float("beta") ?? 1) !== 1) cv.fail(node, "only Gemm with transA = 0, alpha = 1, beta = 1 is a dense layer");
  const out = dense(cv, node, a, ins[1], (at.int("transB") ?? 0) === 1);
  return ins[2] ? bias(cv, node, out, [out, ins[2]]) : out;
}

function lastLayer(cv: Conversion, node: NodeProto, a: Act, what: string) {
  const l = cv.layers[cv.layers.length - 1];
  if (!l || l.config.kind !== "dense" || a.depth !== cv.layers.length) cv.fail(node, `${what} has no gated form here: it must directly follow a dense layer`);
  return l;
}

function bias(cv: Conversion, node: NodeProto, a: Act, ins: (Sym | undefined)[]): Act {
  const c = ins.find((s) => s !== a);
  const l = lastLayer(cv, node, a, "an addition");
  if (!c || c.kind !== "const") return cv.fail(node, `adds ${c ? describe(c) : "nothing"}; only a constant bias after a dense layer has a gated form`);
  const O = l.config.outputSize as number, b = l.params.get("b") as Float32Array;
  if (c.t.data.length !== O && c.t.data.length !== 1) cv.fail(node, `the bias has ${c.t.data.length} values, the dense layer ${O} outputs`);
  if (l.config.activation !== undefined) cv.fail(node, "adds after the dense layer's activation");
  for (let j = 0; j < O; j++) b[j] = b[j]! + c.t.data[c.t.data.length === 1 ? 0 : j]!;
  return a;
}

function activation(cv: Conversion, node: NodeProto, a: Act, op: string): Act {
  const l = lastLayer(cv, node, a, `the activation ${op}`);
  if (l.config.activation !== undefined) cv.fail(node, "a second activation after one dense layer");
  const at = new Attrs("", node), alpha = at.float("alpha"), beta = at.float("beta");
  const act: ActivationConfig = resolveActivation(op, { name: ACTIVATION_NODE[op]!, ...(alpha !== undefined ? { alpha } : {}), ...(beta !== undefined ? { beta } : {}) });
  (l.config as Record<string, unknown>).activation = act;
  return a;
}

function layerNorm(cv: Conversion, node: NodeProto, a: Act, ins: (Sym | undefined)[]): Act {
  const at = new Attrs("", node);
  const axis = at.int("axis") ?? -1;
  if (norm(axis, a.roles.length) !== a.roles.length - 1) cv.fail(node, "only a LayerNormalization over the last axis (the features) is a gated layer norm");
  const g = ins[1], b = ins[2];
  if (g?.kind !== "const" || (b && b.kind !== "const")) return cv.fail(node, "scale and bias must be constants");
  const F = a.F;
  if (g.t.data.length !== F || (b && b.kind === "const" && b.t.data.length !== F)) cv.fail(node, `scale and bias must have ${F} values`);
  const beta = b && b.kind === "const" ? b.t.data : new Float32Array(F);
  const depth = cv.push(node, a, { config: { kind: "layer-norm", features: F, epsilon: at.float("epsilon") ?? 1e-5 }, params: new Map([["gamma", g.t.data], ["beta", beta]]) });
  return { ...a, depth, picks: null };
}

/** Y_h: transposes and selections of final states, which become a per-sequence value. */
export function finalsRule(cv: Conversion, node: NodeProto, op: string, f: Finals, ins: (Sym | undefined)[]): Sym {
  const toAct = (rows: Finals["rows"]): Act => {
    if (rows.some((r) => r.depth !== rows[0]!.depth)) cv.fail(node, "mixes the final states of several layers");
    const r0 = rows[0]!;
    return { kind: "act", roles: ["B", "F"], F: rows.length * f.H, dirs: r0.dirs, H: f.H, depth: r0.depth, picks: rows.map((r) => ({ block: r.block, at: "final" })) };
  };
  switch (op) {
    case "Identity": return f;
    case "Transpose": {
      const perm = new Attrs("", node).ints("perm") ?? [2, 1, 0];
      return { ...f, roles: perm.map((p) => f.roles[p]!) };
    }
    case "Squeeze": {
      const axes = axesArg(cv, node, ins)?.map((x) => norm(x, f.roles.length)) ?? [f.roles.indexOf("D")];
      if (axes.length !== 1 || f.roles[axes[0]!] !== "D" || f.rows.length !== 1) cv.fail(node, "squeezes final states of more than one direction");
      return toAct(f.rows);
    }
    case "Reshape": {
      const t = ins[1]?.kind === "const" ? Array.from(ins[1].t.data) : null;
      const ok = f.roles.join() === "B,D,H" && t !== null && t.length === 2 && (t[1] === -1 || t[1] === f.rows.length * f.H);
      if (!ok) cv.fail(node, `reshapes final states [${f.roles.join(", ")}]; only [B, D, H] → [B, D·H] has a gated form`);
      return toAct(f.rows);
    }
    case "Gather": {
      const idx = ins[1];
      const axis = norm(new Attrs("", node).int("axis") ?? 0, f.roles.length);
      if (idx?.kind !== "const" || idx.t.data.length !== 1 || f.roles[axis] !== "D") cv.fail(node, "only a Gather of one row of the final states has a gated form");
      const i = idx.t.data[0]!, row = f.rows[i < 0 ? i + f.rows.length : i];
      if (!row) cv.fail(node, `row ${i} is out of range`);
      return toAct([row]);
    }
    case "Concat": {
      const parts = ins.filter((s): s is Sym => s !== undefined);
      if (parts.some((s) => s.kind !== "finals")) cv.fail(node, "concatenates final states with something else");
      const axis = norm(new Attrs("", node).int("axis") ?? 0, f.roles.length);
      if (f.roles[axis] !== "D") cv.fail(node, "concatenates final states along an axis other than the directions");
      return { ...f, rows: parts.flatMap((s) => (s as Finals).rows) };
    }
    default: return cv.fail(node, `operator ${opName(op)} on final states has no gated form`);
  }
}

/** Shape arithmetic and zero states (PyTorch's h0 = zeros(…, batch, …)). */
export function dimsRule(cv: Conversion, node: NodeProto, ins: (Sym | undefined)[]): Sym {
  const op = node.opType ?? "";
  const dimsOf = (s: Sym | undefined): Dims["dims"] => {
    if (s?.kind === "dims") return s.dims;
    if (s?.kind === "const") return Array.from(s.t.data);
    return cv.fail(node, `expected a shape, got ${s ? describe(s) : "nothing"}`);
  };
  const first = ins.find((s) => s?.kind === "dims" || s?.kind === "zeros")!;
  if (first.kind === "zeros") {
    if (["Identity", "Cast", "Unsqueeze", "Squeeze", "Transpose", "Reshape", "Expand", "Concat", "Slice", "Gather"].includes(op)) return first;
    return cv.fail(node, `operator ${opName(op)} on zeros has no gated form`);
  }
  switch (op) {
    case "Identity": case "Cast": return first;
    case "Unsqueeze": case "Squeeze": case "Reshape": return first;
    case "Mul": {
      // dynamo's D·H of the merged direction axis: [2] · [4] = [8]; symbolic T or B are never multiplied
      const [p, q] = [dimsOf(ins[0]), dimsOf(ins[1])];
      if (p.length !== q.length || [...p, ...q].some((d) => typeof d !== "number")) return cv.fail(node, `multiplies shapes [${p.join(", ")}] · [${q.join(", ")}]; only known sizes can be multiplied`);
      return { kind: "dims", dims: p.map((d, i) => (d as number) * (q[i] as number)) };
    }
    case "Concat": return { kind: "dims", dims: ins.flatMap((s) => [...dimsOf(s)]) };
    case "Gather": {
      const idx = ins[1];
      if (idx?.kind !== "const") return cv.fail(node, "gathers a shape by a non-constant index");
      const d = dimsOf(ins[0]);
      return { kind: "dims", dims: Array.from(idx.t.data, (i) => d[i < 0 ? i + d.length : i]!) };
    }
    case "Slice": {
      const d = dimsOf(ins[0]), s = dimsOf(ins[1])[0] as number, e = dimsOf(ins[2])[0] as number;
      return { kind: "dims", dims: d.slice(s < 0 ? s + d.length : s, e < 0 ? e + d.length : Math.min(e, d.length)) };
    }
    case "ConstantOfShape": {
      const v = new Attrs("", node).tensor("value");
      const zero = !v || (v.floatData ?? []).every((x) => x === 0) && (v.rawData ?? new Uint8Array()).every((x) => x === 0);
      return zero ? { kind: "zeros" } : cv.fail(node, "fills a non-zero constant");
    }
    case "Expand": {
      const src = ins[0];
      if (src?.kind === "const" && src.t.data.every((x) => x === 0)) return { kind: "zeros" };
      return cv.fail(node, "expands a non-zero value");
    }
    default: return cv.fail(node, `operator ${opName(op)} on a shape has no gated form`);
  }
}
