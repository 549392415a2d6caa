/**
 * Learning-rate schedules: lr(step) for step = 0, 1, … (the number of updates done so far).
 * An optional linear warm-up multiplies by (step + 1)/warmup for the first `warmup` steps.
 * - constant: lr0
 * - step: lr0 · γ^⌊step / every⌋
 * - cosine: min + (lr0 − min)·(1 + cos(π·min(step, total)/total))/2  (Loshchilov & Hutter 2017)
 */
import { OptionError, oneOf } from "../errors/index.js";

export interface ScheduleOptions {
  readonly kind: "constant" | "step" | "cosine";
  readonly every?: number;
  readonly gamma?: number;
  readonly total?: number;
  readonly min?: number;
  readonly warmup?: number;
}

export function makeSchedule(lr0: number, o: ScheduleOptions = { kind: "constant" }): (step: number) => number {
  const kind = oneOf("schedule", "kind", o.kind, ["constant", "step", "cosine"] as const);
  const warmup = o.warmup ?? 0;
  if (!(warmup >= 0)) throw new OptionError(`schedule: warmup must be ≥ 0, got ${warmup}`);
  const base = (() => {
    if (kind === "step") {
      const every = o.every ?? 0, gamma = o.gamma ?? 0.1;
      if (!(every >= 1)) throw new OptionError(`schedule: step needs every ≥ 1, got ${o.every}`);
      return (s: number) => lr0 * Math.pow(gamma, Math.floor(s / every));
    }
    if (kind === "cosine") {
      const total = o.total ?? 0, min = o.min ?? 0;
      if (!(total >= 1)) throw new OptionError(`schedule: cosine needs total ≥ 1 steps, got ${o.total}`);
      return (s: number) => min + ((lr0 - min) * (1 + Math.cos((Math.PI * Math.min(s, total)) / total))) / 2;
    }
    return () => lr0;
  })();
  return (s) => (s < warmup ? base(s) * ((s + 1) / warmup) : base(s));
}
