// The arima package's optimiser may return an explosive (non-stationary) ARIMA fit whose first
// forecasts look sane: ARIMA(1,1,1) on Seattle's daily temp_max up to row 1328 forecasts 17.2,
// 9.0, −3.1, … −143.9 °C over 7 days from 22.8 °C. The forecaster probes 100 steps and refuses it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadDataset } from "../../src/data/index.js";
import { OptionError } from "../../src/errors/index.js";
import { arimaForecaster } from "../../src/train/arima.js";

describe("ARIMA fits that explode are refused", () => {
  it("seattle-weather temp_max, ARIMA(1,1,1): diverged, never scored; a sane fold passes", async () => {
    const sr = (await loadDataset("seattle-weather")).series!;
    const f = await arimaForecaster({ p: 1, d: 1, q: 1 });
    const rows = (end: number) => ({ values: sr.values.subarray(0, end * 4), features: 4, target: 1 });
    assert.throws(() => { f.fit(rows(1328)); f.forecast(rows(1328), 7); }, (e: unknown) => e instanceof OptionError && /ARIMA\(1,1,1\): the fit diverged \(its forecast \d+ step\(s\) ahead is/.test(e.message));
    f.fit(rows(1377));
    const ok = f.forecast(rows(1377), 7);
    assert.equal(ok.mean.length, 7);
    assert.ok(ok.mean.every((v) => v > 10 && v < 30), Array.from(ok.mean).join(", "));
  });
});
