// One set of GRU weights per workload, shared by gated and ONNX Runtime so their outputs can be
// compared (a sanity check printed by the benchmark). Gate order z, r, h; reset after.
import { random, type Workload } from "../workloads.js";

export interface GruWeights {
  readonly W: Float32Array; // [3H, I]
  readonly R: Float32Array; // [3H, H]
  readonly b: Float32Array; // [3H]: input-side biases z, r, h (ONNX Wb)
  readonly c: Float32Array; // [H]: recurrent candidate bias (ONNX Rb_h)
}

export function gruWeights(w: Workload): GruWeights {
  const s = 1 / Math.sqrt(w.H);
  return { W: random(3 * w.H * w.I, 1, s), R: random(3 * w.H * w.H, 2, s), b: random(3 * w.H, 3, s), c: random(w.H, 4, s) };
}

/** ONNX B [6H] = [Wb_z, Wb_r, Wb_h, Rb_z, Rb_r, Rb_h] for the same cell. */
export function onnxBias(g: GruWeights, H: number): Float32Array {
  const B = new Float32Array(6 * H);
  B.set(g.b, 0);
  B.set(g.c, 5 * H);
  return B;
}
