/**
 * The ONNX protobuf schema (onnx-proto, protobufjs) behind small typed helpers: decode with a
 * FormatError instead of a RangeError, encode from plain objects, int64 values as numbers, and
 * attribute readers that name the node and the attribute in their errors.
 */
import onnxProto from "onnx-proto";
import { FormatError } from "../../errors/index.js";
import { q } from "./quote.js";

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

export const AttributeType = onnx.AttributeProto.AttributeType;
export const DataType = onnx.TensorProto.DataType;

/** The opset gated writes (GRU/LSTM/RNN-14 with `layout`, LayerNormalization-17, Scan-16). */
export const OPSET = 17;
export const IR_VERSION = 8;

/** A protobuf int64 (number or Long) as a JavaScript number. */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (v !== null && typeof v === "object" && "toNumber" in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

/** Decodes a serialized ModelProto; anything protobuf cannot read is a FormatError. */
export function decodeOnnx(bytes: Uint8Array, where = "onnx"): ModelProto {
  let m: onnxProto.onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new FormatError(`${where}: not a readable ONNX model (protobuf: ${(e as Error).message}); the file may be truncated or not ONNX`);
  }
  if (!m.graph) throw new FormatError(`${where}: the ONNX model has no graph`);
  return m;
}

/** Encodes a plain-object ModelProto. */
export function encodeOnnx(model: ModelProto): Uint8Array {
  const msg = onnx.ModelProto.fromObject(model as Record<string, unknown>);
  return onnx.ModelProto.encode(msg).finish();
}

const utf8 = new TextDecoder();

/** Reads a node's attributes into plain values by name (ints, floats, strings, tensors, graphs). */
export function attributes(node: NodeProto): Map<string, AttributeProto> {
  const out = new Map<string, AttributeProto>();
  for (const a of node.attribute ?? []) out.set(a.name ?? "", a);
  return out;
}

export class Attrs {
  private readonly map: Map<string, AttributeProto>;
  private readonly used = new Set<string>();
  constructor(readonly where: string, node: NodeProto) {
    this.map = attributes(node);
    if (this.map.size !== (node.attribute?.length ?? 0)) {
      const seen = new Set<string>(), dup = (node.attribute ?? []).map((x) => x.name ?? "").find((n) => seen.has(n) || !seen.add(n));
      throw new FormatError(`${where}: attribute ${q(dup)} is given twice`);
    }
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  private get(name: string, type: number, what: string): AttributeProto | undefined {
    const a = this.map.get(name);
    this.used.add(name);
    if (a === undefined) return undefined;
    if (a.type !== type && a.type !== undefined && a.type !== null && a.type !== 0) {
      throw new FormatError(`${this.where}: attribute ${name} must be ${what}, got attribute type ${a.type}`);
    }
    return a;
  }

  int(name: string): number | undefined {
    const a = this.get(name, AttributeType.INT, "an int");
    return a === undefined ? undefined : num(a.i ?? 0);
  }

  float(name: string): number | undefined {
    const a = this.get(name, AttributeType.FLOAT, "a float");
    return a === undefined ? undefined : Number(a.f ?? 0);
  }

  string(name: string): string | undefined {
    const a = this.get(name, AttributeType.STRING, "a string");
    return a === undefined ? undefined : utf8.decode(a.s ?? new Uint8Array());
  }

  /** An int attribute that is a switch: 0 or 1, anything else refused (transB = 7 is not "transposed"). */
  flag(name: string): 0 | 1 | undefined {
    const v = this.int(name);
    if (v !== undefined && v !== 0 && v !== 1) throw new FormatError(`${this.where}: attribute ${name} must be 0 or 1, got ${v}`);
    return v;
  }

  /** A float attribute that must be a finite number (and > 0 when `positive`). */
  finite(name: string, positive = false): number | undefined {
    const v = this.float(name);
    if (v !== undefined && (!Number.isFinite(v) || (positive && !(v > 0)))) throw new FormatError(`${this.where}: attribute ${name} must be a finite number${positive ? " > 0" : ""}, got ${v}`);
    return v;
  }

  ints(name: string): number[] | undefined {
    const a = this.get(name, AttributeType.INTS, "a list of ints");
    return a === undefined ? undefined : (a.ints ?? []).map(num);
  }

  floats(name: string): number[] | undefined {
    const a = this.get(name, AttributeType.FLOATS, "a list of floats");
    return a === undefined ? undefined : (a.floats ?? []).map(Number);
  }

  strings(name: string): string[] | undefined {
    const a = this.get(name, AttributeType.STRINGS, "a list of strings");
    return a === undefined ? undefined : (a.strings ?? []).map((s) => utf8.decode(s));
  }

  tensor(name: string): TensorProto | undefined {
    return this.get(name, AttributeType.TENSOR, "a tensor")?.t ?? undefined;
  }

  graph(name: string): GraphProto | undefined {
    return this.get(name, AttributeType.GRAPH, "a graph")?.g ?? undefined;
  }

  /** Throws naming the first attribute the op's implementation did not read. */
  checkAllUsed(): void {
    for (const name of this.map.keys()) {
      if (!this.used.has(name)) throw new FormatError(`${this.where}: unsupported attribute ${q(name)}`);
    }
  }
}

/** Attribute protos from plain values, for the exporters. */
export function attr(name: string, value: number | string | readonly number[] | readonly string[] | GraphProto | TensorProto, kind?: "int" | "float" | "ints" | "floats"): AttributeProto {
  const enc = new TextEncoder();
  if (typeof value === "string") return { name, type: AttributeType.STRING, s: enc.encode(value) };
  if (typeof value === "number") {
    const k = kind ?? (Number.isInteger(value) ? "int" : "float");
    return k === "int" ? { name, type: AttributeType.INT, i: value } : { name, type: AttributeType.FLOAT, f: value };
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && typeof value[0] === "string") return { name, type: AttributeType.STRINGS, strings: (value as string[]).map((s) => enc.encode(s)) };
    const k = kind ?? ((value as number[]).every(Number.isInteger) ? "ints" : "floats");
    return k === "ints" ? { name, type: AttributeType.INTS, ints: [...(value as number[])] } : { name, type: AttributeType.FLOATS, floats: [...(value as number[])] };
  }
  if ("node" in (value as object) || "output" in (value as object)) return { name, type: AttributeType.GRAPH, g: value as GraphProto };
  return { name, type: AttributeType.TENSOR, t: value as TensorProto };
}
