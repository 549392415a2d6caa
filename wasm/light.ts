// Fused step of the two-block cells, forward and backward: LiGRU (src/cells/li-gru.ts), minGRU
// (src/cells/min-gru.ts) and LiBRU in its "ligru" and "geomean" modes (src/cells/li-bru.ts). Their
// TypeScript loops are the reference; read them first. What they share:
//
//   a_z = xp_z (+ (h·Uᵀ)_z) (+ b_z),  a_n = xp_n (+ (h·Uᵀ)_n) (+ b_n)
//   z = f_z(a_z),  n = f_n(a_n)                         cache per row: [z (H) | n (H)]
//   "keep":    h' = z ⊙ h + (1 − z) ⊙ n
//   "replace": h' = (1 − z) ⊙ h + z ⊙ n
// and backward dA = [da_z | da_n] accumulated into dxp [B, 2H], then dh += dA · U.
//
// Shape legend: B rows, H hidden; pointers are byte addresses, leading dimensions elements.
import { act, dact } from "./activations";
import { at, df, di, dp, ld, st } from "./desc";
import { gemmPacked } from "./matmul";
import { mix, mixGradCand, mixGradGate, mixGradState } from "./update";

// descriptor slots: src/kernels/wasm/fused.ts (LI)
const B_ = 0, H_ = 1, FLAGS = 2, XP = 3, HP = 4, OUT = 5, CACHE = 6, SCR = 7, UP = 8, BIAS = 9;
const ACTZ = 10, AZ = 11, BZ = 12, ACTN = 13, AN = 14, BN = 15, TMP = 16, DH = 17, DPREV = 18, DXP = 19, UN = 20;
const HAS_U = 1, REPLACE = 2;

const INF = f32.POSITIVE_INFINITY;

// @ts-ignore: decorator
@inline function fwdBody(
  ci: usize, px: usize, ps: usize, pb: usize, ph: usize, po: usize, j: i32, H: i32, hasU: bool, replace: bool,
  cz: i32, az: f32, bz: f32, cn: i32, an: f32, bn: f32, full: bool,
): void {
  let vz = ld(at(px, j), full), vn = ld(at(px, H + j), full);
  if (hasU) { vz = f32x4.add(vz, ld(at(ps, j), full)); vn = f32x4.add(vn, ld(at(ps, H + j), full)); }
  if (pb != 0) { vz = f32x4.add(vz, ld(at(pb, j), full)); vn = f32x4.add(vn, ld(at(pb, H + j), full)); }
  const z = act(cz, vz, az, bz, INF), n = act(cn, vn, an, bn, INF);
  st(at(ci, j), z, full);
  st(at(ci, H + j), n, full);
  st(at(po, j), mix(z, ld(at(ph, j), full), n, replace), full);
}

/** One forward step for rows [0, B) of the descriptor `d`. */
export function lightForward(d: usize): void {
  const B = di(d, B_), H = di(d, H_), flags = di(d, FLAGS), hasU = (flags & HAS_U) != 0, replace = (flags & REPLACE) != 0;
  const xp = dp(d, XP), hp = dp(d, HP), out = dp(d, OUT), cache = dp(d, CACHE), scr = dp(d, SCR), bias = dp(d, BIAS);
  const cz = di(d, ACTZ), az = df(d, AZ), bz = df(d, BZ), cn = di(d, ACTN), an = df(d, AN), bn = df(d, BN);
  const H2 = 2 * H, H4 = H & ~3;
  // scratch [B, 2H] = h · Uᵀ
  if (hasU) gemmPacked(scr, H2, hp, H * 4, 4, dp(d, UP), B, H2, H, 0, dp(d, TMP));
  for (let i = 0; i < B; i++) {
    const ci = at(cache, i * H2), px = at(xp, i * H2), ps = at(scr, i * H2), ph = at(hp, i * H), po = at(out, i * H);
    let j = 0;
    for (; j < H4; j += 4) fwdBody(ci, px, ps, bias, ph, po, j, H, hasU, replace, cz, az, bz, cn, an, bn, true);
    for (; j < H; j++) fwdBody(ci, px, ps, bias, ph, po, j, H, hasU, replace, cz, az, bz, cn, an, bn, false);
  }
}

// @ts-ignore: decorator
@inline function backBody(
  ci: usize, pdh: usize, ph: usize, pprev: usize, pdx: usize, j: i32, H: i32, replace: bool,
  cz: i32, az: f32, bz: f32, cn: i32, an: f32, bn: f32, full: bool,
): void {
  const dh = ld(at(pdh, j), full), z = ld(at(ci, j), full), n = ld(at(ci, H + j), full), h = ld(at(ph, j), full);
  const dz = mixGradGate(dh, h, n, replace), dn = mixGradCand(dh, z, replace);
  st(at(pprev, j), f32x4.add(ld(at(pprev, j), full), mixGradState(dh, z, replace)), full);
  // z = f_z(a_z), n = f_n(a_n): dA = d(·) ⊙ f'(·) from the saved outputs
  const pz = at(pdx, j), pn = at(pdx, H + j);
  st(pz, f32x4.add(ld(pz, full), f32x4.mul(dz, dact(cz, z, az, bz, -INF, INF))), full);
  st(pn, f32x4.add(ld(pn, full), f32x4.mul(dn, dact(cn, n, an, bn, -INF, INF))), full);
}

/** One backward step for rows [0, B) of the descriptor `d` (accumulates, as the TypeScript cells). */
export function lightBackward(d: usize): void {
  const B = di(d, B_), H = di(d, H_), flags = di(d, FLAGS), hasU = (flags & HAS_U) != 0, replace = (flags & REPLACE) != 0;
  const hp = dp(d, HP), cache = dp(d, CACHE), dhp = dp(d, DH), dprev = dp(d, DPREV), dxp = dp(d, DXP);
  const cz = di(d, ACTZ), az = df(d, AZ), bz = df(d, BZ), cn = di(d, ACTN), an = df(d, AN), bn = df(d, BN);
  const H2 = 2 * H, H4 = H & ~3;
  for (let i = 0; i < B; i++) {
    const ci = at(cache, i * H2), pdh = at(dhp, i * H), ph = at(hp, i * H), pprev = at(dprev, i * H), pdx = at(dxp, i * H2);
    let j = 0;
    for (; j < H4; j += 4) backBody(ci, pdh, ph, pprev, pdx, j, H, replace, cz, az, bz, cn, an, bn, true);
    for (; j < H; j++) backBody(ci, pdh, ph, pprev, pdx, j, H, replace, cz, az, bz, cn, an, bn, false);
  }
  // a = xp + U h (+ b): dh += dA · U
  if (hasU) gemmPacked(dprev, H, dxp, H2 * 4, 4, dp(d, UN), B, H, H2, 1, dp(d, TMP));
}
