// precision "int8" against float32 on the same backend, the WebAssembly kernels' relaxed-SIMD build
// (wasm/int8.ts), one thread: the bench's inference workloads S1–S3, the GRU (forward FLOPs
// 2·B·T·3H·(I + H)) then the LSTM on the same shapes (2·B·T·4H·(I + H)), the same weights (glorot,
// seed 1) and inputs for both. Rounds alternate the two, each a window of WINDOW seconds; the
// figure is the median per call, as GFLOP/s; also the largest |int8 − float32| of the outputs.
//
// Usage: node --import tsx bench/wasm-int8.ts [window seconds = 2] [rounds = 3]
import { loadavg } from "node:os";
import { useRelaxedSimd } from "../src/kernels/relaxed-simd.js";
import { Recurrent, type Precision } from "../src/sequence/recurrent.js";
import { measure, median } from "./measure.js";
import { flops, random, WORKLOADS } from "./workloads.js";

const WINDOW = Number(process.argv[2] ?? 2), ROUNDS = Number(process.argv[3] ?? 3);
if (!useRelaxedSimd()) { console.error("bench/wasm-int8: this engine has no relaxed SIMD (int8 needs it)"); process.exit(1); }

console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(" ")}; windows of ${WINDOW} s, ${ROUNDS} rounds, medians; wasm-relaxed-simd, one thread`);
for (const cell of ["gru", "lstm"] as const) {
  console.log(`${cell.toUpperCase()} GFLOP/s: float32 | int8`);
  for (const w of WORKLOADS.filter((v) => !v.train)) {
    const x = { data: random(w.T * w.B * w.I, 7), shape: [w.T, w.B, w.I] };
    const make = (precision: Precision) => new Recurrent({ cell, inputSize: w.I, hiddenSize: w.H, backend: "wasm", seed: 1, precision });
    const nets = [make("float32"), make("int8")];
    const times: number[][] = [[], []];
    for (const n of nets) await measure(() => n.forward(x), 0.3, 1e9); // warm up
    for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < 2; i++) times[i]!.push((await measure(() => nets[i]!.forward(x), WINDOW, 1e9)).ms);
    const f = flops(w) * (cell === "lstm" ? 4 / 3 : 1), g = times.map((t) => f / (median(t) * 1e6));
    const [a, b] = nets.map((n) => n.forward(x).output.data);
    let d = 0;
    for (let i = 0; i < a!.length; i++) d = Math.max(d, Math.abs(a![i]! - b![i]!));
    console.log(`${w.name.padEnd(4)} ${g.map((v) => v.toFixed(1).padStart(8)).join("")}   int8 ${(g[1]! / g[0]!).toFixed(2)}× float32   |int8 − float32| ${d.toExponential(1)}`);
  }
}
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
