/**
 * The activation set of the ONNX recurrent operators, each with its derivative taken from the
 * saved output y = f(x) (so backward never needs the pre-activation):
 *
 * | name            | f(x)                          | f'(x) in terms of y            | defaults (ONNX)   |
 * |-----------------|-------------------------------|--------------------------------|-------------------|
 * | Sigmoid         | 1 / (1 + e^−x)                | y(1 − y)                       |                   |
 * | HardSigmoid     | max(0, min(1, αx + β))        | α if 0 < y < 1, else 0         | α = 0.2, β = 0.5  |
 * | Tanh            | tanh x                        | 1 − y²                         |                   |
 * | ScaledTanh      | α tanh(βx)                    | αβ(1 − (y/α)²)                 | α = 1, β = 1      |
 * | Relu            | max(0, x)                     | 1 if y > 0, else 0             |                   |
 * | LeakyRelu       | x if x ≥ 0, else αx           | 1 if y > 0, else α  (α ≥ 0)    | α = 0.01          |
 * | ThresholdedRelu | x if x > α, else 0            | 1 if y ≠ 0, else 0             | α = 1             |
 * | Elu             | x if x ≥ 0, else α(e^x − 1)   | 1 if y > 0, else y + α (α > 0) | α = 1             |
 * | Softsign        | x / (1 + |x|)                 | (1 − |y|)²                     |                   |
 * | Softplus        | log(1 + e^x)                  | 1 − e^−y                       |                   |
 * | Affine          | αx + β                        | α                              | α = 1, β = 0      |
 *
 * TensorFlow.js's hardSigmoid is HardSigmoid(0.2, 0.5); Keras 3's is HardSigmoid(1/6, 0.5): the
 * resolved spec always carries α and β explicitly.
 *
 * Cell clip (ONNX `clip`): the input of every activation is clamped to [−clip, clip]. Its
 * derivative is 0 where the clamp acted, which `clippedDerivative` recognises from the output too:
 * every activation here is monotone, so the clamp acted exactly when y reached f(±clip).
 */
import { OptionError } from "../errors/index.js";
import type { DType } from "./types.js";

export const ACTIVATIONS = [
  "Sigmoid", "HardSigmoid", "Tanh", "ScaledTanh", "Relu", "LeakyRelu",
  "ThresholdedRelu", "Elu", "Softsign", "Softplus", "Affine",
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** An activation by name, with optional parameters (ONNX defaults when omitted). */
export type ActivationSpec = ActivationName | { name: ActivationName; alpha?: number; beta?: number };

/** The resolved, serialisable form: parameters always explicit (0 where unused). */
export interface ActivationConfig {
  readonly name: ActivationName;
  readonly alpha: number;
  readonly beta: number;
}

export interface Activation extends ActivationConfig {
  /** y = f(x) */
  f(x: number): number;
  /** f'(x) from y = f(x) */
  df(y: number): number;
}

const DEFAULTS: Record<ActivationName, [number, number]> = {
  Sigmoid: [0, 0], HardSigmoid: [0.2, 0.5], Tanh: [0, 0], ScaledTanh: [1, 1], Relu: [0, 0],
  LeakyRelu: [0.01, 0], ThresholdedRelu: [1, 0], Elu: [1, 0], Softsign: [0, 0], Softplus: [0, 0],
  Affine: [1, 0],
};
/** Which parameters each activation takes, in ONNX's activation_alpha / activation_beta order. */
export const ACTIVATION_PARAMS: Record<ActivationName, readonly ("alpha" | "beta")[]> = {
  Sigmoid: [], HardSigmoid: ["alpha", "beta"], Tanh: [], ScaledTanh: ["alpha", "beta"], Relu: [],
  LeakyRelu: ["alpha"], ThresholdedRelu: ["alpha"], Elu: ["alpha"], Softsign: [], Softplus: [],
  Affine: ["alpha", "beta"],
};

function canonicalName(where: string, name: unknown): ActivationName {
  if (typeof name === "string") {
    const hit = ACTIVATIONS.find((a) => a.toLowerCase() === name.toLowerCase());
    if (hit) return hit;
  }
  throw new OptionError(
    `${where}: unknown activation ${JSON.stringify(name)}; expected one of ${ACTIVATIONS.join(", ")}`,
  );
}

/** Resolves a spec (a name or {name, alpha, beta}) into an explicit, validated configuration. */
export function resolveActivation(where: string, spec: ActivationSpec | ActivationConfig): ActivationConfig {
  const raw = typeof spec === "string" ? { name: spec } : spec;
  const name = canonicalName(where, raw.name);
  const [da, db] = DEFAULTS[name];
  const takes = ACTIVATION_PARAMS[name];
  const alpha = takes.includes("alpha") ? (raw.alpha ?? da) : 0;
  const beta = takes.includes("beta") ? (raw.beta ?? db) : 0;
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) {
    throw new OptionError(`${where}: ${name} needs finite alpha/beta, got alpha=${alpha}, beta=${beta}`);
  }
  if ((name === "LeakyRelu" && alpha < 0) || (name === "Elu" && alpha <= 0)) {
    throw new OptionError(
      `${where}: ${name} alpha must be ${name === "Elu" ? "> 0" : ">= 0"}, got ${alpha} ` +
        `(gated takes derivatives from saved outputs, which needs a monotone activation)`,
    );
  }
  if (name === "ScaledTanh" && alpha === 0) throw new OptionError(`${where}: ScaledTanh alpha must not be 0`);
  return { name, alpha, beta };
}

/** e^x / (1 + e^x) without overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow or loss of precision at either end. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Builds the scalar forward and derivative functions of a resolved activation. */
export function makeActivation(c: ActivationConfig): Activation {
  const { name, alpha: a, beta: b } = c;
  const pair = ((): [(x: number) => number, (y: number) => number] => {
    switch (name) {
      case "Sigmoid": return [sigmoid, (y) => y * (1 - y)];
      case "HardSigmoid": return [(x) => Math.max(0, Math.min(1, a * x + b)), (y) => (y > 0 && y < 1 ? a : 0)];
      case "Tanh": return [Math.tanh, (y) => 1 - y * y];
      case "ScaledTanh": return [(x) => a * Math.tanh(b * x), (y) => a * b * (1 - (y / a) * (y / a))];
      case "Relu": return [(x) => (x > 0 ? x : 0), (y) => (y > 0 ? 1 : 0)];
      case "LeakyRelu": return [(x) => (x >= 0 ? x : a * x), (y) => (y > 0 ? 1 : a)];
      case "ThresholdedRelu": return [(x) => (x > a ? x : 0), (y) => (y !== 0 ? 1 : 0)];
      case "Elu": return [(x) => (x >= 0 ? x : a * Math.expm1(x)), (y) => (y > 0 ? 1 : y + a)];
      case "Softsign": return [(x) => x / (1 + Math.abs(x)), (y) => (1 - Math.abs(y)) * (1 - Math.abs(y))];
      case "Softplus": return [softplus, (y) => -Math.expm1(-y)];
      case "Affine": return [(x) => a * x + b, () => a];
    }
  })();
  return { name, alpha: a, beta: b, f: pair[0], df: pair[1] };
}

/**
 * f(clamp(x, −clip, clip)) and its derivative from the output, for a cell clip (Infinity = none).
 * Returned as a pair of functions so the hot loops call them without checking the clip each time.
 */
export function withClip(act: Activation, clip: number, dtype: DType): Activation {
  if (!(clip < Infinity)) return act;
  // The bounds as they are stored in this dtype, so a saved float32 output compares exactly.
  const round = dtype === "float32" ? Math.fround : (v: number) => v;
  const f0 = round(act.f(-clip));
  const f1 = round(act.f(clip));
  const lo = Math.min(f0, f1);
  const hi = Math.max(f0, f1);
  return {
    name: act.name,
    alpha: act.alpha,
    beta: act.beta,
    f: (x) => act.f(x > clip ? clip : x < -clip ? -clip : x),
    df: (y) => (y <= lo || y >= hi ? 0 : act.df(y)),
  };
}
