/**
 * Optimisers over one flat parameter buffer; their state mirrors its layout (float64), so each is
 * one loop. `mask[i] = 0` marks values that are not learned (running statistics): skipped.
 * g is the gradient after clipping; λ the weight decay; lr the current learning rate.
 *
 * | kind    | update                                                                                  |
 * |---------|-----------------------------------------------------------------------------------------|
 * | sgd     | g += λp; v = μv + g; p −= lr·(nesterov ? g + μv : v)   (PyTorch's form; μ = 0: plain SGD) |
 * | adam    | g += λp; m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²; p −= lr·m̂/(√v̂ + ε)                   |
 * | adamw   | p −= lr·λ·p (decoupled, Loshchilov & Hutter); then Adam without λ in g                   |
 * | rmsprop | g += λp; s = ρ s + (1−ρ) g²; b = μ b + g/(√s + ε); p −= lr·b   (μ = 0: p −= lr·g/(√s + ε)) |
 * m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t), t the step count.
 */
import { OptionError, oneOf } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";

export type OptimizerKind = "sgd" | "adam" | "adamw" | "rmsprop";
export const OPTIMIZERS: readonly OptimizerKind[] = ["sgd", "adam", "adamw", "rmsprop"];

export interface OptimizerOptions {
  readonly kind: OptimizerKind;
  readonly lr?: number;
  readonly momentum?: number;      // sgd, rmsprop
  readonly nesterov?: boolean;     // sgd
  readonly beta1?: number;         // adam, adamw
  readonly beta2?: number;
  readonly epsilon?: number;       // adam, adamw, rmsprop
  readonly rho?: number;           // rmsprop
  readonly weightDecay?: number;
}

export interface OptimizerState {
  readonly kind: OptimizerKind;
  readonly step: number;
  readonly slots: Readonly<Record<string, Float64Array>>;
}

export class Optimizer {
  readonly options: Required<OptimizerOptions>;
  private t = 0;
  private readonly slots: Record<string, Float64Array> = {};

  constructor(size: number, o: OptimizerOptions) {
    const kind = oneOf("optimizer", "kind", o.kind, OPTIMIZERS);
    const d = { lr: kind === "sgd" ? 0.01 : 0.001, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, epsilon: kind === "rmsprop" ? 1e-8 : 1e-8, rho: 0.99, weightDecay: kind === "adamw" ? 0.01 : 0 };
    this.options = { ...d, ...stripUndefined(o), kind } as Required<OptimizerOptions>;
    const { lr, momentum, weightDecay, beta1, beta2, rho } = this.options;
    if (!(lr > 0)) throw new OptionError(`optimizer: lr must be positive, got ${lr}`);
    for (const [n, v] of [["momentum", momentum], ["beta1", beta1], ["beta2", beta2], ["rho", rho]] as const) {
      if (!(v >= 0 && v < 1)) throw new OptionError(`optimizer: ${n} must be in [0, 1), got ${v}`);
    }
    if (!(weightDecay >= 0)) throw new OptionError(`optimizer: weightDecay must be ≥ 0, got ${weightDecay}`);
    if (this.options.nesterov && momentum === 0) throw new OptionError("optimizer: nesterov needs a momentum > 0");
    const names = kind === "sgd" ? ["v"] : kind === "rmsprop" ? ["s", "b"] : ["m", "v"];
    for (const n of names) this.slots[n] = new Float64Array(size);
  }

  get stepCount(): number {
    return this.t;
  }

  /** One update of `params` from `grads` at learning rate `lr` (the schedule's current value). */
  step(params: Vec, grads: Vec, mask: Uint8Array, lr = this.options.lr): void {
    this.t++;
    const o = this.options;
    switch (o.kind) {
      case "sgd": return this.sgd(params, grads, mask, lr);
      case "rmsprop": return this.rmsprop(params, grads, mask, lr);
      default: return this.adam(params, grads, mask, lr);
    }
  }

  private sgd(p: Vec, g: Vec, mask: Uint8Array, lr: number): void {
    const { momentum: mu, nesterov, weightDecay: wd } = this.options, v = this.slots.v!;
    for (let i = 0; i < p.length; i++) {
      if (!mask[i]) continue;
      const gi = g[i]! + wd * p[i]!;
      v[i] = mu * v[i]! + gi;
      p[i] = p[i]! - lr * (nesterov ? gi + mu * v[i]! : v[i]!);
    }
  }

  private adam(p: Vec, g: Vec, mask: Uint8Array, lr: number): void {
    const { beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd, kind } = this.options, m = this.slots.m!, v = this.slots.v!;
    const c1 = 1 - Math.pow(b1, this.t), c2 = 1 - Math.pow(b2, this.t);
    const decoupled = kind === "adamw";
    for (let i = 0; i < p.length; i++) {
      if (!mask[i]) continue;
      let pi = p[i]!;
      let gi = g[i]!;
      if (decoupled) pi -= lr * wd * pi;
      else gi += wd * pi;
      m[i] = b1 * m[i]! + (1 - b1) * gi;
      v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
      p[i] = pi - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
    }
  }

  private rmsprop(p: Vec, g: Vec, mask: Uint8Array, lr: number): void {
    const { rho, epsilon: eps, momentum: mu, weightDecay: wd } = this.options, s = this.slots.s!, b = this.slots.b!;
    for (let i = 0; i < p.length; i++) {
      if (!mask[i]) continue;
      const gi = g[i]! + wd * p[i]!;
      s[i] = rho * s[i]! + (1 - rho) * gi * gi;
      const u = gi / (Math.sqrt(s[i]!) + eps);
      if (mu > 0) { b[i] = mu * b[i]! + u; p[i] = p[i]! - lr * b[i]!; }
      else p[i] = p[i]! - lr * u;
    }
  }

  state(): OptimizerState {
    return { kind: this.options.kind, step: this.t, slots: this.slots };
  }

  load(s: OptimizerState): void {
    if (s.kind !== this.options.kind) throw new OptionError(`optimizer: state is for "${s.kind}", this optimizer is "${this.options.kind}"`);
    for (const [n, arr] of Object.entries(this.slots)) {
      const src = s.slots[n];
      if (!src || src.length !== arr.length) throw new OptionError(`optimizer: state slot "${n}" is missing or has ${src?.length ?? 0} values, expected ${arr.length}`);
      arr.set(src);
    }
    this.t = s.step;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Scales the masked gradient so its global L2 norm is at most maxNorm; returns the norm before. */
export function clipByGlobalNorm(g: Vec, mask: Uint8Array, maxNorm: number): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) if (mask[i]) s += g[i]! * g[i]!;
  const norm = Math.sqrt(s);
  if (norm > maxNorm) {
    const k = maxNorm / norm;
    for (let i = 0; i < g.length; i++) g[i] = g[i]! * k;
  }
  return norm;
}

/** Clamps every gradient value to [−limit, limit]. */
export function clipByValue(g: Vec, limit: number): void {
  for (let i = 0; i < g.length; i++) g[i] = Math.max(-limit, Math.min(limit, g[i]!));
}
