/**
 * gated activations as ONNX nodes (export side): each activation of the closed set is an ONNX op
 * with the same formula, or (ScaledTanh, Affine) two elementwise ops. A cell clip is a Clip node
 * in front, as the recurrent operators apply it.
 */
import { ACTIVATION_PARAMS, type ActivationConfig } from "../../kernels/activations.js";
import type { GraphBuilder } from "./builder.js";

export function emitActivation(g: GraphBuilder, x: string, a: ActivationConfig, clip: number | null = null): string {
  const v = clip === null ? x : g.op("Clip", [x, g.scalar(-clip), g.scalar(clip)]);
  switch (a.name) {
    case "Sigmoid": case "Tanh": case "Relu": case "Softsign": case "Softplus":
      return g.op(a.name, [v]);
    case "HardSigmoid":
      return g.op("HardSigmoid", [v], { alpha: a.alpha, beta: a.beta });
    case "LeakyRelu": case "ThresholdedRelu": case "Elu":
      return g.op(a.name, [v], { alpha: a.alpha });
    case "ScaledTanh":
      // α tanh(β x)
      return g.op("Mul", [g.op("Tanh", [g.op("Mul", [v, g.scalar(a.beta)])]), g.scalar(a.alpha)]);
    case "Affine": {
      // α x + β
      if (a.alpha === 1 && a.beta === 0) return v;
      const ax = a.alpha === 1 ? v : g.op("Mul", [v, g.scalar(a.alpha)]);
      return a.beta === 0 ? ax : g.op("Add", [ax, g.scalar(a.beta)]);
    }
  }
}

/** The ONNX recurrent-operator spelling of an activation list: names plus alpha/beta in order. */
export function onnxActivationAttrs(acts: readonly ActivationConfig[]): { activations: string[]; activation_alpha: number[]; activation_beta: number[] } {
  const alphas: number[] = [], betas: number[] = [];
  for (const a of acts) {
    if (ACTIVATION_PARAMS[a.name].includes("alpha")) alphas.push(a.alpha);
    if (ACTIVATION_PARAMS[a.name].includes("beta")) betas.push(a.beta);
  }
  return { activations: acts.map((a) => a.name), activation_alpha: alphas, activation_beta: betas };
}
