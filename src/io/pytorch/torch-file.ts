/**
 * PyTorch's own files, read without Python:
 *   - torch.save(obj, f) (zip, the default since 1.6): "<archive>/data.pkl" (the pickled object,
 *     protocol 2), "<archive>/data/<key>" (one raw little-endian storage per key, stored uncompressed),
 *     "<archive>/byteorder" ("little"), "<archive>/version". Tensors in the pickle are
 *     torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])
 *     with storage the persistent id ("storage", <torch.FloatStorage…>, key, location, numel).
 *   - The legacy format (torch.save(..., _use_new_zipfile_serialization=False)): four pickles in a row
 *     (magic number 0x1950a86a20f9469cfc6c, protocol version 1001, system info, the object, whose storage
 *     ids are ("storage", type, key, location, numel, view)), a pickled list of storage keys, then per
 *     key an 8-byte little-endian element count and the raw data.
 *   - TorchScript archives (torch.jit.save): the same zip with "code/" and "constants.pkl"; the modules
 *     in data.pkl are "__torch__.<module path>.<class>" objects whose state holds their parameters;
 *     constant hyper-parameters (hidden_size, mode…) are in the code, as `name : Final[T] = value`.
 * The object is a state dict (a dict of tensors, nested dicts flattened with "."), or a whole module
 * (torch.save(model), TorchScript): then `modules` lists every submodule with its class and
 * attributes, and the tensors are its parameters and buffers under their state-dict names.
 * dtypes: float32, float64, float16, bfloat16 (read as float32; gated computes in float32); others are
 * kept only as a count, so a module's integer buffers (BatchNorm's num_batches_tracked) do not stop
 * the import but cannot become weights.
 */
import { FormatError } from "../../errors/index.js";
import { readZip as unzipChecked } from "../zip.js";
import { PyTuple, isGlobal, qualName, unpickle, type PickleHooks, type PyGlobal } from "./pickle.js";

export type TorchDType = "float32" | "float64" | "float16" | "bfloat16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";
const SIZE: Record<TorchDType, number> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };
const STORAGES: Record<string, TorchDType> = {
  FloatStorage: "float32", DoubleStorage: "float64", HalfStorage: "float16", BFloat16Storage: "bfloat16",
  LongStorage: "int64", IntStorage: "int32", ShortStorage: "int16", CharStorage: "int8", ByteStorage: "uint8", BoolStorage: "bool",
};

export interface TorchFileTensor {
  readonly shape: readonly number[];
  readonly dtype: TorchDType;
  /** The values as float32 (float dtypes only; null for integer tensors). */
  readonly data: Float32Array | null;
}
export interface TorchModuleInfo {
  /** Dotted path of the module in the model ("" for the top). */
  readonly path: string;
  /** Class name without the module path: "GRU", "Linear", "LastState". */
  readonly type: string;
  /** Full class name: "torch.nn.modules.rnn.GRU", "__main__.LastState". */
  readonly qualName: string;
  /** Plain attributes (numbers, strings, booleans) from the pickled state or TorchScript constants. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Names of its direct submodules, in registration order. */
  readonly children: readonly string[];
}
export interface TorchFile {
  readonly kind: "state-dict" | "module" | "torchscript";
  readonly tensors: ReadonlyMap<string, TorchFileTensor>;
  readonly modules: readonly TorchModuleInfo[];
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const PICKLE2 = [0x80, 0x02];
export const isTorchZip = (b: Uint8Array) => ZIP.every((v, i) => b[i] === v);
export const isTorchLegacy = (b: Uint8Array) => PICKLE2.every((v, i) => b[i] === v);

interface Storage { readonly kind: "storage"; readonly dtype: TorchDType; readonly bytes: Uint8Array; readonly key: string }
interface Tensor { readonly kind: "tensor"; readonly storage: Storage; readonly offset: number; readonly size: number[]; readonly stride: number[] }
interface PyObject { readonly kind: "object"; readonly cls: PyGlobal; state: unknown }

/** Reads a .pt / .pth file (zip or legacy) or a TorchScript archive. */
export function readTorchFile(bytes: Uint8Array, where: string): TorchFile {
  if (isTorchZip(bytes)) return readZip(bytes, where);
  if (isTorchLegacy(bytes)) return readLegacy(bytes, where);
  throw new FormatError(`${where}: not a PyTorch file (a torch.save zip starts with "PK", a legacy one with pickle protocol 2)`);
}

function readZip(bytes: Uint8Array, where: string): TorchFile {
  // the code's debug tables (TorchScript) are not read; everything else is checked
  const files = unzipChecked(bytes, where, (n) => !n.endsWith(".debug_pkl"));
  const pkl = Object.keys(files).filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkl.length !== 1) throw new FormatError(`${where}: a torch.save archive holds one "<name>/data.pkl"; this one has ${pkl.length} (${Object.keys(files).slice(0, 5).join(", ")}${Object.keys(files).length > 5 ? ", …" : ""})`);
  const root = pkl[0]!.slice(0, -"data.pkl".length);
  const order = files[`${root}byteorder`];
  if (order && new TextDecoder().decode(order).trim() !== "little") throw new FormatError(`${where}: the tensors are stored big-endian; gated reads little-endian files`);
  const torchscript = Object.keys(files).some((n) => n.startsWith(`${root}code/`));
  const hooks = torchHooks(where, (pid) => {
    const [tag, type, key, , numel] = pid;
    if (tag !== "storage" || typeof key !== "string") throw new FormatError(`${where}: unknown persistent id ${JSON.stringify(tag)}`);
    const data = files[`${root}data/${key}`];
    if (!data) throw new FormatError(`${where}: storage "${key}" is missing from the archive (truncated file?)`);
    return storageOf(where, type, key, data, numel);
  });
  const { value } = unpickle(files[pkl[0]!]!, hooks, `${where} ${pkl[0]}`);
  const constants = torchscript ? scriptConstants(files, root) : new Map<string, Record<string, unknown>>();
  return collect(where, value, torchscript ? "torchscript" : null, constants);
}

function readLegacy(bytes: Uint8Array, where: string): TorchFile {
  const pending: { s: { key: string; dtype: TorchDType; numel: number; bytes: Uint8Array } }[] = [];
  const plain: PickleHooks = { call: (f) => { throw new FormatError(`${where}: the legacy header calls ${qualName(f)}`); }, build: (o) => o, persistent: () => null };
  let r = unpickle(bytes, plain, where, 0);
  if (r.value !== 119547037146038801333356n) throw new FormatError(`${where}: not a legacy torch.save file (bad magic number)`);
  r = unpickle(bytes, plain, where, r.end);
  if (r.value !== 1001) throw new FormatError(`${where}: legacy torch.save protocol ${String(r.value)}; gated reads 1001`);
  r = unpickle(bytes, plain, where, r.end);
  const info = r.value;
  if (info instanceof Map && info.get("little_endian") === false) throw new FormatError(`${where}: the tensors are stored big-endian; gated reads little-endian files`);
  const storages = new Map<string, { key: string; dtype: TorchDType; numel: number; bytes: Uint8Array }>();
  const hooks = torchHooks(where, (pid) => {
    const [tag, type, key, , numel, view] = pid;
    if (tag !== "storage" || typeof key !== "string") throw new FormatError(`${where}: unknown persistent id ${JSON.stringify(tag)}`);
    if (view !== null && view !== undefined) throw new FormatError(`${where}: storage views (files from PyTorch before 1.0) are not read; load and save the file again with a recent PyTorch`);
    let s = storages.get(key);
    if (!s) {
      const dtype = dtypeOfStorage(where, type);
      s = { key, dtype, numel: Number(numel), bytes: new Uint8Array(0) };
      storages.set(key, s);
      pending.push({ s });
    }
    return s;
  });
  r = unpickle(bytes, hooks, where, r.end);
  const obj = r.value;
  const keys = unpickle(bytes, plain, where, r.end);
  if (!Array.isArray(keys.value) || keys.value.some((k) => typeof k !== "string")) throw new FormatError(`${where}: the list of storage keys is damaged`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = keys.end;
  for (const key of keys.value as string[]) {
    if (p + 8 > bytes.length) throw new FormatError(`${where}: storage "${key}" is missing (truncated file)`);
    const n = Number(view.getBigInt64(p, true));
    p += 8;
    const s = storages.get(key);
    const size = s ? SIZE[s.dtype] : 1;
    if (n < 0 || p + n * size > bytes.length) throw new FormatError(`${where}: storage "${key}" declares ${n} elements; the file has ${Math.floor((bytes.length - p) / size)} left (truncated file)`);
    if (s) s.bytes = bytes.slice(p, p + n * size);
    p += n * size;
  }
  for (const { s } of pending) if (s.bytes.length === 0 && s.numel > 0) throw new FormatError(`${where}: storage "${s.key}" has no data`);
  // the tensors refer to their storages, filled only now: materialise them after
  return collect(where, obj, null, new Map());
}

function dtypeOfStorage(where: string, type: unknown): TorchDType {
  const t = isGlobal(type) && type.module === "torch" ? STORAGES[type.name] : undefined;
  if (!t) throw new FormatError(`${where}: storage type ${isGlobal(type) ? qualName(type) : JSON.stringify(type)} is not one gated reads (${Object.keys(STORAGES).join(", ")})`);
  return t;
}

function storageOf(where: string, type: unknown, key: string, data: Uint8Array, numel: unknown): Storage {
  const dtype = dtypeOfStorage(where, type);
  if (typeof numel === "number" && data.length !== numel * SIZE[dtype]) throw new FormatError(`${where}: storage "${key}" holds ${data.length} bytes; ${numel} ${dtype} values need ${numel * SIZE[dtype]}`);
  return { kind: "storage", dtype, bytes: data, key };
}

const TENSOR_FNS = new Set(["torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor"]);
const PARAM_FNS = new Set(["torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state"]);
const PASS_FNS = new Set(["torch.jit._pickle.restore_type_tag"]);
const LIST_FNS = new Set(["torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist"]);

/** What a state dict or a module pickle may call; everything else is refused by name. */
function torchHooks(where: string, persistent: (pid: unknown[]) => unknown): PickleHooks {
  return {
    call(f, args, newobj) {
      const q = qualName(f);
      if (newobj) return { kind: "object", cls: f, state: null } satisfies PyObject;
      if (q === "collections.OrderedDict") return new Map(Array.isArray(args[0]) ? (args[0] as unknown[][]).map((kv) => [kv[0], kv[1]]) : []);
      if (q === "builtins.set" || q === "__builtin__.set") return new Set(Array.isArray(args[0]) ? args[0] : []);
      if (TENSOR_FNS.has(q)) return tensorOf(where, args);
      if (PARAM_FNS.has(q)) return args[0];
      if (PASS_FNS.has(q)) return args[0];
      if (LIST_FNS.has(q)) return args[0];
      if (q === "torch.Size") return args[0];
      if (q === "copyreg._reconstructor" && isGlobal(args[0])) return { kind: "object", cls: args[0], state: null } satisfies PyObject;
      throw new FormatError(`${where}: the pickle calls ${q}, which is not part of a state dict or module; gated reads tensors and modules only and never runs code from a file`);
    },
    build(obj, state) {
      if (typeof obj === "object" && obj !== null && (obj as PyObject).kind === "object") { (obj as PyObject).state = state; return obj; }
      if (obj instanceof Map) return obj; // OrderedDict's BUILD sets attributes such as _metadata: ignored
      if (typeof obj === "object" && obj !== null && (obj as Tensor).kind === "tensor") return obj; // a Parameter's state
      throw new FormatError(`${where}: BUILD on a value that is not an object`);
    },
    persistent(pid) {
      if (!(pid instanceof PyTuple)) throw new FormatError(`${where}: a persistent id is not a tuple`);
      return persistent(pid);
    },
  };
}

function tensorOf(where: string, args: readonly unknown[]): Tensor {
  const [storage, offset, size, stride] = args;
  const s = storage as Storage;
  if (typeof s !== "object" || s === null || typeof s.dtype !== "string") throw new FormatError(`${where}: a tensor's storage is missing`);
  const ints = (v: unknown) => Array.isArray(v) && v.every((d) => Number.isInteger(d) && (d as number) >= 0);
  if (!Number.isInteger(offset) || (offset as number) < 0 || !ints(size) || !ints(stride) || (size as number[]).length !== (stride as number[]).length) {
    throw new FormatError(`${where}: a tensor has a bad offset, size or stride (${JSON.stringify([offset, size, stride])})`);
  }
  return { kind: "tensor", storage: s, offset: offset as number, size: [...(size as number[])], stride: [...(stride as number[])] };
}

/** A tensor's values in row-major order, as float32 (strides and offsets applied, bounds checked). */
function materialise(where: string, name: string, t: Tensor): TorchFileTensor {
  const { dtype, bytes } = t.storage, n = t.size.reduce((a, b) => a * b, 1);
  const numel = Math.floor(bytes.length / SIZE[dtype]);
  const last = t.offset + t.size.reduce((s, d, i) => s + (d > 0 ? (d - 1) * t.stride[i]! : 0), 0);
  if (n > 0 && last >= numel) throw new FormatError(`${where}: tensor "${name}" reads element ${last} of a storage of ${numel}`);
  if (!dtype.startsWith("float") && dtype !== "bfloat16") return { shape: t.size, dtype, data: null };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = dtype === "float32" ? (i: number) => view.getFloat32(4 * i, true)
    : dtype === "float64" ? (i: number) => view.getFloat64(8 * i, true)
      : dtype === "float16" ? (i: number) => half(view.getUint16(2 * i, true))
        : (i: number) => bfloat(view.getUint16(2 * i, true));
  const out = new Float32Array(n), idx = new Array<number>(t.size.length).fill(0);
  for (let k = 0; k < n; k++) {
    let at = t.offset;
    for (let d = 0; d < idx.length; d++) at += idx[d]! * t.stride[d]!;
    out[k] = read(at);
    for (let d = idx.length - 1; d >= 0; d--) { if (++idx[d]! < t.size[d]!) break; idx[d] = 0; }
  }
  return { shape: t.size, dtype, data: out };
}

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
function bfloat(b: number): number { u32[0] = b << 16; return f32[0]!; }
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const isTensor = (v: unknown): v is Tensor => typeof v === "object" && v !== null && (v as Tensor).kind === "tensor";
const isObject = (v: unknown): v is PyObject => typeof v === "object" && v !== null && (v as PyObject).kind === "object";

/** The tensors (by state-dict name) and modules of an unpickled object. */
function collect(where: string, value: unknown, scripted: "torchscript" | null, constants: ReadonlyMap<string, Record<string, unknown>>): TorchFile {
  const tensors = new Map<string, TorchFileTensor>(), modules: TorchModuleInfo[] = [];
  const add = (name: string, t: Tensor) => tensors.set(name, materialise(where, name, t));
  if (value instanceof Map && !isObject(value)) {
    flattenDict(where, value, "", add, 0);
    return { kind: "state-dict", tensors, modules };
  }
  if (!isObject(value)) throw new FormatError(`${where}: the file holds ${describe(value)}, not a state dict or a module`);
  walkModule(where, value, "", add, modules, constants, 0);
  return { kind: scripted ?? "module", tensors, modules };
}

function flattenDict(where: string, d: Map<unknown, unknown>, prefix: string, add: (n: string, t: Tensor) => void, depth: number): void {
  if (depth > 16) throw new FormatError(`${where}: dicts nested more than 16 deep`);
  for (const [k, v] of d) {
    if (typeof k !== "string") throw new FormatError(`${where}: a state-dict key is ${describe(k)}, not a string`);
    const name = prefix + k;
    if (isTensor(v)) add(name, v);
    else if (v instanceof Map) flattenDict(where, v, `${name}.`, add, depth + 1);
    else if (typeof v === "number" || typeof v === "string" || typeof v === "boolean" || v === null) continue; // e.g. an epoch count saved beside the weights
    else throw new FormatError(`${where}: "${name}" holds ${describe(v)}; a state dict holds tensors`);
  }
}

const MODULE_SKIP = new Set(["_parameters", "_buffers", "_modules", "_non_persistent_buffers_set"]);

function walkModule(where: string, o: PyObject, path: string, add: (n: string, t: Tensor) => void, out: TorchModuleInfo[], constants: ReadonlyMap<string, Record<string, unknown>>, depth: number): void {
  if (depth > 64) throw new FormatError(`${where}: modules nested more than 64 deep`);
  const state = o.state instanceof Map ? o.state : new Map<unknown, unknown>();
  const pre = path ? `${path}.` : "";
  const attributes: Record<string, unknown> = { ...(constants.get(qualName(o.cls)) ?? {}) };
  const children: string[] = [];
  const submodules: [string, PyObject][] = [];
  const params = state.get("_parameters"), buffers = state.get("_buffers"), mods = state.get("_modules");
  const skipped = state.get("_non_persistent_buffers_set");
  for (const group of [params, buffers]) {
    if (!(group instanceof Map)) continue;
    for (const [k, v] of group) if (isTensor(v) && !(skipped instanceof Set && skipped.has(k))) add(pre + String(k), v);
  }
  if (mods instanceof Map) for (const [k, v] of mods) if (isObject(v)) submodules.push([String(k), v]);
  for (const [k, v] of state) {
    if (typeof k !== "string" || MODULE_SKIP.has(k)) continue;
    if (isTensor(v)) { if (!(params instanceof Map)) add(pre + k, v); continue; } // TorchScript: parameters are attributes
    if (isObject(v)) { if (!(mods instanceof Map)) submodules.push([k, v]); continue; }
    if (["number", "string", "boolean"].includes(typeof v)) attributes[k] = v;
  }
  out.push({ path, type: o.cls.name, qualName: qualName(o.cls), attributes, children: submodules.map(([k]) => k) });
  for (const [k, v] of submodules) {
    children.push(k);
    walkModule(where, v, pre + k, add, out, constants, depth + 1);
  }
}

/** TorchScript's constant attributes, `name : Final[T] = value`, per class ("__torch__.x.y.GRU"). */
function scriptConstants(files: Record<string, Uint8Array>, root: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [name, bytes] of Object.entries(files)) {
    if (!name.startsWith(`${root}code/`) || !name.endsWith(".py")) continue;
    const mod = name.slice(`${root}code/`.length, -3).replace(/\//g, ".");
    let cls: string | null = null;
    for (const line of new TextDecoder().decode(bytes).split("\n")) {
      const c = /^class (\w+)\(/.exec(line);
      if (c) { cls = `${mod}.${c[1]}`; out.set(cls, {}); continue; }
      const f = /^ {2}(\w+) : Final\[(\w+)\] = (.+)$/.exec(line);
      if (!cls || !f) continue;
      const [, k, type, raw] = f as unknown as [string, string, string, string];
      const v = type === "bool" ? raw === "True" : type === "str" ? raw.replace(/^"|"$/g, "") : Number(raw);
      out.get(cls)![k] = v;
    }
  }
  return out;
}

function describe(v: unknown): string {
  if (isObject(v)) return `an object of class ${qualName(v.cls)}`;
  if (Array.isArray(v)) return v instanceof PyTuple ? "a tuple" : "a list";
  if (v instanceof Map) return "a dict";
  return v === null ? "None" : typeof v;
}
