/**
 * gated's dynamic int8 products (the arithmetic of native/int8.c, a recurrent stack's precision
 * "int8") as standard ONNX operators that ONNX Runtime runs, so an int8 model exports as itself:
 *
 *   weights  s_w[n] = max_k |w[n, k]| / 127 (1 when the row is 0),  q_w = clamp(⌊w / s_w + ½⌋, −127, 127)
 *            — done here, at export: initializers "<entry>.int8" (int8 [N, K], gated's row layout)
 *            and "<entry>.scale" (float [N]).
 *   rows     lo = min(0, min_k a[k]), hi = max(0, max_k a[k]), s_a = (hi − lo) / 255 (1 when hi = lo),
 *            z = clamp(⌊−lo / s_a + ½⌋, 0, 255),  q_a = clamp(⌊a / s_a + ½⌋ + z, 0, 255)
 *            — in the graph, per row as the values come: ReduceMin / ReduceMax, Div, Floor, Clip,
 *            Cast to uint8 (every operation a float32 IEEE one, as int8.c does them).
 *   product  out[m, n] = (s_a[m] · s_w[n]) · (Σ_k q_a[m, k] · q_w[n, k] − z[m] · Σ_k q_w[n, k])
 *            — MatMulInteger (uint8 × int8 → int32, exact), the zero-point term in int32, then
 *            float32 in int8.c's order.
 * So ONNX Runtime computes the same quantised values and the same integer sums as gated; the
 * activations and the float32 work around the products (σ, tanh) are ONNX Runtime's own, so its
 * outputs equal gated's to float32 rounding, except where a value it quantises lands on the other
 * side of a rounding boundary (one step of the row's grid: s_a · s_w · |q_w|).
 *
 * Reading back (read-gated.ts): the weights gated gets are s_w · q_w, with each row's largest entry
 * nudged (by float32 steps) so that quantising them again gives the same q_w and s_w: the same
 * int8 model, whose float32 form is the dequantised one.
 */
import { FormatError } from "../../errors/index.js";
import type { GraphBuilder } from "./builder.js";

const f = Math.fround;
const roundHalfUp = (v: number): number => Math.floor(f(v + 0.5));

/** Symmetric per-row quantisation of w [n, k] (row stride k), as int8.c's int8_quantize_weights. */
export function quantiseWeightRows(w: ArrayLike<number>, n: number, k: number): { q: Int8Array; scale: Float32Array } {
  const q = new Int8Array(n * k), scale = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let m = 0;
    for (let j = 0; j < k; j++) m = Math.max(m, Math.abs(w[r * k + j]!));
    const s = m > 0 ? f(m / 127) : 1;
    for (let j = 0; j < k; j++) q[r * k + j] = Math.min(127, Math.max(-127, roundHalfUp(f(w[r * k + j]! / s))));
    scale[r] = s;
  }
  return { q, scale };
}

/**
 * Float32 weights that quantise to exactly (q, scale): s · q, each row's entries of the largest |q|
 * nudged until max|w| / 127 rounds to s again. A FormatError when the pair is not one gated's
 * quantisation makes (a scale not positive and finite, |q| over 127, or a nonzero row whose
 * largest |q| is not 127).
 */
export function dequantiseWeightRows(where: string, name: string, q: ArrayLike<number>, scale: ArrayLike<number>, n: number, k: number): Float32Array {
  const w = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    const s = scale[r]!;
    let top = 0;
    for (let j = 0; j < k; j++) {
      const v = q[r * k + j]!;
      if (!Number.isInteger(v) || Math.abs(v) > 127) throw new FormatError(`${where}: ${name}: row ${r} holds ${v}, outside −127…127`);
      top = Math.max(top, Math.abs(v));
    }
    if (!(s > 0) || !Number.isFinite(s)) throw new FormatError(`${where}: ${name}: row ${r} has scale ${s}; expected a positive finite number`);
    if (top === 0) continue; // a zero row (its scale is 1 when gated quantises it)
    if (top !== 127) throw new FormatError(`${where}: ${name}: row ${r}'s largest |value| is ${top}; gated's quantisation puts 127 there`);
    let big = f(127 * s);
    for (let tries = 0; f(big / 127) !== s && tries < 64; tries++) big = f(big / 127) < s ? nextUp(big) : nextDown(big);
    for (let j = 0; j < k; j++) {
      const v = q[r * k + j]!;
      w[r * k + j] = Math.abs(v) === 127 ? Math.sign(v) * big : f(v * s);
    }
  }
  // the proof: gated's own quantisation of w gives q and the scales back
  const again = quantiseWeightRows(w, n, k);
  for (let r = 0; r < n; r++) {
    let nonzero = false;
    for (let j = 0; j < k; j++) {
      if (again.q[r * k + j] !== q[r * k + j]) throw new FormatError(`${where}: ${name}: row ${r} does not come back from its scale (not a quantisation gated makes)`);
      nonzero ||= q[r * k + j] !== 0;
    }
    if (nonzero && again.scale[r] !== f(scale[r]!)) throw new FormatError(`${where}: ${name}: row ${r}'s scale ${scale[r]} cannot be reproduced`);
  }
  return w;
}

const F32 = new Float32Array(1), U32 = new Uint32Array(F32.buffer);
function nextUp(v: number): number { F32[0] = v; U32[0]! += 1; return F32[0]!; }
function nextDown(v: number): number { F32[0] = v; U32[0]! -= 1; return F32[0]!; }

/** A weight matrix quantised at export: initializers for q [N, K] int8 and s [N] float. */
export interface Int8Matrix {
  readonly q: string;
  readonly scale: string;
}

/** Quantises w [n, k] (gated's row layout) into two initializers named `<name>.int8` and `<name>.scale`. */
export function int8Matrix(g: GraphBuilder, name: string, w: ArrayLike<number>, n: number, k: number): Int8Matrix {
  const { q, scale } = quantiseWeightRows(w, n, k);
  return {
    q: g.constant(`${name}.int8`, "int8", [n, k], q, true),
    scale: g.constant(`${name}.scale`, "float32", [n], scale, true),
  };
}

/** Rows [start, start + n) of a quantised matrix, ready for the product: qᵀ [K, n], s_w [n], Σ_k q_w [n]. */
export interface Int8Block {
  readonly qT: string;
  readonly scale: string;
  readonly rowSum: string;
}

/** What a graph made once: blocks by matrix and rows, quantised rows by value name. */
const made = new WeakMap<GraphBuilder, Map<string, Int8Block | Int8Rows>>();
function madeIn(g: GraphBuilder): Map<string, Int8Block | Int8Rows> {
  let m = made.get(g);
  if (!m) { m = new Map(); made.set(g, m); }
  return m;
}

/** Rows [start, start + n) of `m`, their pieces outside any loop (ONNX Runtime folds them at load). */
export function int8Block(g: GraphBuilder, m: Int8Matrix, start: number, n: number): Int8Block {
  const key = `block:${m.q}:${start}:${n}`, hit = madeIn(g).get(key);
  if (hit) return hit as Int8Block;
  const rows = (v: string) => g.op("Slice", [v, g.ints("s", [start]), g.ints("e", [start + n]), g.ints("ax", [0])]);
  const q = rows(m.q);
  const block: Int8Block = {
    qT: g.op("Transpose", [q], { perm: [1, 0] }, "int8_wT"),
    scale: rows(m.scale),
    rowSum: g.op("ReduceSum", [g.op("Cast", [q], { to: INT32 }), g.ints("axes1_i", [1])], { keepdims: 0 }, "int8_wsum"),
  };
  madeIn(g).set(key, block);
  return block;
}

/** Activations quantised per row: q [..., K] uint8, s and z [..., 1] float. */
export interface Int8Rows {
  readonly q: string;
  readonly scale: string;
  readonly zero: string;
}

const INT32 = 6, UINT8 = 2, FLOAT = 1;

/** a [..., K] (float) quantised per row over its last axis, once per value and graph. */
export function int8Rows(b: GraphBuilder, a: string): Int8Rows {
  const key = `rows:${a}`, hit = madeIn(b).get(key);
  if (hit) return hit as Int8Rows;
  const zero = b.scalar(0);
  const lo = b.op("Min", [b.op("ReduceMin", [a], { axes: [-1], keepdims: 1 }), zero]);
  const hi = b.op("Max", [b.op("ReduceMax", [a], { axes: [-1], keepdims: 1 }), zero]);
  const s = b.op("Where", [b.op("Greater", [hi, lo]), b.op("Div", [b.op("Sub", [hi, lo]), b.scalar(255)]), b.scalar(1)], {}, "int8_scale");
  const half = b.scalar(0.5), top = b.scalar(255);
  const z = b.op("Clip", [b.op("Floor", [b.op("Add", [b.op("Div", [b.op("Neg", [lo]), s]), half])]), zero, top], {}, "int8_zero");
  const q = b.op("Clip", [b.op("Add", [b.op("Floor", [b.op("Add", [b.op("Div", [a, s]), half])]), z]), zero, top]);
  const rows: Int8Rows = { q: b.op("Cast", [q], { to: UINT8 }, "int8_q"), scale: s, zero: b.op("Cast", [z], { to: INT32 }) };
  madeIn(b).set(key, rows);
  return rows;
}

/** a · W_blockᵀ [..., n] in gated's int8 arithmetic, a [..., K] float. */
export function int8Product(b: GraphBuilder, a: string, w: Int8Block): string {
  const r = int8Rows(b, a);
  const acc = b.op("MatMulInteger", [r.q, w.qT], {}, "int8_acc");
  const d = b.op("Cast", [b.op("Sub", [acc, b.op("Mul", [r.zero, w.rowSum])])], { to: FLOAT });
  return b.op("Mul", [b.op("Mul", [r.scale, w.scale]), d], {}, "int8_out");
}
