/**
 * HDF5 files held in memory, through h5wasm (the HDF5 C library in WebAssembly; its in-memory
 * file system works in browsers and Node alike). Format facts relied on: an HDF5 file starts with
 * the 8-byte signature \x89HDF\r\n\x1a\n at offset 0 (or at 512, 1024, 2048… after a user block);
 * Keras stores weights as float32 datasets and its metadata as string attributes (a JSON string
 * in the root attribute "model_config" of a legacy full-model file; string arrays in
 * "layer_names" / "weight_names"). Reading collects every float dataset and every attribute of
 * the root and of each group; every failure of the library on a damaged file becomes a
 * FormatError; dataset sizes are checked before reading; the library's stderr is silenced.
 */
import { FormatError } from "../../errors/index.js";
import { isMissingModule, MissingPackageError } from "../../errors/missing-package.js";

export interface H5Tensor { readonly shape: readonly number[]; readonly data: Float32Array }
export type H5Attr = string | number | boolean | readonly (string | number | boolean)[] | null;

/** What gated reads of an HDF5 file: float datasets and attributes, by path ("" is the root). */
export interface H5Contents {
  readonly datasets: ReadonlyMap<string, H5Tensor>;
  readonly attrs: ReadonlyMap<string, Readonly<Record<string, H5Attr>>>;
}

const MAX_VALUES = 1 << 26;
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The part of h5wasm's File that gated calls directly (the rest is reached through Node and the
 * writer's WGroup). Declared here, not imported from h5wasm, so that gated's declarations do not
 * name the optional package: a TypeScript user without h5wasm type-checks with skipLibCheck off.
 */
export interface H5File { close(): void }

export interface H5Lib {
  readonly FS: { writeFile(p: string, d: Uint8Array): void; readFile(p: string): Uint8Array; unlink(p: string): void };
  readonly File: new (path: string, mode: "r" | "w") => H5File;
}
let lib: Promise<H5Lib> | null = null;
let counter = 0;

/** Whether the bytes are an HDF5 file (its signature at 0 or at a user-block offset). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length && at <= 1 << 20; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

/**
 * Loads the library on first use (4 MB of WebAssembly that only Keras files need). h5wasm is an
 * optional peer dependency: when it is not installed, a MissingPackageError says what to install
 * (and the next call tries again).
 */
export function h5Lib(): Promise<H5Lib> {
  lib ??= import("h5wasm").then(async ({ default: h5wasm }) => {
    const m = await h5wasm.ready;
    const FS = m.FS as unknown as H5Lib["FS"] & { getStream(fd: number): { stream_ops: Record<string, unknown> } | null };
    const err = FS.getStream(2);
    if (err) err.stream_ops = { ...err.stream_ops, write: (_s: unknown, _b: unknown, _o: number, len: number) => len };
    return { FS, File: h5wasm.File as unknown as H5Lib["File"] };
  }, (e: unknown) => {
    lib = null;
    if (isMissingModule(e, "h5wasm")) throw new MissingPackageError("reading and writing Keras files (.keras, .h5)", "h5wasm");
    throw e;
  });
  return lib;
}

/** A unique path in the library's in-memory file system. */
export function scratchPath(): string {
  return `/gated-${counter++}.h5`;
}

/** Every float dataset and every group attribute of the file. */
export async function readH5(bytes: Uint8Array, where: string): Promise<H5Contents> {
  const { FS, File } = await h5Lib();
  const path = scratchPath();
  FS.writeFile(path, bytes);
  try {
    let file: H5File;
    try {
      file = new File(path, "r");
    } catch (e) {
      throw new FormatError(`${where}: not a readable HDF5 file (${(e as Error).message})`);
    }
    try {
      const out = { datasets: new Map<string, H5Tensor>(), attrs: new Map<string, Record<string, H5Attr>>() };
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

/** Every float dataset of the file by path ("layers/gru/cell/vars/0"). */
export async function readH5Floats(bytes: Uint8Array, where: string): Promise<Map<string, H5Tensor>> {
  return new Map((await readH5(bytes, where)).datasets);
}

type Node = {
  type: string; keys?(): string[]; get?(k: string): Node | null; shape?: number[] | null; value?: unknown;
  attrs?: Record<string, { value: unknown }>;
};

function attrsOf(g: Node): Record<string, H5Attr> {
  const out: Record<string, H5Attr> = {};
  for (const [k, a] of Object.entries(g.attrs ?? {})) {
    const v = a.value;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string | number | boolean => ["string", "number", "boolean"].includes(typeof x));
    else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) out[k] = Array.from(v as unknown as ArrayLike<number>);
    else out[k] = null;
  }
  return out;
}

function walk(g: Node, prefix: string, out: { datasets: Map<string, H5Tensor>; attrs: Map<string, Record<string, H5Attr>> }, where: string, depth: number): void {
  if (depth > 32) throw new FormatError(`${where}: HDF5 groups nested more than 32 deep`);
  out.attrs.set(prefix, attrsOf(g));
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
      out.datasets.set(p, { shape, data: Float32Array.from(v) });
    }
  }
}
