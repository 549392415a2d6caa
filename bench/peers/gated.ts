// gated itself: one GRU layer (reset "after", as ORT's linear_before_reset = 1) on the wasm
// backend, on one thread or two. A training step is forward, backward and an SGD update.
import { Recurrent } from "../../src/sequence/recurrent.js";
import type { Backend } from "../../src/kernels/select.js";
import { wasmRuntime, type Parallel } from "../../src/kernels/wasm/runtime.js";
import { random, type Runner, type Workload } from "../workloads.js";
import type { GruWeights } from "./weights.js";

/** One GRU layer with the bench's weights on a backend (reset "after", as ORT's linear_before_reset = 1). */
export function gruNet(w: Workload, g: GruWeights, backend: Backend): Recurrent {
  const net = new Recurrent({ cell: "gru", inputSize: w.I, hiddenSize: w.H, backend });
  net.setParam("layer0.forward.W", g.W);
  net.setParam("layer0.forward.U", g.R);
  net.setParam("layer0.forward.b", g.b);
  net.setParam("layer0.forward.c", g.c);
  return net;
}

/** The timed call of a workload: a forward, or a training step (forward, backward, SGD); `before` runs first each time. */
export function gruCall(net: Recurrent, w: Workload, before: () => void): () => void {
  const { B, T, I, H } = w;
  const x = { data: random(T * B * I, 7), shape: [T, B, I] };
  if (!w.train) return () => { before(); net.forward(x); };
  const dY = { data: random(T * B * H, 8, 1e-3), shape: [T, B, H] };
  const grads = new Float32Array(net.paramCount), lr = 1e-3;
  return () => {
    before();
    const r = net.forward(x, { train: true });
    grads.fill(0);
    net.backward(r.tape!, dY, { into: grads });
    const p = net.params;
    for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * grads[i]!;
    net.markChanged();
  };
}

export function gatedRunner(threads: 1 | 2, pool: Parallel | null, weights: (w: Workload) => GruWeights): Runner {
  const rt = wasmRuntime();
  const use = () => { if (rt) rt.parallel = threads === 2 ? pool : null; };
  return {
    name: `gated ×${threads}`,
    async prepare(w) {
      if (threads === 2 && !pool) return null;
      return gruCall(gruNet(w, weights(w), "wasm"), w, use);
    },
  };
}

/** Streaming latency: one step of B = 1 through Recurrent.step, µs per step. */
export function gatedStream(w: Workload, weights: GruWeights): () => void {
  const net = gruNet(w, weights, "wasm");
  const st = net.createState(1);
  const x = { data: random(w.I, 9), shape: [1, w.I] };
  const out = new Float32Array(w.H);
  return () => { net.step(st, x, { out }); };
}
