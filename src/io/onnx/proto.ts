/**
 * The ONNX protobuf schema behind small typed helpers: decode with a FormatError instead of a
 * RangeError, encode from plain objects, int64 values read through `num()`, and attribute readers
 * that name the node and the attribute in their errors.
 *
 * The schema is gen/onnx_pb.ts, generated from ONNX's own onnx.proto (scripts/gen-onnx-proto.sh)
 * for @bufbuild/protobuf. The rest of src/io/onnx never sees its message classes: it reads and
 * builds plain objects, `Plain<M>` below, shaped as protobufjs's were:
 *   - every field optional (`??` for defaults); int64 as number or bigint (read with `num`);
 *     enums as numbers; bytes as Uint8Array;
 *   - a oneof's members are fields of their own (`type.tensorType`, `dim.dimValue`), not
 *     protobuf-es's `{ case, value }`.
 * Decoded objects carry what was on the wire as own properties; an absent scalar reads as its
 * default ("", 0, 0n, empty bytes) and an absent message or oneof member as null, through a
 * shared prototype, as protobufjs's decoded messages did. A closed-enum value the schema does not
 * know (data_type 99) is kept as its number. Encoding writes every own field that is not null or
 * undefined (0 and "" included), fields in number order, repeated numbers packed: the bytes
 * protobufjs wrote for the same object.
 */
import { create, fromBinary, ScalarType, toBinary, type DescEnum, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { FormatError, ValueError } from "../../errors/index.js";
import * as pb from "./gen/onnx_pb.js";
import { q } from "./quote.js";
import { base64Bytes } from "../../util/base64.js";

// ---- plain objects ------------------------------------------------------------------------------

type PlainScalar<V> = V extends bigint ? number | bigint : V extends number ? number : V extends Uint8Array ? Uint8Array : V extends Message ? Plain<V> : V;
type PlainField<V> = V extends readonly (infer E)[] ? PlainScalar<E>[] : PlainScalar<V>;
/** The keys of a message's oneof groups (`{ case, value }` in protobuf-es). */
type OneofKey<M> = { [K in keyof M]-?: M[K] extends { case: string | undefined } ? K : never }[keyof M];
/** A oneof group's members as optional fields: `{ dimValue?: …; dimParam?: … }`. */
type OneofFields<O> = O extends { case: infer C extends string; value: infer V } ? { [P in C]?: PlainField<V> | null } : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** A message of the ONNX schema as a plain object: every field optional, oneof members as fields. */
export type Plain<M extends Message> =
  { [K in Exclude<keyof M, "$typeName" | "$unknown" | OneofKey<M>>]?: PlainField<M[K]> | null } & Intersection<OneofFields<M[OneofKey<M>]>>;

export type ModelProto = Plain<pb.ModelProto>;
export type GraphProto = Plain<pb.GraphProto>;
export type NodeProto = Plain<pb.NodeProto>;
export type TensorProto = Plain<pb.TensorProto>;
export type AttributeProto = Plain<pb.AttributeProto>;
export type ValueInfoProto = Plain<pb.ValueInfoProto>;

export const AttributeType = pb.AttributeProto_AttributeType;
export const DataType = pb.TensorProto_DataType;

/** The opset gated writes (GRU/LSTM/RNN-14 with `layout`, LayerNormalization-17, Scan-16). */
export const OPSET = 17;
export const IR_VERSION = 8;

/** A protobuf int64 (bigint, number, or a Long from older code) as a JavaScript number. */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v !== null && typeof v === "object" && "toNumber" in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

// ---- decoding -----------------------------------------------------------------------------------

/** Decodes a serialized ModelProto; anything protobuf cannot read is a FormatError. */
export function decodeOnnx(bytes: Uint8Array, where = "onnx"): ModelProto {
  let m: ModelProto;
  try {
    checkWire(pb.ModelProtoSchema, bytes, 0, bytes.length, 0);
    m = toPlain(pb.ModelProtoSchema, fromBinary(pb.ModelProtoSchema, bytes)) as ModelProto;
  } catch (e) {
    throw new FormatError(`${where}: not a readable ONNX model (protobuf: ${(e as Error).message}); the file may be truncated or not ONNX`);
  }
  if (!m.graph) throw new FormatError(`${where}: the ONNX model has no graph`);
  return m;
}

type Obj = Record<string, unknown>;

/**
 * Checks the nesting of a serialized message as C++ protobuf (onnx, onnxruntime) does, before
 * protobuf-es reads it: every field ends inside its message, a sub-message's last field ends on
 * the sub-message's end, a packed list ends on an element, field numbers are ≥ 1, and the wire
 * types are the four ONNX uses. protobuf-es (like protobufjs before it) reads on past a
 * sub-message's end, so bytes inserted into a tensor's raw_data would decode as a readable,
 * different model instead of a damaged one.
 */
function checkWire(desc: DescMessage, b: Uint8Array, pos: number, end: number, depth: number): void {
  if (depth > 100) throw new Error(`messages nested more than 100 deep at byte ${pos}`);
  while (pos < end) {
    const at = pos;
    let tag: number, len: number;
    [tag, pos] = varint(b, pos, end);
    const no = Math.floor(tag / 8), wt = tag % 8;
    if (no < 1) throw new Error(`field number 0 in ${desc.name} at byte ${at}`);
    if (wt === WireType.Varint) [, pos] = varint(b, pos, end);
    else if (wt === WireType.Bit64) pos += 8;
    else if (wt === WireType.Bit32) pos += 4;
    else if (wt === WireType.LengthDelimited) {
      [len, pos] = varint(b, pos, end);
      const stop = pos + len, f = fieldsOf(desc).get(no);
      if (stop > end) throw new Error(`field ${no} of ${desc.name} at byte ${at} (${len} bytes) runs past the end of its message at byte ${end}`);
      if (f?.fieldKind === "message" || (f?.fieldKind === "list" && f.listKind === "message")) checkWire(f.message, b, pos, stop, depth + 1);
      else if (f?.fieldKind === "list") checkPacked(f.listKind === "enum" ? ScalarType.INT32 : f.scalar, b, pos, stop, `field ${no} of ${desc.name} at byte ${at}`);
      pos = stop;
    } else throw new Error(`wire type ${wt} (field ${no} of ${desc.name}) at byte ${at} is not one ONNX uses`);
    if (pos > end) throw new Error(`field ${no} of ${desc.name} at byte ${at} runs past the end of its message at byte ${end}`);
  }
}

/** A packed list of numbers ends on an element (strings and bytes are never packed: not checked). */
function checkPacked(t: ScalarType, b: Uint8Array, pos: number, end: number, what: string): void {
  const width = t === ScalarType.FLOAT || t === ScalarType.FIXED32 || t === ScalarType.SFIXED32 ? 4
    : t === ScalarType.DOUBLE || t === ScalarType.FIXED64 || t === ScalarType.SFIXED64 ? 8 : t === ScalarType.STRING || t === ScalarType.BYTES ? -1 : 0;
  if (width > 0 && (end - pos) % width !== 0) throw new Error(`${what}: ${end - pos} bytes are not a whole number of ${width}-byte values`);
  if (width === 0) while (pos < end) [, pos] = varint(b, pos, end);
}

/** A varint's value (exact up to 2^53) and the position after it; it must end before `end`. */
function varint(b: Uint8Array, pos: number, end: number): [number, number] {
  let v = 0, scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new Error(`a varint runs past the end of its message at byte ${end}`);
    const c = b[pos++]!;
    v += (c & 0x7f) * scale;
    scale *= 128;
    if (c < 0x80) return [v, pos];
  }
  throw new Error(`a varint longer than 10 bytes ends at byte ${pos}`);
}

const fieldsByNumber = new WeakMap<DescMessage, Map<number, DescField>>();

function fieldsOf(desc: DescMessage): Map<number, DescField> {
  let m = fieldsByNumber.get(desc);
  if (m === undefined) fieldsByNumber.set(desc, (m = new Map(desc.fields.map((f) => [f.number, f]))));
  return m;
}

/** Per message type, the prototype of its decoded plain objects: scalar defaults, null messages. */
const defaults = new WeakMap<DescMessage, Obj>();

function defaultsOf(desc: DescMessage): Obj {
  let proto = defaults.get(desc);
  if (proto === undefined) {
    const zero = create(desc) as unknown as Obj; // proto2: the defaults sit on its prototype
    proto = {};
    for (const f of desc.fields) {
      if (f.fieldKind === "list" || f.fieldKind === "map") continue;
      proto[f.localName] = f.oneof !== undefined || f.fieldKind === "message" ? null : zero[f.localName];
    }
    defaults.set(desc, proto);
  }
  return proto;
}

/** A decoded protobuf-es message as a plain object (see the header). */
function toPlain(desc: DescMessage, msg: Message): Obj {
  const m = msg as unknown as Obj, out = Object.create(defaultsOf(desc)) as Obj;
  for (const f of desc.fields) {
    const name = f.localName;
    if (f.oneof !== undefined) continue;
    if (f.fieldKind === "message") {
      if (m[name] !== undefined) out[name] = toPlain(f.message, m[name] as Message);
    } else if (f.fieldKind === "list") {
      const list = m[name] as unknown[];
      out[name] = f.listKind === "message" ? list.map((x) => toPlain(f.message, x as Message)) : list;
    } else if (f.fieldKind === "map") {
      out[name] = m[name];
    } else if (Object.hasOwn(m, name)) {
      out[name] = m[name];
    }
  }
  for (const o of desc.oneofs) {
    const { case: c, value } = m[o.localName] as { case: string | undefined; value?: unknown };
    if (c === undefined) continue;
    const f = o.fields.find((x) => x.localName === c)!;
    out[c] = f.fieldKind === "message" ? toPlain(f.message, value as Message) : value;
  }
  // a closed enum's unknown value (proto2) lands in $unknown: keep it, as protobufjs did
  for (const u of msg.$unknown ?? []) {
    const f = fieldsOf(desc).get(u.no);
    if (f?.fieldKind === "enum" && u.wireType === WireType.Varint) out[f.localName] = new BinaryReader(u.data).int32();
  }
  return out;
}

// ---- encoding -----------------------------------------------------------------------------------

/**
 * Encodes a plain-object ModelProto. Values are converted as protobufjs's fromObject did: numbers
 * into int64 fields, arrays into bytes, enum names into their numbers. A value that cannot be
 * (an object where a number belongs) is a ValueError naming the field.
 */
export function encodeOnnx(model: ModelProto): Uint8Array {
  return toBinary(pb.ModelProtoSchema, fromPlain(pb.ModelProtoSchema, model, "ModelProto") as pb.ModelProto);
}

function fromPlain(desc: DescMessage, plain: unknown, path: string): Message {
  if (plain === null || typeof plain !== "object" || Array.isArray(plain)) throw new ValueError(`onnx encode: ${path} must be an object (a ${desc.name}), got ${typeof plain}`);
  const obj = plain as Obj, msg = create(desc) as unknown as Obj;
  for (const f of desc.fields) {
    const name = f.localName;
    if (!Object.hasOwn(obj, name) || obj[name] === null || obj[name] === undefined) continue;
    const value = valueIn(f, obj[name], `${path}.${name}`);
    if (value === undefined || (value instanceof Uint8Array && value.length === 0 && f.fieldKind === "scalar")) continue; // empty bytes: unset, as in protobufjs
    if (f.oneof !== undefined) msg[f.oneof.localName] = { case: name, value };
    else msg[name] = value;
  }
  return msg as unknown as Message;
}

function valueIn(f: DescField, v: unknown, path: string): unknown {
  switch (f.fieldKind) {
    case "message": return fromPlain(f.message, v, path);
    case "enum": return enumIn(f.enum, v);
    case "scalar": return scalarIn(f.scalar, v, path);
    case "list": {
      if (!Array.isArray(v) && !ArrayBuffer.isView(v)) throw new ValueError(`onnx encode: ${path} must be an array, got ${typeof v}`);
      const items = Array.from(v as ArrayLike<unknown>);
      if (f.listKind === "message") return items.map((x, i) => fromPlain(f.message, x, `${path}[${i}]`));
      if (f.listKind === "enum") return items.map((x) => enumIn(f.enum, x)).filter((x) => x !== undefined);
      return items.map((x, i) => scalarIn(f.scalar, x, `${path}[${i}]`));
    }
    case "map": throw new ValueError(`onnx encode: ${path}: map fields are not in onnx.proto`);
  }
}

/** An enum value: its number, or its name (`"FLOAT"`); an unknown name leaves the field unset, as in protobufjs. */
function enumIn(e: DescEnum, v: unknown): number | undefined {
  if (typeof v === "string") return e.values.find((x) => x.name === v)?.number;
  return Number(v) | 0;
}

const INT64_MIN = -(2n ** 63n), INT64_MAX = 2n ** 63n - 1n;
const INT64_TYPES = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64, ScalarType.SFIXED64]);

function base64(s: string, path: string): Uint8Array {
  try {
    return base64Bytes(s);
  } catch {
    throw new ValueError(`onnx encode: ${path} must be bytes (a Uint8Array, or a base64 string), got ${q(s.slice(0, 40))}`);
  }
}

function scalarIn(t: ScalarType, v: unknown, path: string): unknown {
  // objects are refused, except where an int64 belongs (a Long reads as its decimal string)
  if (typeof v === "object" && !(v instanceof Uint8Array) && !Array.isArray(v) && !INT64_TYPES.has(t)) {
    throw new ValueError(`onnx encode: ${path} must be a ${ScalarType[t].toLowerCase()}, got an object`);
  }
  switch (t) {
    case ScalarType.DOUBLE: return Number(v);
    case ScalarType.FLOAT: return Math.fround(Number(v)); // float32 range: past it is ±Infinity, as protobufjs wrote
    case ScalarType.INT32: case ScalarType.SINT32: case ScalarType.SFIXED32: return Number(v) | 0;
    case ScalarType.UINT32: case ScalarType.FIXED32: return Number(v) >>> 0;
    case ScalarType.INT64: case ScalarType.SINT64: case ScalarType.SFIXED64: return int64(v, path);
    case ScalarType.UINT64: case ScalarType.FIXED64: return BigInt.asUintN(64, int64(v, path));
    case ScalarType.BOOL: return Boolean(v);
    case ScalarType.STRING: return String(v);
    case ScalarType.BYTES:
      if (v instanceof Uint8Array) return v;
      if (typeof v === "string") return base64(v, path); // as protobufjs read a string here
      if (Array.isArray(v)) return Uint8Array.from(v as number[]);
      throw new ValueError(`onnx encode: ${path} must be bytes (Uint8Array), got ${typeof v}`);
  }
}

/** An int64 from a bigint, an integer number (a fraction is truncated, as protobufjs did) or a decimal string. */
function int64(v: unknown, path: string): bigint {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number") {
    if (Number.isNaN(v)) throw new ValueError(`onnx encode: ${path} must be an integer, got NaN`);
    b = v === Infinity ? INT64_MAX : v === -Infinity ? INT64_MIN : BigInt(Math.trunc(v));
  } else {
    try {
      b = BigInt(String(v).trim());
    } catch {
      throw new ValueError(`onnx encode: ${path} must be an integer, got ${q(String(v))}`);
    }
  }
  return b < INT64_MIN ? INT64_MIN : b > INT64_MAX ? INT64_MAX : b;
}

// ---- attributes ---------------------------------------------------------------------------------

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
