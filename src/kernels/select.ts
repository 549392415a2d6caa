/**
 * Backend selection at run time. "reference": the TypeScript kernels (float32 or float64).
 * "wasm": the WebAssembly SIMD kernels (float32 only). "native": the AVX-512 / AVX2 kernels of a
 * Node addon (float32, Node on linux-x64, once useNative() from gated/node has loaded them; the
 * gated command does). "auto" (the default), for float32: native when loaded, else wasm when this
 * engine has WebAssembly SIMD and the module is loaded, else the reference.
 *
 * Browser-safe. In a browser, call `await loadWasm()` once before creating layers: a page's main
 * thread may refuse to compile the module synchronously, and "auto" then falls back to the reference
 * until it is loaded.
 */
import { OptionError } from "../errors/index.js";
import { referenceKernels } from "./reference.js";
import { nativeAddon, nativeUnavailable } from "./native/addon.js";
import { nativeKernelsOn } from "./native/kernels.js";
import type { DType, Kernels } from "./types.js";
import { wasmKernels, type WeightBinding } from "./wasm/kernels.js";
import { wasmRuntime } from "./wasm/runtime.js";

export type Backend = "auto" | "wasm" | "reference" | "native";
export const BACKENDS: readonly Backend[] = ["auto", "wasm", "reference", "native"];

export type { WeightBinding } from "./wasm/kernels.js";
export { loadWasm } from "./wasm/runtime.js";

/** Kernels for a layer: `binding` names its parameters, so a fast backend may cache packed weights. */
export function selectKernels(where: string, backend: Backend, dtype: DType, binding?: WeightBinding): Kernels {
  if (!BACKENDS.includes(backend)) {
    throw new OptionError(`${where}: unknown backend ${JSON.stringify(backend)}; expected one of ${BACKENDS.join(", ")}`);
  }
  if (backend === "reference" || (backend === "auto" && dtype === "float64")) return referenceKernels(dtype);
  if (dtype === "float64") {
    throw new OptionError(`${where}: backend "${backend}" is float32 only, got dtype "float64"; use backend "auto" or "reference" for float64`);
  }
  const addon = backend === "auto" || backend === "native" ? nativeAddon() : null;
  if (addon) return nativeKernelsOn(addon, binding);
  if (backend === "native") {
    throw new OptionError(`${where}: backend "native" is not available: ${nativeUnavailable()}; use backend "auto" to fall back to WebAssembly`);
  }
  const k = wasmKernels(binding);
  if (k) return k;
  if (backend === "wasm") {
    throw new OptionError(
      `${where}: backend "wasm" is not available in this engine (no WebAssembly SIMD, or the module is not loaded); ` +
        `in a browser call await loadWasm() first, or use backend "auto" to fall back to the reference`,
    );
  }
  return referenceKernels(dtype);
}

/** What "auto" picks for float32 here: "native-avx512", "native-avx2", "wasm-simd", "wasm-relaxed-simd" or "reference". */
export function autoBackendName(backend: "auto" | "native" | "wasm" | "reference" = "auto"): string {
  if (backend === "reference") return "reference";
  const isa = backend === "wasm" ? undefined : nativeAddon()?.isa();
  if (isa) return `native-${isa}`;
  const rt = wasmRuntime();
  return rt ? `wasm-${rt.relaxed ? "relaxed-simd" : "simd"}${rt.parallel ? ` ×${1 + rt.parallel.workers} threads` : ""}` : "reference";
}
