// Fused step of the GRU family (GRU types full/1/2/3, MGU types full/1/2/3): the recurrent
// product(s) and all gate work of one time step in one call, forward and backward. The math, the
// cache layout and the names are those of src/cells/gated-unit.ts, whose TypeScript loops are the
// reference; read that file first.
//
// Shape legend: B rows (this call's share of the batch), H hidden, G = nG gates (2: z, r; 1: f, used
// as both), X·H the input projection width (X = gx + 1), ldc = (G + 2)·H the cache row, ldr the dRec
// row. Pointers are byte addresses; leading dimensions are in elements.
import { act, dact, K, K_ZERO, SIGMOID, TANH } from "./activations";
import { at, df, di, dp, ld, st } from "./desc";
import { int8Product } from "./int8";
import { gemmPacked } from "./matmul";
import { mix, mixGradCand, mixGradGate, mixGradState } from "./update";

// descriptor slots: src/kernels/wasm/fused.ts (GATED)
const B_ = 0, H_ = 1, NG = 2, GX = 3, GH = 4, GB = 5, FLAGS = 6;
const XP = 7, LDX = 8, HP = 9, OUT = 10, CACHE = 11, SCR = 12, UA = 13, UC = 14, BIAS = 15, CB = 16;
const ACTG = 17, AG = 18, BG = 19, ACTC = 20, AC = 21, BC = 22, CLIP = 23, GLO = 24, GHI = 25, CLO = 26, CHI = 27, TMP = 28;
const DH = 29, DPREV = 30, DXP = 31, DREC = 32, UGN = 33, UCN = 34;
// Q8: forward only, 0 for float32; else the rows' int8 buffer (wasm/int8.ts, B rows), UA and UC then
// hold int8 weight blocks and both recurrent products run in int8 (precision "int8")
const Q8 = 35;
const AFTER = 1, REPLACE = 2, CAND_BIAS = 4, HAS_C = 8;

// Element bodies: `full` is a constant at every call site (4 lanes, or one element splat across the
// lanes at a row's tail), so each loop below compiles without a branch per element.

// @ts-ignore: decorator
@inline function gateBody(pc: usize, pb: usize, px: usize, ps: usize, j: i32, gb: i32, gx: i32, gh: i32, code: i32, a: f32, b: f32, clip: f32, full: bool): void {
  // g = σ(W_g x + U_g h + b_g)
  let v = gb > 0 ? ld(at(pb, j), full) : K(K_ZERO);
  if (gx > 0) v = f32x4.add(v, ld(at(px, j), full));
  if (gh > 0) v = f32x4.add(v, ld(at(ps, j), full));
  st(at(pc, j), act(code, v, a, b, clip), full);
}

// @ts-ignore: decorator
@inline function mulBody(out: usize, x: usize, y: usize, j: i32, full: bool): void {
  st(at(out, j), f32x4.mul(ld(at(x, j), full), ld(at(y, j), full)), full);
}

// @ts-ignore: decorator
@inline function candBody(
  ci: usize, ps: usize, px: usize, pb: usize, cb: usize, ph: usize, po: usize, j: i32, H: i32, nG: i32,
  after: bool, replace: bool, candBias: bool, hasC: bool, code: i32, a: f32, b: f32, clip: f32, full: bool,
): void {
  const r = nG - 1, zero = K(K_ZERO);
  const rec = ld(at(ps, j), full);
  let v = f32x4.add(ld(at(px, j), full), candBias ? ld(at(pb, j), full) : zero);
  if (after) {
    const q = f32x4.add(rec, hasC ? ld(at(cb, j), full) : zero); // q = U_h h + c_h
    st(at(ci, (nG + 1) * H + j), q, full);
    v = f32x4.add(v, f32x4.mul(ld(at(ci, r * H + j), full), q));
  } else {
    v = f32x4.add(v, rec);
  }
  const n = act(code, v, a, b, clip);
  st(at(ci, nG * H + j), n, full);
  st(at(po, j), mix(ld(at(ci, j), full), ld(at(ph, j), full), n, replace), full);
}

/** One forward step for rows [0, B) of the descriptor `d`. */
export function gatedForward(d: usize): void {
  const B = di(d, B_), H = di(d, H_), nG = di(d, NG), gx = di(d, GX), gh = di(d, GH), gb = di(d, GB), flags = di(d, FLAGS);
  const xp = dp(d, XP), ldx = di(d, LDX), hp = dp(d, HP), out = dp(d, OUT), cache = dp(d, CACHE), scr = dp(d, SCR);
  const bias = dp(d, BIAS), cb = dp(d, CB), tmp = dp(d, TMP);
  const actG = di(d, ACTG), aG = df(d, AG), bG = df(d, BG), actC = di(d, ACTC), aC = df(d, AC), bC = df(d, BC), clip = df(d, CLIP);
  const ldc = (nG + 2) * H, ldp = (gh + 1) * H, r = nG - 1;
  const after = (flags & AFTER) != 0, replace = (flags & REPLACE) != 0;
  const candBias = (flags & CAND_BIAS) != 0, hasC = (flags & HAS_C) != 0;
  const rowsNow = after ? gh + 1 : gh;
  const H4 = H & ~3;
  const q8 = dp(d, Q8);
  // hp = h · Uᵀ: every block at once (reset after), or the gate blocks only (reset before)
  if (rowsNow > 0) {
    if (q8) int8Product(scr, ldp, hp, H, B, dp(d, UA), rowsNow * H, H, q8);
    else gemmPacked(scr, ldp, hp, H * 4, 4, dp(d, UA), B, rowsNow * H, H, 0, tmp);
  }
  // the usual activation is a constant in its own copy of the loop (no switch per element)
  if (actG == SIGMOID) gateRows(B, nG * H, gx, gh, gb, xp, ldx, scr, ldp, cache, ldc, bias, SIGMOID, aG, bG, clip);
  else gateRows(B, nG * H, gx, gh, gb, xp, ldx, scr, ldp, cache, ldc, bias, actG, aG, bG, clip);
  if (!after) {
    // rh = r ⊙ h, then U_h (r ⊙ h) into the candidate block of the scratch
    for (let i = 0; i < B; i++) {
      const pr = at(cache, i * ldc + r * H), prh = at(cache, i * ldc + (nG + 1) * H), ph = at(hp, i * H);
      let j = 0;
      for (; j < H4; j += 4) mulBody(prh, pr, ph, j, true);
      for (; j < H; j++) mulBody(prh, pr, ph, j, false);
    }
    if (q8) int8Product(at(scr, gh * H), ldp, at(cache, (nG + 1) * H), ldc, B, dp(d, UC), H, H, q8);
    else gemmPacked(at(scr, gh * H), ldp, at(cache, (nG + 1) * H), ldc * 4, 4, dp(d, UC), B, H, H, 0, tmp);
  }
  if (actC == TANH) candRows(B, H, nG, gx, gh, gb, xp, ldx, scr, ldp, cache, ldc, hp, out, bias, cb, after, replace, candBias, hasC, TANH, aC, bC, clip);
  else candRows(B, H, nG, gx, gh, gb, xp, ldx, scr, ldp, cache, ldc, hp, out, bias, cb, after, replace, candBias, hasC, actC, aC, bC, clip);
}

// @ts-ignore: decorator
@inline function gateRows(
  B: i32, G: i32, gx: i32, gh: i32, gb: i32, xp: usize, ldx: i32, scr: usize, ldp: i32, cache: usize, ldc: i32,
  bias: usize, code: i32, a: f32, b: f32, clip: f32,
): void {
  // the nG gate blocks lie side by side in the bias, xp, the scratch and the cache, and take the
  // same element work: one loop over all G = nG·H of a row
  const G4 = G & ~3;
  for (let i = 0; i < B; i++) {
    const px = at(xp, i * ldx), ps = at(scr, i * ldp), pc = at(cache, i * ldc);
    let j = 0;
    for (; j < G4; j += 4) gateBody(pc, bias, px, ps, j, gb, gx, gh, code, a, b, clip, true);
    for (; j < G; j++) gateBody(pc, bias, px, ps, j, gb, gx, gh, code, a, b, clip, false);
  }
}

// @ts-ignore: decorator
@inline function candRows(
  B: i32, H: i32, nG: i32, gx: i32, gh: i32, gb: i32, xp: usize, ldx: i32, scr: usize, ldp: i32, cache: usize, ldc: i32,
  hp: usize, out: usize, bias: usize, cb: usize, after: bool, replace: bool, candBias: bool, hasC: bool, code: i32, a: f32, b: f32, clip: f32,
): void {
  const H4 = H & ~3;
  for (let i = 0; i < B; i++) {
    const ci = at(cache, i * ldc), ps = at(scr, i * ldp + gh * H), px = at(xp, i * ldx + gx * H), ph = at(hp, i * H), po = at(out, i * H);
    const pb = at(bias, gb * H);
    let j = 0;
    for (; j < H4; j += 4) candBody(ci, ps, px, pb, cb, ph, po, j, H, nG, after, replace, candBias, hasC, code, a, b, clip, true);
    for (; j < H; j++) candBody(ci, ps, px, pb, cb, ph, po, j, H, nG, after, replace, candBias, hasC, code, a, b, clip, false);
  }
}

// @ts-ignore: decorator
@inline function updateBwdBody(
  ci: usize, pdh: usize, ph: usize, pprev: usize, px: usize, pg: usize, pc: usize, j: i32, H: i32, nG: i32,
  after: bool, replace: bool, code: i32, a: f32, b: f32, lo: f32, hi: f32, full: bool,
): void {
  const r = nG - 1;
  const dh = ld(at(pdh, j), full);
  const z = ld(at(ci, j), full), n = ld(at(ci, nG * H + j), full), h = ld(at(ph, j), full);
  const dz = mixGradGate(dh, h, n, replace), dn = mixGradCand(dh, z, replace);
  st(at(pprev, j), f32x4.add(ld(at(pprev, j), full), mixGradState(dh, z, replace)), full);
  // n = φ(a_h)
  const da = f32x4.mul(dn, dact(code, n, a, b, lo, hi));
  st(at(px, j), f32x4.add(ld(at(px, j), full), da), full);
  st(at(pg, j), f32x4.add(ld(at(pg, j), full), dz), full);
  if (after) {
    // a_h = W_h x + b_h + r ⊙ q
    const pr = at(pg, r * H + j);
    st(pr, f32x4.add(ld(pr, full), f32x4.mul(da, ld(at(ci, (nG + 1) * H + j), full))), full);
    st(at(pc, j), f32x4.add(ld(at(pc, j), full), f32x4.mul(da, ld(at(ci, r * H + j), full))), full);
  } else {
    // a_h = W_h x + U_h (r ⊙ h) + b_h
    st(at(pc, j), f32x4.add(ld(at(pc, j), full), da), full);
  }
}

// @ts-ignore: decorator
@inline function resetBwdBody(ps: usize, ph: usize, pr: usize, pprev: usize, pcr: usize, j: i32, full: bool): void {
  const drh = ld(at(ps, j), full);
  st(at(pr, j), f32x4.add(ld(at(pr, j), full), f32x4.mul(drh, ld(at(ph, j), full))), full);
  st(at(pprev, j), f32x4.add(ld(at(pprev, j), full), f32x4.mul(drh, ld(at(pcr, j), full))), full);
}

// @ts-ignore: decorator
@inline function gateDerivBody(pg: usize, ci: usize, j: i32, code: i32, a: f32, b: f32, lo: f32, hi: f32, full: bool): void {
  st(at(pg, j), f32x4.mul(ld(at(pg, j), full), dact(code, ld(at(ci, j), full), a, b, lo, hi)), full);
}

/** One backward step for rows [0, B) of the descriptor `d` (accumulates, as the TypeScript cell). */
export function gatedBackward(d: usize): void {
  const B = di(d, B_), H = di(d, H_), nG = di(d, NG), gx = di(d, GX), gh = di(d, GH), flags = di(d, FLAGS);
  const hp = dp(d, HP), cache = dp(d, CACHE), scr = dp(d, SCR), tmp = dp(d, TMP);
  const dhp = dp(d, DH), dprev = dp(d, DPREV), dxp = dp(d, DXP), drec = dp(d, DREC);
  const actG = di(d, ACTG), aG = df(d, AG), bG = df(d, BG), gLo = df(d, GLO), gHi = df(d, GHI);
  const actC = di(d, ACTC), aC = df(d, AC), bC = df(d, BC), cLo = df(d, CLO), cHi = df(d, CHI);
  const X = gx + 1, ldc = (nG + 2) * H, r = nG - 1;
  const candOff = gx > 0 ? 0 : nG * H, ldr = candOff + H;
  // where dA of the gates goes: beside the candidate in dxp when the gates see x, else in dRec
  const gBuf = gx > 0 ? dxp : drec, ldg = gx > 0 ? X * H : ldr;
  const after = (flags & AFTER) != 0, replace = (flags & REPLACE) != 0;
  const H4 = H & ~3, G = nG * H, G4 = G & ~3;
  if (actC == TANH) updateRows(B, H, nG, gx, cache, ldc, dhp, hp, dprev, dxp, gBuf, ldg, drec, ldr, candOff, after, replace, TANH, aC, bC, cLo, cHi);
  else updateRows(B, H, nG, gx, cache, ldc, dhp, hp, dprev, dxp, gBuf, ldg, drec, ldr, candOff, after, replace, actC, aC, bC, cLo, cHi);
  const candRec = at(drec, candOff);
  if (!after) {
    // d(r ⊙ h) = da_h · U_h, then r ⊙ h splits into r and h
    gemmPacked(scr, H, candRec, ldr * 4, 4, dp(d, UCN), B, H, H, 0, tmp);
    for (let i = 0; i < B; i++) {
      const ps = at(scr, i * H), ph = at(hp, i * H), pr = at(gBuf, i * ldg + r * H), pprev = at(dprev, i * H), pcr = at(cache, i * ldc + r * H);
      let j = 0;
      for (; j < H4; j += 4) resetBwdBody(ps, ph, pr, pprev, pcr, j, true);
      for (; j < H; j++) resetBwdBody(ps, ph, pr, pprev, pcr, j, false);
    }
  }
  // g = σ(a_g): dA_g = dg ⊙ σ'(g), in place
  if (actG == SIGMOID) gateDerivRows(B, G, gBuf, ldg, cache, ldc, SIGMOID, aG, bG, gLo, gHi);
  else gateDerivRows(B, G, gBuf, ldg, cache, ldc, actG, aG, bG, gLo, gHi);
  // dh += dA_g · U_g (gates that see h), and dh += dq · U_h (reset after)
  if (gh > 0) gemmPacked(dprev, H, gBuf, ldg * 4, 4, dp(d, UGN), B, H, gh * H, 1, tmp);
  if (after) gemmPacked(dprev, H, candRec, ldr * 4, 4, dp(d, UCN), B, H, H, 1, tmp);
}

// @ts-ignore: decorator
@inline function updateRows(
  B: i32, H: i32, nG: i32, gx: i32, cache: usize, ldc: i32, dhp: usize, hp: usize, dprev: usize, dxp: usize, gBuf: usize, ldg: i32,
  drec: usize, ldr: i32, candOff: i32, after: bool, replace: bool, code: i32, a: f32, b: f32, lo: f32, hi: f32,
): void {
  const X = gx + 1, H4 = H & ~3;
  for (let i = 0; i < B; i++) {
    const ci = at(cache, i * ldc), pdh = at(dhp, i * H), ph = at(hp, i * H), pprev = at(dprev, i * H);
    const px = at(dxp, i * X * H + gx * H), pg = at(gBuf, i * ldg), pc = at(drec, i * ldr + candOff);
    let j = 0;
    for (; j < H4; j += 4) updateBwdBody(ci, pdh, ph, pprev, px, pg, pc, j, H, nG, after, replace, code, a, b, lo, hi, true);
    for (; j < H; j++) updateBwdBody(ci, pdh, ph, pprev, px, pg, pc, j, H, nG, after, replace, code, a, b, lo, hi, false);
  }
}

// @ts-ignore: decorator
@inline function gateDerivRows(B: i32, G: i32, gBuf: usize, ldg: i32, cache: usize, ldc: i32, code: i32, a: f32, b: f32, lo: f32, hi: f32): void {
  const G4 = G & ~3;
  for (let i = 0; i < B; i++) {
    const pg = at(gBuf, i * ldg), ci = at(cache, i * ldc);
    let j = 0;
    for (; j < G4; j += 4) gateDerivBody(pg, ci, j, code, a, b, lo, hi, true);
    for (; j < G; j++) gateDerivBody(pg, ci, j, code, a, b, lo, hi, false);
  }
}
