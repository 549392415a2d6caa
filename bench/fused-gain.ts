// What the fused cell kernels gain: one training step (forward + backward) of each cell on the wasm
// backend, with its fused kernels and with them taken away (the same wasm matrix products, the cells'
// TypeScript gate loops), interleaved in one process; medians of 4 rounds of 0.5 s. Last, LiGRU's
// batch normalisation in wasm against the TypeScript reference passes.
//   node --import tsx bench/fused-gain.ts
import { Recurrent } from "../src/sequence/recurrent.js";
import { median, timePerCall } from "./measure.js";
import { random } from "./workloads.js";

const T = 28, B = 64, I = 28, H = 64;

console.log(`one training step, T ${T}, B ${B}, I ${I}, H ${H}: fused kernels against the TypeScript gate loops`);
// the last line: LiGRU with its fused kernels, with and without the wasm batch normalisation
const CASES = [...["gru", "mgu", "lstm", "rnn", "ligru", "mingru", "libru"].map((cell) => [cell, "fused"] as const), ["ligru", "norm"] as const];
for (const [cell, off] of CASES) {
  const make = (fused: boolean) => {
    const net = new Recurrent({ cell, inputSize: I, hiddenSize: H, backend: "wasm", seed: 1 } as never);
    if (!fused) Object.defineProperty(net.kernels, off, { value: undefined });
    return net;
  };
  const x = { data: random(T * B * I, 7), shape: [T, B, I] };
  const dY = { data: random(T * B * H, 8, 1e-3), shape: [T, B, H] };
  const runs = [make(true), make(false)].map((net) => () => { const r = net.forward(x, { train: true }); net.backward(r.tape!, dY); });
  const times: number[][] = [[], []];
  for (let round = 0; round < 4; round++) runs.forEach((f, i) => { f(); times[i]!.push(timePerCall(f, 0.5)); });
  const [a, b] = times.map(median) as [number, number];
  const what = off === "fused" ? "TypeScript gates" : "TypeScript batch norm";
  console.log(`${cell.padEnd(7)} fused ${a.toFixed(2).padStart(7)} ms   ${what} ${b.toFixed(2).padStart(7)} ms   ${(b / a).toFixed(2)}×`);
}
