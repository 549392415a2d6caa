// The native kernels against the WebAssembly kernels and ONNX Runtime (onnxruntime-node, native),
// all on one thread, in one run: the bench's workloads S1–S3 (inference) and S1/S2 training steps,
// the same weights for all. Rounds alternate the runners, each a window of WINDOW seconds; the
// figure is the median per call, as GFLOP/s (workloads.ts flops). Also prints the largest
// difference between gated native and ORT's outputs (a sanity check).
//
// Usage: node --import tsx bench/native.ts [window seconds = 2] [rounds = 3]
import { loadavg } from "node:os";
import { useNative, nativeIsa } from "../src/kernels/native/load-node.js";
import { useRelaxedSimd } from "../src/kernels/relaxed-simd.js";
import type { Backend } from "../src/kernels/select.js";
import { Recurrent } from "../src/sequence/recurrent.js";
import { measure, median } from "./measure.js";
import { ortNodeRunner } from "./peers/ort.js";
import { gruWeights, type GruWeights } from "./peers/weights.js";
import { flops, random, WORKLOADS, type Runner, type Workload } from "./workloads.js";

const WINDOW = Number(process.argv[2] ?? 2), ROUNDS = Number(process.argv[3] ?? 3);
const relaxed = useRelaxedSimd();
if (!useNative()) { console.error("bench/native: the native kernels do not load here"); process.exit(1); }

const weightsMemo = new Map<string, GruWeights>();
const weights = (w: Workload) => { let g = weightsMemo.get(w.name); if (!g) { g = gruWeights(w); weightsMemo.set(w.name, g); } return g; };

function net(w: Workload, backend: Backend): Recurrent {
  const n = new Recurrent({ cell: "gru", inputSize: w.I, hiddenSize: w.H, backend });
  const g = weights(w);
  n.setParam("layer0.forward.W", g.W); n.setParam("layer0.forward.U", g.R);
  n.setParam("layer0.forward.b", g.b); n.setParam("layer0.forward.c", g.c);
  return n;
}

function gated(name: string, backend: Backend): Runner & { output(w: Workload): Float32Array } {
  return {
    name,
    async prepare(w) {
      const n = net(w, backend), x = { data: random(w.T * w.B * w.I, 7), shape: [w.T, w.B, w.I] };
      if (!w.train) return () => n.forward(x);
      const dY = { data: random(w.T * w.B * w.H, 8, 1e-3), shape: [w.T, w.B, w.H] }, grads = new Float32Array(n.paramCount);
      return () => {
        const r = n.forward(x, { train: true });
        grads.fill(0);
        n.backward(r.tape!, dY, { into: grads });
        const p = n.params;
        for (let i = 0; i < p.length; i++) p[i] = p[i]! - 1e-3 * grads[i]!;
        n.markChanged();
      };
    },
    output(w) { return net(w, backend).forward({ data: random(w.T * w.B * w.I, 7), shape: [w.T, w.B, w.I] }).output.data as Float32Array; },
  };
}

const native = gated(`gated native-${nativeIsa()} ×1`, "native"), wasm = gated(`gated wasm${relaxed ? "-relaxed" : ""} ×1`, "wasm");
const ort = ortNodeRunner(1, weights);
const runners: Runner[] = [native, wasm, ort];
console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(" ")}; windows of ${WINDOW} s, ${ROUNDS} rounds, medians`);
const rows: string[] = [];
for (const w of WORKLOADS) {
  const fns = await Promise.all(runners.map((r) => r.prepare(w)));
  const ms: number[][] = runners.map(() => []);
  for (const f of fns) if (f) await measure(f, 0.3, 1e9); // warm up
  for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < runners.length; i++) if (fns[i]) ms[i]!.push((await measure(fns[i]!, WINDOW, 1e9)).ms);
  const g = ms.map((m) => (m.length ? flops(w) / (median(m) * 1e6) : NaN));
  let check = "";
  if (!w.train) {
    const a = native.output(w), b = await ort.output(w);
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
    check = `  max |native − ORT| ${d.toExponential(1)}`;
  }
  rows.push(`${w.name.padEnd(9)} ${g.map((v) => (Number.isNaN(v) ? "—" : v.toFixed(1)).padStart(10)).join("")}   native/wasm ${(g[0]! / g[1]!).toFixed(2)}×` +
    (Number.isNaN(g[2]!) ? "" : `  native/ORT ${(g[0]! / g[2]!).toFixed(2)}×`) + check);
}
console.log(`GFLOP/s   ${runners.map((r) => r.name).join(" | ")}`);
for (const r of rows) console.log(r);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
