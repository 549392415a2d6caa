/**
 * The IDX format of the MNIST files (yann.lecun.com/exdb/mnist): a magic number 0x00 0x00 <type>
 * <rank>, then rank dimensions as big-endian uint32, then the values, row-major. Only type 0x08
 * (unsigned byte) is read — the type of every MNIST file (images 0x00000803, labels 0x00000801).
 */
import { FormatError } from "../errors/index.js";

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array; // row-major, product(dims) values
}

const TYPES: Record<number, string> = { 0x08: "uint8", 0x09: "int8", 0x0b: "int16", 0x0c: "int32", 0x0d: "float32", 0x0e: "float64" };

/** Parses an IDX file; `where` (e.g. the file name) begins every error message. */
export function parseIdx(bytes: Uint8Array, where = "idx"): IdxArray {
  if (bytes.length < 4) throw new FormatError(`${where}: truncated IDX file: ${bytes.length} bytes, expected at least the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new FormatError(`${where}: not an IDX file: magic number starts 0x${hex(bytes[0]!)} 0x${hex(bytes[1]!)}, expected 0x00 0x00`);
  }
  const type = bytes[2]!, rank = bytes[3]!;
  if (type !== 0x08) {
    throw new FormatError(`${where}: IDX value type 0x${hex(type)} (${TYPES[type] ?? "unknown"}) is not supported; expected 0x08 (uint8)`);
  }
  if (rank === 0) throw new FormatError(`${where}: IDX rank 0, expected at least one dimension`);
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new FormatError(`${where}: truncated IDX file: ${bytes.length} bytes, the header of rank ${rank} needs ${header}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, d) => view.getUint32(4 + 4 * d, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - header;
  if (have !== size) {
    const what = have < size ? "truncated IDX file" : "corrupt IDX file";
    throw new FormatError(`${where}: ${what}: dimensions [${dims.join(", ")}] need ${size} bytes of data after the ${header}-byte header, got ${have}`);
  }
  return { dims, data: bytes.subarray(header) };
}

const hex = (b: number) => b.toString(16).padStart(2, "0");
