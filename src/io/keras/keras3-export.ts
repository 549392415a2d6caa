/**
 * gated → a Keras 3 ".keras" archive that keras.saving.load_model reads. Format facts relied on
 * (Keras 3 saving_lib, checked by scripts/interchange/check_keras_export.py with Keras 3.15):
 *   a zip (stored with fflate, fixed timestamps) of config.json, metadata.json, model.weights.h5.
 *   config.json: {"module": "keras", "class_name": "Sequential", "config": {"name", "layers"}};
 *     each layer {"module": "keras.layers", "class_name", "config", "registered_name": null}, the
 *     first an InputLayer with batch_shape [null, null, F] (float32) or [null, null] (int32 ids).
 *     Unlisted options take Keras's defaults. Bidirectional gives only "layer"; Keras makes the
 *     backward copy (go_backwards) itself.
 *   model.weights.h5: the H5IOStore layout, "layers/<snake_case class>[_<n>]/vars/<i>" (n counts
 *     earlier layers of the same class), recurrent cells under ".../cell/vars", a Bidirectional's
 *     under "forward_layer/cell/vars" and "backward_layer/cell/vars"; variables in Keras's
 *     creation order (kernel, recurrent_kernel, bias; embeddings; gamma, beta), float32.
 *   metadata.json is written for completeness; Keras does not read it when loading.
 * The layers and their exact mappings (and refusals: MGU, minGRU, LiGRU, update "replace", GRU
 * gate types 1–3, clip, activations Keras lacks…) are tfjs-export.ts's, in its "keras3" dialect.
 */
import { strToU8, zipSync } from "fflate";
import type { Model } from "../../model/model.js";
import { type H5Dataset, type H5Group, writeH5 } from "./hdf5-write.js";
import { snakeCase } from "./keras3.js";
import { kerasLayerList } from "./tfjs-export.js";

type Json = Record<string, unknown>;

export interface Keras3Artifacts {
  /** config.json, exactly as written into the archive. */
  readonly config: string;
  readonly metadata: string;
  /** model.weights.h5: its groups and datasets. */
  readonly groups: readonly H5Group[];
  readonly datasets: readonly H5Dataset[];
}

const RNN = new Set(["GRU", "LSTM", "SimpleRNN"]);
const ZIP_TIME = new Date("2000-01-01T00:00:00Z");

function serialise(className: string, config: Json): Json {
  const { batch_input_shape: _b, ...rest } = config;
  const c: Json = { ...rest, dtype: "float32" };
  if (className === "Bidirectional") {
    const inner = rest.layer as { class_name: string; config: Json };
    c.layer = serialise(inner.class_name, inner.config);
  }
  return { module: "keras.layers", class_name: className, config: c, registered_name: null };
}

/** The contents of the archive, before any bytes are written (the test compares these). */
export function keras3Artifacts(model: Model, opts: { link?: boolean } = {}): Keras3Artifacts {
  const list = kerasLayerList(model, "keras3", opts);
  const tokens = model.spec.input.kind === "tokens";
  const input = {
    module: "keras.layers", class_name: "InputLayer", registered_name: null,
    config: { batch_shape: list.inputShape, dtype: tokens ? "int32" : "float32", sparse: false, ragged: false, name: "input_layer", optional: false },
  };
  const layers = list.layers.map((l) => serialise(String(l.class_name), l.config as Json));
  const config = JSON.stringify({ module: "keras", class_name: "Sequential", config: { name: "sequential", trainable: true, dtype: "float32", layers: [input, ...layers] }, registered_name: null });
  const groups: H5Group[] = [{ path: "layers" }, { path: "vars", attrs: { name: "sequential" } }];
  const datasets: H5Dataset[] = [];
  const used = new Map<string, number>();
  let spec = 0;
  for (const l of list.layers) {
    const name = String((l.config as Json).name), cls = String(l.class_name);
    const base = snakeCase(cls), n = used.get(base);
    used.set(base, (n ?? -1) + 1);
    const dir = `layers/${n === undefined ? base : `${base}_${n + 1}`}`;
    groups.push({ path: `${dir}/vars`, attrs: { name } });
    const inner = cls === "Bidirectional" ? String(((l.config as Json).layer as { class_name: string }).class_name) : cls;
    const parts = cls === "Bidirectional" ? ["forward_layer", "backward_layer"] : [""];
    const counters = new Map<string, number>();
    for (const p of parts) {
      const at = p ? `${dir}/${p}` : dir;
      if (p) groups.push({ path: `${at}/vars`, attrs: { name: `${p.replace("_layer", "")}_${inner.toLowerCase()}` } });
      if (RNN.has(inner)) groups.push({ path: `${at}/cell/vars`, attrs: { name: `${snakeCase(inner)}_cell` } });
    }
    while (spec < list.specs.length && list.specs[spec]!.name.startsWith(`${name}/`)) {
      const s = list.specs[spec]!, rest = s.name.slice(name.length + 1);
      const part = cls !== "Bidirectional" ? "" : rest.startsWith("forward_") ? "forward_layer" : "backward_layer";
      const at = `${part ? `${dir}/${part}` : dir}${RNN.has(inner) ? "/cell" : ""}/vars`;
      const k = counters.get(at) ?? 0;
      counters.set(at, k + 1);
      datasets.push({ path: `${at}/${k}`, shape: s.shape, data: list.chunks[spec]! });
      spec++;
    }
  }
  const metadata = JSON.stringify({ keras_version: "3", date_saved: "written by gated", generated_by: "gated" });
  return { config, metadata, groups, datasets };
}

/** The model as a .keras archive (zip of config.json, metadata.json, model.weights.h5). */
export async function exportKeras3(model: Model, opts: { link?: boolean } = {}): Promise<Uint8Array> {
  const a = keras3Artifacts(model, opts);
  const h5 = await writeH5(a.groups, a.datasets);
  const file = (data: Uint8Array) => [data, { mtime: ZIP_TIME, level: 0 }] as [Uint8Array, { mtime: Date; level: 0 }];
  return zipSync({ "metadata.json": file(strToU8(a.metadata)), "config.json": file(strToU8(a.config)), "model.weights.h5": file(h5) });
}
