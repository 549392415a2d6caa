/**
 * ONNX external data: tensors whose bytes live in a separate file beside the model. torch.onnx's
 * default exporter (dynamo=True) writes every initializer over 256 bytes to "<model>.onnx.data".
 *
 * Format facts relied on (onnx.proto, TensorProto): data_location = EXTERNAL (1); external_data
 * holds key/value strings: "location" (a path relative to the model's folder, required),
 * "offset" (bytes, default 0), "length" (bytes, default: to the end of the file), "checksum"
 * (SHA-1, optional and not checked). The bytes are the tensor's raw_data (little-endian).
 *
 * This module is browser-safe: the bytes come from a resolver the caller supplies (in Node,
 * src/io/node/onnx-files.ts reads them from the model's folder, confined to it). Resolving copies
 * each tensor's bytes into its raw_data, so everything downstream sees an ordinary tensor.
 */
import { FormatError, GatedError } from "../../errors/index.js";
import { type GraphProto, type ModelProto, type TensorProto } from "./proto.js";
import { q } from "./quote.js";

/** The bytes of an external data file, by the location the model names (relative to the model). */
export type ExternalDataResolver = (location: string) => Uint8Array;

export interface OnnxLoadOptions {
  /** Load NaN / ±Infinity weights instead of refusing the model (for debugging a damaged model). */
  readonly allowNonFinite?: boolean;
  /** Supplies external data files; without it, a model with external tensors is refused. */
  readonly externalData?: ExternalDataResolver;
}

const EXTERNAL = 1;

export function isExternal(t: TensorProto): boolean {
  return (t.dataLocation ?? 0) === EXTERNAL || (t.externalData?.length ?? 0) > 0;
}

/** Every tensor of a graph and its subgraphs: initializers and tensor-valued attributes. */
function* tensorsOf(graph: GraphProto, depth = 0): Generator<TensorProto> {
  if (depth > 8) return;
  yield* graph.initializer ?? [];
  for (const node of graph.node ?? []) {
    for (const a of node.attribute ?? []) {
      if (a.t) yield a.t;
      yield* a.tensors ?? [];
      if (a.g) yield* tensorsOf(a.g, depth + 1);
      for (const g of a.graphs ?? []) yield* tensorsOf(g, depth + 1);
    }
  }
}

/** Number of external tensors in a model (0: nothing to resolve). */
export function countExternal(model: ModelProto): number {
  let n = 0;
  if (model.graph) for (const t of tensorsOf(model.graph)) if (isExternal(t)) n++;
  return n;
}

/** Reads the key/value entries of one external tensor, checking offset and length are integers. */
function entries(t: TensorProto, w: string): { location: string; offset: number; length: number | null } {
  const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? "", e.value ?? ""] as const));
  const location = kv.get("location") ?? "";
  if (!location) throw new FormatError(`${w} is stored externally but names no "location" (external_data keys: ${[...kv.keys()].join(", ") || "none"})`);
  const int = (key: string): number | null => {
    const v = kv.get(key);
    if (v === undefined || v === "") return null;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new FormatError(`${w}: external_data ${q(key)} must be a non-negative integer, got ${q(v)}`);
    return n;
  };
  return { location, offset: int("offset") ?? 0, length: int("length") };
}

/**
 * Replaces every external tensor's reference by its bytes (in place), read through `resolve`.
 * Each file is asked for once. Throws a FormatError naming the tensor and the file when the
 * model has external tensors but no resolver, the resolver fails (its message is kept), or a
 * tensor's bytes lie outside its file.
 */
export function resolveExternalData(model: ModelProto, where: string, resolve?: ExternalDataResolver): void {
  if (!model.graph) return;
  const files = new Map<string, Uint8Array>();
  for (const t of tensorsOf(model.graph)) {
    if (!isExternal(t)) continue;
    const w = `${where}: tensor ${q(t.name ?? "?")}`;
    if ((t.dataLocation ?? 0) !== EXTERNAL) throw new FormatError(`${w} has external_data entries but data_location ${t.dataLocation ?? 0} (DEFAULT); expected EXTERNAL (1)`);
    const { location, offset, length } = entries(t, w);
    if (!resolve) {
      throw new FormatError(`${w} keeps its data in the external file ${q(location)}, and no reader for external files was given; hint: load the model from its file (gated import / gated run, or importFile), or pass { externalData: (location) => bytes } to OnnxProgram.fromBytes`);
    }
    let file = files.get(location);
    if (!file) {
      try {
        file = resolve(location);
      } catch (e) {
        const why = e instanceof GatedError ? e.message : `reading external data file ${q(location)} failed: ${(e as Error).message}`;
        throw new FormatError(`${w}: ${why}`);
      }
      files.set(location, file);
    }
    const n = length ?? file.length - offset;
    if (offset + n > file.length || n < 0) {
      throw new FormatError(`${w}: its bytes [${offset}, ${offset + n}) lie outside the external file ${q(location)} (${file.length} bytes); the .data file may be truncated or belong to another export`);
    }
    t.rawData = file.slice(offset, offset + n);
    t.dataLocation = 0;
    t.externalData = [];
  }
}
