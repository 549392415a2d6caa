/**
 * What an operator implementation of the interpreter receives, and the shared checks every op
 * uses on its inputs. Ops validate everything a malformed graph can get wrong and throw typed
 * errors that name the node; they never index out of range or allocate unbounded memory.
 */
import { FormatError, ShapeError, fmtShape } from "../../../errors/index.js";
import type { Attrs, GraphProto, NodeProto } from "../proto.js";
import { sizeOf, type OnnxDType, type OnnxTensor } from "../tensor.js";

export interface OpContext {
  readonly node: NodeProto;
  /** "onnx node "name" (Op)" for messages. */
  readonly where: string;
  readonly attrs: Attrs;
  /** Inputs in node order; undefined where the node leaves an optional input empty. */
  readonly inputs: readonly (OnnxTensor | undefined)[];
  /** How many outputs the node names. */
  readonly outputs: number;
  /** Version of the default-domain opset the model imports. */
  readonly opset: number;
  /** Runs a subgraph (Scan body) with these values, the current values visible as outer scope. */
  runSubgraph(graph: GraphProto, feeds: ReadonlyMap<string, OnnxTensor>): Map<string, OnnxTensor>;
  /** Per-node cache that lives as long as the loaded model (converted recurrent weights). */
  readonly cache: Map<string, unknown>;
}

export type OpFn = (ctx: OpContext) => (OnnxTensor | undefined)[];

/** The largest tensor an op may create (2^24 values): corrupt shapes fail instead of exhausting memory. */
export const MAX_VALUES = 1 << 24;

export function need(ctx: OpContext, i: number, what = `input ${i}`): OnnxTensor {
  const t = ctx.inputs[i];
  if (!t) throw new FormatError(`${ctx.where}: ${what} is required but missing`);
  return t;
}

export function checkSize(where: string, shape: readonly number[]): void {
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new ShapeError(`${where}: invalid output shape ${fmtShape(shape)}`);
  if (sizeOf(shape) > MAX_VALUES) throw new ShapeError(`${where}: output shape ${fmtShape(shape)} would hold more than ${MAX_VALUES} values`);
}

export function expectType(where: string, name: string, t: OnnxTensor, types: readonly OnnxDType[]): void {
  if (!types.includes(t.dtype)) throw new FormatError(`${where}: ${name} must be ${types.join(" or ")}, got ${t.dtype}`);
}

/** A 1-D integer input (shape, axes, starts...) as numbers. */
export function intList(where: string, name: string, t: OnnxTensor): number[] {
  expectType(where, name, t, ["int64", "int32"]);
  if (t.shape.length > 1) throw new ShapeError(`${where}: ${name} must be a 1-D list, got shape ${fmtShape(t.shape)}`);
  return Array.from(t.data);
}

/** A scalar (or one-element) input. */
export function scalarOf(where: string, name: string, t: OnnxTensor): number {
  if (t.data.length !== 1) throw new ShapeError(`${where}: ${name} must hold one value, got shape ${fmtShape(t.shape)}`);
  return t.data[0]!;
}

/** Normalises an axis in −rank..rank−1 to 0..rank−1. */
export function axisOf(where: string, axis: number, rank: number, name = "axis"): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw new ShapeError(`${where}: ${name} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}
