/**
 * Node-only file work: atomic writes (temporary file, fsync, rename, so a crash never leaves a
 * broken file and a failed write keeps the previous file), model files and checkpoints on disk.
 * Errors name the path and the cause in words (a full disk, a read-only file system, a missing
 * folder, a folder where a file was asked for), as FileErrors: user errors, not crashes.
 *
 * Temporary files are named `.<time>-<pid>-<random>.tmp` beside the target. A run killed between
 * open and rename leaves one behind; each write removes the stale ones of ours in its folder (see
 * removeStaleTemporaries), never another program's files.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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

/** The cause of a failed file-system call in words, from its errno code. */
export function fsCause(e: unknown, path: string): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case "ENOSPC": return "no space left on the device (the disk is full)";
    case "EDQUOT": return "the disk quota is exceeded";
    case "EROFS": return "the file system is read-only";
    case "EACCES": case "EPERM": return "permission denied";
    case "ENOENT": return `the folder ${dirname(path)} does not exist`;
    case "ENOTDIR": return "a part of the path is a file, not a folder";
    case "EISDIR": return "it is a folder (give a file name)";
    case "ENAMETOOLONG": return "the name is too long";
    default: return (e as Error | null)?.message ?? String(e);
  }
}

const fileError = (verb: string, path: string, e: unknown) => new FileError(`cannot ${verb} ${path}: ${fsCause(e, path)}`);

/** Creates `dir` and its missing parents, one level at a time, so a failure names its true cause. */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      if (statSync(d).isDirectory()) break;
      throw new FileError(`cannot create the folder ${dir}: ${d} is a file, not a folder`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || dirname(d) === d) throw e instanceof FileError ? e : fileError("create the folder", d, e);
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    try { mkdirSync(d); } catch (e) { if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw fileError("create the folder", d, e); }
  }
}

/** Our temporary files: `.<Date.now() base 36>-<pid>-<random base 36>.tmp`. */
const TEMP = /^\.([0-9a-z]+)-(\d+)-([0-9a-z]+)\.tmp$/;
/** A temporary file older than this is stale whatever its pid says (the pid may be reused). */
export const STALE_AFTER_MS = 5 * 60_000;
/** … and one whose process is gone, once it is this old (a guard for folders shared between hosts). */
const DEAD_AFTER_MS = 10_000;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === "EPERM"; }
}

/**
 * Removes, in `dir`, the temporary files of ours left by a killed write: those older than
 * STALE_AFTER_MS, or whose process no longer runs. Returns the names removed; never throws.
 */
export function removeStaleTemporaries(dir: string, now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try { names = readdirSync(dir); } catch { return removed; }
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m) continue;
    try {
      const p = join(dir, name), st = statSync(p);
      if (!st.isFile()) continue;
      const age = now - st.mtimeMs;
      if (age > STALE_AFTER_MS || (age > DEAD_AFTER_MS && !alive(Number(m[2])))) { rmSync(p, { force: true }); removed.push(name); }
    } catch {
      // another writer removed or renamed it meanwhile
    }
  }
  return removed;
}

/**
 * Writes bytes (or UTF-8 text) to `path` atomically: a reader sees the old file or the whole new
 * one, and a failed write (full disk, read-only file system) leaves the old file as it was. A
 * failure is a FileError naming `path` and the cause.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const dir = dirname(path);
  try {
    if (statSync(path).isDirectory()) throw new FileError(`cannot write ${path}: it is a folder (give a file name)`);
  } catch (e) {
    if (e instanceof FileError) throw e;
  }
  removeStaleTemporaries(dir);
  const tmp = join(dir, `.${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
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
    try { rmSync(tmp, { force: true }); } catch { /* the write's own error says more */ }
    throw fileError("write", path, e);
  }
  try {
    const dfd = openSync(dir, "r");
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

/** A gated model file; `allowNonFinite` loads NaN / infinite weights instead of refusing them (debugging). */
export function loadModel(path: string, opts: { allowNonFinite?: boolean } = {}): Model {
  return decodeModel(readBytes(path, "model file"), path, opts.allowNonFinite ? { allowNonFinite: true } : {});
}

export function saveCheckpoint(path: string, c: Checkpoint): void {
  writeFileAtomic(path, encodeCheckpoint(c));
}

export function loadCheckpoint(path: string): Checkpoint {
  return decodeCheckpoint(readBytes(path, "checkpoint"), path);
}

