// The native kernels on one and two threads (useNative({ threads })), alternating: S2 and S3 GRU
// inference and the S2 training step (forward and backward), with a check that both give the same
// bits. Usage: node --import tsx bench/native-threads.ts
import { useNative } from "../src/kernels/native/load-node.js";
import { nativeAddon } from "../src/kernels/native/addon.js";
import { Recurrent } from "../src/sequence/recurrent.js";
import { measure, median } from "./measure.js";
import { random } from "./workloads.js";
useNative();
const x = nativeAddon()!;
for (const [name, B, T, I, H, train] of [["S2", 16, 50, 64, 256, false], ["S3", 64, 100, 256, 512, false], ["S2 train", 16, 50, 64, 256, true]] as const) {
  const net = new Recurrent({ cell: "gru", inputSize: I, hiddenSize: H, backend: "native", seed: 1 });
  const xin = { data: random(T * B * I, 7), shape: [T, B, I] }, dY = { data: random(T * B * H, 8, 1e-3), shape: [T, B, H] };
  const call = () => { if (!train) return net.forward(xin).output.data.slice(); const r = net.forward(xin, { train: true }); return net.backward(r.tape!, dY).dParams.slice(); };
  x.threads(1); const a = call(); x.threads(2); const b = call();
  let same = a.length === b.length; for (let i = 0; i < a.length && same; i++) same = a[i] === b[i];
  const t: Record<number, number[]> = { 1: [], 2: [] };
  for (let r = 0; r < 5; r++) for (const n of [1, 2]) { x.threads(n); t[n]!.push((await measure(call, 0.5, 1e9)).ms); }
  console.log(`${name}: 1 thread ${median(t[1]!).toFixed(2)} ms, 2 threads ${median(t[2]!).toFixed(2)} ms (${(median(t[1]!) / median(t[2]!)).toFixed(2)}×), bit-identical ${same}`);
}
x.threads(1);
