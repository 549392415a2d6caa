// Kernel arguments travel in a descriptor: consecutive 4-byte slots in linear memory (i32 or f32),
// written by the TypeScript side (src/kernels/wasm/*.ts, same slot numbers). One pointer per call
// keeps the call cheap and lets a worker thread run the same call on its own descriptor.

// @ts-ignore: decorator
@inline export function di(d: usize, k: i32): i32 { return load<i32>(d + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline export function dp(d: usize, k: i32): usize { return <usize>load<u32>(d + (<usize>k << 2)); }
// @ts-ignore: decorator
@inline export function df(d: usize, k: i32): f32 { return load<f32>(d + (<usize>k << 2)); }

/** Full 4-lane load, or one element splat across the lanes (row tails): same arithmetic either way. */
// @ts-ignore: decorator
@inline export function ld(p: usize, full: bool): v128 { return full ? v128.load(p) : f32x4.splat(load<f32>(p)); }
// @ts-ignore: decorator
@inline export function st(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v); else store<f32>(p, f32x4.extract_lane(v, 0));
}
// @ts-ignore: decorator
@inline export function at(base: usize, i: i32): usize { return base + (<usize>i << 2); }
