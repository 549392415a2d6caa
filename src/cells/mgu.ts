/**
 * MGU, the minimal gated unit (Zhou et al. 2016), and MGU1, MGU2, MGU3 (Heck & Salem 2017):
 * one forget gate f that plays both the reset and the update role.
 *
 *   f = σ(W_f x + U_f h + b_f)         MGU1: σ(U_f h + b_f)   MGU2: σ(U_f h)   MGU3: σ(b_f)
 *   reset "before" (the paper): n = φ(W_h x + U_h (f ⊙ h) + b_h)
 *   reset "after":              n = φ(W_h x + b_h + f ⊙ (U_h h + c_h))
 *   update "replace" (the paper): h' = (1 − f) ⊙ h + f ⊙ n;   "keep": h' = f ⊙ h + (1 − f) ⊙ n
 *
 * Block order f, h. W [2H, I] (MGU1–3: [H, I]), U [2H, H] (MGU3: [H, H]), b [2H] (MGU2: [H]).
 * MGU1/2/3 are `gates: "type1" | "type2" | "type3"`. Defaults: reset "before", update "replace".
 * The step and its backward live in gated-unit.ts.
 */
import type { DType } from "../kernels/types.js";
import { gatedUnit } from "./gated-unit.js";
import { resolveGatedUnit, type GruOptions } from "./gru.js";
import type { Cell } from "./types.js";

export type MguOptions = GruOptions;

export function mgu(o: MguOptions, dtype: DType): Cell {
  const { inputSize, hiddenSize, cfg } = resolveGatedUnit("mgu", o, { reset: "before", update: "replace" });
  return gatedUnit("mgu", ["f"], inputSize, hiddenSize, cfg, dtype);
}
