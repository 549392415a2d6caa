// Shared SIMD helpers. `madd` is the one multiply-add of every kernel: fused (relaxed SIMD) in the
// relaxed build, a multiply then an add in the plain build. ASC_FEATURE_RELAXED_SIMD is a
// compile-time constant, so each build contains one branch only.

/** acc + a·b, lane-wise (f32x4). */
@inline export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
