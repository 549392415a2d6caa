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

/** The largest header the format allows (the reference implementation's limit, 100 MB). */
const MAX_HEADER = 100_000_000;
/** Bounds on a tensor's shape: rank and each dimension (a corrupt shape fails here, not in an allocation). */
const MAX_RANK = 8, MAX_DIM = 2 ** 31 - 1;
const ENTRY_KEYS = new Set(["dtype", "shape", "data_offsets"]);

interface Entry { readonly name: string; readonly dtype: SafeDType; readonly shape: number[]; readonly begin: number; readonly end: number }

/**
 * Decodes and validates a whole safetensors byte stream, as strictly as the format requires: the
 * header is UTF-8 JSON that starts with "{" (padded at the end with spaces only), no key appears
 * twice, each tensor entry has exactly dtype, shape and data_offsets, "__metadata__" maps strings
 * to strings, each tensor's byte size is its shape × its dtype's size, and the tensors, sorted by
 * their first byte, cover the data buffer exactly: the first begins at 0, each begins where the one
 * before ends, the last ends at the end of the file. A header length off by a few bytes, two
 * tensors sharing bytes or bytes that belong to no tensor are refused, never read as other weights.
 */
export function decodeSafetensors(bytes: Uint8Array, where = "safetensors"): SafeFile {
  if (bytes.length < 8) throw new FormatError(`${where}: ${bytes.length} bytes is too short for a safetensors file (the 8-byte header length is missing)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    throw new FormatError(`${where}: bad header length ${n64}: the file has only ${bytes.length - 8} bytes after it (truncated or not safetensors)`);
  }
  const n = Number(n64);
  if (n > MAX_HEADER) throw new FormatError(`${where}: header length ${n} exceeds the format's limit of ${MAX_HEADER} bytes`);
  const header = parseHeader(where, bytes.subarray(8, 8 + n));
  const base = 8 + n, size = bytes.length - base;
  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") metadata = checkMetadata(where, entry);
    else entries.push(checkEntry(where, name, entry));
  }
  checkCoverage(where, entries, size);
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) tensors.set(e.name, readTensor(e, bytes, base));
  return { tensors, metadata };
}

/** The header's JSON object, checked for its first byte, its padding and duplicate keys. */
function parseHeader(where: string, raw: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new FormatError(`${where}: the header is not valid UTF-8 (damaged file, or a wrong header length)`);
  }
  if (text[0] !== "{") throw new FormatError(`${where}: the header is not valid JSON: it must start with "{", got ${JSON.stringify(text.slice(0, 16))} (damaged file, or a wrong header length)`);
  const body = text.replace(/ +$/, "");
  if (!body.endsWith("}")) throw new FormatError(`${where}: the header is not valid JSON: it must be one object padded with spaces only; it ends with ${JSON.stringify(text.slice(-16))} (damaged file, or a wrong header length)`);
  let header: unknown;
  try {
    header = JSON.parse(body);
  } catch (e) {
    throw new FormatError(`${where}: the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw new FormatError(`${where}: the header must be a JSON object`);
  const dup = duplicateKey(body);
  if (dup) throw new FormatError(`${where}: the header names key ${JSON.stringify(dup.key)} twice${dup.owner === null ? "" : ` (in ${JSON.stringify(dup.owner)})`}; JSON keeps only the last, so the file is ambiguous`);
  return header as Record<string, unknown>;
}

/**
 * The first key that appears twice in one object of already-valid JSON text, with the key of the
 * object it is in (null at the top level). JSON.parse silently keeps the last copy.
 */
export function duplicateKey(text: string): { key: string; owner: string | null } | null {
  const stack: { keys: Set<string>; owner: string | null }[] = [];
  const arrays: boolean[] = [];
  let lastKey: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") { stack.push({ keys: new Set(), owner: lastKey }); arrays.push(false); }
    else if (c === "[") arrays.push(true);
    else if (c === "}") { stack.pop(); arrays.pop(); }
    else if (c === "]") arrays.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      let k = j + 1;
      while (text[k] === " " || text[k] === "\n" || text[k] === "\r" || text[k] === "\t") k++;
      if (text[k] === ":" && arrays[arrays.length - 1] === false) {
        const key = JSON.parse(text.slice(i, j + 1)) as string, top = stack[stack.length - 1]!;
        if (top.keys.has(key)) return { key, owner: top.owner };
        top.keys.add(key);
        lastKey = key;
      }
      i = j;
    }
  }
  return null;
}

function checkMetadata(where: string, m: unknown): Record<string, string> {
  if (m === null || typeof m !== "object" || Array.isArray(m)) throw new FormatError(`${where}: __metadata__ must be an object mapping names to strings, got ${JSON.stringify(m)?.slice(0, 60)}`);
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== "string") throw new FormatError(`${where}: __metadata__ must map names to strings; ${JSON.stringify(k)} is ${JSON.stringify(v)?.slice(0, 60)}`);
  }
  return m as Record<string, string>;
}

function checkEntry(where: string, name: string, e: unknown): Entry {
  const w = `${where}: tensor ${JSON.stringify(name)}`;
  if (e === null || typeof e !== "object" || Array.isArray(e)) throw new FormatError(`${w}: expected an object {dtype, shape, data_offsets}, got ${JSON.stringify(e)?.slice(0, 60)}`);
  const extra = Object.keys(e).filter((k) => !ENTRY_KEYS.has(k));
  if (extra.length) throw new FormatError(`${w}: unexpected key ${extra.map((k) => JSON.stringify(k)).join(", ")}; an entry has only dtype, shape and data_offsets`);
  const t = e as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const dtype = t.dtype as SafeDType;
  if (typeof dtype !== "string" || !Object.hasOwn(BYTES, dtype)) throw new FormatError(`${w}: unsupported dtype ${JSON.stringify(t.dtype)} (supported: ${Object.keys(BYTES).join(", ")})`);
  const shape = t.shape;
  if (!Array.isArray(shape) || shape.length > MAX_RANK || shape.some((d) => !Number.isInteger(d) || d < 0 || d > MAX_DIM)) {
    throw new FormatError(`${w}: bad shape ${JSON.stringify(shape)?.slice(0, 80)} (expected at most ${MAX_RANK} integer dimensions in 0..${MAX_DIM})`);
  }
  const off = t.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((v) => Number.isSafeInteger(v) && v >= 0) || off[0] > off[1]) {
    throw new FormatError(`${w}: bad data_offsets ${JSON.stringify(off)?.slice(0, 80)} (expected [begin, end], integers with 0 ≤ begin ≤ end)`);
  }
  const [begin, end] = off as [number, number];
  const count = (shape as number[]).reduce((a, b) => a * b, 1), need = count * BYTES[dtype];
  if (end - begin !== need) {
    throw new FormatError(`${w}: size does not match its shape: [${shape.join(", ")}] ${dtype} needs ${need} bytes, the offsets [${begin}, ${end}] give ${end - begin}`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** The tensors, sorted by their first byte, must tile the data buffer: no gap, no overlap, nothing left over. */
function checkCoverage(where: string, entries: readonly Entry[], size: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0, prev: Entry | null = null;
  for (const e of sorted) {
    const span = `bytes ${e.begin}..${e.end}`;
    if (e.begin < at) throw new FormatError(`${where}: tensor ${JSON.stringify(e.name)} (${span}) overlaps tensor ${JSON.stringify(prev!.name)} (bytes ${prev!.begin}..${prev!.end}); tensors must not share bytes`);
    if (e.begin > at) throw new FormatError(`${where}: bytes ${at}..${e.begin} of the data belong to no tensor (the next, ${JSON.stringify(e.name)}, begins at ${e.begin}); tensors must cover the data without gaps`);
    if (e.end > size) throw new FormatError(`${where}: tensor ${JSON.stringify(e.name)} ends at byte ${e.end} but the data has only ${size} bytes (truncated file, or a wrong header length)`);
    at = e.end;
    prev = e;
  }
  if (at !== size) {
    throw new FormatError(`${where}: the tensors cover ${at} bytes of data but the file has ${size} after the header (a wrong header length, or bytes added or cut)`);
  }
}

function readTensor(e: Entry, bytes: Uint8Array, base: number): SafeTensor {
  // copy into a fresh, aligned buffer: the returned arrays never alias the input bytes. Uint8Array's
  // own slice, not the argument's: a Node Buffer's slice is a view into the whole file's memory
  const raw = Uint8Array.prototype.slice.call(bytes, base + e.begin, base + e.end), d = e.dtype;
  const data = d === "F32" ? new Float32Array(raw.buffer) : d === "F64" ? new Float64Array(raw.buffer) : d === "I32" ? new Int32Array(raw.buffer)
    : d === "I64" ? new BigInt64Array(raw.buffer) : raw;
  return { dtype: d, shape: e.shape, data };
}
