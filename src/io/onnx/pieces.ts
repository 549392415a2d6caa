/**
 * Graph pieces the exporters share, built once per graph: the batch size as an int64 [1], zero
 * states [B, H], the per-step activity mask [T, B, 1] from sequence lengths, and block slices of
 * parameter initializers.
 */
import type { GraphBuilder } from "./builder.js";

/** int64 [1] holding B of a time-major [T, B, ...] value. */
export function batchDim(g: GraphBuilder, x: string): string {
  const key = "batchDim";
  const hit = g.memo.get(key);
  if (hit) return hit;
  const shape = g.op("Shape", [x]);
  const b = g.op("Slice", [shape, g.ints("one_i", [1]), g.ints("two_i", [2]), g.ints("axis0_i", [0])], {}, "batch");
  g.memo.set(key, b);
  return b;
}

/** Zeros [B, H] (float32). */
export function zeroState(g: GraphBuilder, x: string, H: number): string {
  const key = `zeros:${H}`;
  const hit = g.memo.get(key);
  if (hit) return hit;
  const shape = g.op("Concat", [batchDim(g, x), g.ints("H_i", [H])], { axis: 0 });
  const z = g.op("ConstantOfShape", [shape], { value: { name: "zero", dims: [1], dataType: 1, floatData: [0] } }, "h0_zeros");
  g.memo.set(key, z);
  return z;
}

/** The int64 scalar T (steps) of a time-major value. */
export function stepsScalar(g: GraphBuilder, x: string): string {
  const hit = g.memo.get("steps");
  if (hit) return hit;
  const shape = g.op("Shape", [x]);
  const t = g.op("Gather", [shape, g.constant("zero_i", "int64", [], [0])], { axis: 0 }, "steps");
  g.memo.set("steps", t);
  return t;
}

/** int64 [T]: 0, 1, ..., T − 1. */
export function stepRange(g: GraphBuilder, x: string): string {
  const hit = g.memo.get("range");
  if (hit) return hit;
  const r = g.op("Range", [g.constant("start_i", "int64", [], [0]), stepsScalar(g, x), g.constant("delta_i", "int64", [], [1])], {}, "t_range");
  g.memo.set("range", r);
  return r;
}

/** bool [T, B, 1]: step t of row b is active (t < lengths[b]). */
export function stepMask(g: GraphBuilder, x: string, lengths: string): string {
  const hit = g.memo.get("mask");
  if (hit) return hit;
  const t = g.op("Unsqueeze", [stepRange(g, x), g.ints("axes12_i", [1, 2])]);
  const len = g.op("Unsqueeze", [lengths64(g, lengths), g.ints("axes02_i", [0, 2])]);
  const m = g.op("Less", [t, len], {}, "step_mask");
  g.memo.set("mask", m);
  return m;
}

/** The lengths as int64 [B]. */
export function lengths64(g: GraphBuilder, lengths: string): string {
  const hit = g.memo.get("len64");
  if (hit) return hit;
  const l = g.op("Cast", [lengths], { to: 7 }, "lengths_i64");
  g.memo.set("len64", l);
  return l;
}

/** Rows [k·n, (k + 1)·n) of a value along `axis`. */
export function block(g: GraphBuilder, v: string, k: number, n: number, axis: number): string {
  return g.op("Slice", [v, g.ints("s", [k * n]), g.ints("e", [(k + 1) * n]), g.ints("ax", [axis])]);
}

/** Block k (n rows) of a [G·n, C] matrix, transposed to [C, n] for x · Mᵀ as MatMul(x, ·). */
export function blockT(g: GraphBuilder, m: string, k: number, n: number): string {
  return g.op("Transpose", [block(g, m, k, n, 0)], { perm: [1, 0] });
}
