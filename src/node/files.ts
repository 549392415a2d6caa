/**
 * Node-only file work: atomic writes (temporary file, fsync, rename, so a crash never leaves a
 * broken file), model files and checkpoints on disk. Errors name the path.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { GatedError } from "../errors/index.js";
import { decodeModel, encodeModel } from "../io/model-file.js";
import type { Model } from "../model/model.js";
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from "../train/checkpoint.js";

export class FileError extends GatedError {
  /** true when the file does not exist. */
  readonly missing: boolean;
  constructor(message: string, missing = false) {
    super("io", message);
    this.name = "FileError";
    this.missing = missing;
  }
}

/** Writes bytes to `path` atomically: a reader sees the old file or the whole new one. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const fd = openSync(tmp, "w");
    try {
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dfd = openSync(dirname(path), "r");
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch {
    // some file systems do not fsync directories; the rename is still atomic
  }
}

/** The bytes of a file; a missing or unreadable file is a FileError naming the path. */
export function readBytes(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new FileError(`${what} not found: ${path}`, true);
    throw new FileError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

export function saveModel(path: string, model: Model): void {
  writeFileAtomic(path, encodeModel(model));
}

export function loadModel(path: string): Model {
  return decodeModel(readBytes(path, "model file"), path);
}

export function saveCheckpoint(path: string, c: Checkpoint): void {
  writeFileAtomic(path, encodeCheckpoint(c));
}

export function loadCheckpoint(path: string): Checkpoint {
  return decodeCheckpoint(readBytes(path, "checkpoint"), path);
}

