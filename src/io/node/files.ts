/**
 * Node-only file work for the interchange formats: reading a model file of any supported format
 * by its name and contents, TF.js model.json with its shards (paths relative to model.json),
 * writing TF.js and ONNX exports. Errors name the path.
 */
import { dirname, extname, join } from "node:path";
import { FormatError, OptionError } from "../../errors/index.js";
import type { Model } from "../../model/model.js";
import { FileError, makeFolder, readBytes, writeFileAtomic } from "../../node/files.js";
import { decodeModel } from "../model-file.js";
import { decodeSafetensors } from "../safetensors.js";
import { importKeras, kerasFileKind } from "../keras/import.js";
import { importTfjs, shardPaths } from "../keras/tfjs-import.js";
import type { TfjsArtifacts } from "../keras/tfjs-export.js";
import { readOnnxProgram } from "./onnx-files.js";
import { onnxToModel } from "../onnx/to-model.js";
import { importPytorch, type PytorchImportOptions } from "../pytorch/state-dict.js";
import { isTorchLegacy, isTorchZip } from "../pytorch/torch-file.js";

export type ImportFormat = "onnx" | "tfjs" | "keras" | "pytorch";
export const IMPORT_FORMATS: readonly ImportFormat[] = ["onnx", "tfjs", "keras", "pytorch"];

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(readBytes(path, what)));
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FormatError(`${path}: ${what} is not valid JSON (${(e as Error).message})`);
  }
}

/** A TF.js model.json and the concatenation of its shards, read from beside it. */
export function readTfjsFiles(path: string): { modelJson: unknown; weightData: Uint8Array } {
  const modelJson = readJson(path, "TF.js model.json");
  const parts = shardPaths(path, modelJson).map((p) => {
    if (p.includes("..") || p.startsWith("/")) throw new FormatError(`${path}: shard path "${p}" leaves the model's folder`);
    return readBytes(join(dirname(path), p), "weight shard");
  });
  const weightData = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { weightData.set(p, at); at += p.length; }
  return { modelJson, weightData };
}

/** The format of a file to import, from its name (and for .safetensors, its metadata). */
export function detectFormat(path: string): ImportFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".onnx") return "onnx";
  if (ext === ".keras" || ext === ".h5" || ext === ".hdf5") return "keras";
  if (ext === ".json") return "tfjs";
  if (ext === ".safetensors" || ext === ".pt" || ext === ".pth" || ext === ".bin") return "pytorch";
  if (sniffKeras(path)) return "keras";
  throw new OptionError(`cannot tell the format of ${path} from its name; give --from ${IMPORT_FORMATS.join(" | ")}`);
}

/** A Keras archive or HDF5 file by its first bytes, whatever its name. */
function sniffKeras(path: string): boolean {
  try {
    const kind = kerasFileKind(readBytes(path, "model file"));
    return kind === "keras-archive" || kind === "hdf5";
  } catch {
    return false;
  }
}

export interface ImportResult {
  readonly model: Model;
  readonly format: ImportFormat;
  readonly notes: readonly string[];
}

/** Reads a model in any supported format as a gated model. */
export interface ImportFileOptions {
  readonly from?: ImportFormat;
  readonly pytorch?: Omit<PytorchImportOptions, "where">;
  /** A Keras .weights.h5's architecture: a .keras, legacy .h5 or model.json file. */
  readonly kerasConfig?: string;
  /** Load NaN / infinite weights instead of refusing the file (debugging). */
  readonly allowNonFinite?: boolean;
}

export async function importFile(path: string, opts: ImportFileOptions = {}): Promise<ImportResult> {
  const format = opts.from ?? detectFormat(path);
  const nf = opts.allowNonFinite ? { allowNonFinite: true } : {};
  switch (format) {
    case "onnx": {
      const r = onnxToModel(readOnnxProgram(path, nf), nf);
      return { model: r.model, format, notes: [`input "${r.input.name}" is ${r.input.layout}${r.lengths ? `, lengths from "${r.lengths}"` : ""}`, ...r.notes] };
    }
    case "keras": {
      const config = opts.kerasConfig ? { config: readBytes(opts.kerasConfig, "Keras model configuration"), configWhere: opts.kerasConfig } : {};
      const r = await importKeras(readBytes(path, "Keras model"), { where: path, ...config, ...nf });
      return { model: r.model, format, notes: r.notes };
    }
    case "tfjs": {
      const { modelJson, weightData } = readTfjsFiles(path);
      const r = importTfjs(modelJson, weightData, { where: path, ...nf });
      return { model: r.model, format, notes: r.notes };
    }
    case "pytorch": {
      const bytes = readBytes(path, "PyTorch file");
      if (!isTorchZip(bytes) && !isTorchLegacy(bytes) && decodeSafetensors(bytes, path).metadata.format === "gated-model") throw new OptionError(`${path} is already a gated model file`);
      const r = importPytorch(bytes, { ...opts.pytorch, ...nf, where: path });
      return { model: r.model, format, notes: [`read as a PyTorch ${r.source}`, `modules: ${r.spec.modules.map((m) => `${m.name || "(top level)"} (${m.type})`).join(" → ")}`, ...r.facts] };
    }
  }
}

/** Writes model.json and weights.bin; `path` is the model.json path or a folder. */
export function writeTfjsFiles(path: string, art: TfjsArtifacts): string[] {
  const json = extname(path).toLowerCase() === ".json" ? path : join(path, "model.json");
  makeFolder(dirname(json));
  const bin = join(dirname(json), "weights.bin");
  writeFileAtomic(bin, art.weightData);
  writeFileAtomic(json, new TextEncoder().encode(JSON.stringify(art.modelJson) + "\n"));
  return [json, bin];
}

export function writeBytes(path: string, bytes: Uint8Array): void {
  const dir = dirname(path);
  if (dir && dir !== ".") makeFolder(dir);
  writeFileAtomic(path, bytes);
}


/** Any model file gated reads, as a model: a gated model file as it is, anything else imported. */
export async function readAnyModel(path: string, opts: ImportFileOptions = {}): Promise<ImportResult | { model: Model; format: "gated"; notes: readonly string[] }> {
  const bytes = readBytes(path, "model file");
  const safetensors = !isTorchZip(bytes) && !isTorchLegacy(bytes) && bytes.length >= 8 && extname(path).toLowerCase() === ".safetensors";
  if (safetensors && opts.from === undefined && decodeSafetensors(bytes, path).metadata.format === "gated-model") {
    return { model: decodeModel(bytes, path, opts.allowNonFinite ? { allowNonFinite: true } : {}), format: "gated", notes: [] };
  }
  return importFile(path, opts);
}
