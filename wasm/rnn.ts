// Fused Elman RNN step, forward and backward: src/cells/rnn.ts is the reference (cache = h' = φ(a)).
import { act, dact, K, K_ONE, K_ZERO } from "./activations";
import { at, df, di, dp, ld, st } from "./desc";
import { gemmPacked } from "./matmul";

// descriptor slots: src/kernels/wasm/fused.ts (RNN)
const B_ = 0, H_ = 1, XP = 2, HP = 3, OUT = 4, CACHE = 5, UP = 6, BIAS = 7, ACT = 8, A_ = 9, B__ = 10;
const CLIP = 11, LO = 12, HI = 13, TMP = 14, DH = 15, DPREV = 16, DXP = 17, UN = 18;

// @ts-ignore: decorator
@inline function fwdBody(pc: usize, px: usize, po: usize, bias: usize, j: i32, code: i32, a: f32, b: f32, clip: f32, full: bool): void {
  const v = f32x4.add(f32x4.add(ld(at(pc, j), full), ld(at(px, j), full)), bias ? ld(at(bias, j), full) : K(K_ZERO));
  const y = act(code, v, a, b, clip);
  st(at(pc, j), y, full);
  st(at(po, j), y, full);
}

export function rnnForward(d: usize): void {
  const B = di(d, B_), H = di(d, H_), xp = dp(d, XP), out = dp(d, OUT), cache = dp(d, CACHE), bias = dp(d, BIAS);
  const code = di(d, ACT), a = df(d, A_), b = df(d, B__), clip = df(d, CLIP);
  const H4 = H & ~3;
  // cache [B, H] = h · Uᵀ, then h' = φ(W x + U h + b) in place
  gemmPacked(cache, H, dp(d, HP), H * 4, 4, dp(d, UP), B, H, H, 0, dp(d, TMP));
  for (let r = 0; r < B; r++) {
    const pc = at(cache, r * H), px = at(xp, r * H), po = at(out, r * H);
    let j = 0;
    for (; j < H4; j += 4) fwdBody(pc, px, po, bias, j, code, a, b, clip, true);
    for (; j < H; j++) fwdBody(pc, px, po, bias, j, code, a, b, clip, false);
  }
}

// @ts-ignore: decorator
@inline function backBody(p: usize, dh: usize, cache: usize, r: i32, code: i32, a: f32, b: f32, lo: f32, hi: f32, full: bool): void {
  const px = at(p, r);
  st(px, f32x4.add(ld(px, full), f32x4.mul(ld(at(dh, r), full), dact(code, ld(at(cache, r), full), a, b, lo, hi))), full);
}

export function rnnBackward(d: usize): void {
  const B = di(d, B_), H = di(d, H_), cache = dp(d, CACHE), dh = dp(d, DH), dxp = dp(d, DXP);
  const code = di(d, ACT), a = df(d, A_), b = df(d, B__), lo = df(d, LO), hi = df(d, HI);
  const n = B * H, n4 = n & ~3;
  // h' = φ(a): dA = dh' ⊙ φ'(h')
  let r = 0;
  for (; r < n4; r += 4) backBody(dxp, dh, cache, r, code, a, b, lo, hi, true);
  for (; r < n; r++) backBody(dxp, dh, cache, r, code, a, b, lo, hi, false);
  // a = W x + U h + b: dh += dA · U
  gemmPacked(dp(d, DPREV), H, dxp, H * 4, 4, dp(d, UN), B, H, H, 1, dp(d, TMP));
}
