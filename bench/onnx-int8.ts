// gated's int8 ONNX export (src/io/onnx/int8-product.ts: a Scan with MatMulInteger) in ONNX Runtime
// (onnxruntime-node, one thread) against the float32 export of the same GRU and LSTM (ONNX's GRU /
// LSTM operator), on the bench's inference workloads S1–S3: time per call (median of alternating
// windows), file size, and the largest difference of each from gated's own outputs (int8 from the
// int8 model, float32 from the float32 one). Needs the native kernels on a CPU with VNNI (to build
// the int8 model it checks against).
//
// Usage: node --import tsx bench/onnx-int8.ts [window seconds = 1] [rounds = 3]
import ort from "onnxruntime-node";
import "./peers/ort-trace.js";
import { nativeAddon } from "../src/kernels/native/addon.js";
import { useNative } from "../src/kernels/native/load-node.js";
import { recurrentToOnnx } from "../src/io/onnx/export-model.js";
import { Recurrent } from "../src/sequence/recurrent.js";
import { measure, median } from "./measure.js";
import { random, WORKLOADS } from "./workloads.js";

const WINDOW = Number(process.argv[2] ?? 1), ROUNDS = Number(process.argv[3] ?? 3);
if (!useNative() || nativeAddon()!.int8() === "portable") { console.error("bench/onnx-int8: needs the native kernels with VNNI"); process.exit(1); }

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!)); return m; };
console.log("workload  cell  float32 ms  int8 ms  int8/float32 speed  float32 MB  int8 MB  |Δ| float32  |Δ| int8");
for (const w of WORKLOADS.filter((v) => !v.train)) {
  for (const cell of ["gru", "lstm"] as const) {
    const opts = { cell, inputSize: w.I, hiddenSize: w.H, seed: 3 };
    const f32 = new Recurrent(opts as never), q8 = new Recurrent({ ...opts, precision: "int8" } as never);
    q8.params.set(f32.params);
    q8.markChanged();
    const x = random(w.T * w.B * w.I, 7);
    const files = { float32: recurrentToOnnx(f32), int8: recurrentToOnnx(q8) };
    const feeds = { X: new ort.Tensor("float32", x, [w.T, w.B, w.I]) };
    const so = { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential" as const, graphOptimizationLevel: "all" as const };
    const sessions = { float32: await ort.InferenceSession.create(files.float32, so), int8: await ort.InferenceSession.create(files.int8, so) };
    const ours = { float32: f32.forward({ data: x, shape: [w.T, w.B, w.I] }).output.data, int8: q8.forward({ data: x, shape: [w.T, w.B, w.I] }).output.data };
    const diff = { float32: maxDiff((await sessions.float32.run(feeds)).Y!.data as Float32Array, ours.float32), int8: maxDiff((await sessions.int8.run(feeds)).Y!.data as Float32Array, ours.int8) };
    const ms: Record<"float32" | "int8", number[]> = { float32: [], int8: [] };
    for (let r = 0; r < ROUNDS; r++) for (const k of ["float32", "int8"] as const) ms[k].push((await measure(() => sessions[k].run(feeds), WINDOW, 1e6)).ms);
    const [a, b] = [median(ms.float32), median(ms.int8)];
    const mb = (v: Uint8Array) => (v.length / 2 ** 20).toFixed(2);
    console.log(`${w.name.padEnd(8)}  ${cell.padEnd(4)}  ${a.toFixed(2).padStart(10)}  ${b.toFixed(2).padStart(7)}  ${(a / b).toFixed(2).padStart(17)}×  ${mb(files.float32).padStart(10)}  ${mb(files.int8).padStart(7)}  ${diff.float32.toExponential(1).padStart(11)}  ${diff.int8.toExponential(1).padStart(8)}`);
    await sessions.float32.release();
    await sessions.int8.release();
  }
}
