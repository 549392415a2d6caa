// Register-blocked matrix multiply, f32, WebAssembly SIMD.
//
// Shape legend: out[M, N] = A[M, K] · B[K, N] (+ out when beta = 1). All pointers are byte
// addresses in linear memory; strides are in bytes unless named ld* (elements).
//
// Operands:
//   A   element (i, p) at a + i·ars + p·acs: row-major A has (ars, acs) = (4·lda, 4); a transposed
//       A (the weight-gradient orientation, stored [K, M]) has (4, 4·lda). Products at least
//       PACK_MIN_N wide copy each block of A (MC rows × KC) into the calling thread's buffer first,
//       4 rows side by side (packA), for the packed 4×8 kernel.
//   B   in panels of NR = 24 columns. Full panel j starts at b + j·bps, its row p at + p·bks and
//       holds B[p, 24j .. 24j + 24). A packed B (packNT/packNN) has bks = 96, bps = 96·K; a
//       row-major B used in place has bks = 4·ldb, bps = 96. The last, partial panel (N mod 24
//       columns) is always packed and zero-padded, at `edge` (row stride 96).
//
// Why 24: V8 keeps every load of a loop iteration live at once (loads are scheduled first), and
// x64 gives a kernel 15 vector registers. The matrix-vector kernel holds one accumulator and one
// loaded vector per 4 columns plus the splat: 6 + 6 + 1 fits, where 32 columns (8 + 8 + 1) spill an
// accumulator to the stack and ran ~20% slower (scratch measurements on this machine: 1×24 at
// ~23 GFLOP/s, 1×32 at ~18). The 4×8 kernel is as fast on three 8-column thirds as on four
// quarters (~26 GFLOP/s, the plain-SIMD multiply-then-add roof here).
//
// Every output element is computed the same way by every kernel here, whatever M, N, the tile or
// the thread. K goes in blocks of KC; for each block, acc = 0, then acc = madd(A[i, p], B[p, j], acc)
// for the block's p in order, then out = acc for the first block of a beta = 0 call and
// out = out + acc otherwise (blocked summation, as BLAS libraries do: the rounding error of a long
// sum, such as a weight gradient over B·T rows, grows with KC + K/KC instead of K). KC is fixed, so
// the bits depend on K alone: a row of out does not depend on the other rows (a one-row call,
// streaming, equals that row of a many-row call) and splitting rows or panels between threads
// changes nothing.
import { di, dp } from "./desc";
import { madd } from "./simd";

const NR: i32 = 24;
/** Rows of A per block, so the block stays in L2 while the panels of B stream past it. */
const MC: i32 = 64;
/** K per block: a block of a panel of B (KC × 24 floats, 24 KiB) stays in L1. */
const KC: i32 = 256;
/** Bytes of one thread's buffer for a packed block of A (MC rows × KC). */
const PACK_BYTES: i32 = MC * KC * 4;
/**
 * Products at least this wide pack their block of A first (below, the copy costs more than the
 * packed kernel saves: packing is about one operation per element of A, the product N/4 vector
 * multiply-adds per element).
 */
const PACK_MIN_N: i32 = 96;

/**
 * This instance's buffer for a packed block of A (PACK_BYTES), 0 until the runtime sets it. Globals
 * are per instance, and every thread has its own instance of the module: one buffer per thread.
 */
let packBuf: usize = 0;

/** Bytes each thread's buffer needs (the runtime reserves one per thread from this). */
export function packBytes(): i32 {
  return PACK_BYTES;
}

/** Sets this instance's buffer, packBytes() long (0: none, A is read in place). */
export function setPackBuffer(p: usize): void {
  packBuf = p;
}

// ---------------------------------------------------------------------------------------------
// Packing B into panels

/** Packs B[p, j] = w[j·ldw + p] (B = wᵀ, the NT orientation: w is [N, K] rows) for j < n, p < k. */
export function packNT(dst: usize, w: usize, ldw: i32, n: i32, k: i32): void {
  const np = (n + NR - 1) / NR;
  for (let jp = 0; jp < np; jp++) {
    const panel = dst + <usize>(jp * k * NR) * 4;
    const j0 = jp * NR;
    const cols = min(NR, n - j0);
    for (let jj = 0; jj < NR; jj++) {
      if (jj < cols) {
        const src = w + <usize>((j0 + jj) * ldw) * 4;
        for (let p = 0; p < k; p++) store<f32>(panel + <usize>(p * NR + jj) * 4, load<f32>(src + <usize>p * 4));
      } else {
        for (let p = 0; p < k; p++) store<f32>(panel + <usize>(p * NR + jj) * 4, 0);
      }
    }
  }
}

/** Packs B[p, j] = b[p·ldb + j] (row-major B, the NN orientation) for j < n, p < k. */
export function packNN(dst: usize, b: usize, ldb: i32, n: i32, k: i32): void {
  const np = (n + NR - 1) / NR;
  for (let jp = 0; jp < np; jp++) {
    const panel = dst + <usize>(jp * k * NR) * 4;
    const j0 = jp * NR;
    const cols = min(NR, n - j0);
    for (let p = 0; p < k; p++) {
      const src = b + <usize>(p * ldb + j0) * 4;
      const row = panel + <usize>(p * NR) * 4;
      if (cols == NR) {
        for (let q = 0; q < NR * 4; q += 16) v128.store(row + <usize>q, v128.load(src + <usize>q));
      } else {
        for (let jj = 0; jj < NR; jj++) store<f32>(row + <usize>jj * 4, jj < cols ? load<f32>(src + <usize>jj * 4) : 0);
      }
    }
  }
}

/** Floats a packed B of n columns and k rows takes. */
export function packedSize(n: i32, k: i32): i32 {
  return ((n + NR - 1) / NR) * NR * k;
}

// ---------------------------------------------------------------------------------------------
// Micro-kernels: 4×8 (the workhorse, on an 8-column third of a panel) and 1×24 (one row against a
// whole panel: the matrix-vector case).

// The end of a 4×8 kernel: the block sums to out, added to it (add) or replacing it.
// @ts-ignore: decorator
@inline function tile4x8(out: usize, ldo: usize, add: i32, c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128): void {
  const o1 = out + ldo, o2 = o1 + ldo, o3 = o2 + ldo;
  if (add) {
    c00 = f32x4.add(v128.load(out), c00); c01 = f32x4.add(v128.load(out, 16), c01);
    c10 = f32x4.add(v128.load(o1), c10); c11 = f32x4.add(v128.load(o1, 16), c11);
    c20 = f32x4.add(v128.load(o2), c20); c21 = f32x4.add(v128.load(o2, 16), c21);
    c30 = f32x4.add(v128.load(o3), c30); c31 = f32x4.add(v128.load(o3, 16), c31);
  }
  v128.store(out, c00); v128.store(out, c01, 16);
  v128.store(o1, c10); v128.store(o1, c11, 16);
  v128.store(o2, c20); v128.store(o2, c21, 16);
  v128.store(o3, c30); v128.store(o3, c31, 16);
}

// @ts-ignore: decorator
@inline function kern4x8(kk: i32, a: usize, ars: usize, acs: usize, b: usize, bks: usize, out: usize, ldo: usize, add: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  let a0 = a, a1 = a + ars, a2 = a1 + ars, a3 = a2 + ars;
  for (let p = 0; p < kk; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a0);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a1);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a2);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a3);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    a0 += acs; a1 += acs; a2 += acs; a3 += acs; b += bks;
  }
  tile4x8(out, ldo, add, c00, c01, c10, c11, c20, c21, c30, c31);
}

// The 4×8 kernel on a packed block of A (packA: the 4 rows' values of each p side by side): one
// pointer with constant offsets instead of four advancing row pointers, three fewer additions per
// iteration of a loop that is otherwise 8 multiply-adds and 6 loads (~13 % faster with relaxed SIMD,
// ~3 % without, in interleaved A/B runs here). The same operations in the same order: the same bits.
// @ts-ignore: decorator
@inline function kern4x8p(kk: i32, ap: usize, b: usize, bks: usize, out: usize, ldo: usize, add: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const end = ap + (<usize>kk << 4);
  while (ap < end) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(ap);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(ap, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(ap, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(ap, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    ap += 16; b += bks;
  }
  tile4x8(out, ldo, add, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * Packs rows [0, rows) (a multiple of 4) and columns p < k of A (strides as at the top, in bytes)
 * as blocks of 4 rows, each k × 4 floats: A[i + r, p] at dst + (i·k + 4p + r)·4.
 */
function packA(dst: usize, a: usize, ars: usize, acs: usize, rows: i32, k: i32): void {
  for (let i = 0; i < rows; i += 4) {
    const blk = dst + <usize>(i * k) * 4, a0 = a + <usize>i * ars;
    if (ars == 4) {
      // the weight-gradient orientation: the 4 rows are side by side at every p already
      for (let p = 0; p < k; p++) v128.store(blk + (<usize>p << 4), v128.load(a0 + <usize>p * acs));
      continue;
    }
    const a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars;
    let p = 0;
    if (acs == 4) {
      // row-major: 4 × 4 transposes
      for (; p + 4 <= k; p += 4) {
        const q = <usize>p << 2;
        const r0 = v128.load(a0 + q), r1 = v128.load(a1 + q), r2 = v128.load(a2 + q), r3 = v128.load(a3 + q);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        const d = blk + (<usize>p << 4);
        v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(d, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
        v128.store(d, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
        v128.store(d, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
      }
    }
    for (; p < k; p++) {
      const d = blk + (<usize>p << 4), q = <usize>p * acs;
      store<f32>(d, load<f32>(a0 + q)); store<f32>(d, load<f32>(a1 + q), 4);
      store<f32>(d, load<f32>(a2 + q), 8); store<f32>(d, load<f32>(a3 + q), 12);
    }
  }
}

// @ts-ignore: decorator
@inline function kern1x24(kk: i32, a: usize, acs: usize, b: usize, bks: usize, out: usize, add: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  // the loop runs on b against its end: one counter fewer (4-9 % faster here, in a scratch lab)
  const end = b + <usize>kk * bks;
  while (b < end) {
    const x = v128.load32_splat(a);
    c0 = madd(x, v128.load(b), c0); c1 = madd(x, v128.load(b, 16), c1);
    c2 = madd(x, v128.load(b, 32), c2); c3 = madd(x, v128.load(b, 48), c3);
    c4 = madd(x, v128.load(b, 64), c4); c5 = madd(x, v128.load(b, 80), c5);
    a += acs; b += bks;
  }
  if (add) {
    c0 = f32x4.add(v128.load(out), c0); c1 = f32x4.add(v128.load(out, 16), c1); c2 = f32x4.add(v128.load(out, 32), c2);
    c3 = f32x4.add(v128.load(out, 48), c3); c4 = f32x4.add(v128.load(out, 64), c4); c5 = f32x4.add(v128.load(out, 80), c5);
  }
  v128.store(out, c0); v128.store(out, c1, 16); v128.store(out, c2, 32);
  v128.store(out, c3, 48); v128.store(out, c4, 64); v128.store(out, c5, 80);
}

// ---------------------------------------------------------------------------------------------
// Edge tiles: rows × cols of out through a zero-padded tile at tmp, `width` floats a row (4 × 8
// for the 4×8 kernel, 1 × 24 for the 1×24 one: at most 128 bytes).

function tileIn(tmp: usize, out: usize, ldo: usize, rows: i32, cols: i32, width: i32, beta: i32): void {
  const height = width == 8 ? 4 : 1;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v: f32 = beta && r < rows && c < cols ? load<f32>(out + <usize>r * ldo + <usize>c * 4) : 0;
      store<f32>(tmp + <usize>(r * width + c) * 4, v);
    }
  }
}

function tileOut(out: usize, ldo: usize, tmp: usize, rows: i32, cols: i32, width: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) store<f32>(out + <usize>r * ldo + <usize>c * 4, load<f32>(tmp + <usize>(r * width + c) * 4));
  }
}

// ---------------------------------------------------------------------------------------------
// The driver

/**
 * out[M, N] (+)= A · B, with A and B as described at the top. tmp: 128 bytes of scratch owned by
 * the calling thread. K is taken in blocks of KC (a block of B's panel stays in L1, a block of A's
 * rows in L2); each block's sums start from zero and are added to `out` (see the top).
 */
export function gemm(
  out: usize, ldo: i32, a: usize, ars: i32, acs: i32,
  b: usize, bks: i32, bps: i32, edge: usize,
  m: i32, n: i32, k: i32, beta: i32, tmp: usize,
): void {
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    gemmBlock(out, ldo, a + <usize>p0 * acs, ars, acs, b + <usize>p0 * bks, bks, bps, edge + <usize>p0 * NR * 4, m, n, kc, p0 == 0 ? beta : 1, tmp);
  }
}

/**
 * rows (a multiple of 4) of out against every panel, 4 rows at a time, from A in place (strides
 * ars, acs) or packed by packA (`packed`: a is the packed block). Inlined twice, so each copy has
 * one kernel.
 */
// @ts-ignore: decorator
@inline function rowBlocks(
  a: usize, packed: bool, k: i32, bks: i32, b: usize, bps: i32, edge: usize, nFull: i32, rem: i32,
  out: usize, ldoB: usize, rows: i32, beta: i32, tmp: usize, ars: i32 = 0, acs: i32 = 0,
): void {
  const eks = <usize>NR * 4, ab = <usize>k * 16;
  // full panels: three 8-column thirds each
  for (let j = 0; j < nFull; j++) {
    const bj = b + <usize>j * bps, oj = out + <usize>j * NR * 4;
    for (let q: usize = 0; q < <usize>NR * 4; q += 32) {
      for (let i = 0; i < rows; i += 4) {
        const o = oj + <usize>i * ldoB + q;
        if (packed) kern4x8p(k, a + <usize>(i >> 2) * ab, bj + q, bks, o, ldoB, beta);
        else kern4x8(k, a + <usize>i * ars, ars, acs, bj + q, bks, o, ldoB, beta);
      }
    }
  }
  // the partial panel (packed, zero-padded): its full thirds in place, the last one through a tile
  for (let q = 0; q < rem; q += 8) {
    const cols = min(8, rem - q), bq = edge + <usize>q * 4, oq = out + <usize>(nFull * NR + q) * 4;
    for (let i = 0; i < rows; i += 4) {
      const o = oq + <usize>i * ldoB;
      const full = cols == 8, oo = full ? o : tmp, ld: usize = full ? ldoB : 32;
      if (!full) tileIn(tmp, o, ldoB, 4, cols, 8, beta);
      if (packed) kern4x8p(k, a + <usize>(i >> 2) * ab, bq, eks, oo, ld, beta);
      else kern4x8(k, a + <usize>i * ars, ars, acs, bq, eks, oo, ld, beta);
      if (!full) tileOut(o, ldoB, tmp, 4, cols, 8);
    }
  }
}

function gemmBlock(
  out: usize, ldo: i32, a: usize, ars: i32, acs: i32,
  b: usize, bks: i32, bps: i32, edge: usize,
  m: i32, n: i32, k: i32, beta: i32, tmp: usize,
): void {
  const ldoB = <usize>ldo * 4;
  const nFull = n / NR, rem = n - nFull * NR, eks = <usize>NR * 4;
  const m4 = m & ~3;
  const packed = packBuf != 0 && n >= PACK_MIN_N;
  for (let i0 = 0; i0 < m4; i0 += MC) {
    const i1 = min(m4, i0 + MC);
    if (packed) {
      packA(packBuf, a + <usize>i0 * ars, ars, acs, i1 - i0, k);
      rowBlocks(packBuf, true, k, bks, b, bps, edge, nFull, rem, out + <usize>i0 * ldoB, ldoB, i1 - i0, beta, tmp);
    } else {
      rowBlocks(a + <usize>i0 * ars, false, k, bks, b, bps, edge, nFull, rem, out + <usize>i0 * ldoB, ldoB, i1 - i0, beta, tmp, ars, acs);
    }
  }
  // the last M mod 4 rows, one at a time, a whole panel per pass (the matrix-vector kernel)
  for (let i = m4; i < m; i++) {
    const ai = a + <usize>i * ars, oi = out + <usize>i * ldoB;
    for (let j = 0; j < nFull; j++) kern1x24(k, ai, acs, b + <usize>j * bps, bks, oi + <usize>j * NR * 4, beta);
    if (rem > 0) {
      const o = oi + <usize>nFull * NR * 4;
      tileIn(tmp, o, ldoB, 1, rem, NR, beta);
      kern1x24(k, ai, acs, edge, eks, tmp, beta);
      tileOut(o, ldoB, tmp, 1, rem, NR);
    }
  }
}

/** gemm with B packed by packNT / packNN (n columns, k rows). */
export function gemmPacked(out: usize, ldo: i32, a: usize, ars: i32, acs: i32, bp: usize, m: i32, n: i32, k: i32, beta: i32, tmp: usize): void {
  gemm(out, ldo, a, ars, acs, bp, NR * 4, k * NR * 4, bp + <usize>((n / NR) * k * NR * 4), m, n, k, beta, tmp);
}

// ---------------------------------------------------------------------------------------------
// Descriptor entry points (slots: src/kernels/wasm/runtime.ts), so a worker can run the same call.

/** desc: out, ldo, a, ars, acs, b, bks, bps, edge, m, n, k, beta, tmp */
export function gemmJob(d: usize): void {
  gemm(dp(d, 0), di(d, 1), dp(d, 2), di(d, 3), di(d, 4), dp(d, 5), di(d, 6), di(d, 7), dp(d, 8), di(d, 9), di(d, 10), di(d, 11), di(d, 12), dp(d, 13));
}

/** desc: dst, src, ld, n, k, orientation (0 NT, 1 NN) */
export function packJob(d: usize): void {
  if (di(d, 5) == 0) packNT(dp(d, 0), dp(d, 1), di(d, 2), di(d, 3), di(d, 4));
  else packNN(dp(d, 0), dp(d, 1), di(d, 2), di(d, 3), di(d, 4));
}

/**
 * out[j] += Σ_i a[i·lda + j] for i < m, j < n (bias gradients), summed in f64 as the reference
 * does (N = T·B rows can be many thousands). desc: out, a, lda, m, n
 */
export function sumRowsJob(d: usize): void {
  const out = dp(d, 0), a = dp(d, 1), lda = di(d, 2), m = di(d, 3), n = di(d, 4);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
    let p = a + (<usize>j << 2);
    for (let i = 0; i < m; i++) {
      const v0 = v128.load(p), v1 = v128.load(p, 16);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v0));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v0, v0, 2, 3, 0, 1)));
      s2 = f64x2.add(s2, f64x2.promote_low_f32x4(v1));
      s3 = f64x2.add(s3, f64x2.promote_low_f32x4(v128.shuffle<f32>(v1, v1, 2, 3, 0, 1)));
      p += <usize>lda << 2;
    }
    const o = out + (<usize>j << 2);
    store<f32>(o, <f32>(<f64>load<f32>(o) + f64x2.extract_lane(s0, 0)));
    store<f32>(o, <f32>(<f64>load<f32>(o, 4) + f64x2.extract_lane(s0, 1)), 4);
    store<f32>(o, <f32>(<f64>load<f32>(o, 8) + f64x2.extract_lane(s1, 0)), 8);
    store<f32>(o, <f32>(<f64>load<f32>(o, 12) + f64x2.extract_lane(s1, 1)), 12);
    store<f32>(o, <f32>(<f64>load<f32>(o, 16) + f64x2.extract_lane(s2, 0)), 16);
    store<f32>(o, <f32>(<f64>load<f32>(o, 20) + f64x2.extract_lane(s2, 1)), 20);
    store<f32>(o, <f32>(<f64>load<f32>(o, 24) + f64x2.extract_lane(s3, 0)), 24);
    store<f32>(o, <f32>(<f64>load<f32>(o, 28) + f64x2.extract_lane(s3, 1)), 28);
  }
  for (; j < n; j++) {
    let s: f64 = 0;
    for (let i = 0; i < m; i++) s += <f64>load<f32>(a + (<usize>(i * lda + j) << 2));
    const o = out + (<usize>j << 2);
    store<f32>(o, <f32>(<f64>load<f32>(o) + s));
  }
}
