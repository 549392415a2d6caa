/**
 * The Mackey–Glass delay differential equation (Mackey & Glass 1977), chaotic for τ = 17:
 *
 *   dx/dt = β·x(t−τ) / (1 + x(t−τ)ⁿ) − γ·x(t),   τ = 17, β = 0.2, γ = 0.1, n = 10.
 *
 * Scheme: classic RK4 with step dt = 0.1 (τ/dt = 170 steps of history). The delayed term at the
 * half step, x(t+dt/2−τ), is the mean of the two stored neighbours. History x(t) = 1.2 for t ≤ 0.
 * The first `warmup` = 500 time units are discarded (transient); then one sample is kept every
 * 1 time unit (every 10 steps). Deterministic: no randomness. Values lie in about [0.2, 1.4].
 */
import { ValueError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { forecastDataset, type ForecastOptions } from "./forecast.js";
import { checkKeys, optInt } from "./options.js";
import type { Dataset } from "./types.js";

export interface MackeyGlassParams {
  tau: number;
  beta: number;
  gamma: number;
  n: number;
  dt: number;
  sampleEvery: number; // time units between samples
  warmup: number;      // time units discarded
  x0: number;
}

export const MACKEY_GLASS: Readonly<MackeyGlassParams> = { tau: 17, beta: 0.2, gamma: 0.1, n: 10, dt: 0.1, sampleEvery: 1, warmup: 500, x0: 1.2 };

/** `length` samples of the series. */
export function mackeyGlass(length: number, params: Partial<MackeyGlassParams> = {}): Float64Array {
  const p = { ...MACKEY_GLASS, ...params };
  const delay = Math.round(p.tau / p.dt), every = Math.round(p.sampleEvery / p.dt), skip = Math.round(p.warmup / p.dt);
  if (Math.abs(delay * p.dt - p.tau) > 1e-9 || Math.abs(every * p.dt - p.sampleEvery) > 1e-9) {
    throw new ValueError(`mackeyGlass: tau (${p.tau}) and sampleEvery (${p.sampleEvery}) must be multiples of dt (${p.dt})`);
  }
  const steps = skip + (length - 1) * every;
  const x = new Float64Array(steps + 1); // x[i] = x(i·dt)
  x[0] = p.x0;
  const past = (i: number) => (i < 0 ? p.x0 : x[i]!);
  const f = (xt: number, xd: number) => (p.beta * xd) / (1 + xd ** p.n) - p.gamma * xt;
  for (let i = 0; i < steps; i++) {
    const xd0 = past(i - delay), xd1 = past(i - delay + 1), xdh = (xd0 + xd1) / 2;
    const k1 = f(x[i]!, xd0);
    const k2 = f(x[i]! + (p.dt / 2) * k1, xdh);
    const k3 = f(x[i]! + (p.dt / 2) * k2, xdh);
    const k4 = f(x[i]! + p.dt * k3, xd1);
    x[i + 1] = x[i]! + (p.dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  const out = new Float64Array(length);
  for (let k = 0; k < length; k++) out[k] = x[skip + k * every]!;
  return out;
}

export interface MackeyGlassOptions extends ForecastOptions {
  /** Samples in the series (default 2000). */
  length?: number;
}

/** Default window 32 samples, horizon 1; labels are the sample times t = warmup + k. */
export function mackeyGlassDataset(options: MackeyGlassOptions = {}): Dataset {
  const info = DATASETS["mackey-glass"];
  checkKeys("mackey-glass", options, info.options);
  const length = optInt("mackey-glass", "length", options.length, 2000);
  const { length: _length, ...forecast } = options;
  const values = Float32Array.from(mackeyGlass(length));
  const labels = Array.from({ length }, (_v, k) => String(MACKEY_GLASS.warmup + k * MACKEY_GLASS.sampleEvery));
  return forecastDataset(
    { name: "mackey-glass", description: info.description, source: info.source, license: info.license, values, features: 1, columns: ["x"], labels, targetColumns: [0], defaultWindow: 32 },
    forecast,
  );
}
