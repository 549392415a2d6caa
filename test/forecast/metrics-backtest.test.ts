// Forecast metrics (CRPS, coverage, pinball) and rolling-origin folds.
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { backtest, rollingOrigins } from "../../src/train/backtest.js";
import type { Forecaster } from "../../src/train/baselines.js";
import { normalCdf, normalQuantile, studentTCdf, studentTQuantile } from "../../src/train/distributions.js";
import {
  coverage, crpsFromQuantiles, crpsFromSamples, crpsGaussian, gaussianInterval, pinballLoss, studentTInterval,
} from "../../src/train/forecast-metrics.js";
import { Rng } from "../../src/util/random.js";

const gauss = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());

test("CRPS closed form (Gaussian) = ∫ (F(x) − 1{x ≥ y})² dx by the trapezoid rule", () => {
  for (const [mu, sigma, y] of [[0, 1, 0.3], [2, 0.5, -1], [-1, 3, 4]] as const) {
    let s = 0;
    const a = mu - 12 * sigma, b = mu + 12 * sigma, n = 200000, dx = (b - a) / n;
    for (let i = 0; i <= n; i++) {
      const x = a + i * dx, v = (normalCdf((x - mu) / sigma) - (x >= y ? 1 : 0)) ** 2;
      s += (i === 0 || i === n ? 0.5 : 1) * v * dx;
    }
    assert.ok(Math.abs(crpsGaussian(mu, sigma, y) - s) < 1e-4 * sigma, `μ ${mu} σ ${sigma} y ${y}: ${crpsGaussian(mu, sigma, y)} vs ${s}`);
  }
});

test("CRPS from 99 quantiles and from 20000 samples ≈ the closed form", () => {
  const levels = Array.from({ length: 99 }, (_, i) => (i + 1) / 100), mu = 1, sigma = 2, y = 2.5;
  const q = levels.map((p) => mu + sigma * normalQuantile(p));
  const exact = crpsGaussian(mu, sigma, y);
  assert.ok(Math.abs(crpsFromQuantiles(q, levels, [y]) - exact) < 0.02 * exact, `quantiles ${crpsFromQuantiles(q, levels, [y])} vs ${exact}`);
  const rng = new Rng(4), samples = Array.from({ length: 20000 }, () => mu + sigma * gauss(rng));
  assert.ok(Math.abs(crpsFromSamples(samples, y) - exact) < 0.02 * exact, `samples ${crpsFromSamples(samples, y)} vs ${exact}`);
});

test("distribution functions: Φ⁻¹ and the Student-t quantile invert their CDFs; t(ν) → N as ν grows", () => {
  for (const p of [0.001, 0.025, 0.1, 0.5, 0.9, 0.975]) {
    assert.ok(Math.abs(normalCdf(normalQuantile(p)) - p) < 1e-7 * Math.max(1, p));
    assert.ok(Math.abs(studentTCdf(studentTQuantile(p, 4), 4) - p) < 1e-10);
  }
  assert.ok(Math.abs(studentTQuantile(0.975, 3) - 3.182446305284263) < 1e-8); // R: qt(0.975, 3)
  assert.ok(Math.abs(studentTQuantile(0.975, 1e6) - 1.959963984540054) < 1e-4);
});

test("the Student-t quantile equals scipy's on tails, ν from 0.3 to 1e8 (scripts/forecast/student_t_quantiles.py)", () => {
  const { rows } = JSON.parse(readFileSync(new URL("../fixtures/forecast/student-t-quantiles.json", import.meta.url), "utf8")) as { rows: [number, number, number][] };
  let worst = 0;
  for (const [p, nu, want] of rows) {
    const got = studentTQuantile(p, nu), err = want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
    // ν ≤ 1e4: the CDF's own accuracy (lgamma 1e-13, the continued fraction 1e-15); ν = 1e8: the
    // continued fraction with a = 5e7 limits it
    assert.ok(err < (nu <= 1e4 ? 1e-11 : 1e-8), `t⁻¹(${p}; ${nu}) = ${got}, scipy ${want} (relative error ${err})`);
    worst = Math.max(worst, err);
  }
  assert.ok(Number.isNaN(studentTQuantile(0.5, 0)) && Number.isNaN(studentTQuantile(Number.NaN, 3)));
  assert.equal(studentTQuantile(0, 3), -Infinity);
  assert.equal(studentTQuantile(1, 3), Infinity);
  console.log(`# Student-t quantile vs scipy: worst relative error ${worst.toExponential(2)} over ${rows.length} points`);
});

test("coverage: the true distribution gets the nominal coverage (Gaussian and Student-t noise)", () => {
  const rng = new Rng(11), n = 20000;
  const mu = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 10)), sigma = new Float64Array(n).fill(0.7);
  const y = mu.map((m) => m + 0.7 * gauss(rng));
  for (const level of [0.8, 0.95]) {
    const c = coverage(gaussianInterval(mu, sigma, level), y);
    assert.ok(Math.abs(c - level) < 0.01, `Gaussian ${level}: ${c}`);
  }
  // t(ν = 4) noise: z / √(χ²₄/4), χ²₄ = −2 log(u₁u₂)
  const nu = new Float64Array(n).fill(4), yt = mu.map((m) => m + 0.7 * gauss(rng) / Math.sqrt(-2 * Math.log((1 - rng.uniform()) * (1 - rng.uniform())) / 4));
  for (const level of [0.8, 0.95]) {
    const ct = coverage(studentTInterval(mu, sigma, nu, level), yt), cg = coverage(gaussianInterval(mu, sigma, level), yt);
    assert.ok(Math.abs(ct - level) < 0.01, `Student-t ${level}: ${ct}`);
    if (level === 0.95) assert.ok(cg < 0.935, `a Gaussian of the same scale under-covers heavy tails: ${cg}`);
  }
});

test("pinball loss of the true quantiles is lower than of shifted ones", () => {
  const rng = new Rng(2), levels = [0.1, 0.5, 0.9], n = 5000, y = Array.from({ length: n }, () => gauss(rng));
  const q = (shift: number) => y.flatMap(() => levels.map((p) => normalQuantile(p) + shift));
  assert.ok(pinballLoss(q(0), levels, y) < pinballLoss(q(0.3), levels, y));
  assert.ok(Math.abs(pinballLoss([0, 1, 2], levels, [1.5]) - 0.15) < 1e-12);
});

test("rolling origins: each fold's training data ends before its test data (expanding and sliding)", () => {
  const e = rollingOrigins(100, { folds: 4, horizon: 6 });
  assert.deepEqual(e.map((f) => [f.trainStart, f.trainEnd, f.testStart, f.testEnd]), [[0, 76, 76, 82], [0, 82, 82, 88], [0, 88, 88, 94], [0, 94, 94, 100]]);
  const s = rollingOrigins(100, { folds: 3, horizon: 5, step: 2, window: "sliding", size: 30 });
  assert.deepEqual(s.map((f) => [f.trainStart, f.trainEnd, f.testEnd]), [[61, 91, 96], [63, 93, 98], [65, 95, 100]]);
  assert.throws(() => rollingOrigins(20, { folds: 5, horizon: 6 }), /need at least 31 rows, the series has 20/);
});

test("backtest: a forecaster sees only rows before each origin; mean and spread over folds", () => {
  const series = Array.from({ length: 60 }, (_, i) => i);
  const seen: number[] = [];
  const spy: Forecaster = {
    name: "spy",
    fit: (h) => { seen.push(h.values.length); },
    forecast: (h, steps) => {
      const last = h.values[h.values.length - 1]!;
      return { mean: Float64Array.from({ length: steps }, (_, k) => last + 1 + k + (h.values.length % 2)), sigma: new Float64Array(steps).fill(1) };
    },
  };
  const r = backtest({ values: series, features: 1, target: 0 }, spy, { folds: 3, horizon: 4 });
  assert.deepEqual(seen, [48, 52, 56]);
  // history lengths 48, 52, 56 are even: perfect forecasts, RMSE 0, CRPS of N(y, 1) at y
  assert.deepEqual(r.folds.map((f) => f.rmse), [0, 0, 0]);
  assert.ok(Math.abs(r.mean.crps - crpsGaussian(0, 1, 0)) < 1e-12 && r.std.rmse === 0);
  assert.equal(r.mean.coverage95, 1);
});
