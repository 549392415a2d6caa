/** Validation of data-set options at the public boundary: each says where, what was expected and what came. */
import { OptionError } from "../errors/index.js";

/** Rejects option names the data set does not know, listing the ones it does. */
export function checkKeys(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new OptionError(`${where}: unknown option "${key}"; valid options: ${known.join(", ") || "(none)"}`);
    }
  }
}

/** An integer ≥ min (1 unless told), or the default when undefined. */
export function optInt(where: string, name: string, v: unknown, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new OptionError(`${where}: ${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A fraction in [0, 1), or the default when undefined. */
export function optFraction(where: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !(v >= 0 && v < 1)) {
    throw new OptionError(`${where}: ${name} must be a fraction in [0, 1), got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A seed for Rng: any integer (used modulo 2³²). */
export function optSeed(where: string, v: unknown, dflt = 0): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new OptionError(`${where}: seed must be an integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Rows given to a held-out part: round(fraction · n), at least 1 when the fraction is not 0. */
export function partSize(n: number, fraction: number): number {
  return fraction === 0 ? 0 : Math.max(1, Math.round(n * fraction));
}
