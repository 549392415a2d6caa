/**
 * GRU (Cho et al. 2014) and its gate variants type 1, 2, 3 (Dey & Salem 2017).
 *
 *   z = σ(W_z x + U_z h + b_z)         type1: σ(U_z h + b_z)   type2: σ(U_z h)   type3: σ(b_z)
 *   r = σ(W_r x + U_r h + b_r)         (same variants)
 *   reset "after"  (PyTorch, cuDNN, Keras reset_after=True, ONNX linear_before_reset=1):
 *       n = φ(W_h x + b_h + r ⊙ (U_h h + c_h))
 *   reset "before" (Cho et al., Keras reset_after=False, TF.js, ONNX linear_before_reset=0):
 *       n = φ(W_h x + U_h (r ⊙ h) + b_h)
 *   update "keep" (Cho, PyTorch, Keras, ONNX): h' = z ⊙ h + (1 − z) ⊙ n
 *   update "replace" (Chung et al. 2014, Wikipedia): h' = (1 − z) ⊙ h + z ⊙ n
 *
 * Gate order z, r, h (as ONNX and Keras). W [3H, I] (type1–3: [H, I]), U [3H, H] (type3: [H, H]),
 * b [3H] (type2: [H]), c [H] with reset "after". Defaults: σ = Sigmoid, φ = Tanh, reset "after",
 * update "keep" — PyTorch's nn.GRU. The step and its backward live in gated-unit.ts.
 */
import type { ActivationConfig, ActivationSpec } from "../kernels/activations.js";
import type { DType } from "../kernels/types.js";
import { gatedUnit, type GateInputs, type ResetPlacement, type UpdateConvention } from "./gated-unit.js";
import { checkKeys, optActivation, optBool, optChoice, optClip, positiveInt } from "./options.js";
import type { Cell, CommonCellOptions } from "./types.js";

export interface GruOptions extends CommonCellOptions {
  readonly gates?: GateInputs;
  readonly reset?: ResetPlacement;
  readonly update?: UpdateConvention;
  readonly gateActivation?: ActivationSpec | ActivationConfig;
  readonly candidateActivation?: ActivationSpec | ActivationConfig;
  readonly clip?: number | null;
}

export const GATE_INPUTS: readonly GateInputs[] = ["full", "type1", "type2", "type3"];
const KEYS = ["inputSize", "hiddenSize", "bias", "gates", "reset", "update", "gateActivation", "candidateActivation", "clip"];

/** The options shared by the GRU and MGU families, resolved and validated. */
export function resolveGatedUnit(where: string, o: GruOptions, dflt: { reset: ResetPlacement; update: UpdateConvention }) {
  checkKeys(where, o, KEYS);
  return {
    inputSize: positiveInt(where, "inputSize", o.inputSize),
    hiddenSize: positiveInt(where, "hiddenSize", o.hiddenSize),
    cfg: {
      gates: optChoice(where, "gates", o.gates, GATE_INPUTS, "full"),
      reset: optChoice(where, "reset", o.reset, ["before", "after"] as const, dflt.reset),
      update: optChoice(where, "update", o.update, ["keep", "replace"] as const, dflt.update),
      bias: optBool(where, "bias", o.bias, true),
      gateActivation: optActivation(where, "gateActivation", o.gateActivation, "Sigmoid"),
      candidateActivation: optActivation(where, "candidateActivation", o.candidateActivation, "Tanh"),
      clip: optClip(where, o.clip),
    },
  };
}

export function gru(o: GruOptions, dtype: DType): Cell {
  const { inputSize, hiddenSize, cfg } = resolveGatedUnit("gru", o, { reset: "after", update: "keep" });
  return gatedUnit("gru", ["z", "r"], inputSize, hiddenSize, cfg, dtype);
}
