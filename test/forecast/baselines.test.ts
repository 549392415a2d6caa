// Holt-Winters additive against statsmodels 0.15 on 20 years of Mauna Loa CO2
// (test/fixtures/forecast/co2-statsmodels.json, made by scripts/forecast/check_baselines.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { holtWintersForecaster, seasonalNaiveForecaster } from "../../src/train/baselines.js";
import { fitHoltWinters, holtWintersFilter, holtWintersForecast } from "../../src/train/holt-winters.js";
import { assertClose } from "../helpers/close.js";

const f = JSON.parse(readFileSync(new URL("../fixtures/forecast/co2-statsmodels.json", import.meta.url), "utf8"));

test("holt-winters recursion = statsmodels with known parameters and initial states (exact)", () => {
  const k = f.known, r = holtWintersFilter(f.series, 12, k);
  assertClose([r.sse], [k.sse], { atol: 0, rtol: 1e-10 }, "SSE");
  assertClose([r.level, r.trend, ...r.seasonal], [k.final.level, k.final.trend, ...k.final.seasonal], { atol: 1e-9 }, "final states");
  // h < m only: statsmodels' forecast at h = m does not read its own last seasonal state (see the script)
  const fc = holtWintersForecast({ ...k, season: 12, sse: r.sse, final: r, sigma2: 0 }, 11).mean;
  assertClose(fc, k.forecast.slice(0, 11), { atol: 1e-9 }, "forecasts h = 1..11");
});

test("holt-winters fit ≈ statsmodels' estimated fit (SSE and 24 forecasts)", () => {
  const fit = fitHoltWinters(f.series, 12), fc = holtWintersForecast(fit, 24).mean;
  // both minimise the same SSE; they stop at different points of a flat optimum (β, γ → 0 here)
  assert.ok(fit.sse <= f.estimated.sse * (1 + 1e-6), `SSE ${fit.sse} vs statsmodels ${f.estimated.sse}`);
  assertClose(fc, f.estimated.forecast, { atol: 0.01 }, "forecasts (ppm)");
  assert.ok(Math.abs(fit.alpha - f.estimated.alpha) < 0.01, `α ${fit.alpha} vs ${f.estimated.alpha}`);
});

test("holt-winters beats seasonal naive on the held-out 24 months; its σ_h grows with h", () => {
  const rows = { values: f.series, features: 1, target: 0 };
  const hw = holtWintersForecaster(12), sn = seasonalNaiveForecaster(12);
  hw.fit(rows);
  const a = hw.forecast(rows, 24), b = sn.forecast(rows, 24);
  const mae = (p: Float64Array) => p.reduce((s, v, i) => s + Math.abs(v - f.actual[i]), 0) / 24;
  assert.ok(mae(a.mean) < 0.5 * mae(b.mean), `HW MAE ${mae(a.mean)} vs naive ${mae(b.mean)}`);
  // one path of 24 correlated errors says little about coverage (19/24 fall inside the 95% interval)
  for (let h = 1; h < 24; h++) assert.ok(a.sigma[h]! >= a.sigma[h - 1]!, `σ at h = ${h + 1} below h = ${h}`);
  // seasonal naive: σ grows as √(k + 1) past each season
  assert.ok(Math.abs(b.sigma[12]! / b.sigma[0]! - Math.SQRT2) < 1e-12);
});
