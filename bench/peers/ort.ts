// ONNX Runtime: onnxruntime-node (native, CPU execution provider) and onnxruntime-web (its
// WebAssembly build), one GRU node with the same weights as gated. Inference only.
import { createRequire } from "node:module";
import "./ort-trace.js";
import { random, type Runner, type Workload } from "../workloads.js";
// @ts-expect-error: a plain .mjs module, without types
import { gruModel } from "./onnx-model.mjs";
import { onnxBias, type GruWeights } from "./weights.js";

const require = createRequire(import.meta.url);

type Ort = typeof import("onnxruntime-web");

function model(w: Workload, g: GruWeights, oneStep = false): Uint8Array {
  return gruModel({ T: oneStep ? 1 : w.T, B: w.B, I: w.I, H: w.H }, { W: g.W, R: g.R, B: onnxBias(g, w.H) }, oneStep);
}

async function session(ort: Ort, bytes: Uint8Array, threads: number, native: boolean) {
  const opts = native
    ? { executionProviders: ["cpu"], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential" as const, graphOptimizationLevel: "all" as const }
    : { executionProviders: ["wasm"], graphOptimizationLevel: "all" as const };
  return ort.InferenceSession.create(bytes, opts);
}

function runnerOf(name: string, load: () => Promise<Ort>, threads: number, native: boolean, weights: (w: Workload) => GruWeights): Runner & { output(w: Workload): Promise<Float32Array> } {
  const sessions = new Map<string, Awaited<ReturnType<typeof session>>>();
  const get = async (w: Workload) => {
    let s = sessions.get(w.name);
    if (!s) { s = await session(await load(), model(w, weights(w)), threads, native); sessions.set(w.name, s); }
    return s;
  };
  const feeds = async (w: Workload) => ({ X: new (await load()).Tensor("float32", random(w.T * w.B * w.I, 7), [w.T, w.B, w.I]) });
  return {
    name,
    async prepare(w) {
      if (w.train) return null;
      const s = await get(w), f = await feeds(w);
      return () => s.run(f);
    },
    /** Y [T, B, H] of the workload (the sanity check against gated). */
    async output(w) {
      const r = await (await get(w)).run(await feeds(w));
      return r.Y!.data as Float32Array;
    },
  };
}

let nodeOrt: Promise<Ort> | null = null;
export function ortNodeRunner(threads: number, weights: (w: Workload) => GruWeights) {
  return runnerOf(`ORT-node ×${threads}`, () => (nodeOrt ??= Promise.resolve(require("onnxruntime-node") as Ort)), threads, true, weights);
}

let webOrt: Promise<Ort> | null = null;
/** onnxruntime-web: its thread count is fixed per process (the first session sets it). */
export function ortWebRunner(threads: number, weights: (w: Workload) => GruWeights) {
  const load = () => (webOrt ??= import("onnxruntime-web").then((ort) => { ort.env.wasm.numThreads = threads; return ort; }));
  return runnerOf(`ORT-web ×${threads}`, load, threads, false, weights);
}

/** Per-step latency of a one-step session (X [1, 1, I] and H0 [1, 1, H] fed each call), µs. */
export async function ortStream(native: boolean, threads: number, w: Workload, g: GruWeights): Promise<() => Promise<unknown>> {
  const ort = native ? (nodeOrt ??= Promise.resolve(require("onnxruntime-node") as Ort)) : (webOrt ??= import("onnxruntime-web").then((o) => { o.env.wasm.numThreads = threads; return o; }));
  const o = await ort;
  const s = await session(o, model({ ...w, B: 1 }, g, true), threads, native);
  const f = { X: new o.Tensor("float32", random(w.I, 9), [1, 1, w.I]), H0: new o.Tensor("float32", new Float32Array(w.H), [1, 1, w.H]) };
  return () => s.run(f);
}
