/**
 * TensorFlow.js layers models: model.json (format "layers-model": modelTopology + weightsManifest)
 * and its weight shards, read into a gated model (mapping in to-model.ts).
 *
 * The weight data is the concatenation of every group's shards in manifest order; each entry
 * {name, shape, dtype} takes its bytes in turn. float32 only (quantised or other dtypes are
 * refused). Variables are found by name: "<layer>/kernel", "<layer>/recurrent_kernel",
 * "<layer>/bias", "<layer>/embeddings", "<layer>/gamma", "<layer>/beta"; inside a Bidirectional,
 * "<layer>/forward_<inner>/…" and "<layer>/backward_<inner>/…". TF.js cannot itself load a GRU with
 * reset_after: true; gated can (a Keras-converted model.json keeps its (2, 3H) bias).
 */
import { FormatError } from "../../errors/index.js";
import type { KerasSource } from "./activations.js";
import type { NonFiniteOption } from "../finite.js";
import { kerasLayers, type KerasLayer } from "./config.js";
import { kerasToModel, type KerasImport, type KerasTensor } from "./to-model.js";

export interface WeightEntry { readonly name: string; readonly shape: readonly number[]; readonly dtype?: string; readonly quantization?: unknown }
export interface WeightGroup { readonly paths: readonly string[]; readonly weights: readonly WeightEntry[] }

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The manifest of a parsed model.json, checked. */
export function weightsManifest(where: string, modelJson: unknown): WeightGroup[] {
  if (!isObj(modelJson)) throw new FormatError(`${where}: model.json must be a JSON object`);
  const m = modelJson.weightsManifest;
  if (!Array.isArray(m)) throw new FormatError(`${where}: model.json has no weightsManifest`);
  return m.map((g, i) => {
    if (!isObj(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights) || g.paths.some((p) => typeof p !== "string")) {
      throw new FormatError(`${where}: weightsManifest[${i}] must have "paths" (strings) and "weights"`);
    }
    for (const e of g.weights as unknown[]) {
      if (!isObj(e) || typeof e.name !== "string" || !Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) {
        throw new FormatError(`${where}: weightsManifest[${i}] has an entry without a name and shape: ${JSON.stringify(e)?.slice(0, 80)}`);
      }
    }
    return g as unknown as WeightGroup;
  });
}

/** Splits the concatenated shard bytes into named float32 tensors. */
export function decodeWeights(where: string, groups: readonly WeightGroup[], data: Uint8Array): Map<string, KerasTensor> {
  const out = new Map<string, KerasTensor>();
  let at = 0;
  for (const g of groups) {
    for (const e of g.weights) {
      if ((e.dtype ?? "float32") !== "float32") throw new FormatError(`${where}: weight "${e.name}" is ${e.dtype}; gated reads float32 weights`);
      if (e.quantization) throw new FormatError(`${where}: weight "${e.name}" is quantised, which gated does not read`);
      const n = e.shape.reduce((a, b) => a * b, 1);
      if (at + 4 * n > data.length) throw new FormatError(`${where}: the weight data ends at byte ${data.length}, but "${e.name}" ${JSON.stringify(e.shape)} needs bytes ${at}..${at + 4 * n} (missing or truncated shard)`);
      const view = new DataView(data.buffer, data.byteOffset + at, 4 * n);
      const v = new Float32Array(n);
      for (let k = 0; k < n; k++) v[k] = view.getFloat32(4 * k, true);
      out.set(e.name.replace(/:0$/, ""), { shape: e.shape, data: v });
      at += 4 * n;
    }
  }
  if (at !== data.length) throw new FormatError(`${where}: the weight data has ${data.length} bytes, the manifest describes ${at}`);
  return out;
}

/** Looks a variable up by name, by the conventions of TF.js and of the Keras converter. */
export function tfjsLookup(weights: ReadonlyMap<string, KerasTensor>) {
  const names = [...weights.keys()];
  return (_i: number, l: KerasLayer, part: "self" | "forward" | "backward", variable: string): KerasTensor | undefined => {
    const hit = names.find((n) => {
      const segs = n.split("/");
      if (segs[segs.length - 1] !== variable) return false;
      const at = segs.indexOf(l.name);
      if (at < 0) return false;
      if (part === "self") return true;
      return segs.slice(at + 1, -1).some((s) => s.startsWith(`${part}_`) || s === part);
    });
    return hit === undefined ? undefined : weights.get(hit);
  };
}

/** A TF.js model.json (parsed) with its weight bytes (all shards concatenated in manifest order). */
export function importTfjs(modelJson: unknown, weightData: Uint8Array, opts: { source?: KerasSource; where?: string } & NonFiniteOption = {}): KerasImport {
  const where = opts.where ?? "tfjs model";
  const groups = weightsManifest(where, modelJson);
  const topology = (modelJson as Record<string, unknown>).modelTopology;
  const layers = kerasLayers(where, topology);
  const version = isObj(topology) ? String(topology.keras_version ?? "") : "";
  const source: KerasSource = opts.source ?? (version.startsWith("tfjs") || version === "" ? "tfjs" : version.startsWith("3") ? "keras3" : "keras2");
  return kerasToModel(where, layers, tfjsLookup(decodeWeights(where, groups, weightData)), source, opts);
}

/** The shard file names of a model.json, in the order their bytes are concatenated. */
export function shardPaths(where: string, modelJson: unknown): string[] {
  return weightsManifest(where, modelJson).flatMap((g) => [...g.paths]);
}
