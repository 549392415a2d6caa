/** Validation of the options every cell shares; cells call these at construction (the public boundary). */
import { resolveActivation, type ActivationConfig, type ActivationSpec } from "../kernels/activations.js";
import { OptionError, oneOf } from "../errors/index.js";

export function positiveInt(where: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new OptionError(`${where}: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function optBool(where: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw new OptionError(`${where}: ${name} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

export function optChoice<T extends string>(where: string, name: string, v: unknown, choices: readonly T[], dflt: T): T {
  return v === undefined ? dflt : oneOf(where, name, v, choices);
}

export function optActivation(where: string, name: string, v: ActivationSpec | ActivationConfig | undefined, dflt: ActivationSpec): ActivationConfig {
  return resolveActivation(`${where} ${name}`, v ?? dflt);
}

/** ONNX cell clip: a positive threshold, or none (null / undefined). */
export function optClip(where: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !(v > 0)) throw new OptionError(`${where}: clip must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

/** The options every cell has (inputSize, hiddenSize, bias), after checking that no unknown key was given. */
export function resolveCommon(where: string, o: { inputSize?: unknown; hiddenSize?: unknown; bias?: unknown }, keys: readonly string[]): { inputSize: number; hiddenSize: number; bias: boolean } {
  checkKeys(where, o, ["inputSize", "hiddenSize", "bias", ...keys]);
  return {
    inputSize: positiveInt(where, "inputSize", o.inputSize),
    hiddenSize: positiveInt(where, "hiddenSize", o.hiddenSize),
    bias: optBool(where, "bias", o.bias, true),
  };
}

/** Rejects option names the cell does not know, listing the ones it does. */
export function checkKeys(where: string, opts: object, known: readonly string[]): void {
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) {
      throw new OptionError(`${where}: unknown option "${key}"; valid options: ${known.join(", ")}`);
    }
  }
}
