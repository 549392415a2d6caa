// Fused step of LiBRU in its "probs" and "logprobs" modes, forward and backward
// (src/cells/li-bru.ts is the reference: equations, cache layout, the stable log-sum-exp; read it
// first). Its "ligru" and "geomean" modes are two-block cells (light.ts).
//
//   probs:    ℓ = log(h + ε), a = xp + ℓ·Uᵀ + b, z = σ(a_z), c = σ(a_c), h' = z ⊙ h + (1 − z) ⊙ c
//             cache [z | c | ℓ]
//   logprobs: a = xp + h·Uᵀ + b, z = σ(a_z), c = softplus(a_c), u = h − softplus(−a_z),
//             v = c − softplus(a_z), h' = max(u, v) + log1p(e^−|u − v|), w_h = e^(u − h'),
//             w_c = e^(v − h');  cache [z | c | w_h | w_c]
//
// Shape legend: B rows, H hidden; pointers are byte addresses, leading dimensions elements.
import { expNonPos, K, K_ONE, K_SIGN, log1pUnit, logPos, sigmoid, softplus } from "./activations";
import { at, df, di, dp, ld, st } from "./desc";
import { gemmPacked } from "./matmul";

// descriptor slots: src/kernels/wasm/fused.ts (LB)
const B_ = 0, H_ = 1, MODE = 2, XP = 3, HP = 4, OUT = 5, CACHE = 6, SCR = 7, UP = 8, BIAS = 9, EPS = 10, TMP = 11;
const DH = 12, DPREV = 13, DXP = 14, UN = 15;
const PROBS = 0;

// @ts-ignore: decorator
@inline function logBody(pl: usize, ph: usize, j: i32, eps: v128, full: bool): void {
  st(at(pl, j), logPos(f32x4.add(ld(at(ph, j), full), eps)), full);
}

// @ts-ignore: decorator
@inline function fwdBody(ci: usize, px: usize, ps: usize, pb: usize, ph: usize, po: usize, j: i32, H: i32, probs: bool, full: bool): void {
  let az = f32x4.add(ld(at(px, j), full), ld(at(ps, j), full)), ac = f32x4.add(ld(at(px, H + j), full), ld(at(ps, H + j), full));
  if (pb != 0) { az = f32x4.add(az, ld(at(pb, j), full)); ac = f32x4.add(ac, ld(at(pb, H + j), full)); }
  const z = sigmoid(az), h = ld(at(ph, j), full);
  st(at(ci, j), z, full);
  if (probs) {
    // 1 − z as σ(−a_z): where z rounds to 1, 1 − z would be 0, and log(h' + ε) at the next step
    // would see a state of 0 where it is 1e−8 (the reference computes it in float64)
    const c = sigmoid(ac);
    st(at(ci, H + j), c, full);
    st(at(po, j), f32x4.add(f32x4.mul(z, h), f32x4.mul(sigmoid(f32x4.neg(az)), c)), full);
    return;
  }
  const c = softplus(ac);
  st(at(ci, H + j), c, full);
  // h' = logaddexp(h + log z, c + log(1 − z)), log z = −softplus(−a_z), log(1 − z) = −softplus(a_z)
  const u = f32x4.sub(h, softplus(f32x4.neg(az))), v = f32x4.sub(c, softplus(az));
  const hn = f32x4.add(f32x4.max(u, v), log1pUnit(expNonPos(v128.or(f32x4.sub(u, v), K(K_SIGN)))));
  st(at(po, j), hn, full);
  st(at(ci, 2 * H + j), expNonPos(f32x4.sub(u, hn)), full);
  st(at(ci, 3 * H + j), expNonPos(f32x4.sub(v, hn)), full);
}

/** One forward step for rows [0, B) of the descriptor `d`. */
export function libruForward(d: usize): void {
  const B = di(d, B_), H = di(d, H_), probs = di(d, MODE) == PROBS;
  const xp = dp(d, XP), hp = dp(d, HP), out = dp(d, OUT), cache = dp(d, CACHE), scr = dp(d, SCR), bias = dp(d, BIAS), tmp = dp(d, TMP);
  const H2 = 2 * H, H4 = H & ~3, ldc = (probs ? 3 : 4) * H;
  if (probs) {
    // ℓ = log(h + ε) into the cache, then [B, 2H] = ℓ · Uᵀ
    const eps = f32x4.splat(df(d, EPS));
    for (let i = 0; i < B; i++) {
      const pl = at(cache, i * ldc + H2), ph = at(hp, i * H);
      let j = 0;
      for (; j < H4; j += 4) logBody(pl, ph, j, eps, true);
      for (; j < H; j++) logBody(pl, ph, j, eps, false);
    }
    gemmPacked(scr, H2, at(cache, H2), ldc * 4, 4, dp(d, UP), B, H2, H, 0, tmp);
  } else {
    gemmPacked(scr, H2, hp, H * 4, 4, dp(d, UP), B, H2, H, 0, tmp);
  }
  for (let i = 0; i < B; i++) {
    const ci = at(cache, i * ldc), px = at(xp, i * H2), ps = at(scr, i * H2), ph = at(hp, i * H), po = at(out, i * H);
    let j = 0;
    if (probs) {
      for (; j < H4; j += 4) fwdBody(ci, px, ps, bias, ph, po, j, H, true, true);
      for (; j < H; j++) fwdBody(ci, px, ps, bias, ph, po, j, H, true, false);
    } else {
      for (; j < H4; j += 4) fwdBody(ci, px, ps, bias, ph, po, j, H, false, true);
      for (; j < H; j++) fwdBody(ci, px, ps, bias, ph, po, j, H, false, false);
    }
  }
}

// @ts-ignore: decorator
@inline function backBody(ci: usize, pdh: usize, ph: usize, pprev: usize, pdx: usize, j: i32, H: i32, probs: bool, full: bool): void {
  const one = K(K_ONE);
  const d = ld(at(pdh, j), full), z = ld(at(ci, j), full), c = ld(at(ci, H + j), full);
  let dAz: v128, dAc: v128, dh: v128;
  if (probs) {
    // h' = z ⊙ h + (1 − z) ⊙ c; z = σ(a_z), c = σ(a_c)
    dAz = f32x4.mul(f32x4.mul(f32x4.mul(d, f32x4.sub(ld(at(ph, j), full), c)), z), f32x4.sub(one, z));
    dAc = f32x4.mul(f32x4.mul(d, f32x4.sub(one, z)), f32x4.mul(c, f32x4.sub(one, c)));
    dh = f32x4.mul(d, z);
  } else {
    // ∂h'/∂h = w_h, ∂h'/∂c = w_c, ∂h'/∂a_z = (1 − z)·w_h − z·w_c; c = softplus(a_c): c' = 1 − e^−c
    const wh = ld(at(ci, 2 * H + j), full), wc = ld(at(ci, 3 * H + j), full);
    dAz = f32x4.mul(d, f32x4.sub(f32x4.mul(f32x4.sub(one, z), wh), f32x4.mul(z, wc)));
    dAc = f32x4.mul(f32x4.mul(d, wc), f32x4.sub(one, expNonPos(f32x4.neg(c))));
    dh = f32x4.mul(d, wh);
  }
  st(at(pprev, j), f32x4.add(ld(at(pprev, j), full), dh), full);
  const pz = at(pdx, j), pc = at(pdx, H + j);
  st(pz, f32x4.add(ld(pz, full), dAz), full);
  st(pc, f32x4.add(ld(pc, full), dAc), full);
}

// @ts-ignore: decorator
@inline function logBackBody(pprev: usize, ps: usize, ph: usize, j: i32, eps: v128, full: bool): void {
  // ℓ = log(h + ε): dh += dℓ / (h + ε)
  st(at(pprev, j), f32x4.add(ld(at(pprev, j), full), f32x4.div(ld(at(ps, j), full), f32x4.add(ld(at(ph, j), full), eps))), full);
}

/** One backward step for rows [0, B) of the descriptor `d` (accumulates, as the TypeScript cell). */
export function libruBackward(d: usize): void {
  const B = di(d, B_), H = di(d, H_), probs = di(d, MODE) == PROBS;
  const hp = dp(d, HP), cache = dp(d, CACHE), dhp = dp(d, DH), dprev = dp(d, DPREV), dxp = dp(d, DXP), scr = dp(d, SCR), tmp = dp(d, TMP);
  const H2 = 2 * H, H4 = H & ~3, ldc = (probs ? 3 : 4) * H;
  for (let i = 0; i < B; i++) {
    const ci = at(cache, i * ldc), pdh = at(dhp, i * H), ph = at(hp, i * H), pprev = at(dprev, i * H), pdx = at(dxp, i * H2);
    let j = 0;
    if (probs) {
      for (; j < H4; j += 4) backBody(ci, pdh, ph, pprev, pdx, j, H, true, true);
      for (; j < H; j++) backBody(ci, pdh, ph, pprev, pdx, j, H, true, false);
    } else {
      for (; j < H4; j += 4) backBody(ci, pdh, ph, pprev, pdx, j, H, false, true);
      for (; j < H; j++) backBody(ci, pdh, ph, pprev, pdx, j, H, false, false);
    }
  }
  if (!probs) {
    // a = W x + U h + b: dh += dA · U
    gemmPacked(dprev, H, dxp, H2 * 4, 4, dp(d, UN), B, H, H2, 1, tmp);
    return;
  }
  // a = W x + U ℓ + b: dℓ = dA · U, then through ℓ = log(h + ε)
  gemmPacked(scr, H, dxp, H2 * 4, 4, dp(d, UN), B, H, H2, 0, tmp);
  const eps = f32x4.splat(df(d, EPS));
  for (let i = 0; i < B; i++) {
    const pprev = at(dprev, i * H), ps = at(scr, i * H), ph = at(hp, i * H);
    let j = 0;
    for (; j < H4; j += 4) logBackBody(pprev, ps, ph, j, eps, true);
    for (; j < H; j++) logBackBody(pprev, ps, ph, j, eps, false);
  }
}
