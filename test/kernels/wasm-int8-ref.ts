// The WebAssembly backend's int8 arithmetic (wasm/int8.ts, its opening comment) repeated in
// TypeScript, every quotient and sum of ½ rounded to float32 with Math.fround, and the cases its
// product is checked on (wasm-int8.test.ts, in this process and in children under V8's tiers).
import { Rng } from "../../src/util/random.js";
import type { WasmRuntime } from "../../src/kernels/wasm/runtime.js";

const f = Math.fround;
const roundHalfUp = (v: number) => Math.floor(f(v + 0.5));
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Weights [n, k] symmetric per row in 8 bits: q, s_w, Σ q. */
export function quantWeights(w: ArrayLike<number>, n: number, k: number): { q: Int32Array; s: Float32Array; sum: Int32Array } {
  const q = new Int32Array(n * k), s = new Float32Array(n), sum = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let m = 0;
    for (let j = 0; j < k; j++) m = Math.max(m, Math.abs(w[r * k + j]!));
    s[r] = m > 0 ? f(m / 127) : 1;
    for (let j = 0; j < k; j++) {
      q[r * k + j] = clamp(roundHalfUp(f(w[r * k + j]! / s[r]!)), -127, 127);
      sum[r]! += q[r * k + j]!;
    }
  }
  return { q, s, sum };
}

/** Rows [m, k] asymmetric per row in 7 bits: q in [0, 127], s_a, z. */
export function quantRows(a: ArrayLike<number>, m: number, k: number): { q: Int32Array; s: Float32Array; z: Int32Array } {
  const q = new Int32Array(m * k), s = new Float32Array(m), z = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    let lo = 0, hi = 0;
    for (let j = 0; j < k; j++) { lo = Math.min(lo, a[i * k + j]!); hi = Math.max(hi, a[i * k + j]!); }
    s[i] = hi > lo ? f(f(hi - lo) / 127) : 1;
    z[i] = clamp(roundHalfUp(f(-lo / s[i]!)), 0, 127);
    for (let j = 0; j < k; j++) q[i * k + j] = clamp(roundHalfUp(f(a[i * k + j]! / s[i]!)) + z[i]!, 0, 127);
  }
  return { q, s, z };
}

/** out [m, n] = s_a · s_w · (Σ q_a q_w − z · Σ q_w), in float32, in that order. */
export function product(a: ArrayLike<number>, m: number, k: number, w: ArrayLike<number>, n: number): Float32Array {
  const W = quantWeights(w, n, k), A = quantRows(a, m, k), out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < n; c++) {
      let acc = 0;
      for (let j = 0; j < k; j++) acc += A.q[i * k + j]! * W.q[c * k + j]!;
      out[i * n + c] = f(f(A.s[i]! * W.s[c]!) * f(acc - A.z[i]! * W.sum[c]!));
    }
  }
  return out;
}

/** Ŵ = s_w q_w (float64). */
export function dequantWeights(w: ArrayLike<number>, n: number, k: number): Float64Array {
  const { q, s } = quantWeights(w, n, k);
  return Float64Array.from(q, (v, i) => s[Math.floor(i / k)]! * v);
}

/** x̂ = s_a (q_a − z) (float64). */
export function dequantRows(a: ArrayLike<number>, m: number, k: number): Float64Array {
  const { q, s, z } = quantRows(a, m, k);
  return Float64Array.from(q, (v, i) => s[Math.floor(i / k)]! * (v - z[Math.floor(i / k)]!));
}

/**
 * A row of k values of kind `kind`: random signs, all zero, all ≥ 0, all ≤ 0, ties (a range of
 * exactly 127 so s = 1, the values halfway between integers), or large.
 */
function row(rng: Rng, k: number, kind: number): number[] {
  const u = () => rng.range(-1, 1);
  switch (kind % 6) {
    case 0: return Array.from({ length: k }, u);
    case 1: return new Array<number>(k).fill(0);
    case 2: return Array.from({ length: k }, () => Math.abs(u()) * 3);
    case 3: return Array.from({ length: k }, () => -Math.abs(u()) * 0.2);
    case 4: return Array.from({ length: k }, (_, j) => (j === 0 ? -27 : j === 1 ? 100 : rng.int(126) - 27 + 0.5));
    default: return Array.from({ length: k }, () => u() * 3e4);
  }
}

/** Weight rows: the kinds above but "ties" spans [−127, 127] (s_w = 1), halves of either sign. */
function weightRow(rng: Rng, k: number, kind: number): number[] {
  if (kind % 6 !== 4) return row(rng, k, kind);
  return Array.from({ length: k }, (_, j) => (j === 0 ? -127 : rng.int(253) - 126 + (rng.uniform() < 0.5 ? -0.5 : 0.5)));
}

/** [m, n, k]: one and two rows (the product's tiles), panels full and partial, k not a multiple of 4. */
export const SHAPES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1], [1, 16, 4], [2, 17, 5], [3, 33, 37], [5, 48, 16], [4, 100, 64], [7, 3, 130], [6, 64, 3],
];

/** Runs the module's product on every shape (each row and weight row of each kind); mismatching elements, and elements checked. */
export function productMismatches(rt: WasmRuntime, seed = 1): { mismatches: number; checked: number; first: string | null } {
  const rng = new Rng(seed);
  let mismatches = 0, checked = 0, first: string | null = null;
  for (const [m, n, k] of SHAPES) {
    const a = Float32Array.from(Array.from({ length: m }, (_, i) => row(rng, k, i + m)).flat());
    const w = Float32Array.from(Array.from({ length: n }, (_, r) => weightRow(rng, k, r)).flat());
    const pa = rt.heap.alloc(a.length * 4), pw = rt.heap.alloc(w.length * 4), po = rt.heap.alloc(m * n * 4);
    const pq = rt.heap.alloc(rt.x.int8WeightBytes(n, k)), pr = rt.heap.alloc(m * rt.x.int8RowBytes(k));
    rt.f32.set(a, pa >> 2);
    rt.f32.set(w, pw >> 2);
    rt.x.int8Weights(pq, pw, k, n, k);
    rt.x.int8Product(po, n, pa, k, m, pq, n, k, pr);
    const got = rt.f32.slice(po >> 2, (po >> 2) + m * n), want = product(a, m, k, w, n);
    for (let i = 0; i < m * n; i++) {
      checked++;
      if (Object.is(got[i], want[i])) continue;
      mismatches++;
      first ??= `[${m}, ${n}, ${k}] out[${Math.floor(i / n)}, ${i % n}] = ${got[i]}, the repeat ${want[i]}`;
    }
    for (const p of [pa, pw, po, pq, pr]) rt.heap.release(p);
  }
  return { mismatches, checked, first };
}
