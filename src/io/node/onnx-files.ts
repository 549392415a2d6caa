/**
 * Reading an ONNX model file in Node, with its external data (torch.onnx's dynamo exporter writes
 * weights to "<model>.onnx.data" beside the model; see src/io/onnx/external-data.ts).
 *
 * External files are confined to the model's folder: a location must be relative, must not
 * contain "..", and must resolve (symbolic links followed) to a regular file inside the folder.
 * Anything else is a FormatError saying which file and why (external-data.ts adds the model and
 * the tensor); a missing file says where it was looked for.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { FormatError } from "../../errors/index.js";
import { readBytes } from "../../node/files.js";
import type { ExternalDataResolver } from "../onnx/external-data.js";
import { OnnxProgram } from "../onnx/program.js";

/** A resolver reading external data files from `folder` only. */
export function folderResolver(folder: string): ExternalDataResolver {
  return (location: string) => {
    const what = `external data file "${location}"`;
    const parts = location.split(/[\\/]+/);
    if (isAbsolute(location) || /^[A-Za-z]:/.test(location) || location.startsWith("\\")) {
      throw new FormatError(`${what} is an absolute path; gated reads external data only from the model's folder (${folder}), by a relative name`);
    }
    if (parts.includes("..")) throw new FormatError(`${what} leaves the model's folder (it contains ".."); expected a file beside the model`);
    const path = join(folder, ...parts);
    let real: string, root: string;
    try {
      root = realpathSync(folder);
      real = realpathSync(path);
    } catch {
      throw new FormatError(`${what} not found: expected ${path} beside the model (torch.onnx writes it next to the .onnx file; copy both together)`);
    }
    const rel = relative(root, real);
    if (rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) {
      throw new FormatError(`${what} resolves to ${real}, outside the model's folder ${root} (a symbolic link?); gated reads external data only from the model's folder`);
    }
    if (!statSync(real).isFile()) throw new FormatError(`${what} is not a regular file (${real})`);
    return new Uint8Array(readFileSync(real));
  };
}

/** An ONNX model file as an OnnxProgram, its external data read from beside it. */
export function readOnnxProgram(path: string, opts: { allowNonFinite?: boolean } = {}): OnnxProgram {
  return OnnxProgram.fromBytes(readBytes(path, "ONNX model"), path, { ...opts, externalData: folderResolver(dirname(path)) });
}
