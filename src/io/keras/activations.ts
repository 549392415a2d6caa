/**
 * Keras / TensorFlow.js activation names as gated activations. hardSigmoid differs by source:
 * TensorFlow.js and Keras 2 use clip(0.2·x + 0.5, 0, 1); Keras 3 uses clip(x/6 + 0.5, 0, 1).
 */
import { OptionError } from "../../errors/index.js";
import type { ActivationConfig } from "../../kernels/activations.js";

export type KerasSource = "tfjs" | "keras2" | "keras3";

export function kerasActivation(where: string, name: string, source: KerasSource): ActivationConfig {
  switch (name) {
    case "sigmoid": return { name: "Sigmoid", alpha: 0, beta: 0 };
    case "hard_sigmoid":
    case "hardSigmoid": return { name: "HardSigmoid", alpha: source === "keras3" ? 1 / 6 : 0.2, beta: 0.5 };
    case "tanh": return { name: "Tanh", alpha: 0, beta: 0 };
    case "relu": return { name: "Relu", alpha: 0, beta: 0 };
    case "linear": return { name: "Affine", alpha: 1, beta: 0 };
    case "softsign": return { name: "Softsign", alpha: 0, beta: 0 };
    case "softplus": return { name: "Softplus", alpha: 0, beta: 0 };
    case "elu": return { name: "Elu", alpha: 1, beta: 0 };
    default:
      throw new OptionError(
        `${where}: activation "${name}" has no exact gated equivalent; supported: sigmoid, hard_sigmoid, tanh, relu, linear, softsign, softplus, elu`,
      );
  }
}
