/**
 * Node-only file work for the interchange formats: reading a model file of any supported format
 * by its name and contents, TF.js model.json with its shards (paths relative to model.json),
 * writing TF.js and ONNX exports. Errors name the path.
 */
import { mkdirSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { FormatError, OptionError } from "../../errors/index.js";
import type { Model } from "../../model/model.js";
import { FileError, readBytes, writeFileAtomic } from "../../node/files.js";
import { decodeSafetensors } from "../safetensors.js";
import { importKeras3 } from "../keras/keras3.js";
import { importTfjs, shardPaths } from "../keras/tfjs-import.js";
import type { TfjsArtifacts } from "../keras/tfjs-export.js";
import { OnnxProgram } from "../onnx/program.js";
import { onnxToModel } from "../onnx/to-model.js";
import { importPytorch, type PytorchSpec } from "../pytorch/state-dict.js";

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
  if (ext === ".keras") return "keras";
  if (ext === ".json") return "tfjs";
  if (ext === ".safetensors") return "pytorch";
  throw new OptionError(`cannot tell the format of ${path} from its name; give --from ${IMPORT_FORMATS.join(" | ")}`);
}

export interface ImportResult {
  readonly model: Model;
  readonly format: ImportFormat;
  readonly notes: readonly string[];
}

/** Reads a model in any supported format as a gated model. */
export async function importFile(path: string, opts: { from?: ImportFormat; pytorchSpec?: PytorchSpec } = {}): Promise<ImportResult> {
  const format = opts.from ?? detectFormat(path);
  switch (format) {
    case "onnx": {
      const r = onnxToModel(OnnxProgram.fromBytes(readBytes(path, "ONNX model"), path));
      return { model: r.model, format, notes: [`input "${r.input.name}" is ${r.input.layout}${r.lengths ? `, lengths from "${r.lengths}"` : ""}`, ...r.notes] };
    }
    case "keras": {
      const r = await importKeras3(readBytes(path, "Keras archive"), path);
      return { model: r.model, format, notes: r.notes };
    }
    case "tfjs": {
      const { modelJson, weightData } = readTfjsFiles(path);
      const r = importTfjs(modelJson, weightData, { where: path });
      return { model: r.model, format, notes: r.notes };
    }
    case "pytorch": {
      const bytes = readBytes(path, "PyTorch state dict");
      const meta = decodeSafetensors(bytes, path).metadata;
      if (meta.format === "gated-model") throw new OptionError(`${path} is already a gated model file`);
      const r = importPytorch(bytes, opts.pytorchSpec, path);
      return { model: r.model, format, notes: [`modules: ${r.spec.modules.map((m) => `${m.name} (${m.type})`).join(" → ")}`] };
    }
  }
}

/** Writes model.json and weights.bin; `path` is the model.json path or a folder. */
export function writeTfjsFiles(path: string, art: TfjsArtifacts): string[] {
  const json = extname(path).toLowerCase() === ".json" ? path : join(path, "model.json");
  mkdirSync(dirname(json), { recursive: true });
  const bin = join(dirname(json), "weights.bin");
  writeFileAtomic(bin, art.weightData);
  writeFileAtomic(json, new TextEncoder().encode(JSON.stringify(art.modelJson) + "\n"));
  return [json, bin];
}

export function writeBytes(path: string, bytes: Uint8Array): void {
  const dir = dirname(path);
  if (dir && dir !== ".") mkdirSync(dir, { recursive: true });
  writeFileAtomic(path, bytes);
}

