/**
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON header, then one byte
 * buffer. The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets
 * into the buffer) and may hold "__metadata__", a map of strings. Browser-safe: bytes in, bytes out.
 *
 * Decoding checks everything a truncated or corrupt file can get wrong and throws a FormatError
 * naming it; it never returns a partial result.
 */
import { FormatError } from "../errors/index.js";

export type SafeDType = "F32" | "F64" | "I32" | "U8" | "I64";
const BYTES: Record<SafeDType, number> = { F32: 4, F64: 8, I32: 4, U8: 1, I64: 8 };

export interface SafeTensor {
  readonly dtype: SafeDType;
  readonly shape: readonly number[];
  /** F32 → Float32Array, F64 → Float64Array, I32 → Int32Array, U8 → Uint8Array, I64 → BigInt64Array */
  readonly data: Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array;
}

export interface SafeFile {
  readonly tensors: ReadonlyMap<string, SafeTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

function dtypeOf(data: SafeTensor["data"]): SafeDType {
  if (data instanceof Float32Array) return "F32";
  if (data instanceof Float64Array) return "F64";
  if (data instanceof Int32Array) return "I32";
  if (data instanceof BigInt64Array) return "I64";
  return "U8";
}

/** Encodes tensors (in the given order) and string metadata. */
export function encodeSafetensors(tensors: Iterable<[string, { shape: readonly number[]; data: SafeTensor["data"] }]>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const parts: { bytes: Uint8Array; at: number }[] = [];
  let at = 0;
  for (const [name, t] of tensors) {
    const dtype = dtypeOf(t.data);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new FormatError(`safetensors: tensor "${name}" has shape [${t.shape.join(", ")}] but ${t.data.length} values`);
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype, shape: t.shape, data_offsets: [at, at + bytes.length] };
    parts.push({ bytes, at });
    at += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + utf8Length(json)) % 8)) % 8); // align the buffer to 8 bytes
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  for (const p of parts) out.set(p.bytes, 8 + head.length + p.at);
  return out;
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Decodes and validates a whole safetensors byte stream. */
export function decodeSafetensors(bytes: Uint8Array, where = "safetensors"): SafeFile {
  if (bytes.length < 8) throw new FormatError(`${where}: ${bytes.length} bytes is too short for a safetensors file (the 8-byte header length is missing)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    throw new FormatError(`${where}: bad header length ${n64}: the file has only ${bytes.length - 8} bytes after it (truncated or not safetensors)`);
  }
  const n = Number(n64);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (e) {
    throw new FormatError(`${where}: the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw new FormatError(`${where}: the header must be a JSON object`);
  const base = 8 + n, size = bytes.length - base;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") { metadata = checkMetadata(where, entry); continue; }
    tensors.set(name, readTensor(where, name, entry, bytes, base, size));
  }
  return { tensors, metadata };
}

function checkMetadata(where: string, m: unknown): Record<string, string> {
  if (m === null || typeof m !== "object" || Array.isArray(m) || Object.values(m).some((v) => typeof v !== "string")) {
    throw new FormatError(`${where}: __metadata__ must map names to strings`);
  }
  return m as Record<string, string>;
}

function readTensor(where: string, name: string, e: unknown, bytes: Uint8Array, base: number, size: number): SafeTensor {
  const t = e as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const dtype = t?.dtype as SafeDType;
  if (typeof dtype !== "string" || !(dtype in BYTES)) throw new FormatError(`${where}: tensor "${name}" has unsupported dtype ${JSON.stringify(t?.dtype)} (supported: ${Object.keys(BYTES).join(", ")})`);
  const shape = t.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new FormatError(`${where}: tensor "${name}" has a bad shape ${JSON.stringify(shape)}`);
  const off = t.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((v) => Number.isInteger(v) && v >= 0) || off[0] > off[1]) {
    throw new FormatError(`${where}: tensor "${name}" has bad data_offsets ${JSON.stringify(off)}`);
  }
  const [begin, end] = off as [number, number];
  if (end > size) throw new FormatError(`${where}: tensor "${name}" ends at byte ${end} but the data has only ${size} bytes (truncated file)`);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (end - begin !== count * BYTES[dtype]) {
    throw new FormatError(`${where}: tensor "${name}" size does not match its shape: [${shape.join(", ")}] ${dtype} needs ${count * BYTES[dtype]} bytes, the offsets give ${end - begin}`);
  }
  // copy into a fresh, aligned buffer: the returned arrays never alias the input bytes
  const raw = bytes.slice(base + begin, base + end);
  const data =
    dtype === "F32" ? new Float32Array(raw.buffer) : dtype === "F64" ? new Float64Array(raw.buffer) : dtype === "I32" ? new Int32Array(raw.buffer)
      : dtype === "I64" ? new BigInt64Array(raw.buffer) : raw;
  return { dtype, shape: shape as number[], data };
}
