/**
 * Nice tick values: steps of 1, 2 or 5 × 10^k, so that axes read 0, 0.2, 0.4 … rather than
 * 0, 0.23, 0.46 …; and decade ticks (1, 2, 5 × 10^k) for log axes.
 *
 *   niceStep(span, target)   the smallest 1-2-5 step giving at most `target` intervals over `span`
 *   niceTicks(lo, hi)        the multiples of that step inside [lo, hi]
 *   niceDomain(lo, hi)       [lo, hi] widened to multiples of the step, and the ticks over it
 *   logDomain(lo, hi)        [lo, hi] slightly padded, and 1-2-5 × 10^k ticks inside it
 */
import { ValueError } from "../../errors/index.js";

export interface TickOptions {
  /** Roughly how many intervals the axis should have (default 5). */
  target?: number;
  /** Only integer ticks (time steps, epochs, unit indices). */
  integer?: boolean;
}

export interface Ticks {
  /** The axis domain: the input range, or for niceDomain/logDomain its widened version. */
  min: number;
  max: number;
  /** The tick step (for log axes, 0). */
  step: number;
  values: number[];
}

const EPS = 1e-9;

/** The smallest step of 1, 2 or 5 × 10^k that splits `span` into at most `target` intervals. */
export function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const e = Math.floor(Math.log10(raw));
  const f = raw / 10 ** e;
  const m = f <= 1 + EPS ? 1 : f <= 2 + EPS ? 2 : f <= 5 + EPS ? 5 : 10;
  return decade(m, e);
}

/** Decimals needed to write multiples of `step` exactly (0.2 → 1, 0.05 → 2, 5 → 0). */
export function stepDecimals(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + EPS));
}

function checkRange(where: string, lo: number, hi: number): void {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new ValueError(`${where}: expected a finite range, got [${lo}, ${hi}]`);
  if (lo > hi) throw new ValueError(`${where}: expected min ≤ max, got [${lo}, ${hi}]`);
}

/** A degenerate range [v, v] becomes one with room around v. */
function widen(lo: number, hi: number): [number, number] {
  if (hi > lo) return [lo, hi];
  const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - pad, hi + pad];
}

function stepFor(span: number, options: TickOptions): number {
  const step = niceStep(span, options.target ?? 5);
  return options.integer === true ? Math.max(1, step) : step;
}

function multiples(lo: number, hi: number, step: number): number[] {
  const d = stepDecimals(step);
  const first = Math.ceil(lo / step - EPS), last = Math.floor(hi / step + EPS);
  const out: number[] = [];
  for (let k = first; k <= last; k++) out.push(Number((k * step).toFixed(d)) || 0);
  return out;
}

/** The multiples of a nice step that lie inside [lo, hi]; the domain stays [lo, hi]. */
export function niceTicks(lo: number, hi: number, options: TickOptions = {}): Ticks {
  checkRange("niceTicks", lo, hi);
  const [a, b] = widen(lo, hi);
  const step = stepFor(b - a, options);
  return { min: a, max: b, step, values: multiples(a, b, step) };
}

/** [lo, hi] widened outwards to multiples of a nice step, with the ticks over it. */
export function niceDomain(lo: number, hi: number, options: TickOptions = {}): Ticks {
  checkRange("niceDomain", lo, hi);
  const [a, b] = widen(lo, hi);
  const step = stepFor(b - a, options);
  const d = stepDecimals(step);
  const min = Number((Math.floor(a / step + EPS) * step).toFixed(d));
  const max = Number((Math.ceil(b / step - EPS) * step).toFixed(d));
  return { min, max, step, values: multiples(min, max, step) };
}

/** The value m × 10^e written without float noise (2 × 10^-2 → 0.02). */
function decade(m: number, e: number): number {
  return Number((m * 10 ** e).toPrecision(12));
}

/**
 * A log axis over [lo, hi] (both > 0): the range padded by 4% of its decades on each side, with ticks
 * inside it at 1, 2, 5 × 10^k (also 1.5, 3, 7 × 10^k within 1.5 decades; only 10^k, thinned to at
 * most ~8, over many decades). A range too narrow to hold two of those gets linear nice ticks
 * (with their step, so labels keep the decimals they need).
 */
export function logDomain(lo: number, hi: number): Ticks {
  checkRange("logDomain", lo, hi);
  if (lo <= 0) throw new ValueError(`logDomain: a log axis needs positive values, got min ${lo}`);
  const [a, b] = hi > lo ? [lo, hi] : [lo / 2, hi * 2];
  const span = Math.log10(b / a), pad = 10 ** (span * 0.04);
  const min = a / pad, max = b * pad;
  const mantissas = span <= 1.5 ? [1, 1.5, 2, 3, 5, 7] : span <= 3.5 ? [1, 2, 5] : [1];
  const e0 = Math.floor(Math.log10(min)), e1 = Math.ceil(Math.log10(max));
  const every = Math.max(1, Math.ceil((e1 - e0) / 8));
  const values: number[] = [];
  for (let e = e0; e <= e1; e++) {
    if (e % every !== 0) continue;
    for (const m of mantissas) {
      const v = decade(m, e);
      if (v >= min && v <= max) values.push(v);
    }
  }
  // a narrow range may hold no 1-2-5 value (0.0022 to 0.0028): then linear nice ticks, at least two
  if (values.length < 2) {
    const lin = niceTicks(min, max, { target: 4 });
    return { min, max, step: lin.step, values: lin.values };
  }
  return { min, max, step: 0, values };
}

/** A tick label: as many decimals as the step needs; exponent form for very large or small values. */
export function formatTick(v: number, step: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || (step > 0 && step < 1e-4) || (step === 0 && (a < 1e-4 || a >= 1e6))) {
    const digits = step > 0 ? Math.max(0, Math.floor(Math.log10(a) + EPS) - Math.floor(Math.log10(step) + EPS)) : 0;
    return v.toExponential(Math.min(digits, 6)).replace(/\.?0+e/, "e").replace("e+", "e");
  }
  if (step === 0) return String(v);
  return v.toFixed(stepDecimals(step));
}
