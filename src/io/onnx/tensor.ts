/**
 * The tensors the ONNX importer and interpreter pass around, and their TensorProto form.
 *
 * float32 → Float32Array, float64 → Float64Array, int64 and int32 → Float64Array / Int32Array
 * (int64 values beyond 2^53 lose precision; graph indices never come near), int8 → Int8Array,
 * uint8 and bool → Uint8Array (int8 and uint8 hold quantised weights and activations).
 */
import { FormatError, ShapeError, fmtShape } from "../../errors/index.js";
import { DataType, num, type TensorProto } from "./proto.js";
import { q } from "./quote.js";

export type OnnxDType = "float32" | "float64" | "int64" | "int32" | "int8" | "uint8" | "bool";
export type OnnxData = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array;

export interface OnnxTensor {
  readonly dtype: OnnxDType;
  readonly shape: readonly number[];
  readonly data: OnnxData;
}

const CODE: Record<OnnxDType, number> = {
  float32: DataType.FLOAT, float64: DataType.DOUBLE, int64: DataType.INT64, int32: DataType.INT32,
  int8: DataType.INT8, uint8: DataType.UINT8, bool: DataType.BOOL,
};
const BY_CODE = new Map<number, OnnxDType>(Object.entries(CODE).map(([k, v]) => [v, k as OnnxDType]));

export function dtypeCode(d: OnnxDType): number {
  return CODE[d];
}

/** The gated dtype of an ONNX data-type code, or a FormatError naming the code. */
export function dtypeOfCode(where: string, code: number): OnnxDType {
  const d = BY_CODE.get(code);
  if (!d) throw new FormatError(`${where}: tensor data type ${code} (${DataType[code] ?? "unknown"}) is not supported; supported: float, double, int64, int32, int8, uint8, bool`);
  return d;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocData(dtype: OnnxDType, n: number): OnnxData {
  switch (dtype) {
    case "float32": return new Float32Array(n);
    case "float64": case "int64": return new Float64Array(n);
    case "int32": return new Int32Array(n);
    case "int8": return new Int8Array(n);
    case "uint8": case "bool": return new Uint8Array(n);
  }
}

export function tensor(dtype: OnnxDType, shape: readonly number[], data?: ArrayLike<number>): OnnxTensor {
  const n = sizeOf(shape);
  const out = allocData(dtype, n);
  if (data) {
    if (data.length !== n) throw new ShapeError(`onnx tensor: shape ${fmtShape(shape)} needs ${n} values, got ${data.length}`);
    out.set(data);
  }
  return { dtype, shape: [...shape], data: out };
}

export const isFloat = (d: OnnxDType): boolean => d === "float32" || d === "float64";

/** Largest tensor the importer will materialise (2^28 values): a guard against corrupt dims. */
const MAX_VALUES = 1 << 28;

function checkDims(where: string, dims: readonly number[]): void {
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new FormatError(`${where}: bad dims ${fmtShape(dims)}`);
  if (sizeOf(dims) > MAX_VALUES) throw new FormatError(`${where}: dims ${fmtShape(dims)} hold more than ${MAX_VALUES} values`);
}

/** Reads a TensorProto (raw_data or the typed fields), checking its size against its dims. */
export function fromTensorProto(t: TensorProto, where: string): OnnxTensor {
  const name = t.name ? `tensor ${q(t.name)}` : "a tensor";
  const w = `${where}: ${name}`;
  if ((t.dataLocation ?? 0) !== 0 || (t.externalData?.length ?? 0) > 0) {
    throw new FormatError(`${w} keeps its data in an external file that was not read; hint: load the model with OnnxProgram.fromBytes(bytes, where, { externalData }) or from its file (gated import / gated run)`);
  }
  if (t.segment) throw new FormatError(`${w} is segmented, which is not supported`);
  const dims = (t.dims ?? []).map(num);
  checkDims(w, dims);
  const dtype = dtypeOfCode(w, t.dataType ?? 0);
  const n = sizeOf(dims);
  const out = allocData(dtype, n);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const width = dtype === "float32" || dtype === "int32" ? 4 : dtype === "bool" || dtype === "int8" || dtype === "uint8" ? 1 : 8;
    if (raw.length !== n * width) throw new FormatError(`${w} has shape ${fmtShape(dims)} (${n} values of ${width} bytes) but ${raw.length} bytes of raw_data`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) {
      out[i] = dtype === "float32" ? view.getFloat32(4 * i, true)
        : dtype === "float64" ? view.getFloat64(8 * i, true)
          : dtype === "int32" ? view.getInt32(4 * i, true)
            : dtype === "int64" ? Number(view.getBigInt64(8 * i, true))
              : dtype === "int8" ? view.getInt8(i)
                : dtype === "uint8" ? raw[i]!
                  : raw[i]! !== 0 ? 1 : 0;
    }
    return { dtype, shape: dims, data: out };
  }
  const field: ArrayLike<unknown> =
    dtype === "float32" ? t.floatData ?? [] : dtype === "float64" ? t.doubleData ?? [] : dtype === "int64" ? t.int64Data ?? [] : t.int32Data ?? [];
  if (field.length !== n) throw new FormatError(`${w} has shape ${fmtShape(dims)} (${n} values) but holds ${field.length} values`);
  // int8, uint8 and bool values live in int32_data, one per element
  for (let i = 0; i < n; i++) out[i] = dtype === "bool" ? (num(field[i]) !== 0 ? 1 : 0) : num(field[i]);
  return { dtype, shape: dims, data: out };
}

/** A TensorProto holding the values as raw_data (little-endian). */
export function toTensorProto(name: string, t: OnnxTensor): TensorProto {
  let raw: Uint8Array;
  if (t.dtype === "float32") raw = new Uint8Array(Float32Array.from(t.data).buffer);
  else if (t.dtype === "float64") raw = new Uint8Array(Float64Array.from(t.data).buffer);
  else if (t.dtype === "int32") raw = new Uint8Array(Int32Array.from(t.data).buffer);
  else if (t.dtype === "int64") raw = new Uint8Array(BigInt64Array.from(Array.from(t.data, (v) => BigInt(Math.trunc(v)))).buffer);
  else if (t.dtype === "int8") raw = new Uint8Array(Int8Array.from(t.data).buffer);
  else if (t.dtype === "uint8") raw = Uint8Array.from(t.data);
  else raw = Uint8Array.from(t.data, (v) => (v ? 1 : 0));
  return { name, dims: [...t.shape], dataType: CODE[t.dtype], rawData: raw };
}
