/**
 * Reading the float datasets of an HDF5 file held in memory, with h5wasm (the HDF5 C library in
 * WebAssembly; its in-memory file system works in browsers and Node alike). Every failure of the
 * library on a damaged file becomes a FormatError; dataset sizes are checked before reading, and
 * the library's own diagnostics (written to its stderr) are silenced.
 */
import type { File as H5File } from "h5wasm";
import { FormatError } from "../../errors/index.js";

export interface H5Tensor { readonly shape: readonly number[]; readonly data: Float32Array }

const MAX_VALUES = 1 << 26;
interface H5 {
  readonly FS: { writeFile(p: string, d: Uint8Array): void; unlink(p: string): void };
  readonly File: new (path: string, mode: "r") => H5File;
}
let lib: Promise<H5> | null = null;
let counter = 0;

/** Loads the library on first use (4 MB of WebAssembly that only .keras files need). */
function init(): Promise<H5> {
  lib ??= import("h5wasm").then(async ({ default: h5wasm }) => {
    const m = await h5wasm.ready;
    const FS = m.FS as unknown as H5["FS"] & { getStream(fd: number): { stream_ops: Record<string, unknown> } | null };
    const err = FS.getStream(2);
    if (err) err.stream_ops = { ...err.stream_ops, write: (_s: unknown, _b: unknown, _o: number, len: number) => len };
    return { FS, File: h5wasm.File };
  });
  return lib;
}

/** Every float dataset of the file by path ("layers/gru/cell/vars/0"). */
export async function readH5Floats(bytes: Uint8Array, where: string): Promise<Map<string, H5Tensor>> {
  const { FS, File } = await init();
  const path = `/gated-${counter++}.h5`;
  FS.writeFile(path, bytes);
  try {
    let file: H5File;
    try {
      file = new File(path, "r");
    } catch (e) {
      throw new FormatError(`${where}: not a readable HDF5 file (${(e as Error).message})`);
    }
    try {
      const out = new Map<string, H5Tensor>();
      walk(file as unknown as Node, "", out, where, 0);
      return out;
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError(`${where}: the HDF5 file is damaged (${(e as Error).message})`);
    } finally {
      file.close();
    }
  } finally {
    FS.unlink(path);
  }
}

type Node = { type: string; keys?(): string[]; get?(k: string): Node | null; shape?: number[] | null; dtype?: unknown; value?: unknown; metadata?: { type?: number } };

function walk(g: Node, prefix: string, out: Map<string, H5Tensor>, where: string, depth: number): void {
  if (depth > 32) throw new FormatError(`${where}: HDF5 groups nested more than 32 deep`);
  for (const k of g.keys!()) {
    const e = g.get!(k);
    const p = prefix ? `${prefix}/${k}` : k;
    if (!e) continue;
    if (e.type === "Group") walk(e, p, out, where, depth + 1);
    else if (e.type === "Dataset") {
      const shape = e.shape ?? [];
      const n = shape.reduce((a, b) => a * b, 1);
      if (!(n <= MAX_VALUES)) throw new FormatError(`${where}: dataset "${p}" declares ${n} values`);
      const v = e.value;
      if (!(v instanceof Float32Array || v instanceof Float64Array) || v.length !== n) {
        throw new FormatError(`${where}: dataset "${p}" must hold ${n} float values, got ${v instanceof Object ? v.constructor.name : typeof v}`);
      }
      out.set(p, { shape, data: Float32Array.from(v) });
    }
  }
}
