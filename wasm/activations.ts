// Activations on f32x4 lanes, forward (y = f(x)) and derivative from the saved output (f'(x) from y),
// with the codes the TypeScript side passes (src/kernels/wasm/fused.ts ACT_CODE).
//
// exp: Cody–Waite reduction x = n·ln2 + r, |r| ≤ ln2/2, and Cephes' degree-7 polynomial for e^r;
// only e^x for x ≤ 0 is needed (sigmoid and tanh use e^(−|x|)), so 2^n never overflows.
// sigmoid(x) = 1/(1 + e^(−|x|)) for x ≥ 0, e^(−|x|)/(1 + e^(−|x|)) below: accurate at both tails.
// tanh(x) = sign(x)·(1 − e)/(1 + e), e = e^(−2|x|), with 1 − e formed from the reduction as −expm1 (accurate near 0).
// log1p(t), 0 ≤ t ≤ 1 (softplus only): u = 1 + t, halved above √2 (m ∈ (0.707, 1.415)), Cephes' logf
// polynomial for log m, plus the rounding of u corrected by (t − (u − 1))/u, exact to first order.
// softplus(x) = max(x, 0) + log1p(e^(−|x|)). minGRU's g(x) = x + 0.5 (x ≥ 0), σ(x) below.
// Measured maximum errors against Math.exp / Math.tanh are asserted in test/kernels/activations.test.ts.
//
// Polynomials are evaluated by Horner's rule with `madd` (wasm/simd.ts): fused in the relaxed build,
// which halves the chain of dependent operations (the activations are bound by that latency), a
// multiply then an add in the plain build (the same bits as before).
//
// Constants live in a small table in linear memory (written once by initConstants()) and are
// loaded where used: a v128 constant written in the code is rebuilt by V8 inside every loop
// iteration (three instructions each), which made these functions three times slower.

import { madd } from "./simd";

export const SIGMOID: i32 = 0;
export const TANH: i32 = 1;
export const RELU: i32 = 2;
export const HARD_SIGMOID: i32 = 3;
export const AFFINE: i32 = 4;
export const LEAKY_RELU: i32 = 5;
export const THRESHOLDED_RELU: i32 = 6;
export const SCALED_TANH: i32 = 7;
export const SOFTSIGN: i32 = 8;
// not ONNX activations: the light cells' (wasm/light.ts)
export const MIN_G: i32 = 9;
export const SOFTPLUS: i32 = 10;
export const ELU: i32 = 11;

// @ts-ignore: decorator
@inline function splat(v: f32): v128 { return f32x4.splat(v); }

/** Where the constant table starts (runtime.ts reserves bytes 256–1023 for it). */
const KBASE: usize = 256;
export const K_ONE = 0, K_ZERO = 1, K_EXP_MIN = 2, K_LOG2E = 3, K_LN2_HI = 4, K_LN2_LO = 5;
const K_P0 = 6, K_P1 = 7, K_P2 = 8, K_P3 = 9, K_P4 = 10, K_P5 = 11, K_MAGIC = 12, K_MAGIC_BIAS = 13;
const K_MINUS_TWO = 14; // 15 … 20: free (tanh's small-|x| polynomial, no longer used)
export const K_SIGN = 21;
const K_HALF = 22, K_SQRT2 = 23, K_L0 = 24; // K_L0 … K_L0 + 8: logf's polynomial
const K_NLN2_HI = 33, K_NLN2_LO = 34; // −ln2 in two parts, for the reduction through madd

/** The constant `i` of the table, all four lanes. */
// @ts-ignore: decorator
@inline export function K(i: i32): v128 { return v128.load(KBASE + (<usize>i << 4)); }

// @ts-ignore: decorator
@inline function put(i: i32, v: f32): void { v128.store(KBASE + (<usize>i << 4), f32x4.splat(v)); }

/** Writes the constant table; the runtime calls it once per memory. (No static data: see index.ts.) */
export function initConstants(): void {
  put(K_ONE, 1); put(K_ZERO, 0); put(K_EXP_MIN, -87.33654); put(K_LOG2E, 1.44269504088896341);
  put(K_LN2_HI, 0.693359375); put(K_LN2_LO, -2.12194440e-4);
  put(K_P0, 1.9875691500e-4); put(K_P1, 1.3981999507e-3); put(K_P2, 8.3334519073e-3);
  put(K_P3, 4.1665795894e-2); put(K_P4, 1.6666665459e-1); put(K_P5, 5.0000001201e-1);
  put(K_MAGIC, 12582912.0); put(K_MINUS_TWO, -2);
  put(K_HALF, 0.5); put(K_SQRT2, 1.41421356237);
  put(K_L0, 7.0376836292e-2); put(K_L0 + 1, -1.1514610310e-1); put(K_L0 + 2, 1.1676998740e-1);
  put(K_L0 + 3, -1.2420140846e-1); put(K_L0 + 4, 1.4249322787e-1); put(K_L0 + 5, -1.6668057665e-1);
  put(K_L0 + 6, 2.0000714765e-1); put(K_L0 + 7, -2.4999993993e-1); put(K_L0 + 8, 3.3333331174e-1);
  put(K_NLN2_HI, -0.693359375); put(K_NLN2_LO, 2.12194440e-4);
  // integer constants: 0x4B400000 − 127 (2ⁿ from the rounding trick) and the sign bit
  v128.store(KBASE + (<usize>K_MAGIC_BIAS << 4), i32x4.splat(0x4B400000 - 127));
  v128.store(KBASE + (<usize>K_SIGN << 4), i32x4.splat(0x80000000));
}

/** e^x for x ≤ 0 (inputs below −87.3 give e^−87.3 ≈ 1.2e−38, the smallest normal range). */
// @ts-ignore: decorator
@inline export function expNonPos(x: v128): v128 {
  const c = expClamp(x), t = expRound(c), s = expScale(t);
  return madd(expFrac(c, t), s, s);
}

// e^x = 2ⁿ·(1 + q) in four parts, so that tanh can form e^x and e^x − 1 from one reduction.

/** x < min ? min : x (NaN stays NaN); one instruction, where max is several. */
// @ts-ignore: decorator
@inline function expClamp(x: v128): v128 {
  return f32x4.pmax(x, K(K_EXP_MIN));
}

/**
 * n = round(x·log2e) by the 1.5·2²³ trick: t's low mantissa bits hold n as an integer (fused or not,
 * n is an integer within one of x·log2e, which is all the reduction needs).
 */
// @ts-ignore: decorator
@inline function expRound(x: v128): v128 {
  return madd(x, K(K_LOG2E), K(K_MAGIC));
}

/** q = e^r − 1 = r + r²·P(r), r = x − n·ln2. */
// @ts-ignore: decorator
@inline function expFrac(x: v128, t: v128): v128 {
  const n = f32x4.sub(t, K(K_MAGIC));
  // r = x − n·ln2 (n·ln2_hi is exact: ln2_hi has 9 significant bits); x + n·(−ln2) is the same
  // subtraction, in the form madd fuses
  let r = madd(n, K(K_NLN2_HI), x);
  r = madd(n, K(K_NLN2_LO), r);
  let p = madd(K(K_P0), r, K(K_P1));
  p = madd(p, r, K(K_P2));
  p = madd(p, r, K(K_P3));
  p = madd(p, r, K(K_P4));
  p = madd(p, r, K(K_P5));
  return madd(p, f32x4.mul(r, r), r);
}

/** 2ⁿ = (n + 127) << 23 = (bits(t) − 0x4B400000 + 127) << 23. e^x = 2ⁿ + q·2ⁿ: one multiply-add. */
// @ts-ignore: decorator
@inline function expScale(t: v128): v128 {
  return i32x4.shl(i32x4.sub(t, K(K_MAGIC_BIAS)), 23);
}

// @ts-ignore: decorator
@inline export function sigmoid(x: v128): v128 {
  const e = expNonPos(v128.or(x, K(K_SIGN))); // −|x|
  const one = K(K_ONE);
  // 1/(1 + e) for x ≥ 0, e/(1 + e) below: the numerator is chosen while 1 + e is being formed
  return f32x4.div(v128.bitselect(one, e, f32x4.ge(x, K(K_ZERO))), f32x4.add(one, e));
}

// @ts-ignore: decorator
@inline export function tanh(x: v128): v128 {
  const sign = v128.and(x, K(K_SIGN)), ax = v128.xor(x, sign);
  // tanh|x| = −m/(1 + e), e = e^(−2|x|), m = e − 1 formed as 2ⁿ·q + (2ⁿ − 1) (exact for n ≥ −24), so
  // that m keeps its relative accuracy near 0: one formula for every |x|, no separate polynomial
  // for small |x|. The quotient is ≤ 0; its magnitude takes x's sign (tanh(±0) = ±0).
  const c = expClamp(f32x4.mul(ax, K(K_MINUS_TWO))), t = expRound(c), q = expFrac(c, t), s = expScale(t);
  const m = madd(q, s, f32x4.sub(s, K(K_ONE))), e = madd(q, s, s);
  return v128.or(v128.andnot(f32x4.div(m, f32x4.add(K(K_ONE), e)), K(K_SIGN)), sign);
}

/** log m − 1 + … for m ∈ (0.707, 1.415): Cephes' logf on x = m − 1, plus e·ln2 (e a lane's exponent, as a float). */
// @ts-ignore: decorator
@inline function logReduced(m: v128, e: v128): v128 {
  const x = f32x4.sub(m, K(K_ONE)), z = f32x4.mul(x, x);
  let p = madd(K(K_L0), x, K(K_L0 + 1));
  p = madd(p, x, K(K_L0 + 2));
  p = madd(p, x, K(K_L0 + 3));
  p = madd(p, x, K(K_L0 + 4));
  p = madd(p, x, K(K_L0 + 5));
  p = madd(p, x, K(K_L0 + 6));
  p = madd(p, x, K(K_L0 + 7));
  p = madd(p, x, K(K_L0 + 8));
  let y = f32x4.mul(f32x4.mul(p, z), x);
  y = f32x4.add(y, f32x4.mul(e, K(K_LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, K(K_HALF)));
  return f32x4.add(f32x4.add(x, y), f32x4.mul(e, K(K_LN2_HI)));
}

/**
 * log x for x > 0 (normal floats): x = m·2^e with m ∈ [1, 2) from the bits, halved above √2.
 * log 0 = −∞, log of a negative or NaN lane = NaN (as Math.log).
 */
// @ts-ignore: decorator
@inline export function logPos(x: v128): v128 {
  const bits = i32x4.shr_u(x, 23);
  const m0 = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const big = f32x4.gt(m0, K(K_SQRT2));
  const m = v128.bitselect(f32x4.mul(m0, K(K_HALF)), m0, big);
  const e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.sub(bits, i32x4.splat(127)), big)); // big lanes are −1
  const r = logReduced(m, e);
  const special = v128.bitselect(f32x4.splat(f32.NEGATIVE_INFINITY), f32x4.splat(f32.NaN), f32x4.eq(x, K(K_ZERO)));
  return v128.bitselect(r, special, f32x4.gt(x, K(K_ZERO)));
}

/** log(1 + t) for 0 ≤ t ≤ 1. */
// @ts-ignore: decorator
@inline export function log1pUnit(t: v128): v128 {
  const one = K(K_ONE);
  const u = f32x4.add(one, t);
  // u ∈ [1, 2]: m = u or u/2, log u = e·ln2 + log m with m ∈ (0.707, 1.415)
  const big = f32x4.gt(u, K(K_SQRT2));
  const r = logReduced(v128.bitselect(f32x4.mul(u, K(K_HALF)), u, big), v128.and(one, big));
  // u = 1 + t was rounded: log(1 + t) = log u + (t − (u − 1))/u to first order
  return f32x4.add(r, f32x4.div(f32x4.sub(t, f32x4.sub(u, one)), u));
}

/** softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^(−|x|)). */
// @ts-ignore: decorator
@inline export function softplus(x: v128): v128 {
  return f32x4.add(f32x4.max(x, K(K_ZERO)), log1pUnit(expNonPos(v128.or(x, K(K_SIGN)))));
}

/** y = f(clamp(x, −clip, clip)) for the activation `code` with parameters α, β. */
// @ts-ignore: decorator
@inline export function act(code: i32, x: v128, a: f32, b: f32, clip: f32): v128 {
  if (clip != f32.POSITIVE_INFINITY) x = f32x4.min(f32x4.max(x, splat(-clip)), splat(clip));
  switch (code) {
    case SIGMOID: return sigmoid(x);
    case TANH: return tanh(x);
    case RELU: return f32x4.max(x, K(K_ZERO));
    case HARD_SIGMOID: return f32x4.min(f32x4.max(f32x4.add(f32x4.mul(x, splat(a)), splat(b)), K(K_ZERO)), K(K_ONE));
    case AFFINE: return f32x4.add(f32x4.mul(x, splat(a)), splat(b));
    case LEAKY_RELU: return v128.bitselect(x, f32x4.mul(x, splat(a)), f32x4.ge(x, K(K_ZERO)));
    case THRESHOLDED_RELU: return v128.and(x, f32x4.gt(x, splat(a)));
    case SCALED_TANH: return f32x4.mul(splat(a), tanh(f32x4.mul(x, splat(b))));
    case MIN_G: return v128.bitselect(f32x4.add(x, K(K_HALF)), sigmoid(x), f32x4.ge(x, K(K_ZERO)));
    case SOFTPLUS: return softplus(x);
    case ELU: return v128.bitselect(x, f32x4.mul(splat(a), f32x4.sub(expNonPos(f32x4.min(x, K(K_ZERO))), K(K_ONE))), f32x4.ge(x, K(K_ZERO)));
    default: return f32x4.div(x, f32x4.add(K(K_ONE), f32x4.abs(x))); // SOFTSIGN
  }
}

/**
 * f'(x) from y = f(x), zero where a cell clip acted (y ≤ lo or y ≥ hi; lo = −∞, hi = ∞ without a
 * clip), as withClip() in src/kernels/activations.ts.
 */
// @ts-ignore: decorator
@inline export function dact(code: i32, y: v128, a: f32, b: f32, lo: f32, hi: f32): v128 {
  let d: v128;
  const one = K(K_ONE), zero = K(K_ZERO);
  switch (code) {
    case SIGMOID: { d = f32x4.mul(y, f32x4.sub(one, y)); break; }
    case TANH: { d = f32x4.sub(one, f32x4.mul(y, y)); break; }
    case RELU: { d = v128.and(one, f32x4.gt(y, zero)); break; }
    case HARD_SIGMOID: { d = v128.and(splat(a), v128.and(f32x4.gt(y, zero), f32x4.lt(y, one))); break; }
    case AFFINE: { d = splat(a); break; }
    case LEAKY_RELU: { d = v128.bitselect(one, splat(a), f32x4.gt(y, zero)); break; }
    case THRESHOLDED_RELU: { d = v128.and(one, f32x4.ne(y, zero)); break; }
    case SCALED_TANH: { const t = f32x4.div(y, splat(a)); d = f32x4.mul(splat(a * b), f32x4.sub(one, f32x4.mul(t, t))); break; }
    // g' = 1 where y ≥ 0.5 (x ≥ 0), σ' = y(1 − y) below
    case MIN_G: { d = v128.bitselect(one, f32x4.mul(y, f32x4.sub(one, y)), f32x4.ge(y, K(K_HALF))); break; }
    // softplus' = σ(x) = 1 − e^(−y)
    case SOFTPLUS: { d = f32x4.sub(one, expNonPos(f32x4.neg(y))); break; }
    // Elu' = 1 above 0, y + α below
    case ELU: { d = v128.bitselect(one, f32x4.add(y, splat(a)), f32x4.gt(y, zero)); break; }
    default: { const t = f32x4.sub(one, f32x4.abs(y)); d = f32x4.mul(t, t); } // SOFTSIGN
  }
  if (lo == f32.NEGATIVE_INFINITY && hi == f32.POSITIVE_INFINITY) return d;
  return v128.and(d, v128.and(f32x4.gt(y, splat(lo)), f32x4.lt(y, splat(hi))));
}

/** y[i] = f(x[i]) for i < n (the activation test's entry point). */
export function actForward(code: i32, a: f32, b: f32, clip: f32, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), act(code, v128.load(x + (<usize>i << 2)), a, b, clip));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), f32x4.extract_lane(act(code, f32x4.splat(load<f32>(x + (<usize>i << 2))), a, b, clip), 0));
}

/** d[i] = f'(x) from y[i] (masked outside (lo, hi)). */
export function actDerivative(code: i32, a: f32, b: f32, lo: f32, hi: f32, y: usize, d: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(d + (<usize>i << 2), dact(code, v128.load(y + (<usize>i << 2)), a, b, lo, hi));
  for (; i < n; i++) store<f32>(d + (<usize>i << 2), f32x4.extract_lane(dact(code, f32x4.splat(load<f32>(y + (<usize>i << 2))), a, b, lo, hi), 0));
}

/** y[i] = e^x[i] for x ≤ 0 (the activation test's entry point for the exponential alone). */
export function expForward(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), expNonPos(v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), f32x4.extract_lane(expNonPos(f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}

/** y[i] = log x[i] (the activation test's entry point for the logarithm alone). */
export function logForward(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), logPos(v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), f32x4.extract_lane(logPos(f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}
