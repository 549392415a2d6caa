// Bundled for the browser by browser.test.ts (esbuild, platform "browser": a `node:` import
// anywhere in what this pulls in fails the bundle). Exposes runChecks() to the page.
import { loadWasm, selectKernels } from "../../src/kernels/select.js";
import { reference64 } from "../../src/kernels/reference.js";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.js";
import { Recurrent } from "../../src/sequence/recurrent.js";
import { int8Case } from "./wasm-int8-case.js";

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

async function runChecks(): Promise<Record<string, unknown>> {
  const before = selectKernels("page", "auto", "float32").name; // wasm if this engine compiles synchronously here
  const loaded = await loadWasm();
  const rt = wasmRuntime();
  const k = selectKernels("page", "wasm", "float32");
  // a product against the float64 reference
  const [m, n, kk] = [37, 45, 29];
  const a = rand(m * kk, 1), b = rand(n * kk, 2), y = new Float32Array(m * n), e = new Float64Array(m * n);
  k.matmulNT(y, 0, n, a, 0, kk, b, 0, kk, m, n, kk, 0);
  reference64.matmulNT(e, 0, n, Float64Array.from(a), 0, kk, Float64Array.from(b), 0, kk, m, n, kk, 0);
  let gemm = 0;
  for (let i = 0; i < y.length; i++) gemm = Math.max(gemm, Math.abs(y[i]! - e[i]!));
  // a GRU layer, forward and backward, wasm against the reference backend
  const opts = { cell: "gru" as const, inputSize: 5, hiddenSize: 7, seed: 3 };
  const wasm = new Recurrent({ ...opts, backend: "wasm" }), ref = new Recurrent({ ...opts, backend: "reference" });
  const x = { data: rand(6 * 2 * 5, 3), shape: [6, 2, 5] };
  const rw = wasm.forward(x, { train: true }), rr = ref.forward(x, { train: true });
  const dY = { data: rand(6 * 2 * 7, 4), shape: [6, 2, 7] };
  const gw = wasm.backward(rw.tape!, dY), gr = ref.backward(rr.tape!, dY);
  let gru = 0;
  for (let i = 0; i < rw.output.data.length; i++) gru = Math.max(gru, Math.abs(rw.output.data[i]! - rr.output.data[i]!));
  for (let i = 0; i < gw.dParams.length; i++) gru = Math.max(gru, Math.abs(gw.dParams[i]! - gr.dParams[i]!));
  // precision "int8" on the relaxed build: its outputs, for the test to compare with Node's
  const int8 = rt?.relaxed ? int8Case() : null;
  return { before, loaded, variant: rt?.variant, shared: rt?.shared, kernels: k.name, layer: wasm.kernels.name, gemm, gru, int8 };
}

(globalThis as unknown as { runChecks: typeof runChecks }).runChecks = runChecks;
