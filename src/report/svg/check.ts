/**
 * Validation at the charts' public boundary: typed errors that say which chart, which option, what
 * was expected and what came.
 */
import { ShapeError, ValueError } from "../../errors/index.js";

export type Numbers = ArrayLike<number>;

export function checkString(where: string, name: string, v: unknown): string {
  if (typeof v !== "string") throw new ValueError(`${where}: ${name} must be a string, got ${typeof v}`);
  return v;
}

export function checkOptionalString(where: string, name: string, v: unknown): string | undefined {
  return v === undefined ? undefined : checkString(where, name, v);
}

/** A size in px: finite and at least `min`; `fallback` when undefined. */
export function checkSize(where: string, name: string, v: number | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v < min) throw new ValueError(`${where}: ${name} must be a number ≥ ${min}, got ${v}`);
  return v;
}

export function checkNumbers(where: string, name: string, v: unknown): Numbers {
  const ok = Array.isArray(v) || ArrayBuffer.isView(v);
  if (!ok) throw new ValueError(`${where}: ${name} must be an array of numbers (number[] or Float32Array), got ${typeof v}`);
  return v as Numbers;
}

export function checkLength(where: string, name: string, v: Numbers, expected: number, hint = ""): void {
  if (v.length !== expected) {
    throw new ShapeError(`${where}: expected ${name} of length ${expected}, got ${v.length}${hint === "" ? "" : ` (${hint})`}`);
  }
}

/** The finite min and max over several arrays; undefined when none of their values is finite. */
export function finiteRange(arrays: readonly Numbers[], keep: (v: number) => boolean = () => true): [number, number] | undefined {
  let lo = Infinity, hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (Number.isFinite(v) && keep(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
  }
  return lo <= hi ? [lo, hi] : undefined;
}
