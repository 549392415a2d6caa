// Fused LSTM step, forward and backward: src/cells/lstm.ts is the reference (equations, gate
// order i, f, ĉ, o, the cache layout i | f | ĉ | o | y = h_act(c')); read it first.
//
// Shape legend: B rows, H hidden, G = 4H; pointers are byte addresses, leading dimensions elements.
import { act, dact, K, K_ONE, K_ZERO } from "./activations";
import { at, df, di, dp, ld, st } from "./desc";
import { int8Product } from "./int8";
import { gemmPacked } from "./matmul";

// descriptor slots: src/kernels/wasm/fused.ts (LSTM)
const B_ = 0, H_ = 1, XP = 2, HP = 3, CP = 4, HOUT = 5, COUT = 6, CACHE = 7, SCR = 8, UP = 9, BIAS = 10;
const ACTG = 11, AG = 12, BG = 13, ACTC = 14, AC = 15, BC = 16, ACTH = 17, AH = 18, BH = 19;
const CLIP = 20, GLO = 21, GHI = 22, CLO = 23, CHI = 24, TMP = 25;
const DH = 26, DC = 27, DHPREV = 28, DCPREV = 29, DXP = 30, UN = 31;
// Q8: forward only, 0 for float32; else the rows' int8 buffer (wasm/int8.ts, B rows), UP then holds
// an int8 weight block and h · Uᵀ runs in int8 (precision "int8")
const Q8 = 32;

// @ts-ignore: decorator
@inline function gateBody(ci: usize, xi: usize, si: usize, bias: usize, j: i32, code: i32, a: f32, b: f32, clip: f32, full: bool): void {
  // a_g = W_g x + U_g h + b_g;  i, f, o = σ(a);  ĉ = g(a_c)
  const v = f32x4.add(f32x4.add(ld(at(xi, j), full), ld(at(si, j), full)), bias ? ld(at(bias, j), full) : K(K_ZERO));
  st(at(ci, j), act(code, v, a, b, clip), full);
}

// @ts-ignore: decorator
@inline function stateBody(ci: usize, pc: usize, pco: usize, pho: usize, j: i32, H: i32, code: i32, a: f32, b: f32, full: bool): void {
  // c' = f ⊙ c + i ⊙ ĉ;  h' = o ⊙ h_act(c')
  const cn = f32x4.add(f32x4.mul(ld(at(ci, H + j), full), ld(at(pc, j), full)), f32x4.mul(ld(at(ci, j), full), ld(at(ci, 2 * H + j), full)));
  const y = act(code, cn, a, b, f32.POSITIVE_INFINITY);
  st(at(ci, 4 * H + j), y, full);
  st(at(pco, j), cn, full);
  st(at(pho, j), f32x4.mul(ld(at(ci, 3 * H + j), full), y), full);
}

export function lstmForward(d: usize): void {
  const B = di(d, B_), H = di(d, H_), xp = dp(d, XP), hp = dp(d, HP), cp = dp(d, CP);
  const hOut = dp(d, HOUT), cOut = dp(d, COUT), cache = dp(d, CACHE), scr = dp(d, SCR), bias = dp(d, BIAS), tmp = dp(d, TMP);
  const actG = di(d, ACTG), aG = df(d, AG), bG = df(d, BG), actC = di(d, ACTC), aC = df(d, AC), bC = df(d, BC);
  const actH = di(d, ACTH), aH = df(d, AH), bH = df(d, BH), clip = df(d, CLIP);
  const G = 4 * H, ldc = 5 * H, H4 = H & ~3;
  // scratch [B, 4H] = h · Uᵀ
  const q8 = dp(d, Q8);
  if (q8) int8Product(scr, G, hp, H, B, dp(d, UP), G, H, q8);
  else gemmPacked(scr, G, hp, H * 4, 4, dp(d, UP), B, G, H, 0, tmp);
  for (let r = 0; r < B; r++) {
    for (let blk = 0; blk < 4; blk++) {
      const o = blk * H, c = blk == 2;
      const code = c ? actC : actG, a = c ? aC : aG, b = c ? bC : bG;
      const ci = at(cache, r * ldc + o), xi = at(xp, r * G + o), si = at(scr, r * G + o), bi = bias ? at(bias, o) : 0;
      let j = 0;
      for (; j < H4; j += 4) gateBody(ci, xi, si, bi, j, code, a, b, clip, true);
      for (; j < H; j++) gateBody(ci, xi, si, bi, j, code, a, b, clip, false);
    }
    const ci = at(cache, r * ldc), pc = at(cp, r * H), pco = at(cOut, r * H), pho = at(hOut, r * H);
    let j = 0;
    for (; j < H4; j += 4) stateBody(ci, pc, pco, pho, j, H, actH, aH, bH, true);
    for (; j < H; j++) stateBody(ci, pc, pco, pho, j, H, actH, aH, bH, false);
  }
}

// @ts-ignore: decorator
@inline function backBody(
  ci: usize, di_: usize, pdh: usize, pdc: usize, pc: usize, pcp: usize, j: i32, H: i32,
  actG: i32, aG: f32, bG: f32, gLo: f32, gHi: f32, actC: i32, aC: f32, bC: f32, cLo: f32, cHi: f32, actH: i32, aH: f32, bH: f32, full: bool,
): void {
  const inf = f32.POSITIVE_INFINITY;
  const i = ld(at(ci, j), full), f = ld(at(ci, H + j), full), cHat = ld(at(ci, 2 * H + j), full);
  const og = ld(at(ci, 3 * H + j), full), y = ld(at(ci, 4 * H + j), full);
  const dh = ld(at(pdh, j), full);
  // h' = o ⊙ h_act(c'): do = dh' ⊙ y, dc' += dh' ⊙ o ⊙ h_act'(y)
  const dO = f32x4.mul(dh, y);
  const dcn = f32x4.add(ld(at(pdc, j), full), f32x4.mul(f32x4.mul(dh, og), dact(actH, y, aH, bH, -inf, inf)));
  // c' = f ⊙ c + i ⊙ ĉ
  const dI = f32x4.mul(dcn, cHat), dF = f32x4.mul(dcn, ld(at(pc, j), full)), dCHat = f32x4.mul(dcn, i);
  st(at(pcp, j), f32x4.add(ld(at(pcp, j), full), f32x4.mul(dcn, f)), full);
  // i, f, o = σ(a), ĉ = g(a_c): dA = d(gate) ⊙ σ'(gate), from the saved outputs
  const p0 = at(di_, j), p1 = at(di_, H + j), p2 = at(di_, 2 * H + j), p3 = at(di_, 3 * H + j);
  st(p0, f32x4.add(ld(p0, full), f32x4.mul(dI, dact(actG, i, aG, bG, gLo, gHi))), full);
  st(p1, f32x4.add(ld(p1, full), f32x4.mul(dF, dact(actG, f, aG, bG, gLo, gHi))), full);
  st(p2, f32x4.add(ld(p2, full), f32x4.mul(dCHat, dact(actC, cHat, aC, bC, cLo, cHi))), full);
  st(p3, f32x4.add(ld(p3, full), f32x4.mul(dO, dact(actG, og, aG, bG, gLo, gHi))), full);
}

export function lstmBackward(d: usize): void {
  const B = di(d, B_), H = di(d, H_), cp = dp(d, CP), cache = dp(d, CACHE), tmp = dp(d, TMP);
  const dhp = dp(d, DH), dcp = dp(d, DC), dcPrev = dp(d, DCPREV), dxp = dp(d, DXP);
  const actG = di(d, ACTG), aG = df(d, AG), bG = df(d, BG), actC = di(d, ACTC), aC = df(d, AC), bC = df(d, BC);
  const actH = di(d, ACTH), aH = df(d, AH), bH = df(d, BH);
  const gLo = df(d, GLO), gHi = df(d, GHI), cLo = df(d, CLO), cHi = df(d, CHI);
  const G = 4 * H, ldc = 5 * H, H4 = H & ~3;
  for (let r = 0; r < B; r++) {
    const ci = at(cache, r * ldc), di_ = at(dxp, r * G), pdh = at(dhp, r * H), pdc = at(dcp, r * H), pc = at(cp, r * H), pcp = at(dcPrev, r * H);
    let j = 0;
    for (; j < H4; j += 4) backBody(ci, di_, pdh, pdc, pc, pcp, j, H, actG, aG, bG, gLo, gHi, actC, aC, bC, cLo, cHi, actH, aH, bH, true);
    for (; j < H; j++) backBody(ci, di_, pdh, pdc, pc, pcp, j, H, actG, aG, bG, gLo, gHi, actC, aC, bC, cLo, cHi, actH, aH, bH, false);
  }
  // a = W x + U h + b: dh += dA · U
  gemmPacked(dp(d, DHPREV), H, dxp, G * 4, 4, dp(d, UN), B, H, G, 1, tmp);
}
