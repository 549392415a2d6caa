/**
 * MissingPackageError: a feature that needs an optional package (an optional peer dependency of
 * gated: a data set's package, h5wasm for Keras files) which is not installed. A GatedError with
 * code "io", so the CLI prints its one line and exits 1; `pkg` names the package to install.
 * Browser-safe: imports nothing from Node.
 */
import { GatedError } from "./index.js";

export class MissingPackageError extends GatedError {
  /** The npm package that is missing. */
  readonly pkg: string;
  /** `what` says who needs it: `the data set "mnist"`, `reading Keras files (.keras, .h5)`. */
  constructor(what: string, pkg: string) {
    super("io", `${what} needs the package ${pkg}: npm install ${pkg}`);
    this.name = "MissingPackageError";
    this.pkg = pkg;
  }
}

/** Whether `e` is the error of an `import(pkg)` that found no such package. */
export function isMissingModule(e: unknown, pkg: string): boolean {
  // Node: "Cannot find package 'h5wasm' imported from …" (ERR_MODULE_NOT_FOUND)
  const x = e as { code?: unknown; message?: unknown } | null;
  const message = typeof x?.message === "string" ? x.message : "";
  return (x?.code === "ERR_MODULE_NOT_FOUND" || x?.code === "MODULE_NOT_FOUND") && (message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`));
}
