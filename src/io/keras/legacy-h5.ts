/**
 * Legacy full-model HDF5 files: what `model.save("m.h5")` writes (Keras 2 and tf.keras, and
 * Keras 3's legacy_h5_format). Format facts relied on (checked against files Keras 3.15 wrote):
 *   root attributes: "model_config" (the model's JSON serialisation, a string), "keras_version",
 *     "backend"; optionally "training_config".
 *   "model_weights" group: attribute "layer_names"; one group per layer, named by the layer's
 *     name, with attribute "weight_names" listing its variables in order, each a dataset path
 *     relative to that group: Keras 3 "sequential/gru/gru_cell/kernel", Keras 2
 *     "gru/gru_cell/kernel:0"; in a Bidirectional ".../forward_gru/..." and ".../backward_gru/...".
 *   The variable is the last path segment without ":0" (kernel, recurrent_kernel, bias,
 *   embeddings, gamma, beta). When "weight_names" is missing, every dataset below the layer's
 *   group is taken.
 *   keras_version "1." / "2." means Keras 2's hard_sigmoid (0.2x + 0.5); otherwise Keras 3's (x/6 + 0.5).
 */
import { FormatError } from "../../errors/index.js";
import type { KerasSource } from "./activations.js";
import { kerasLayers, type KerasLayer } from "./config.js";
import { readH5, type H5Contents, type H5Tensor } from "./hdf5.js";
import { kerasToModel, type KerasImport, type KerasWeightLookup } from "./to-model.js";
import type { NonFiniteOption } from "../finite.js";

/** Whether an HDF5 file's contents are a legacy full model (it has a model_config attribute). */
export function isLegacyFullModel(h5: H5Contents): boolean {
  return typeof h5.attrs.get("")?.model_config === "string";
}

/** The Keras version a legacy file names, as the source of its activation conventions. */
function sourceOf(h5: H5Contents): KerasSource {
  const v = h5.attrs.get("")?.keras_version ?? h5.attrs.get("model_weights")?.keras_version;
  return typeof v === "string" && /^[12]\./.test(v) ? "keras2" : "keras3";
}

/** A legacy .h5 full model as a gated model. */
export async function importLegacyH5(bytes: Uint8Array, where = "legacy Keras .h5 file", opts: NonFiniteOption = {}): Promise<KerasImport> {
  return legacyToModel(await readH5(bytes, where), where, opts);
}

export function legacyToModel(h5: H5Contents, where: string, opts: NonFiniteOption = {}): KerasImport {
  const raw = h5.attrs.get("")?.model_config;
  if (typeof raw !== "string") {
    throw new FormatError(`${where}: expected a root attribute "model_config" (the model's JSON, written by model.save("m.h5")), found attributes [${Object.keys(h5.attrs.get("") ?? {}).join(", ")}]`);
  }
  let config: unknown;
  try {
    config = JSON.parse(raw);
  } catch (e) {
    throw new FormatError(`${where}: the "model_config" attribute is not JSON (${(e as Error).message})`);
  }
  if (!h5.attrs.has("model_weights")) throw new FormatError(`${where}: expected a "model_weights" group beside model_config; the file has none (saved without weights?)`);
  const layers = kerasLayers(where, config);
  return kerasToModel(where, layers, legacyLookup(h5), sourceOf(h5), opts);
}

/** The layer's variables as [variable name, part, tensor] from its weight_names. */
function layerVariables(h5: H5Contents, l: KerasLayer): { variable: string; part: "self" | "forward" | "backward"; tensor: H5Tensor }[] {
  const base = `model_weights/${l.name}`;
  const names = h5.attrs.get(base)?.weight_names;
  const paths = Array.isArray(names) && names.every((n) => typeof n === "string")
    ? (names as string[]).map((n) => `${base}/${n}`)
    : [...h5.datasets.keys()].filter((p) => p.startsWith(`${base}/`));
  return paths.flatMap((p) => {
    const tensor = h5.datasets.get(p);
    if (!tensor) return [];
    const segs = p.slice(base.length + 1).split("/");
    const variable = segs[segs.length - 1]!.replace(/:\d+$/, "");
    const part = segs.some((s) => s.startsWith("forward_")) ? "forward" as const : segs.some((s) => s.startsWith("backward_")) ? "backward" as const : "self" as const;
    return [{ variable, part, tensor }];
  });
}

function legacyLookup(h5: H5Contents): KerasWeightLookup {
  const cache = new Map<string, ReturnType<typeof layerVariables>>();
  return (_i, l, part, variable) => {
    let vars = cache.get(l.name);
    if (!vars) { vars = layerVariables(h5, l); cache.set(l.name, vars); }
    return vars.find((v) => v.part === part && v.variable === variable)?.tensor;
  };
}
