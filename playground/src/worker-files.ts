/**
 * Worker side: model files in and out, through gated's browser-safe readers and writers.
 *   .safetensors            gated's own model file (Model.fromBytes)
 *   .onnx                   OnnxProgram.fromBytes → onnxToModel
 *   .keras, .h5             importKeras (h5wasm, bundled, loads on the first HDF5 file);
 *                           a .weights.h5 needs its configuration dropped with it (.keras or .json)
 *   model.json + *.bin      a TensorFlow.js layers model (importTfjs): drop the JSON and its shards together
 * Out: the gated file (model.toBytes()) and ONNX (modelToOnnx).
 */
import { Model, OnnxProgram, importKeras, importTfjs, modelToOnnx, onnxToModel } from "../../src/index.js";

export interface DroppedFile { readonly name: string; readonly bytes: Uint8Array }
export interface Loaded { readonly model: Model; readonly format: string; readonly notes: readonly string[] }

const lower = (f: DroppedFile) => f.name.toLowerCase();
const SUPPORTED = "a gated .safetensors file, an .onnx file, a Keras .keras or .h5 file, or a TF.js model.json with its .bin shards";

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function tfjs(json: DroppedFile, files: readonly DroppedFile[]): Loaded {
  const modelJson = JSON.parse(new TextDecoder().decode(json.bytes)) as { weightsManifest?: { paths?: string[] }[] };
  const paths = (modelJson.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
  const shards = paths.map((p) => {
    const base = p.split("/").pop()!;
    const f = files.find((x) => x.name === base);
    if (!f) throw new Error(`${json.name} needs its weight shard ${base}: drop it together with ${json.name} (found: ${files.map((x) => x.name).join(", ")})`);
    return f.bytes;
  });
  const r = importTfjs(modelJson, concat(shards), { where: json.name });
  return { model: r.model, format: "TensorFlow.js layers model", notes: r.notes };
}

export async function loadFiles(files: readonly DroppedFile[]): Promise<Loaded> {
  const main = files.find((f) => /\.(safetensors|onnx|keras)$/.test(lower(f)))
    ?? files.find((f) => lower(f).endsWith(".h5") && !lower(f).endsWith(".weights.h5"))
    ?? files.find((f) => lower(f).endsWith(".weights.h5"))
    ?? files.find((f) => lower(f).endsWith(".json"));
  if (!main) throw new Error(`not a model file I can read (${files.map((f) => f.name).join(", ")}); drop ${SUPPORTED}`);
  const name = lower(main);
  if (name.endsWith(".safetensors")) return { model: Model.fromBytes(main.bytes, { where: main.name }), format: "gated model file", notes: [] };
  if (name.endsWith(".onnx")) {
    const r = onnxToModel(OnnxProgram.fromBytes(main.bytes, main.name));
    return { model: r.model, format: "ONNX", notes: [`input ${r.input.name} (${r.input.layout})`, ...r.notes] };
  }
  if (name.endsWith(".keras") || name.endsWith(".h5")) {
    const config = name.endsWith(".weights.h5") ? files.find((f) => f !== main && /\.(keras|json|h5)$/.test(lower(f))) : undefined;
    const r = await importKeras(main.bytes, { where: main.name, ...(config ? { config: config.bytes, configWhere: config.name } : {}) });
    return { model: r.model, format: "Keras", notes: r.notes };
  }
  return tfjs(main, files);
}

export function download(model: Model, format: "gated" | "onnx", stem: string): { name: string; bytes: Uint8Array } {
  if (format === "gated") return { name: `${stem}.safetensors`, bytes: model.toBytes() };
  return { name: `${stem}.onnx`, bytes: modelToOnnx(model) };
}
