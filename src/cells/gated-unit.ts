/**
 * The GRU family's shared step: gates, candidate, interpolation. gru.ts and mgu.ts only say what
 * differs (two gates z, r, or one tied gate f used as both).
 *
 * Equations (σ = gate activation, φ = candidate activation, both after the optional cell clip):
 *   gates      g = σ(W_g x + U_g h + b_g)   — "full"; "type1": U_g h + b_g; "type2": U_g h; "type3": b_g
 *              GRU: g ∈ {z, r};  MGU: g = f, and z = r = f
 *   candidate  reset "before": n = φ(W_h x + U_h (r ⊙ h) + b_h)
 *              reset "after":  n = φ(W_h x + b_h + r ⊙ q),  q = U_h h + c_h
 *   update     "keep":    h' = z ⊙ h + (1 − z) ⊙ n
 *              "replace": h' = (1 − z) ⊙ h + z ⊙ n
 *
 * Blocks (gate order: gates first, then the candidate h):
 *   W [X·H, I]   X = (#gates if "full", else 0) + 1
 *   U [(G_h + 1)·H, H]   G_h = #gates unless "type3"
 *   b [(G_b + 1)·H]      G_b = #gates unless "type2" (absent with bias: false)
 *   c [H]                reset "after" only (the recurrent candidate bias inside r ⊙ (·))
 *
 * Cache per row: [gates (#gates·H) | n (H) | q (reset after) or r ⊙ h (reset before) (H)].
 * dRec per row: [dA of the gates, when they do not see x (#gates·H) | dL/d(recurrent candidate product) (H)].
 */
import { makeActivation, withClip, type Activation, type ActivationConfig } from "../kernels/activations.js";
import type { GatedSpec, SequenceLoop, SequenceLoopBackward } from "../kernels/fused.js";
import type { Kernels, Vec } from "../kernels/types.js";
import { OptionError } from "../errors/index.js";
import type { Cell, GateView, ParamSpec, ParamViews, SequenceTape, StepBackward, StepForward } from "./types.js";

export type GateInputs = "full" | "type1" | "type2" | "type3";
export type ResetPlacement = "before" | "after";
export type UpdateConvention = "keep" | "replace";

export interface GatedUnitConfig {
  readonly gates: GateInputs;
  readonly reset: ResetPlacement;
  readonly update: UpdateConvention;
  readonly bias: boolean;
  readonly gateActivation: ActivationConfig;
  readonly candidateActivation: ActivationConfig;
  /** Cell clip on every activation input; null for none. */
  readonly clip: number | null;
}

export function gatedUnit(
  kind: string, gateNames: readonly string[], inputSize: number, hiddenSize: number,
  cfg: GatedUnitConfig, dtype: Kernels["dtype"],
): Cell {
  const H = hiddenSize;
  const nG = gateNames.length;
  const tied = nG === 1;
  const gx = cfg.gates === "full" ? nG : 0;
  const gh = cfg.gates === "type3" ? 0 : nG;
  const gb = cfg.bias && cfg.gates !== "type2" ? nG : 0;
  if (cfg.gates === "type3" && !cfg.bias) {
    throw new OptionError(`${kind}: gates "type3" are made from the bias alone; bias: false leaves them constant`);
  }
  const afterReset = cfg.reset === "after";
  const hasC = afterReset && cfg.bias;
  const X = gx + 1;
  const ldc = (nG + 2) * H; // cache row
  const candOff = gx > 0 ? 0 : nG * H; // candidate block inside dRec
  const ldr = candOff + H; // dRec row
  const clip = cfg.clip ?? Infinity;
  const fg: Activation = withClip(makeActivation(cfg.gateActivation), clip, dtype);
  const fc: Activation = withClip(makeActivation(cfg.candidateActivation), clip, dtype);
  const zIdx = 0;
  const rIdx = tied ? 0 : 1;

  const params: ParamSpec[] = [
    { name: "W", shape: [X * H, inputSize], init: "input", doc: `input weights, blocks ${[...gateNames.slice(0, gx), "h"].join(", ")}` },
    { name: "U", shape: [(gh + 1) * H, H], init: "recurrent", doc: `recurrent weights, blocks ${[...gateNames.slice(0, gh), "h"].join(", ")}` },
  ];
  if (cfg.bias) params.push({ name: "b", shape: [(gb + 1) * H], init: "bias", doc: `biases, blocks ${[...gateNames.slice(0, gb), "h"].join(", ")}` });
  if (hasC) params.push({ name: "c", shape: [H], init: "bias", doc: "recurrent candidate bias, inside r ⊙ (U_h h + c)" });

  const gates: GateView[] = [
    ...gateNames.map((name, g) => ({ name, offset: g * H })),
    { name: "hHat", offset: nG * H },
  ];

  // what a backend's fused step kernel needs to know (kernels/fused.ts); this file's loops are its reference
  const fusedSpec: GatedSpec = {
    hidden: H, nG, gx, gh, gb, reset: cfg.reset, update: cfg.update, bias: cfg.bias, hasC,
    gateActivation: cfg.gateActivation, candidateActivation: cfg.candidateActivation, clip: cfg.clip,
  };

  const forwardLoop = (k: Kernels, p: ParamViews, s: StepForward, loop: SequenceLoop): boolean => k.fused?.gatedForward(fusedSpec, p, s, loop) ?? false;
  const backwardLoop = (k: Kernels, p: ParamViews, s: StepBackward, loop: SequenceLoopBackward): boolean => k.fused?.gatedBackward(fusedSpec, p, s, loop) ?? false;

  function forward(k: Kernels, p: ParamViews, s: StepForward): void {
    if (!s.hr && k.fused?.gatedForward(fusedSpec, p, s)) return;
    const { B, xp, xpOff, cache, cacheOff, scratch } = s;
    const h = s.prev[0]!, hOff = s.prevOff, out = s.next[0]!, oOff = s.nextOff;
    const hr = s.hr ?? h, hrOff = s.hr ? s.hrOff! : hOff; // what the products with U see
    const U = p.U!, b = p.b, c = p.c;
    const ldp = (gh + 1) * H; // scratch row: the recurrent products
    // hp = h · Uᵀ: every block at once (reset after), or the gate blocks only (reset before)
    const rowsNow = afterReset ? gh + 1 : gh;
    if (rowsNow > 0) k.matmulNT(scratch, 0, ldp, hr, hrOff, H, U, 0, H, B, rowsNow * H, H, 0);
    // g = σ(W_g x + U_g h + b_g)
    for (let i = 0; i < B; i++) {
      for (let g = 0; g < nG; g++) {
        for (let j = 0; j < H; j++) {
          let a = gb > 0 ? b![g * H + j]! : 0;
          if (gx > 0) a += xp[xpOff + i * X * H + g * H + j]!;
          if (gh > 0) a += scratch[i * ldp + g * H + j]!;
          cache[cacheOff + i * ldc + g * H + j] = fg.f(a);
        }
      }
    }
    if (!afterReset) {
      // rh = r ⊙ h, then U_h (r ⊙ h) into the candidate block of the scratch
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < H; j++) {
          cache[cacheOff + i * ldc + (nG + 1) * H + j] = cache[cacheOff + i * ldc + rIdx * H + j]! * hr[hrOff + i * H + j]!;
        }
      }
      k.matmulNT(scratch, gh * H, ldp, cache, cacheOff + (nG + 1) * H, ldc, U, gh * H * H, H, B, H, H, 0);
    }
    const bh = cfg.bias ? gb * H : -1;
    for (let i = 0; i < B; i++) {
      const ci = cacheOff + i * ldc;
      for (let j = 0; j < H; j++) {
        const rec = scratch[i * ldp + gh * H + j]!;
        let a = xp[xpOff + i * X * H + gx * H + j]! + (bh >= 0 ? b![bh + j]! : 0);
        if (afterReset) {
          const q = rec + (hasC ? c![j]! : 0); // q = U_h h + c_h
          cache[ci + (nG + 1) * H + j] = q;
          a += cache[ci + rIdx * H + j]! * q;
        } else {
          a += rec;
        }
        const n = fc.f(a);
        cache[ci + nG * H + j] = n;
        const z = cache[ci + zIdx * H + j]!;
        const hv = h[hOff + i * H + j]!;
        out[oOff + i * H + j] = cfg.update === "keep" ? z * hv + (1 - z) * n : (1 - z) * hv + z * n;
      }
    }
  }

  function backward(k: Kernels, p: ParamViews, s: StepBackward): void {
    if (!s.hr && k.fused?.gatedBackward(fusedSpec, p, s)) return;
    const { B, cache, cacheOff, dxp, dxpOff, dRec, dRecOff, scratch } = s;
    const h = s.prev[0]!, hOff = s.prevOff, dh = s.dNext[0]!, dPrev = s.dPrev[0]!;
    const hr = s.hr ?? h, hrOff = s.hr ? s.hrOff! : hOff, dhr = s.dhr ?? dPrev; // the products' side of h
    const U = p.U!;
    // where dA of the gates goes: beside the candidate in dxp when the gates see x, else in dRec
    const gBuf: Vec = gx > 0 ? dxp : dRec, gOff = gx > 0 ? dxpOff : dRecOff, ldg = gx > 0 ? X * H : ldr;
    for (let i = 0; i < B; i++) {
      const ci = cacheOff + i * ldc;
      for (let j = 0; j < H; j++) {
        const d = dh[i * H + j]!;
        const z = cache[ci + zIdx * H + j]!, n = cache[ci + nG * H + j]!, hv = h[hOff + i * H + j]!;
        let dz: number, dn: number;
        if (cfg.update === "keep") {
          // h' = z ⊙ h + (1 − z) ⊙ n
          dz = d * (hv - n); dn = d * (1 - z); dPrev[i * H + j] += d * z;
        } else {
          // h' = (1 − z) ⊙ h + z ⊙ n
          dz = d * (n - hv); dn = d * z; dPrev[i * H + j] += d * (1 - z);
        }
        // n = φ(a_h)
        const da = dn * fc.df(n);
        dxp[dxpOff + i * X * H + gx * H + j] += da;
        gBuf[gOff + i * ldg + zIdx * H + j] += dz;
        if (afterReset) {
          // a_h = W_h x + b_h + r ⊙ q
          gBuf[gOff + i * ldg + rIdx * H + j] += da * cache[ci + (nG + 1) * H + j]!;
          dRec[dRecOff + i * ldr + candOff + j] += da * cache[ci + rIdx * H + j]!;
        } else {
          // a_h = W_h x + U_h (r ⊙ h) + b_h
          dRec[dRecOff + i * ldr + candOff + j] += da;
        }
      }
    }
    if (!afterReset) {
      // d(r ⊙ h) = da_h · U_h, then r ⊙ h splits into r and h
      k.matmul(scratch, 0, H, dRec, dRecOff + candOff, ldr, U, gh * H * H, H, B, H, H, 0);
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < H; j++) {
          const drh = scratch[i * H + j]!;
          gBuf[gOff + i * ldg + rIdx * H + j] += drh * hr[hrOff + i * H + j]!;
          dhr[i * H + j] += drh * cache[cacheOff + i * ldc + rIdx * H + j]!;
        }
      }
    }
    // g = σ(a_g): dA_g = dg ⊙ σ'(g), in place
    for (let i = 0; i < B; i++) {
      for (let gj = 0; gj < nG * H; gj++) {
        const at = gOff + i * ldg + gj;
        gBuf[at] = gBuf[at]! * fg.df(cache[cacheOff + i * ldc + gj]!);
      }
    }
    // dh += dA_g · U_g (gates that see h), and dh += dq · U_h (reset after)
    if (gh > 0) k.matmul(dhr, 0, H, gBuf, gOff, ldg, U, 0, H, B, H, gh * H, 1);
    if (afterReset) k.matmul(dhr, 0, H, dRec, dRecOff + candOff, ldr, U, gh * H * H, H, B, H, H, 1);
  }

  function backwardWeights(k: Kernels, _p: ParamViews, g: ParamViews, seq: SequenceTape): void {
    const { N, dxp, dRec, cache } = seq;
    const hs = seq.rec ?? seq.states[0]!, hsOff = seq.rec ? seq.recOff! : seq.statesOff;
    const gBuf = gx > 0 ? dxp : dRec, ldg = gx > 0 ? X * H : ldr;
    const dU = g.U!;
    // dU_g = Σ_t dA_gᵀ · h_{t−1};  dU_h = Σ_t dqᵀ · h_{t−1} (after) or Σ_t da_hᵀ · (r ⊙ h) (before)
    if (gh > 0) k.matmulTN(dU, 0, H, gBuf, 0, ldg, hs, hsOff, H, gh * H, H, N, 1);
    if (afterReset) k.matmulTN(dU, gh * H * H, H, dRec, candOff, ldr, hs, hsOff, H, H, H, N, 1);
    else k.matmulTN(dU, gh * H * H, H, dRec, candOff, ldr, cache, (nG + 1) * H, ldc, H, H, N, 1);
    if (cfg.bias) {
      if (gb > 0) k.sumRows(g.b!, 0, gBuf, 0, ldg, N, gb * H);
      k.sumRows(g.b!, gb * H, dxp, gx * H, X * H, N, H);
    }
    if (hasC) k.sumRows(g.c!, 0, dRec, candOff, ldr, N, H);
  }

  return {
    kind, config: { ...cfg }, inputSize, hiddenSize, params, xBlocks: X, states: ["h"], recurrentDropout: true,
    cacheWidth: ldc, scratchWidth: Math.max((gh + 1) * H, H), dRecWidth: ldr, gates,
    forward, backward, backwardWeights, forwardLoop, backwardLoop,
  };
}
