/**
 * Operators that move values without arithmetic: shape queries, reshapes, transposes, slices,
 * gathers, concatenation, casts, constants.
 */
import { FormatError, ShapeError, fmtShape } from "../../../errors/index.js";
import { allocData, dtypeOfCode, fromTensorProto, sizeOf, tensor, type OnnxDType, type OnnxTensor } from "../tensor.js";
import { mapN } from "./broadcast.js";
import { axisOf, checkSize, expectType, intList, need, scalarOf, stridesOf, type OpContext, type OpFn } from "./context.js";

/** The transpose of t by perm (out axis i is in axis perm[i]). */
export function transposeTensor(where: string, t: OnnxTensor, perm: readonly number[]): OnnxTensor {
  const r = t.shape.length;
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new ShapeError(`${where}: perm [${perm.join(", ")}] is not a permutation of the ${r} axes of ${fmtShape(t.shape)}`);
  }
  const shape = perm.map((p) => t.shape[p]!), inSt = stridesOf(t.shape), n = t.data.length;
  const st = perm.map((p) => inSt[p]!);
  const out = allocData(t.dtype, n), idx = new Array<number>(r).fill(0);
  let src = 0;
  for (let k = 0; k < n; k++) {
    out[k] = t.data[src]!;
    for (let d = r - 1; d >= 0; d--) {
      idx[d]!++;
      src += st[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= st[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return { dtype: t.dtype, shape, data: out };
}

export function reshaped(where: string, t: OnnxTensor, shape: readonly number[]): OnnxTensor {
  if (sizeOf(shape) !== t.data.length) throw new ShapeError(`${where}: cannot reshape ${fmtShape(t.shape)} (${t.data.length} values) to ${fmtShape(shape)}`);
  return { dtype: t.dtype, shape: [...shape], data: t.data };
}

/** Axes from the input (opset ≥ 13 for Squeeze/Unsqueeze/ReduceSum) or the attribute. */
export function axesOf(ctx: OpContext, inputIndex: number, fromInputSince: number): number[] | undefined {
  if (ctx.opset >= fromInputSince) {
    const t = ctx.inputs[inputIndex];
    return t ? intList(ctx.where, "axes", t) : undefined;
  }
  return ctx.attrs.ints("axes");
}

const reshape: OpFn = (ctx) => {
  const x = need(ctx, 0), spec = intList(ctx.where, "shape", need(ctx, 1, "shape"));
  const allowZero = ctx.attrs.flag("allowzero") === 1;
  const shape = spec.map((d, i) => (d === 0 && !allowZero ? (i < x.shape.length ? x.shape[i]! : NaN) : d));
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => Number.isNaN(d) || (d < 0 && d !== -1))) throw new ShapeError(`${ctx.where}: invalid target shape [${spec.join(", ")}] for ${fmtShape(x.shape)}`);
  if (unknown === 1) {
    const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    if (known === 0 || x.data.length % known !== 0) throw new ShapeError(`${ctx.where}: cannot infer −1 in [${spec.join(", ")}] for ${fmtShape(x.shape)}`);
    shape[shape.indexOf(-1)] = x.data.length / known;
  }
  return [reshaped(ctx.where, x, shape)];
};

const squeeze: OpFn = (ctx) => {
  const x = need(ctx, 0), axes = axesOf(ctx, 1, 13)?.map((a) => axisOf(ctx.where, a, x.shape.length));
  for (const a of axes ?? []) if (x.shape[a] !== 1) throw new ShapeError(`${ctx.where}: cannot squeeze axis ${a} of ${fmtShape(x.shape)} (size ${x.shape[a]})`);
  return [reshaped(ctx.where, x, x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)))];
};

const unsqueeze: OpFn = (ctx) => {
  const x = need(ctx, 0), raw = axesOf(ctx, 1, 13);
  if (!raw) throw new FormatError(`${ctx.where}: axes are required`);
  const rank = x.shape.length + raw.length;
  const axes = raw.map((a) => axisOf(ctx.where, a, rank));
  if (new Set(axes).size !== axes.length) throw new ShapeError(`${ctx.where}: repeated axes [${raw.join(", ")}]`);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : x.shape[k++]!);
  return [reshaped(ctx.where, x, shape)];
};

const flatten: OpFn = (ctx) => {
  const x = need(ctx, 0), r = x.shape.length, axis = ctx.attrs.int("axis") ?? 1;
  const a = axis === r ? r : axisOf(ctx.where, axis, r);
  return [reshaped(ctx.where, x, [sizeOf(x.shape.slice(0, a)), sizeOf(x.shape.slice(a))])];
};

const transpose: OpFn = (ctx) => {
  const x = need(ctx, 0);
  const perm = ctx.attrs.ints("perm") ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  return [transposeTensor(ctx.where, x, perm)];
};

const concat: OpFn = (ctx) => {
  const ts = ctx.inputs.filter((t): t is OnnxTensor => t !== undefined);
  if (ts.length === 0) throw new FormatError(`${ctx.where}: needs at least one input`);
  const r = ts[0]!.shape.length, axis = axisOf(ctx.where, ctx.attrs.int("axis") ?? NaN, r);
  for (const t of ts) {
    if (t.dtype !== ts[0]!.dtype || t.shape.length !== r || t.shape.some((d, i) => i !== axis && d !== ts[0]!.shape[i])) {
      throw new ShapeError(`${ctx.where}: cannot concatenate ${ts.map((x) => `${x.dtype}${fmtShape(x.shape)}`).join(", ")} on axis ${axis}`);
    }
  }
  const shape = [...ts[0]!.shape];
  shape[axis] = ts.reduce((s, t) => s + t.shape[axis]!, 0);
  checkSize(ctx.where, shape);
  const outer = sizeOf(shape.slice(0, axis)), inner = sizeOf(shape.slice(axis + 1));
  const out = allocData(ts[0]!.dtype, sizeOf(shape));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const t of ts) {
      const n = t.shape[axis]! * inner;
      out.set(t.data.subarray(o * n, (o + 1) * n), at);
      at += n;
    }
  }
  return [{ dtype: ts[0]!.dtype, shape, data: out }];
};

/** Slice with inputs starts, ends, axes, steps (opset ≥ 10) or attributes (older). */
const slice: OpFn = (ctx) => {
  const x = need(ctx, 0), r = x.shape.length;
  const list = (i: number, name: string) => (ctx.inputs[i] ? intList(ctx.where, name, ctx.inputs[i]!) : undefined);
  const starts = ctx.opset >= 10 ? list(1, "starts") : ctx.attrs.ints("starts");
  const ends = ctx.opset >= 10 ? list(2, "ends") : ctx.attrs.ints("ends");
  if (!starts || !ends || starts.length !== ends.length) throw new FormatError(`${ctx.where}: starts and ends are required and must have equal lengths`);
  const axes = (ctx.opset >= 10 ? list(3, "axes") : ctx.attrs.ints("axes")) ?? starts.map((_, i) => i);
  const steps = (ctx.opset >= 10 ? list(4, "steps") : undefined) ?? starts.map(() => 1);
  if (axes.length !== starts.length || steps.length !== starts.length) throw new FormatError(`${ctx.where}: axes and steps must match starts in length`);
  const begin = x.shape.map(() => 0), step = x.shape.map(() => 1), shape = [...x.shape];
  axes.forEach((a0, k) => {
    const a = axisOf(ctx.where, a0, r), d = x.shape[a]!, s = steps[k]!;
    if (s === 0 || !Number.isInteger(s)) throw new ShapeError(`${ctx.where}: step must be a non-zero integer, got ${s}`);
    const clampIdx = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const b = s > 0 ? clampIdx(starts[k]!, 0, d) : clampIdx(starts[k]!, -1, d - 1);
    const e = s > 0 ? clampIdx(ends[k]!, 0, d) : clampIdx(ends[k]!, -1, d - 1);
    begin[a] = b; step[a] = s;
    shape[a] = Math.max(0, Math.ceil((e - b) / s));
  });
  const inSt = stridesOf(x.shape), n = sizeOf(shape), out = allocData(x.dtype, n), idx = new Array<number>(r).fill(0);
  for (let k = 0; k < n; k++) {
    let src = 0;
    for (let d = 0; d < r; d++) src += (begin[d]! + idx[d]! * step[d]!) * inSt[d]!;
    out[k] = x.data[src]!;
    for (let d = r - 1; d >= 0; d--) { if (++idx[d]! < shape[d]!) break; idx[d] = 0; }
  }
  return [{ dtype: x.dtype, shape, data: out }];
};

const gather: OpFn = (ctx) => {
  const x = need(ctx, 0), ind = need(ctx, 1, "indices"), r = x.shape.length;
  expectType(ctx.where, "indices", ind, ["int64", "int32"]);
  const axis = axisOf(ctx.where, ctx.attrs.int("axis") ?? 0, r), d = x.shape[axis]!;
  const shape = [...x.shape.slice(0, axis), ...ind.shape, ...x.shape.slice(axis + 1)];
  checkSize(ctx.where, shape);
  const outer = sizeOf(x.shape.slice(0, axis)), inner = sizeOf(x.shape.slice(axis + 1)), m = ind.data.length;
  const out = allocData(x.dtype, sizeOf(shape));
  for (let j = 0; j < m; j++) {
    const i0 = ind.data[j]!;
    if (!(i0 >= -d && i0 < d)) throw new ShapeError(`${ctx.where}: index ${i0} is out of range for axis ${axis} of size ${d}`);
    const i = i0 < 0 ? i0 + d : i0;
    for (let o = 0; o < outer; o++) out.set(x.data.subarray((o * d + i) * inner, (o * d + i + 1) * inner), (o * m + j) * inner);
  }
  return [{ dtype: x.dtype, shape, data: out }];
};

function expandTo(ctx: OpContext, x: OnnxTensor, shape: readonly number[]): OnnxTensor {
  // x broadcast against a tensor of `shape` whose values are never read
  const rank = Math.max(shape.length, x.shape.length);
  const out = new Array<number>(rank).fill(1);
  for (const s of [x.shape, shape]) for (let i = 0; i < s.length; i++) {
    const o = rank - s.length + i, dd = s[i]!;
    if (dd === out[o]) continue;
    if (out[o] === 1) out[o] = dd; else if (dd !== 1) throw new ShapeError(`${ctx.where}: cannot expand ${fmtShape(x.shape)} to [${shape.join(", ")}]`);
  }
  checkSize(ctx.where, out);
  return mapN(ctx.where, [x, { dtype: "bool", shape: out, data: new Uint8Array(sizeOf(out)) }], x.dtype, (v) => v[0]!);
}

const constantOfShape: OpFn = (ctx) => {
  const shape = intList(ctx.where, "shape", need(ctx, 0, "shape"));
  checkSize(ctx.where, shape);
  const vt = ctx.attrs.tensor("value");
  const v = vt ? fromTensorProto(vt, ctx.where) : tensor("float32", [1], [0]);
  if (v.data.length !== 1) throw new ShapeError(`${ctx.where}: value must hold one element`);
  const out = allocData(v.dtype, sizeOf(shape));
  out.fill(v.data[0]!);
  return [{ dtype: v.dtype, shape, data: out }];
};

const range: OpFn = (ctx) => {
  const [s, l, d] = [0, 1, 2].map((i) => need(ctx, i));
  const start = scalarOf(ctx.where, "start", s!), limit = scalarOf(ctx.where, "limit", l!), delta = scalarOf(ctx.where, "delta", d!);
  if (delta === 0) throw new ShapeError(`${ctx.where}: delta must not be 0`);
  const n = Math.max(0, Math.ceil((limit - start) / delta));
  checkSize(ctx.where, [n]);
  const out = allocData(s!.dtype, n);
  for (let i = 0; i < n; i++) out[i] = start + i * delta;
  return [{ dtype: s!.dtype, shape: [n], data: out }];
};

const split: OpFn = (ctx) => {
  const x = need(ctx, 0), axis = axisOf(ctx.where, ctx.attrs.int("axis") ?? 0, x.shape.length), d = x.shape[axis]!;
  const parts = (ctx.opset >= 13 ? (ctx.inputs[1] ? intList(ctx.where, "split", ctx.inputs[1]) : undefined) : ctx.attrs.ints("split"))
    ?? (() => {
      const k = ctx.attrs.int("num_outputs") ?? ctx.outputs, size = Math.ceil(d / k);
      return Array.from({ length: k }, (_, i) => Math.max(0, Math.min(size, d - i * size)));
    })();
  if (parts.reduce((a, b) => a + b, 0) !== d || parts.some((p) => p < 0)) throw new ShapeError(`${ctx.where}: split [${parts.join(", ")}] does not sum to ${d}`);
  let at = 0;
  return parts.map((p) => {
    const s = slice({ ...ctx, opset: 13, inputs: [x, tensor("int64", [1], [at]), tensor("int64", [1], [at + p]), tensor("int64", [1], [axis])] })[0]!;
    at += p;
    return s;
  });
};

const cast: OpFn = (ctx) => {
  const x = need(ctx, 0), to: OnnxDType = dtypeOfCode(ctx.where, ctx.attrs.int("to") ?? 0);
  ctx.attrs.int("saturate"); // float8 only
  const out = allocData(to, x.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = x.data[i]!;
    out[i] = to === "bool" ? (v !== 0 ? 1 : 0) : to === "int64" || to === "int32" || to === "int8" || to === "uint8" ? Math.trunc(v) : v;
  }
  return [{ dtype: to, shape: x.shape, data: out }];
};

const shapeOp: OpFn = (ctx) => {
  const x = need(ctx, 0), r = x.shape.length;
  const clampAxis = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clampAxis(ctx.attrs.int("start") ?? 0), end = clampAxis(ctx.attrs.int("end") ?? r);
  const dims = x.shape.slice(start, Math.max(start, end));
  return [tensor("int64", [dims.length], dims)];
};

const constant: OpFn = (ctx) => {
  const a = ctx.attrs;
  const t = a.tensor("value");
  if (t) return [fromTensorProto(t, ctx.where)];
  const f = a.float("value_float"), fs = a.floats("value_floats"), i = a.int("value_int"), is = a.ints("value_ints");
  if (f !== undefined) return [tensor("float32", [], [f])];
  if (fs !== undefined) return [tensor("float32", [fs.length], fs)];
  if (i !== undefined) return [tensor("int64", [], [i])];
  if (is !== undefined) return [tensor("int64", [is.length], is)];
  throw new FormatError(`${ctx.where}: needs a value (value, value_float(s) or value_int(s))`);
};

export const SHAPE_OPS: Record<string, OpFn> = {
  Identity: (ctx) => [need(ctx, 0)],
  Constant: constant,
  Cast: cast,
  Shape: shapeOp,
  Size: (ctx) => [tensor("int64", [], [need(ctx, 0).data.length])],
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Slice: slice,
  Gather: gather,
  Expand: (ctx) => [expandTo(ctx, need(ctx, 0), (() => {
    const s = intList(ctx.where, "shape", need(ctx, 1, "shape"));
    if (s.some((v) => !Number.isInteger(v) || v < 0)) throw new ShapeError(`${ctx.where}: invalid shape [${s.join(", ")}]`);
    return s;
  })())],
  ConstantOfShape: constantOfShape,
  Range: range,
  Split: split,
};
