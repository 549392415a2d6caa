/**
 * The native model file: safetensors holding every parameter block under its model name
 * ("1.recurrent.layer0.forward.U"), with the whole model spec (layers, every cell convention,
 * shapes, task, normalisation statistics, vocabulary) as JSON in the metadata. One file is the
 * whole model. Loading checks the spec against the model schema (model/schema.ts: a message names
 * the field), builds the model without random initialisation, checks every tensor against the
 * spec and refuses NaN / ±Infinity values (unless `allowNonFinite`), and either returns a
 * complete model or throws a FormatError.
 */
import { FormatError, GatedError } from "../errors/index.js";
import { Model, type ModelSpec } from "../model/model.js";
import { checkModelSpec } from "../model/schema.js";
import { checkFinite, type NonFiniteOption } from "./finite.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";

const FORMAT = "gated-model";

export function encodeModel(model: Model): Uint8Array {
  const net = model.net;
  return encodeSafetensors(
    net.entries.map((e) => [e.name, { shape: e.shape, data: net.params.subarray(e.offset, e.offset + e.size) }]),
    { format: FORMAT, model: JSON.stringify(model.spec), dtype: net.dtype },
  );
}

export function decodeModel(bytes: Uint8Array, where = "model file", opts: NonFiniteOption = {}): Model {
  const f = decodeSafetensors(bytes, where);
  if (f.metadata.format !== FORMAT) {
    throw new FormatError(`${where}: not a gated model (metadata format is ${JSON.stringify(f.metadata.format ?? null)}, expected "${FORMAT}")`);
  }
  let json: unknown;
  try {
    json = JSON.parse(f.metadata.model ?? "");
  } catch {
    throw new FormatError(`${where}: the model configuration in the metadata is missing or not JSON`);
  }
  const spec = checkModelSpec<ModelSpec>(json, where, FormatError);
  const dtypeName = f.metadata.dtype ?? "float32";
  if (dtypeName !== "float32" && dtypeName !== "float64") throw new FormatError(`${where}: metadata dtype: expected "float32" | "float64", got ${JSON.stringify(dtypeName)}`);
  const dtype = dtypeName;
  let model: Model;
  try {
    model = new Model(spec, { dtype, init: "none" });
  } catch (e) {
    if (e instanceof GatedError) throw new FormatError(`${where}: invalid model configuration: ${e.message}`);
    throw e;
  }
  const net = model.net, want = dtype === "float64" ? "F64" : "F32";
  const names = new Set(net.entries.map((e) => e.name));
  for (const name of f.tensors.keys()) if (!names.has(name)) throw new FormatError(`${where}: unexpected tensor "${name}" (not a parameter of this model)`);
  for (const e of net.entries) {
    const t = f.tensors.get(e.name);
    if (!t) throw new FormatError(`${where}: missing tensor "${e.name}"`);
    if (t.dtype !== want) throw new FormatError(`${where}: tensor "${e.name}" is ${t.dtype}, expected ${want}`);
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      throw new FormatError(`${where}: tensor "${e.name}" has shape [${t.shape.join(", ")}], the model needs [${e.shape.join(", ")}]`);
    }
    if (opts.allowNonFinite !== true) checkFinite(where, e.name, t.data as Float32Array);
    net.params.set(t.data as Float32Array, e.offset);
  }
  net.markChanged();
  return model;
}
