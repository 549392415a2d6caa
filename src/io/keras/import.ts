/**
 * Any Keras file, told apart by its content (not its name). Format facts relied on:
 *   .keras archive         a zip: bytes start "PK\x03\x04"; holds config.json + model.weights.h5.
 *   legacy full model .h5  HDF5 (signature \x89HDF\r\n\x1a\n) with a root "model_config" attribute.
 *   .weights.h5            HDF5 without "model_config", variables under "layers/…/vars/<i>"
 *                          (Keras 3 save_weights). It holds no architecture: it is read together
 *                          with a configuration given as `config` (API) / `--config` (CLI):
 *                          a .keras archive, a legacy .h5 full model, or JSON text (config.json,
 *                          model.to_json()), as bytes, a string or a parsed object.
 *   Keras 2 .weights.h5 / .h5 weights-only files ("layer_names" at the root, no model_config)
 *   are refused: their variables are found by layer name, which only the original config gives,
 *   and gated reads them only as full models.
 */
import { FormatError, OptionError } from "../../errors/index.js";
import { isHdf5, readH5, type H5Contents } from "./hdf5.js";
import { importKeras3, keras3Config, keras3WeightsToModel, parseJson } from "./keras3.js";
import { isLegacyFullModel, legacyToModel } from "./legacy-h5.js";
import type { KerasImport } from "./to-model.js";
import type { NonFiniteOption } from "../finite.js";

/** The model configuration for a weights-only file: file bytes, JSON text, or a parsed object. */
export type KerasConfigInput = Uint8Array | string | Readonly<Record<string, unknown>>;

export interface KerasImportOptions extends NonFiniteOption {
  /** For a .weights.h5 file: the model's configuration (.keras, legacy .h5, or config JSON). */
  readonly config?: KerasConfigInput;
  /** Names the file in messages. */
  readonly where?: string;
  /** Names the configuration in messages (its path). */
  readonly configWhere?: string;
}

export type KerasFileKind = "keras-archive" | "hdf5" | "json" | "unknown";

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** What a Keras file is, from its first bytes. */
export function kerasFileKind(bytes: Uint8Array): KerasFileKind {
  if (isZip(bytes)) return "keras-archive";
  if (isHdf5(bytes)) return "hdf5";
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  return bytes[i] === 0x7b ? "json" : "unknown";
}

/** The configuration given for a weights file, parsed. */
async function configOf(input: KerasConfigInput, where: string): Promise<unknown> {
  if (typeof input === "string") return parseJson(where, input, "the model configuration");
  if (!(input instanceof Uint8Array)) return input;
  switch (kerasFileKind(input)) {
    case "keras-archive": return keras3Config(input, where);
    case "json": return parseJson(where, input, "the model configuration");
    case "hdf5": {
      const raw = (await readH5(input, where)).attrs.get("")?.model_config;
      if (typeof raw !== "string") throw new FormatError(`${where}: an HDF5 configuration must be a legacy full-model .h5 (with a "model_config" attribute); this one has none`);
      return parseJson(where, raw, "model_config");
    }
    default:
      throw new FormatError(`${where}: expected a model configuration (a .keras archive, a legacy .h5 or JSON from model.to_json()), got bytes starting ${hex(input)}`);
  }
}

const hex = (b: Uint8Array) => Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, "0")).join(" ");

function weightsOnly(h5: H5Contents, where: string, cfgWhere: string | undefined): never {
  const keras2 = Array.isArray(h5.attrs.get("")?.layer_names);
  if (keras2) {
    throw new OptionError(`${where}: a Keras 2 weights-only HDF5 file (root "layer_names", no "model_config"); gated reads Keras 2 HDF5 only as a full model saved with model.save("m.h5")`);
  }
  throw new FormatError(`${where}: an HDF5 file that is neither a legacy full model (no root "model_config" attribute) nor Keras 3 weights (no "layers/" group)${cfgWhere ? ` (configuration ${cfgWhere})` : ""}`);
}

/** A Keras file of any of the three saved forms as a gated model. */
export async function importKeras(bytes: Uint8Array, opts: KerasImportOptions = {}): Promise<KerasImport> {
  const where = opts.where ?? "keras file";
  const kind = kerasFileKind(bytes);
  const nf = { allowNonFinite: opts.allowNonFinite === true };
  if (kind === "keras-archive") return importKeras3(bytes, where, nf);
  if (kind !== "hdf5") {
    throw new FormatError(`${where}: expected a Keras file (a .keras zip starting "PK", or HDF5 starting \\x89HDF), got bytes starting ${hex(bytes)}`);
  }
  const h5 = await readH5(bytes, where);
  if (isLegacyFullModel(h5)) return legacyToModel(h5, where, nf);
  if (![...h5.datasets.keys()].some((k) => k.startsWith("layers/"))) weightsOnly(h5, where, opts.configWhere);
  if (opts.config === undefined) {
    throw new OptionError(`${where}: a Keras weights file (.weights.h5) holds no architecture; give the model's configuration ` +
      `(a .keras file, a legacy .h5, or config.json / model.to_json() output): --config FILE on the command line, the "config" option in the API`);
  }
  const cfgWhere = opts.configWhere ?? "config";
  return keras3WeightsToModel(h5.datasets, await configOf(opts.config, cfgWhere), `${where} with ${cfgWhere}`, where, nf);
}
