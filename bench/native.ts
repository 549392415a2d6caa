// The native kernels against the WebAssembly kernels, ONNX Runtime (onnxruntime-node, native) and
// PyTorch (CPU; an optional peer where a Python with torch is found, bench/peers/pytorch.ts), all on
// one thread, in one run: the bench's workloads S1–S3 (inference) and S1/S2 training steps
// (forward, backward, SGD update; ORT has no training), the same inputs and weights for all. First
// the GRU (forward FLOPs 2·B·T·3H·(I + H)), then the LSTM on the same shapes (2·B·T·4H·(I + H);
// ORT's LSTM is not a peer here); and gated native with precision "int8" (inference, where the CPU
// has VNNI), its largest difference from the float32 outputs printed. Rounds alternate the runners, each a window of WINDOW seconds;
// the figure is the median per call, as GFLOP/s. Also prints the largest difference between gated
// native's outputs and each peer's (a sanity check: the same function).
//
// Usage: node --import tsx bench/native.ts [window seconds = 2] [rounds = 3] [--no-torch]
import { loadavg } from "node:os";
import { nativeAddon } from "../src/kernels/native/addon.js";
import { useNative, nativeIsa } from "../src/kernels/native/load-node.js";
import { useRelaxedSimd } from "../src/kernels/relaxed-simd.js";
import type { Backend } from "../src/kernels/select.js";
import { Recurrent } from "../src/sequence/recurrent.js";
import { measure, median, type Measurer } from "./measure.js";
import { ortNodeRunner } from "./peers/ort.js";
import { torchPeer } from "./peers/pytorch.js";
import { gruWeights, type GruWeights } from "./peers/weights.js";
import { flops, random, WORKLOADS, type Workload } from "./workloads.js";

const WINDOW = Number(process.argv[2] ?? 2), ROUNDS = Number(process.argv[3] ?? 3);
const relaxed = useRelaxedSimd();
if (!useNative()) { console.error("bench/native: the native kernels do not load here"); process.exit(1); }

type Cell = "gru" | "lstm";
const weightsMemo = new Map<string, GruWeights>();
const weights = (w: Workload) => { let g = weightsMemo.get(w.name); if (!g) { g = gruWeights(w); weightsMemo.set(w.name, g); } return g; };
const input = (w: Workload) => random(w.T * w.B * w.I, 7);
const dOut = (w: Workload) => random(w.T * w.B * w.H, 8, 1e-3);

/** The cell's parameters in the peers' order: GRU W, U, b, c (z, r, h); LSTM W, U, b (i, f, c, o). */
function params(cell: Cell, w: Workload): Float32Array[] {
  if (cell === "gru") { const g = weights(w); return [g.W, g.R, g.b, g.c]; }
  const s = 1 / Math.sqrt(w.H);
  return [random(4 * w.H * w.I, 11, s), random(4 * w.H * w.H, 12, s), random(4 * w.H, 13, s)];
}

function net(cell: Cell, w: Workload, backend: Backend): Recurrent {
  const n = new Recurrent({ cell, inputSize: w.I, hiddenSize: w.H, backend });
  const p = params(cell, w);
  (["W", "U", "b", "c"] as const).slice(0, p.length).forEach((k, i) => n.setParam(`layer0.forward.${k}`, p[i]!));
  return n;
}

/** The same net with its products in dynamic int8 (precision "int8"; inference only). */
function int8Net(cell: Cell, w: Workload): Recurrent {
  const n = new Recurrent({ cell, inputSize: w.I, hiddenSize: w.H, precision: "int8" });
  n.params.set(net(cell, w, "native").params);
  n.markChanged();
  return n;
}

function gatedCall(cell: Cell, w: Workload, backend: Backend, int8 = false): () => unknown {
  const n = int8 ? int8Net(cell, w) : net(cell, w, backend), x = { data: input(w), shape: [w.T, w.B, w.I] };
  if (!w.train) return () => n.forward(x);
  const dY = { data: dOut(w), shape: [w.T, w.B, w.H] }, grads = new Float32Array(n.paramCount);
  return () => {
    const r = n.forward(x, { train: true });
    grads.fill(0);
    n.backward(r.tape!, dY, { into: grads });
    const p = n.params;
    for (let i = 0; i < p.length; i++) p[i] = p[i]! - 1e-3 * grads[i]!;
    n.markChanged();
  };
}

const local = (fn: () => unknown): Measurer => (seconds, maxCalls) => measure(fn, seconds, maxCalls);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!)); return d; };

// int8 where this CPU has integer dot products (VNNI); inference workloads only
const INT8 = nativeAddon()!.int8() !== "portable";
const torch = process.argv.includes("--no-torch") ? { skipped: "left out (--no-torch)" } : await torchPeer();
const ort = ortNodeRunner(1, weights);
console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(" ")}; windows of ${WINDOW} s, ${ROUNDS} rounds, medians`);
console.log(`PyTorch: ${"skipped" in torch ? `left out: ${torch.skipped}` : torch.about}`);
for (const cell of ["gru", "lstm"] as const) {
  const names = [`native-${nativeIsa()}`, `wasm${relaxed ? "-relaxed" : ""}`, ...(cell === "gru" ? ["ORT-node"] : []), ...("skipped" in torch ? [] : ["PyTorch"]), ...(INT8 ? ["native int8"] : [])];
  const rows: string[] = [];
  for (const w of WORKLOADS) {
    const ms: (Measurer | null)[] = [local(gatedCall(cell, w, "native")), local(gatedCall(cell, w, "wasm"))];
    if (cell === "gru") { const f = await ort.prepare(w); ms.push(f ? local(f) : null); }
    const key = `${cell}-${w.name}`;
    if (!("skipped" in torch)) ms.push(await torch.prepare(key, cell, w, [input(w), ...(w.train ? [dOut(w)] : []), ...params(cell, w)]));
    if (INT8) ms.push(w.train ? null : local(gatedCall(cell, w, "native", true)));
    const times: number[][] = ms.map(() => []);
    for (const m of ms) if (m) await m(0.3, 1e9); // warm up
    for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < ms.length; i++) if (ms[i]) times[i]!.push((await ms[i]!(WINDOW, 1e9)).ms);
    const f = flops(w) * (cell === "lstm" ? 4 / 3 : 1);
    const g = times.map((t) => (t.length ? f / (median(t) * 1e6) : NaN));
    // native over each peer; int8's own speed-up over float32 native the other way round
    const ratios = names.slice(1).map((n, i) => (Number.isNaN(g[i + 1]!) ? "" : n === "native int8" ? `  int8 ${(g[i + 1]! / g[0]!).toFixed(2)}× float32` : `  /${n} ${(g[0]! / g[i + 1]!).toFixed(2)}×`)).join("");
    let check = "";
    if (!w.train) {
      const ours = net(cell, w, "native").forward({ data: input(w), shape: [w.T, w.B, w.I] }).output.data;
      if (cell === "gru") check += `  |native − ORT| ${maxDiff(ours, await ort.output(w)).toExponential(1)}`;
      if (!("skipped" in torch)) check += `  |native − PyTorch| ${maxDiff(ours, await torch.output(key)).toExponential(1)}`;
      if (INT8) check += `  |int8 − float32| ${maxDiff(ours, int8Net(cell, w).forward({ data: input(w), shape: [w.T, w.B, w.I] }).output.data).toExponential(1)}`;
    }
    rows.push(`${w.name.padEnd(9)} ${g.map((v) => (Number.isNaN(v) ? "—" : v.toFixed(1)).padStart(10)).join("")}  native${ratios}${check}`);
  }
  console.log(`${cell.toUpperCase()} GFLOP/s, one thread: ${names.join(" | ")}`);
  for (const r of rows) console.log(r);
}
if (!("skipped" in torch)) torch.close();
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
