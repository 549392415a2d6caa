/**
 * Elementwise operators: arithmetic with broadcasting, comparisons and logic, and the activations
 * (the same formulas as gated's activations and ONNX's operator definitions).
 */
import { FormatError } from "../../../errors/index.js";
import { sigmoid, softplus } from "../../../kernels/activations.js";
import { allocData, isFloat, type OnnxTensor } from "../tensor.js";
import { map2, mapN } from "./broadcast.js";
import { expectType, need, scalarOf, type OpContext, type OpFn } from "./context.js";

const FLOATS = ["float32", "float64"] as const;
const NUMERIC = ["float32", "float64", "int64", "int32"] as const;

/** An elementwise function; `make` reads the node's attributes once. */
function unaryWith(make: (ctx: OpContext) => (x: number) => number, floatOnly = true): OpFn {
  return (ctx) => {
    const x = need(ctx, 0);
    expectType(ctx.where, "input", x, floatOnly ? FLOATS : NUMERIC);
    const f = make(ctx);
    const out = allocData(x.dtype, x.data.length);
    for (let i = 0; i < out.length; i++) out[i] = f(x.data[i]!);
    return [{ dtype: x.dtype, shape: x.shape, data: out }];
  };
}

const unary = (f: (x: number) => number, floatOnly = true): OpFn => unaryWith(() => f, floatOnly);

function sameType(ctx: OpContext, ts: readonly OnnxTensor[]): void {
  for (const t of ts) {
    if (t.dtype !== ts[0]!.dtype) throw new FormatError(`${ctx.where}: inputs must share one type, got ${ts.map((x) => x.dtype).join(" and ")}`);
  }
}

function binary(f: (x: number, y: number) => number, intF?: (x: number, y: number) => number): OpFn {
  return (ctx) => {
    const a = need(ctx, 0), b = need(ctx, 1);
    sameType(ctx, [a, b]);
    expectType(ctx.where, "input", a, NUMERIC);
    return [map2(ctx.where, a, b, a.dtype, isFloat(a.dtype) || !intF ? f : intF)];
  };
}

/** Max, Min, Sum, Mean: any number of inputs. */
function variadic(f: (v: number[]) => number): OpFn {
  return (ctx) => {
    const ts = ctx.inputs.filter((t): t is OnnxTensor => t !== undefined);
    if (ts.length === 0) throw new FormatError(`${ctx.where}: needs at least one input`);
    sameType(ctx, ts);
    expectType(ctx.where, "input", ts[0]!, NUMERIC);
    return [mapN(ctx.where, ts, ts[0]!.dtype, f)];
  };
}

function compare(f: (x: number, y: number) => boolean): OpFn {
  return (ctx) => {
    const a = need(ctx, 0), b = need(ctx, 1);
    sameType(ctx, [a, b]);
    return [map2(ctx.where, a, b, "bool", (x, y) => (f(x, y) ? 1 : 0))];
  };
}

function logic(f: (x: boolean, y: boolean) => boolean): OpFn {
  return (ctx) => {
    const a = need(ctx, 0), b = need(ctx, 1);
    expectType(ctx.where, "inputs", a, ["bool"]);
    expectType(ctx.where, "inputs", b, ["bool"]);
    return [map2(ctx.where, a, b, "bool", (x, y) => (f(x !== 0, y !== 0) ? 1 : 0))];
  };
}

const alpha = (ctx: OpContext, d: number) => ctx.attrs.finite("alpha") ?? d;
const beta = (ctx: OpContext, d: number) => ctx.attrs.finite("beta") ?? d;

/** Clip: bounds from inputs (opset ≥ 11) or attributes min/max (older). */
const clip: OpFn = (ctx) => {
  const x = need(ctx, 0);
  expectType(ctx.where, "input", x, NUMERIC);
  let lo = -Infinity, hi = Infinity;
  if (ctx.opset >= 11) {
    if (ctx.inputs[1]) lo = scalarOf(ctx.where, "min", ctx.inputs[1]);
    if (ctx.inputs[2]) hi = scalarOf(ctx.where, "max", ctx.inputs[2]);
  } else {
    lo = ctx.attrs.float("min") ?? -Infinity;
    hi = ctx.attrs.float("max") ?? Infinity;
    if (Number.isNaN(lo) || Number.isNaN(hi)) throw new FormatError(`${ctx.where}: attributes min and max must be numbers, got ${lo} and ${hi}`);
  }
  const out = allocData(x.dtype, x.data.length);
  for (let i = 0; i < out.length; i++) { const v = x.data[i]!; out[i] = v < lo ? lo : v > hi ? hi : v; }
  return [{ dtype: x.dtype, shape: x.shape, data: out }];
};

const where: OpFn = (ctx) => {
  const c = need(ctx, 0), a = need(ctx, 1), b = need(ctx, 2);
  expectType(ctx.where, "condition", c, ["bool"]);
  sameType(ctx, [a, b]);
  return [mapN(ctx.where, [c, a, b], a.dtype, (v) => (v[0] ? v[1]! : v[2]!))];
};

const not: OpFn = (ctx) => {
  const x = need(ctx, 0);
  expectType(ctx.where, "input", x, ["bool"]);
  return [{ dtype: "bool", shape: x.shape, data: Uint8Array.from(x.data, (v) => (v ? 0 : 1)) }];
};

export const ELEMENTWISE_OPS: Record<string, OpFn> = {
  Add: binary((x, y) => x + y),
  Sub: binary((x, y) => x - y),
  Mul: binary((x, y) => x * y),
  Div: binary((x, y) => x / y, (x, y) => (y === 0 ? 0 : Math.trunc(x / y))),
  Pow: (ctx) => {
    const a = need(ctx, 0), b = need(ctx, 1);
    expectType(ctx.where, "base", a, NUMERIC);
    return [map2(ctx.where, a, b, a.dtype, (x, y) => Math.pow(x, y))];
  },
  Max: variadic((v) => Math.max(...v)),
  Min: variadic((v) => Math.min(...v)),
  Sum: variadic((v) => v.reduce((s, x) => s + x, 0)),
  Mean: variadic((v) => v.reduce((s, x) => s + x, 0) / v.length),
  Equal: compare((x, y) => x === y),
  Less: compare((x, y) => x < y),
  Greater: compare((x, y) => x > y),
  LessOrEqual: compare((x, y) => x <= y),
  GreaterOrEqual: compare((x, y) => x >= y),
  And: logic((x, y) => x && y),
  Or: logic((x, y) => x || y),
  Xor: logic((x, y) => x !== y),
  Not: not,
  Where: where,
  Neg: unary((x) => -x, false),
  Abs: unary((x) => Math.abs(x), false),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((x) => 1 / x),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Sigmoid: unary(sigmoid),
  Tanh: unary(Math.tanh),
  Relu: unary((x) => (x > 0 ? x : 0), false),
  Softsign: unary((x) => x / (1 + Math.abs(x))),
  Softplus: unary(softplus),
  HardSigmoid: unaryWith((c) => { const a = alpha(c, 0.2), b = beta(c, 0.5); return (x) => Math.max(0, Math.min(1, a * x + b)); }),
  LeakyRelu: unaryWith((c) => { const a = alpha(c, 0.01); return (x) => (x >= 0 ? x : a * x); }),
  Elu: unaryWith((c) => { const a = alpha(c, 1); return (x) => (x >= 0 ? x : a * Math.expm1(x)); }),
  ThresholdedRelu: unaryWith((c) => { const a = alpha(c, 1); return (x) => (x > a ? x : 0); }),
  Clip: clip,
};
