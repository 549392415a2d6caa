/**
 * Network operators: matrix products, softmax, normalisation, reductions, dropout (inference).
 */
import { FormatError, ShapeError, fmtShape } from "../../../errors/index.js";
import { allocData, sizeOf, type OnnxTensor } from "../tensor.js";
import { broadcastShape } from "./broadcast.js";
import { axisOf, checkSize, expectType, need, type OpFn } from "./context.js";
import { axesOf, reshaped, transposeTensor } from "./shape-ops.js";

const FLOATS = ["float32", "float64"] as const;

/** Numpy matmul: [..., M, K] · [..., K, N], batch dimensions broadcast, 1-D operands promoted. */
const matmul: OpFn = (ctx) => {
  const a0 = need(ctx, 0), b0 = need(ctx, 1);
  expectType(ctx.where, "A", a0, FLOATS);
  if (b0.dtype !== a0.dtype) throw new FormatError(`${ctx.where}: A and B must share one type, got ${a0.dtype} and ${b0.dtype}`);
  return [product(ctx.where, a0, b0, a0.dtype)];
};

const INT8S = ["int8", "uint8"] as const;

/**
 * MatMulInteger: (A − a_zero_point) · (B − b_zero_point) in int32, exact; a zero point is a scalar
 * (or one value), B's may also be one per column [N].
 */
const matmulInteger: OpFn = (ctx) => {
  let a = need(ctx, 0), b = need(ctx, 1);
  expectType(ctx.where, "A", a, INT8S);
  expectType(ctx.where, "B", b, INT8S);
  const az = ctx.inputs[2], bz = ctx.inputs[3];
  if (az) {
    if (az.data.length !== 1) throw new ShapeError(`${ctx.where}: a_zero_point must be one value, got ${fmtShape(az.shape)}`);
    a = { dtype: "int32", shape: a.shape, data: Int32Array.from(a.data, (v) => v - az.data[0]!) };
  }
  if (bz) {
    const N = b.shape[b.shape.length - 1]!;
    if (bz.data.length !== 1 && bz.data.length !== N) throw new ShapeError(`${ctx.where}: b_zero_point must be one value or one per column (${N}), got ${fmtShape(bz.shape)}`);
    b = { dtype: "int32", shape: b.shape, data: Int32Array.from(b.data, (v, i) => v - bz.data[bz.data.length === 1 ? 0 : i % N]!) };
  }
  return [product(ctx.where, a, b, "int32")];
};

function product(where: string, a0: OnnxTensor, b0: OnnxTensor, dtype: OnnxTensor["dtype"]): OnnxTensor {
  const ctx = { where };
  if (a0.shape.length === 0 || b0.shape.length === 0) throw new ShapeError(`${ctx.where}: operands must have rank ≥ 1`);
  const a = a0.shape.length === 1 ? reshaped(ctx.where, a0, [1, a0.shape[0]!]) : a0;
  const b = b0.shape.length === 1 ? reshaped(ctx.where, b0, [b0.shape[0]!, 1]) : b0;
  const [M, K] = a.shape.slice(-2) as [number, number], [K2, N] = b.shape.slice(-2) as [number, number];
  if (K !== K2) throw new ShapeError(`${ctx.where}: cannot multiply ${fmtShape(a0.shape)} by ${fmtShape(b0.shape)} (inner sizes ${K} and ${K2})`);
  const batch = broadcastShape(ctx.where, [a.shape.slice(0, -2), b.shape.slice(0, -2)]);
  const shape = [...batch, M, N];
  checkSize(ctx.where, shape);
  const nb = sizeOf(batch), out = allocData(dtype, nb * M * N);
  const offA = batchOffsets(a.shape.slice(0, -2), batch), offB = batchOffsets(b.shape.slice(0, -2), batch);
  for (let q = 0; q < nb; q++) {
    const ao = offA[q]! * M * K, bo = offB[q]! * K * N, oo = q * M * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) s += a.data[ao + i * K + p]! * b.data[bo + p * N + j]!;
        out[oo + i * N + j] = s;
      }
    }
  }
  let final = shape;
  if (a0.shape.length === 1) final = final.filter((_, i) => i !== final.length - 2);
  if (b0.shape.length === 1) final = final.slice(0, -1);
  return { dtype, shape: final, data: out };
}

/** For each batch index of `out`, the flat batch index into `shape` broadcast to it. */
function batchOffsets(shape: readonly number[], out: readonly number[]): number[] {
  const n = sizeOf(out), res = new Array<number>(n), r = out.length;
  for (let q = 0; q < n; q++) {
    let rem = q, flat = 0, mul = 1;
    for (let d = r - 1; d >= 0; d--) {
      const i = rem % out[d]!;
      rem = Math.floor(rem / out[d]!);
      const sd = d - (r - shape.length);
      if (sd >= 0) { flat += (shape[sd] === 1 ? 0 : i) * mul; mul *= shape[sd]!; }
    }
    res[q] = flat;
  }
  return res;
}

/** Y = α·op(A)·op(B) + β·C */
const gemm: OpFn = (ctx) => {
  let a = need(ctx, 0), b = need(ctx, 1);
  expectType(ctx.where, "A", a, FLOATS);
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new ShapeError(`${ctx.where}: A and B must be matrices, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  if (ctx.attrs.flag("transA") === 1) a = transposeTensor(ctx.where, a, [1, 0]);
  if (ctx.attrs.flag("transB") === 1) b = transposeTensor(ctx.where, b, [1, 0]);
  const alpha = ctx.attrs.finite("alpha") ?? 1, beta = ctx.attrs.finite("beta") ?? 1;
  const y = matmul({ ...ctx, inputs: [a, b] })[0]!;
  const c = ctx.inputs[2];
  if (alpha !== 1) for (let i = 0; i < y.data.length; i++) y.data[i] = alpha * y.data[i]!;
  if (!c) return [y];
  const shape = broadcastShape(ctx.where, [y.shape, c.shape]);
  if (shape.some((d, i) => d !== y.shape[i])) throw new ShapeError(`${ctx.where}: C ${fmtShape(c.shape)} does not broadcast to ${fmtShape(y.shape)}`);
  const [M, N] = y.shape as [number, number], cr = c.shape.length;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const ci = cr === 0 ? 0 : cr === 1 ? (c.shape[0] === 1 ? 0 : j) : (c.shape[0] === 1 ? 0 : i) * c.shape[1]! + (c.shape[1] === 1 ? 0 : j);
      y.data[i * N + j] = y.data[i * N + j]! + beta * c.data[ci]!;
    }
  }
  return [y];
};

/** Softmax / LogSoftmax over one axis (opset ≥ 13), or over the flattened trailing axes (older). */
function softmaxLike(log: boolean): OpFn {
  return (ctx) => {
    const x = need(ctx, 0), r = x.shape.length;
    expectType(ctx.where, "input", x, FLOATS);
    const axis = axisOf(ctx.where, ctx.attrs.int("axis") ?? (ctx.opset >= 13 ? -1 : 1), Math.max(r, 1));
    const out = allocData(x.dtype, x.data.length);
    const [outer, n, inner] = ctx.opset >= 13
      ? [sizeOf(x.shape.slice(0, axis)), x.shape[axis] ?? 1, sizeOf(x.shape.slice(axis + 1))]
      : [sizeOf(x.shape.slice(0, axis)), sizeOf(x.shape.slice(axis)), 1];
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        const at = (j: number) => (o * n + j) * inner + k;
        let m = -Infinity, s = 0;
        for (let j = 0; j < n; j++) m = Math.max(m, x.data[at(j)]!);
        for (let j = 0; j < n; j++) s += Math.exp(x.data[at(j)]! - m);
        for (let j = 0; j < n; j++) out[at(j)] = log ? x.data[at(j)]! - m - Math.log(s) : Math.exp(x.data[at(j)]! - m) / s;
      }
    }
    return [{ dtype: x.dtype, shape: x.shape, data: out }];
  };
}

/** LayerNormalization (opset 17): normalise over axes axis..rank−1, then scale and bias. */
const layerNorm: OpFn = (ctx) => {
  const x = need(ctx, 0), scale = need(ctx, 1, "scale"), bias = ctx.inputs[2], r = x.shape.length;
  expectType(ctx.where, "X", x, FLOATS);
  const axis = axisOf(ctx.where, ctx.attrs.int("axis") ?? -1, r), eps = ctx.attrs.finite("epsilon", true) ?? 1e-5;
  ctx.attrs.int("stash_type");
  const inner = sizeOf(x.shape.slice(axis)), outer = sizeOf(x.shape.slice(0, axis));
  for (const [name, t] of [["scale", scale], ["bias", bias]] as const) {
    if (t && t.data.length !== inner && t.data.length !== 1) throw new ShapeError(`${ctx.where}: ${name} ${fmtShape(t.shape)} does not match the normalised shape ${fmtShape(x.shape.slice(axis))}`);
  }
  const out = allocData(x.dtype, x.data.length);
  const mean = allocData(x.dtype, outer), inv = allocData(x.dtype, outer);
  for (let o = 0; o < outer; o++) {
    let mu = 0, v = 0;
    for (let j = 0; j < inner; j++) mu += x.data[o * inner + j]!;
    mu /= inner;
    for (let j = 0; j < inner; j++) v += (x.data[o * inner + j]! - mu) ** 2;
    const is = 1 / Math.sqrt(v / inner + eps);
    mean[o] = mu; inv[o] = is;
    for (let j = 0; j < inner; j++) {
      const g = scale.data[scale.data.length === 1 ? 0 : j]!, b = bias ? bias.data[bias.data.length === 1 ? 0 : j]! : 0;
      out[o * inner + j] = (x.data[o * inner + j]! - mu) * is * g + b;
    }
  }
  const statShape = x.shape.map((d, i) => (i < axis ? d : 1));
  return [{ dtype: x.dtype, shape: x.shape, data: out }, { dtype: x.dtype, shape: statShape, data: mean }, { dtype: x.dtype, shape: statShape, data: inv }];
};

type Reduction = "sum" | "mean" | "min" | "max";

/** ReduceSum / ReduceMean / ReduceMin / ReduceMax: axes from the input (ReduceSum opset ≥ 13, the others ≥ 18) or the attribute. */
function reduce(kind: Reduction): OpFn {
  const mean = kind === "mean";
  return (ctx) => {
    const x = need(ctx, 0), r = x.shape.length;
    expectType(ctx.where, "input", x, ["float32", "float64", "int64", "int32"]);
    const raw = axesOf(ctx, 1, kind === "sum" ? 13 : 18);
    const keep = (ctx.attrs.flag("keepdims") ?? 1) === 1;
    const noop = ctx.attrs.flag("noop_with_empty_axes") === 1;
    if ((!raw || raw.length === 0) && noop) return [x];
    const axes = !raw || raw.length === 0 ? x.shape.map((_, i) => i) : raw.map((a) => axisOf(ctx.where, a, r));
    const outShapeKeep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const n = sizeOf(outShapeKeep), out = allocData(x.dtype, n), count = x.data.length / Math.max(n, 1);
    const strides = outShapeKeep.map((_, i) => sizeOf(outShapeKeep.slice(i + 1)));
    const idx = new Array<number>(r).fill(0);
    const acc = new Float64Array(n).fill(kind === "min" ? Infinity : kind === "max" ? -Infinity : 0);
    for (let k = 0; k < x.data.length; k++) {
      let o = 0;
      for (let d = 0; d < r; d++) if (!axes.includes(d)) o += idx[d]! * strides[d]!;
      const v = x.data[k]!;
      acc[o] = kind === "min" ? Math.min(acc[o]!, v) : kind === "max" ? Math.max(acc[o]!, v) : acc[o]! + v;
      for (let d = r - 1; d >= 0; d--) { if (++idx[d]! < x.shape[d]!) break; idx[d] = 0; }
    }
    for (let i = 0; i < n; i++) out[i] = mean ? acc[i]! / count : acc[i]!;
    const shape = keep ? outShapeKeep : x.shape.filter((_, i) => !axes.includes(i));
    checkSize(ctx.where, shape);
    return [{ dtype: x.dtype, shape, data: out }];
  };
}

/** Inference-mode dropout: the input unchanged, and an all-true mask when asked for. */
const dropout: OpFn = (ctx) => {
  const x = need(ctx, 0);
  ctx.attrs.float("ratio");
  ctx.attrs.int("seed");
  if (ctx.inputs[2] && ctx.inputs[2].data[0]) throw new FormatError(`${ctx.where}: training_mode = true is not supported (gated runs inference)`);
  const mask: OnnxTensor = { dtype: "bool", shape: x.shape, data: new Uint8Array(x.data.length).fill(1) };
  return [x, mask];
};

export const NN_OPS: Record<string, OpFn> = {
  MatMul: matmul,
  Gemm: gemm,
  Softmax: softmaxLike(false),
  LogSoftmax: softmaxLike(true),
  LayerNormalization: layerNorm,
  MatMulInteger: matmulInteger,
  ReduceSum: reduce("sum"),
  ReduceMean: reduce("mean"),
  ReduceMin: reduce("min"),
  ReduceMax: reduce("max"),
  Dropout: dropout,
};

