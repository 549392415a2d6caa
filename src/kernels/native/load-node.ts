/**
 * Loads the native kernels (native/build/gated-linux-x64.node, built by scripts/build-native.mjs)
 * into this Node process. Node-only: reached from gated/node's useNative() and the gated command,
 * never from the library core, which sees only the handle in addon.ts.
 *
 * Where the binary is: GATED_NATIVE_PATH when set, else native/build/ at the package root (the same
 * path from src/kernels/native/ and dist/kernels/native/). A failed load leaves the WebAssembly
 * kernels in charge and keeps the reason, which backend "native" then reports.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { OptionError } from "../../errors/index.js";
import { nativeAddon, nativeUnavailable, setNativeAddon, type NativeAddon } from "./addon.js";

export type NativeIsa = "auto" | "avx512" | "avx2";
const ISAS: readonly NativeIsa[] = ["auto", "avx512", "avx2"];
/** What the library calls on the addon (native/addon.c's exports). */
const NATIVE_FUNCTIONS = ["isa", "setIsa", "int8", "threads", "gemm", "sumRows", "gruForward", "gruBackward", "lightForward", "lightBackward", "lstmForward", "lstmBackward", "rnnForward", "rnnBackward", "packSlot"] as const;

function binaryPath(): string {
  const env = process.env.GATED_NATIVE_PATH;
  if (env) return env;
  return fileURLToPath(new URL(`../../../native/build/gated-${process.platform}-${process.arch}.node`, import.meta.url));
}

/**
 * Loads the native kernels once; then backend "auto" runs float32 layers on them (and "native"
 * is allowed). `isa` forces an instruction set (tests: "avx2" on an AVX-512 CPU; also
 * GATED_NATIVE_ISA). True when they are loaded; false (with the reason kept for backend
 * "native"'s error) when this platform has no binary or it does not load. `threads` (1..16, default
 * 1) splits the larger products between that many threads; results are the same bits on any count.
 */
export function useNative(options: { isa?: NativeIsa; threads?: number } = {}): boolean {
  const isa = options.isa ?? ((process.env.GATED_NATIVE_ISA || "auto") as NativeIsa);
  if (!ISAS.includes(isa)) throw new OptionError(`useNative: unknown isa ${JSON.stringify(isa)}; expected one of ${ISAS.join(", ")}`);
  const threads = options.threads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 16)) {
    throw new OptionError(`useNative: threads must be an integer from 1 to 16, got ${JSON.stringify(threads)}`);
  }
  let a = nativeAddon();
  if (!a) {
    if (process.platform !== "linux" || process.arch !== "x64") {
      setNativeAddon(null, `the native kernels are built for linux-x64 only, this is ${process.platform}-${process.arch}`);
      return false;
    }
    const path = binaryPath();
    if (!existsSync(path)) {
      setNativeAddon(null, `the native kernels are not built (${path} is missing; run npm run build:native, which needs gcc and Node's headers)`);
      return false;
    }
    try {
      a = createRequire(import.meta.url)(path) as NativeAddon;
    } catch (e) {
      setNativeAddon(null, `the native kernels did not load from ${path}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    // a binary from an older build lacks the newer kernels: refuse it whole rather than fail mid-run
    const missing = NATIVE_FUNCTIONS.filter((f) => typeof (a as unknown as Record<string, unknown>)[f] !== "function");
    if (missing.length) {
      setNativeAddon(null, `the native kernels at ${path} are from an older build (no ${missing.join(", ")}); run npm run build:native`);
      return false;
    }
    setNativeAddon(a);
  }
  if (!a.setIsa(isa)) {
    if (isa === "auto") { setNativeAddon(null, "the native kernels need AVX2 with FMA or AVX-512, which this CPU lacks"); return false; }
    a.setIsa("auto");
    throw new OptionError(`useNative: this CPU lacks ${isa}; it runs ${a.isa()}: use isa "auto"`);
  }
  if (threads !== undefined) a.threads(threads);
  return true;
}

/** The instruction set the native kernels run ("avx512" | "avx2"), or null when they are not loaded. */
export function nativeIsa(): string | null {
  return nativeAddon()?.isa() ?? null;
}

export { nativeUnavailable };
