/**
 * Keras 3 ".keras" archives: a zip (read with fflate) holding config.json (the model's
 * serialisation) and model.weights.h5 (read with h5wasm). The HDF5 layout is Keras 3's
 * H5IOStore (keras/src/saving/saving_lib.py): each layer's variables under
 * "layers/<snake_case class name>[_<n>]/vars/<i>" in creation order, the n counting earlier layers
 * of the same class; a recurrent layer's under ".../cell/vars"; a Bidirectional's under
 * ".../forward_layer/cell/vars" and ".../backward_layer/cell/vars". Variable order: recurrent
 * kernel, recurrent_kernel, bias; Dense kernel, bias; Embedding embeddings; LayerNormalization
 * gamma, beta (each only when the layer has it). A Keras 3 weights file (model.save_weights,
 * "m.weights.h5") has the same layout as the archive's model.weights.h5 and no architecture: it is
 * read with a configuration (config.json / model.to_json()) given apart (import.ts).
 */
import { strFromU8 } from "fflate";
import { readZip } from "../zip.js";
import { FormatError } from "../../errors/index.js";
import { kerasLayers, type KerasLayer } from "./config.js";
import { readH5Floats, type H5Tensor } from "./hdf5.js";
import { kerasToModel, type KerasImport, type KerasTensor } from "./to-model.js";
import type { NonFiniteOption } from "../finite.js";

/** Keras's naming.to_snake_case. */
export function snakeCase(name: string): string {
  return name.replace(/(.)([A-Z][a-z]+)/g, "$1_$2").replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

const VARIABLES: Record<string, (c: Readonly<Record<string, unknown>>) => string[]> = {
  GRU: (c) => ["kernel", "recurrent_kernel", ...(c.use_bias === false ? [] : ["bias"])],
  LSTM: (c) => ["kernel", "recurrent_kernel", ...(c.use_bias === false ? [] : ["bias"])],
  SimpleRNN: (c) => ["kernel", "recurrent_kernel", ...(c.use_bias === false ? [] : ["bias"])],
  Dense: (c) => ["kernel", ...(c.use_bias === false ? [] : ["bias"])],
  Embedding: () => ["embeddings"],
  LayerNormalization: (c) => [...(c.scale === false ? [] : ["gamma"]), ...(c.center === false ? [] : ["beta"])],
};

/** The archive's three entries, size-capped and CRC-checked (a damaged entry is refused, not imported as other weights). */
function unzip(where: string, bytes: Uint8Array): Record<string, Uint8Array> {
  return readZip(bytes, where, (n) => n === "config.json" || n === "model.weights.h5" || n === "metadata.json", { maxEntryBytes: 1 << 30 });
}

/** JSON text (config.json, model.to_json()) as a value. */
export function parseJson(where: string, text: string | Uint8Array, what: string): unknown {
  try {
    return JSON.parse(typeof text === "string" ? text : strFromU8(text));
  } catch (e) {
    throw new FormatError(`${where}: ${what} is not JSON (${(e as Error).message})`);
  }
}

/** The parsed config.json of a .keras archive. */
export function keras3Config(bytes: Uint8Array, where: string): unknown {
  const cfg = unzip(where, bytes)["config.json"];
  if (!cfg) throw new FormatError(`${where}: the archive has no config.json (not a Keras 3 .keras file)`);
  return parseJson(where, cfg, "config.json");
}

/** A .keras archive as a gated model. */
export async function importKeras3(bytes: Uint8Array, where = "keras archive", opts: NonFiniteOption = {}): Promise<KerasImport> {
  const files = unzip(where, bytes);
  const cfgBytes = files["config.json"];
  if (!cfgBytes) throw new FormatError(`${where}: the archive has no config.json (not a Keras 3 .keras file)`);
  const config = parseJson(where, cfgBytes, "config.json");
  const h5 = files["model.weights.h5"];
  if (!h5) throw new FormatError(`${where}: the archive has no model.weights.h5`);
  return importKeras3Weights(h5, config, where, `${where} model.weights.h5`, opts);
}

/**
 * A Keras 3 weights file (model.save_weights("m.weights.h5"), the same layout as the archive's
 * model.weights.h5) with the model's configuration (a parsed config.json / model.to_json()).
 */
export async function importKeras3Weights(weights: Uint8Array, config: unknown, where = "keras weights", whereWeights = where, opts: NonFiniteOption = {}): Promise<KerasImport> {
  return keras3WeightsToModel(await readH5Floats(weights, whereWeights), config, where, whereWeights, opts);
}

export function keras3WeightsToModel(data: ReadonlyMap<string, H5Tensor>, config: unknown, where: string, whereWeights = where, opts: NonFiniteOption = {}): KerasImport {
  if (![...data.keys()].some((k) => k.startsWith("layers/"))) {
    throw new FormatError(`${whereWeights}: expected Keras 3 weights under "layers/<layer>/vars/<i>", found datasets [${[...data.keys()].slice(0, 5).join(", ")}]`);
  }
  const layers = kerasLayers(where, config);
  return kerasToModel(where, layers, keras3Lookup(layers, data), "keras3", opts);
}

/** Variables by Keras 3's H5 paths. */
export function keras3Lookup(layers: readonly KerasLayer[], data: ReadonlyMap<string, H5Tensor>) {
  const paths = new Map<number, string>();
  const used = new Map<string, number>();
  layers.forEach((l, i) => {
    if (l.className === "InputLayer") return;
    const base = snakeCase(l.className), n = used.get(base);
    paths.set(i, n === undefined ? `layers/${base}` : `layers/${base}_${n + 1}`);
    used.set(base, (n ?? -1) + 1);
  });
  return (i: number, l: KerasLayer, part: "self" | "forward" | "backward", variable: string): KerasTensor | undefined => {
    const inner = part === "self" ? l : innerOf(l, part);
    const names = VARIABLES[inner.className]?.(inner.config);
    const k = names?.indexOf(variable) ?? -1;
    if (k < 0) return undefined;
    const base = paths.get(i)!;
    const dir = part === "self" ? base : `${base}/${part}_layer`;
    const rnn = ["GRU", "LSTM", "SimpleRNN"].includes(inner.className);
    return data.get(`${rnn ? `${dir}/cell` : dir}/vars/${k}`);
  };
}

function innerOf(l: KerasLayer, part: "forward" | "backward"): KerasLayer {
  const raw = (l.config[part === "forward" ? "layer" : "backward_layer"] ?? l.config.layer) as { class_name?: string; config?: Record<string, unknown> } | undefined;
  return { className: String(raw?.class_name ?? ""), config: raw?.config ?? {}, name: String(raw?.config?.name ?? "") };
}
