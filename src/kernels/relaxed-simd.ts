/**
 * Relaxed SIMD (fused multiply-add; about a third faster products here, PERFORMANCE.md) on an engine
 * that has it behind a flag. Node only: Node 20's V8 implements relaxed SIMD but keeps it behind
 * `--experimental-wasm-relaxed-simd`; Node ≥ 22 and Chromium have it on and need nothing. The
 * library never turns a flag on by itself (the flag is the whole process's); an application that
 * owns its process calls useRelaxedSimd() once, before the first model is built (the gated command
 * and the benchmark do), and nobody has to pass a flag to Node.
 */
import { setFlagsFromString } from "node:v8";
import { StateError } from "../errors/index.js";
import { loadedRuntime, relaxedSimdValidates as relaxedValidates } from "./wasm/runtime.js";

const FLAG = "--experimental-wasm-relaxed-simd";

/**
 * Makes the kernels load their relaxed-SIMD build where this engine can run it, turning V8's flag
 * on where it is off (Node 20). True when the relaxed build is (or will be) the one loaded; false
 * when this engine has no relaxed SIMD (the plain-SIMD build is loaded, as without this call).
 * Throws a StateError if the kernels were already loaded with the plain build (the build cannot
 * change under live buffers and packed weights): call it first.
 */
export function useRelaxedSimd(): boolean {
  const rt = loadedRuntime();
  if (rt) {
    if (rt.relaxed) return true;
    throw new StateError(
      "useRelaxedSimd(): the WebAssembly kernels are already loaded with the plain-SIMD build; " +
        "call useRelaxedSimd() before the first model or layer is built",
    );
  }
  if (rt === null) return false; // no WebAssembly SIMD at all
  if (relaxedValidates()) return true;
  if (typeof process === "undefined" || !process.versions?.v8) return false;
  setFlagsFromString(FLAG);
  return relaxedValidates();
}
