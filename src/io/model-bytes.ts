/**
 * The native model file's bytes, below the Model class (so Model.toBytes/fromBytes and
 * io/model-file.ts import this one way): safetensors holding every parameter block under its model
 * name ("1.recurrent.layer0.forward.U"), with the whole model spec as JSON in the metadata.
 * readModelBytes checks the container and the spec against the model schema (model/schema.ts: a
 * message names the field); fillModelParams checks every tensor against the built network (names,
 * dtype, shape) and refuses NaN / ±Infinity values unless `allowNonFinite`.
 */
import { FormatError } from "../errors/index.js";
import type { Sequential } from "../layers/sequential.js";
import type { ModelSpec } from "../model/model.js";
import { checkModelSpec } from "../model/schema.js";
import { checkFinite, type NonFiniteOption } from "./finite.js";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "./safetensors.js";

export const MODEL_FORMAT = "gated-model";

export function encodeModelBytes(spec: ModelSpec, net: Sequential): Uint8Array {
  return encodeSafetensors(
    net.entries.map((e) => [e.name, { shape: e.shape, data: net.params.subarray(e.offset, e.offset + e.size) }]),
    { format: MODEL_FORMAT, model: JSON.stringify(spec), dtype: net.dtype },
  );
}

export interface ModelBytes {
  readonly spec: ModelSpec;
  readonly dtype: "float32" | "float64";
  readonly tensors: ReadonlyMap<string, SafeTensor>;
}

export function readModelBytes(bytes: Uint8Array, where: string): ModelBytes {
  const f = decodeSafetensors(bytes, where);
  if (f.metadata.format !== MODEL_FORMAT) {
    throw new FormatError(`${where}: not a gated model (metadata format is ${JSON.stringify(f.metadata.format ?? null)}, expected "${MODEL_FORMAT}")`);
  }
  let json: unknown;
  try {
    json = JSON.parse(f.metadata.model ?? "");
  } catch {
    throw new FormatError(`${where}: the model configuration in the metadata is missing or not JSON`);
  }
  const spec = checkModelSpec<ModelSpec>(json, where, FormatError);
  const dtype = f.metadata.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new FormatError(`${where}: metadata dtype: expected "float32" | "float64", got ${JSON.stringify(dtype)}`);
  return { spec, dtype, tensors: f.tensors };
}

/** What holds parameters in one flat buffer with named entries: a Sequential, a Seq2seq. */
export interface ParamHolder {
  readonly dtype: "float32" | "float64";
  readonly params: Float32Array | Float64Array;
  readonly entries: readonly { readonly name: string; readonly shape: readonly number[]; readonly offset: number }[];
  markChanged(): void;
}

/** Every entry's tensor, of the holder's dtype and shape, finite; no tensor left over. `what` names the holder in messages. */
export function fillModelParams(where: string, net: ParamHolder, tensors: ReadonlyMap<string, SafeTensor>, opts: NonFiniteOption = {}, what = "model"): void {
  const want = net.dtype === "float64" ? "F64" : "F32";
  const names = new Set(net.entries.map((e) => e.name));
  for (const name of tensors.keys()) if (!names.has(name)) throw new FormatError(`${where}: unexpected tensor "${name}" (not a parameter of this ${what})`);
  for (const e of net.entries) {
    const t = tensors.get(e.name);
    if (!t) throw new FormatError(`${where}: missing tensor "${e.name}"`);
    if (t.dtype !== want) throw new FormatError(`${where}: tensor "${e.name}" is ${t.dtype}, expected ${want}`);
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      throw new FormatError(`${where}: tensor "${e.name}" has shape [${t.shape.join(", ")}], the model needs [${e.shape.join(", ")}]`);
    }
    if (opts.allowNonFinite !== true) checkFinite(where, e.name, t.data as Float32Array);
    net.params.set(t.data as Float32Array, e.offset);
  }
  net.markChanged();
}
