// Peak memory of one training step on S3 (B 64, T 100, I 256, H 512), in a fresh process so that
// no peer's memory is counted. Prints one JSON line for bench/run.ts.
//
// What BPTT keeps per time step and batch row (GRU, reset after, float32): the state h (H), the
// cache z, r, n, q (4H), the input projection xp (3H; backward reuses its memory for dxp), the
// recurrent-candidate gradient dRec (H, backward only) and the layer input x (I).
import { Recurrent } from "../src/sequence/recurrent.js";
import { useRelaxedSimd } from "../src/kernels/relaxed-simd.js";
import { wasmRuntime } from "../src/kernels/wasm/runtime.js";
import { random } from "./workloads.js";

if (process.env.GATED_SIMD !== "plain") useRelaxedSimd(); // as bench/run.ts (which passes GATED_SIMD on)
const [B, T, I, H] = [64, 100, 256, 512];
const net = new Recurrent({ cell: "gru", inputSize: I, hiddenSize: H, backend: "wasm" });
const x = { data: random(T * B * I, 7), shape: [T, B, I] };
const dY = { data: random(T * B * H, 8, 1e-3), shape: [T, B, H] };
const grads = new Float32Array(net.paramCount);
const rt = wasmRuntime()!;
const mb = (b: number) => b / 2 ** 20;
const step = () => {
  const r = net.forward(x, { train: true });
  grads.fill(0);
  net.backward(r.tape!, dY, { into: grads });
};
const rssBefore = process.memoryUsage().rss;
step(); // the first step allocates the workspace and packs the weights
const t0 = performance.now();
step();
const stepMs = performance.now() - t0;
const rssPeak = process.resourceUsage().maxRSS * 1024;
const perRow = (H + 4 * H + 3 * H + H + I) * 4;
console.log(JSON.stringify({
  bytesPerStep: perRow * B,
  formula: "per time step: B·(h H + cache 4H + xp/dxp 3H + dRec H + x I)·4 bytes",
  tapeMB: mb(perRow * B * T),
  wasmPeakMB: mb(rt.heap.peak),
  rssBeforeMB: mb(rssBefore),
  rssPeakAboveMB: mb(rssPeak - rssBefore),
  rssPeakMB: mb(rssPeak),
  stepMs,
}));
