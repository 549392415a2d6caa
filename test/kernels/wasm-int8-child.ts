// Run by wasm-int8.test.ts in a child Node, under one of V8's tiers (--liftoff --no-wasm-tier-up:
// the baseline compiler only; --no-liftoff: the optimising one only): the relaxed build's int8
// product against the TypeScript repeat. Prints one JSON line.
import { useRelaxedSimd } from "../../src/kernels/relaxed-simd.js";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.js";
import { productMismatches } from "./wasm-int8-ref.js";

const relaxed = useRelaxedSimd();
const rt = wasmRuntime();
console.log(JSON.stringify({ relaxed, variant: rt?.variant ?? null, ...(rt?.relaxed ? productMismatches(rt, 7) : {}) }));
