// Run by matmul.test.ts in a Node started with --experimental-wasm-relaxed-simd (Node 20): the
// relaxed-SIMD build (fused multiply-add) must meet the same error bound as the plain one.
import { wasmKernelsOn } from "../../src/kernels/wasm/kernels.js";
import { createRuntime } from "../../src/kernels/wasm/runtime.js";
import { sweep } from "./gemm-check.js";

const rt = createRuntime("relaxed");
if (!rt) {
  console.log("relaxed SIMD is not available even with the flag");
  process.exit(1);
}
const worst = sweep(wasmKernelsOn(rt), 5);
console.log(`relaxed-simd ok: worst error / bound ${worst.toFixed(3)}`);
