// One int8 forward on fixed inputs (GRU reset after and before, LSTM; two layers, bidirectional,
// lengths) on the relaxed-SIMD WebAssembly kernels, its outputs concatenated: computed in headless
// Chromium (browser-entry.ts) and in Node (browser.test.ts), which must agree bit for bit (the 7-bit
// arithmetic of wasm/int8.ts is deterministic on every engine). Browser-safe: no `node:` imports.
import { Recurrent } from "../../src/sequence/recurrent.js";

export function int8Case(): number[] {
  const [T, B, I] = [6, 3, 10];
  let s = 12345;
  const x = { data: Float32Array.from({ length: T * B * I }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 4 - 2), shape: [T, B, I] };
  const out: number[] = [];
  for (const cell of [{ cell: "gru" }, { cell: "gru", reset: "before" }, { cell: "lstm" }]) {
    const net = new Recurrent({ ...cell, inputSize: I, hiddenSize: 21, layers: 2, direction: "bidirectional", precision: "int8", backend: "wasm", seed: 8 } as never);
    out.push(...net.forward(x, { lengths: [6, 4, 1] }).output.data);
  }
  return out;
}
