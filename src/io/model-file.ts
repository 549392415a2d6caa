/**
 * The native model file: safetensors holding every parameter block under its model name
 * ("1.recurrent.layer0.forward.U"), with the whole model spec (layers, every cell convention,
 * shapes, task, normalisation statistics, vocabulary) as JSON in the metadata. One file is the
 * whole model. Loading checks the spec against the model schema (model/schema.ts: a message names
 * the field), builds the model without random initialisation, checks every tensor against the
 * spec and refuses NaN / ±Infinity values (unless `allowNonFinite`), and either returns a
 * complete model or throws a FormatError. The bytes themselves are io/model-bytes.ts, which Model
 * uses for toBytes/fromBytes; these two functions are the same, by name.
 */
import { Model } from "../model/model.js";
import type { NonFiniteOption } from "./finite.js";
import type { Precision } from "../model/precision.js";

export { MODEL_FORMAT } from "./model-bytes.js";

export function encodeModel(model: Model): Uint8Array {
  return model.toBytes();
}

export function decodeModel(bytes: Uint8Array, where = "model file", opts: NonFiniteOption & { precision?: Precision } = {}): Model {
  return Model.fromBytes(bytes, { ...opts, where });
}
