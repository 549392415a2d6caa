// Dynamic int8 products for precision "int8" (relaxed-SIMD build only): the weights quantised once
// per forward loop, symmetric per output row, as the native backend does (native/int8.c); the
// activations quantised as they come, asymmetric per row, in SEVEN bits:
//
//   weights  s_w[n] = max_k |w[n, k]| / 127 (1 when the row is 0),  q_w = clamp(⌊w / s_w + ½⌋, −127, 127)
//   rows     lo = min(0, min_k a[k]), hi = max(0, max_k a[k]), s_a = (hi − lo) / 127 (1 when hi = lo),
//            z = clamp(⌊−lo / s_a + ½⌋, 0, 127),  q_a = clamp(⌊a / s_a + ½⌋ + z, 0, 127)
//   product  out[m, n] = s_a[m] · s_w[n] · (Σ_k q_a[m, k] · q_w[n, k] − z[m] · Σ_k q_w[n, k])
//
// in float32, in that order (the product of the scales, then times the integer difference converted
// to float32, as native's int8_store); every quotient and every sum of ½ is rounded to float32
// (test/kernels/wasm-int8.test.ts repeats it in TypeScript with Math.fround). The integer sums are
// exact: i16x8.relaxed_dot_i8x16_i7x16_s sums pairs of products in 16 bits, |q_w·q_a + q_w·q_a| ≤
// 2·127·127 = 32 258 < 2¹⁵ (no saturation), then pairs of those are added into 32-bit lanes
// (|Σ| ≤ 127·127·K < 2³¹ for K < 133 000).
//
// Why seven bits where native uses eight (u8, /255): the relaxed instruction is deterministic only
// when its second operand is in [0, 127]; with a top bit set an engine may read that byte as signed
// or as unsigned, so 8-bit activations would give different answers on different machines. Seven
// bits (PyTorch's x86 `reduce_range`) keep the result the same on every engine, at the cost of a
// quantisation step twice native's: this backend's int8 outputs are close to native's, not equal.
//
// Layouts (byte addresses; k padded with zeros to kp = k rounded up to 4):
//   weights  one block of int8WeightBytes(n, k): panels of 16 output rows, [kp / 4][16][4] bytes each
//            (4 consecutive k of one row side by side: the instruction's 4-byte groups), zero-padded
//            to np = n rounded up to 16 rows; then s_w [np] f32; then Σ_k q_w [np] i32.
//   rows     per row 8 + kp bytes: s_a f32, z i32, then q_a [kp] bytes (a row's block never depends
//            on another row, so a split of rows between threads changes no bit).
//
// Shape legend: m rows of activations, n output columns (weight rows), k the inner size.

import { di, dp } from "./desc";

const PANEL: i32 = 16;

// @ts-ignore: decorator
@inline function kpOf(k: i32): i32 { return (k + 3) & ~3; }

/** Bytes of a quantised weight block of n rows × k. */
export function int8WeightBytes(n: i32, k: i32): i32 {
  const np = (n + PANEL - 1) / PANEL * PANEL;
  return np * kpOf(k) + np * 8;
}

/** Bytes per row of quantised activations of length k. */
export function int8RowBytes(k: i32): i32 {
  return 8 + kpOf(k);
}

/**
 * acc + Σ of each 4-byte group's products (w signed, a in [0, 127]): the relaxed build only. Pairs of
 * products in 16 bits (relaxed_dot_i8x16_i7x16_s, exact: see above), widened pairwise into the
 * 32-bit lanes, added. Not the one-instruction i32x4.relaxed_dot_i8x16_i7x16_add_s: in Node 20
 * (V8 11.3, x64) its baseline-compiled (Liftoff) code gave wrong sums, the optimised code right
 * ones (int8Gemm against the TypeScript repeat: mismatches under --liftoff --no-wasm-tier-up, none
 * under --no-liftoff), so results changed as functions tiered up. The same arithmetic, same bits.
 */
// @ts-ignore: decorator
@inline function dot(w: v128, a: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, a)));
  unreachable();
  return acc;
}

// Minima and maxima below are pmin / pmax (one instruction each on x64, where min / max add NaN and
// ±0 handling): the same values for finite inputs (where lo is −0 for min and +0 for pmin, s_a and
// z come out the same).

/** ⌊v / s + ½⌋ (+ z), clamped to [lo, hi], as i32 lanes. */
// @ts-ignore: decorator
@inline function quant4(v: v128, s: v128, z: v128, lo: v128, hi: v128): v128 {
  const q = f32x4.add(f32x4.floor(f32x4.add(f32x4.div(v, s), f32x4.splat(0.5))), z);
  return i32x4.trunc_sat_f32x4_s(f32x4.pmin(f32x4.pmax(q, lo), hi));
}

/** The four low bytes of i32 lanes already in [−128, 127] (or [0, 255]), as one i32. */
// @ts-ignore: decorator
@inline function bytes4(q: v128): i32 {
  const h = i16x8.narrow_i32x4_s(q, q);
  return i32x4.extract_lane(i8x16.narrow_i16x8_s(h, h), 0);
}

/** One element, the same operations as quant4 on one lane. */
// @ts-ignore: decorator
@inline function quant1(v: f32, s: f32, z: f32, lo: f32, hi: f32): i32 {
  return <i32>min(max(Mathf.floor(v / s + 0.5) + z, lo), hi);
}

/** Quantises w [n, k] (row stride ldw elements) into the block at dst (layout at the top). */
export function int8Weights(dst: usize, w: usize, ldw: i32, n: i32, k: i32): void {
  const kp = kpOf(k), np = (n + PANEL - 1) / PANEL * PANEL, k4 = k & ~3;
  const scale = dst + <usize>(np * kp), rowsum = scale + <usize>(np * 4);
  memory.fill(dst, 0, <usize>int8WeightBytes(n, k));
  const zero = f32x4.splat(0), lo = f32x4.splat(-127), hi = f32x4.splat(127);
  for (let r = 0; r < n; r++) {
    const row = w + <usize>(r * ldw) * 4;
    let vm = f32x4.splat(0), j = 0;
    for (; j < k4; j += 4) vm = f32x4.pmax(vm, f32x4.abs(v128.load(row + <usize>j * 4)));
    let m = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
    for (; j < k; j++) m = max(m, abs(load<f32>(row + <usize>j * 4)));
    const s: f32 = m > 0 ? m / 127 : 1, vs = f32x4.splat(s);
    // row r's 4-byte group g sits at panel + g·64 + (r mod 16)·4
    const panel = dst + <usize>((r / PANEL) * PANEL * kp + (r % PANEL) * 4);
    let sum = i32x4.splat(0);
    for (j = 0; j < k4; j += 4) {
      const q = quant4(v128.load(row + <usize>j * 4), vs, zero, lo, hi);
      sum = i32x4.add(sum, q);
      store<i32>(panel + <usize>(j * PANEL), bytes4(q));
    }
    let tail = 0;
    for (; j < k; j++) {
      const q = quant1(load<f32>(row + <usize>j * 4), s, 0, -127, 127);
      sum = i32x4.replace_lane(sum, 0, i32x4.extract_lane(sum, 0) + q);
      tail |= (q & 0xff) << ((j & 3) * 8);
    }
    if (k4 < k) store<i32>(panel + <usize>(k4 * PANEL), tail);
    store<f32>(scale + <usize>r * 4, s);
    store<i32>(rowsum + <usize>r * 4, i32x4.extract_lane(sum, 0) + i32x4.extract_lane(sum, 1) + i32x4.extract_lane(sum, 2) + i32x4.extract_lane(sum, 3));
  }
}

/** Quantises rows a [m, k] (row stride lda elements) into q (layout at the top). */
export function int8Rows(q: usize, a: usize, lda: i32, m: i32, k: i32): void {
  const rs = <usize>int8RowBytes(k), k4 = k & ~3;
  const zero = f32x4.splat(0), top = f32x4.splat(127);
  for (let i = 0; i < m; i++) {
    const row = a + <usize>(i * lda) * 4, qi = q + <usize>i * rs;
    let vlo = f32x4.splat(0), vhi = vlo, j = 0;
    for (; j < k4; j += 4) { const x = v128.load(row + <usize>j * 4); vlo = f32x4.pmin(vlo, x); vhi = f32x4.pmax(vhi, x); }
    let lo = min(min(f32x4.extract_lane(vlo, 0), f32x4.extract_lane(vlo, 1)), min(f32x4.extract_lane(vlo, 2), f32x4.extract_lane(vlo, 3)));
    let hi = max(max(f32x4.extract_lane(vhi, 0), f32x4.extract_lane(vhi, 1)), max(f32x4.extract_lane(vhi, 2), f32x4.extract_lane(vhi, 3)));
    for (; j < k; j++) { const x = load<f32>(row + <usize>j * 4); lo = min(lo, x); hi = max(hi, x); }
    const s: f32 = hi > lo ? (hi - lo) / 127 : 1;
    const z: f32 = min(max(Mathf.floor(-lo / s + 0.5), 0), 127);
    const vs = f32x4.splat(s), vz = f32x4.splat(z);
    for (j = 0; j < k4; j += 4) store<i32>(qi + 8 + <usize>j, bytes4(quant4(v128.load(row + <usize>j * 4), vs, vz, zero, top)));
    let tail = 0;
    for (; j < k; j++) tail |= quant1(load<f32>(row + <usize>j * 4), s, z, 0, 127) << ((j & 3) * 8);
    if (k4 < k) store<i32>(qi + 8 + <usize>k4, tail);
    store<f32>(qi, s);
    store<i32>(qi, <i32>z, 4);
  }
}

/** out[c] for the 4 columns of one accumulator: s_a · s_w · (Σ − z · Σ q_w); `nc` columns of 4 exist. */
// @ts-ignore: decorator
@inline function put(out: usize, acc: v128, sa: v128, za: v128, sw: usize, ws: usize, nc: i32): void {
  const d = f32x4.convert_i32x4_s(i32x4.sub(acc, i32x4.mul(za, v128.load(ws))));
  const v = f32x4.mul(f32x4.mul(sa, v128.load(sw)), d);
  if (nc >= 4) { v128.store(out, v); return; }
  if (nc > 0) store<f32>(out, f32x4.extract_lane(v, 0));
  if (nc > 1) store<f32>(out, f32x4.extract_lane(v, 1), 4);
  if (nc > 2) store<f32>(out, f32x4.extract_lane(v, 2), 8);
}

// @ts-ignore: decorator
@inline function putRow(out: usize, qi: usize, c0: v128, c1: v128, c2: v128, c3: v128, sw: usize, ws: usize, nc: i32): void {
  const sa = v128.load32_splat(qi), za = v128.load32_splat(qi, 4);
  put(out, c0, sa, za, sw, ws, nc);
  put(out + 16, c1, sa, za, sw + 16, ws + 16, nc - 4);
  put(out + 32, c2, sa, za, sw + 32, ws + 32, nc - 8);
  put(out + 48, c3, sa, za, sw + 48, ws + 48, nc - 12);
}

/** Two rows (q0, q0 + rs) against one panel (16 columns, nc of them real). */
// @ts-ignore: decorator
@inline function tile2(out: usize, ldo: usize, q0: usize, rs: usize, panel: usize, kq: i32, sw: usize, ws: usize, nc: i32): void {
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  const q1 = q0 + rs;
  for (let g = 0; g < kq; g++) {
    const p = panel + (<usize>g << 6), o = <usize>(8 + (g << 2));
    const w0 = v128.load(p), w1 = v128.load(p, 16), w2 = v128.load(p, 32), w3 = v128.load(p, 48);
    const x = v128.load32_splat(q0 + o), y = v128.load32_splat(q1 + o);
    a0 = dot(w0, x, a0); a1 = dot(w1, x, a1); a2 = dot(w2, x, a2); a3 = dot(w3, x, a3);
    b0 = dot(w0, y, b0); b1 = dot(w1, y, b1); b2 = dot(w2, y, b2); b3 = dot(w3, y, b3);
  }
  putRow(out, q0, a0, a1, a2, a3, sw, ws, nc);
  putRow(out + ldo, q1, b0, b1, b2, b3, sw, ws, nc);
}

// @ts-ignore: decorator
@inline function tile1(out: usize, q0: usize, panel: usize, kq: i32, sw: usize, ws: usize, nc: i32): void {
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (let g = 0; g < kq; g++) {
    const p = panel + (<usize>g << 6);
    const x = v128.load32_splat(q0 + <usize>(8 + (g << 2)));
    a0 = dot(v128.load(p), x, a0); a1 = dot(v128.load(p, 16), x, a1); a2 = dot(v128.load(p, 32), x, a2); a3 = dot(v128.load(p, 48), x, a3);
  }
  putRow(out, q0, a0, a1, a2, a3, sw, ws, nc);
}

/** out [m, n] (row stride ldo elements) = the product of the quantised rows q and weights wq. */
export function int8Gemm(out: usize, ldo: i32, q: usize, m: i32, wq: usize, n: i32, k: i32): void {
  const kp = kpOf(k), np = (n + PANEL - 1) / PANEL * PANEL, kq = kp >> 2, rs = <usize>int8RowBytes(k), ld = <usize>ldo * 4;
  const scale = wq + <usize>(np * kp), rowsum = scale + <usize>(np * 4);
  for (let p = 0; p < np / PANEL; p++) {
    const panel = wq + <usize>(p * PANEL * kp), nc = min(PANEL, n - p * PANEL);
    const sw = scale + <usize>(p * PANEL * 4), ws = rowsum + <usize>(p * PANEL * 4), o = out + <usize>(p * PANEL * 4);
    let i = 0;
    for (; i + 2 <= m; i += 2) tile2(o + <usize>i * ld, ld, q + <usize>i * rs, rs, panel, kq, sw, ws, nc);
    if (i < m) tile1(o + <usize>i * ld, q + <usize>i * rs, panel, kq, sw, ws, nc);
  }
}

/** out [m, n] = a [m, k] (row stride lda) · Wᵀ in int8: the rows quantised into q, then the product. */
export function int8Product(out: usize, ldo: i32, a: usize, lda: i32, m: i32, wq: usize, n: i32, k: i32, q: usize): void {
  int8Rows(q, a, lda, m, k);
  int8Gemm(out, ldo, q, m, wq, n, k);
}

/** int8Product as a job (a thread's share of rows): desc out, ldo, a, lda, m, wq, n, k, q. */
export function int8Job(d: usize): void {
  int8Product(dp(d, 0), di(d, 1), dp(d, 2), di(d, 3), di(d, 4), dp(d, 5), di(d, 6), di(d, 7), dp(d, 8));
}
