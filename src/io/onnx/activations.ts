/**
 * ONNX recurrent-operator activations: a list of names with `activation_alpha` and
 * `activation_beta` consumed in order, each only by the activations that take that parameter
 * (HardSigmoid α β, LeakyRelu α, ThresholdedRelu α, ScaledTanh α β, Elu α, Affine α β).
 * A parameter left unset takes the ONNX operator's default.
 */
import { ACTIVATION_PARAMS, resolveActivation, type ActivationConfig } from "../../kernels/activations.js";
import { OptionError } from "../../errors/index.js";

export function onnxActivations(
  where: string, names: readonly string[], alphas: readonly number[] = [], betas: readonly number[] = [],
): ActivationConfig[] {
  let ia = 0, ib = 0;
  const out = names.map((raw, i) => {
    const name = resolveActivation(`${where} activations[${i}]`, raw as never).name;
    const takes = ACTIVATION_PARAMS[name];
    const spec: { name: typeof name; alpha?: number; beta?: number } = { name };
    if (takes.includes("alpha") && ia < alphas.length) spec.alpha = alphas[ia++]!;
    if (takes.includes("beta") && ib < betas.length) spec.beta = betas[ib++]!;
    return resolveActivation(`${where} activations[${i}]`, spec);
  });
  if (ia < alphas.length || ib < betas.length) {
    throw new OptionError(
      `${where}: activation_alpha has ${alphas.length} values and activation_beta ${betas.length}, but the activations ` +
        `[${names.join(", ")}] take only ${ia} and ${ib}`,
    );
  }
  return out;
}
