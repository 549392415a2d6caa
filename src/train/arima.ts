/**
 * ARIMA and seasonal ARIMA through the `arima` package (an Emscripten build of ctsa, MIT), an
 * optional peer dependency loaded on first use: without it, a MissingPackageError says what to
 * install. Behind the Forecaster interface of baselines.ts, so backtests and `gated compare
 * --baselines` treat it like the other forecasters.
 *
 *   SARIMA(p, d, q)(P, D, Q)_s:  φ(B) Φ(Bˢ) (1 − B)ᵈ (1 − Bˢ)ᴰ y_t = θ(B) Θ(Bˢ) ε_t,  ε_t ~ N(0, σ²)
 *
 * Estimated by exact maximum likelihood (the package's method 0, as statsmodels' SARIMAX, which
 * uses a Kalman filter) with BFGS (its optimizer 5: its default, L-BFGS, diverges on CO2 from
 * SARIMA(1,1,1)(0,1,1,12) and forecasts −2098 ppm). The package returns each step's forecast
 * variance; the intervals are Gaussian, ŷ ± z·√v_h.
 *
 * Checked against statsmodels 0.15 on CO2 (test/forecast/arima.test.ts): forecasts and 95% ends
 * within 1e-3 ppm over 24 months (measured 2.0e-5 and 5.5e-5 ppm: the same model, estimated by different
 * optimisers on the same likelihood, so the coefficients agree to about 1e-5, not bit for bit).
 *
 * The package cannot filter a new history through fitted coefficients, so forecasting from a
 * history other than the one fitted refits on it (a backtest with refit "first-fold" refits too).
 *
 * Auto-ARIMA ({ auto: true, s }): the package's own order search (ctsa's auto_arima, a port of R
 * forecast's auto.arima: a stepwise search over (p, d, q)(P, D, Q) up to p 5, d 2, q 5, P 2, D 1, Q 2
 * by information criterion); the package does not report the order it chose. No independent
 * auto-ARIMA installs on this machine (pmdarima, statsforecast: no wheels on its index), so it is
 * checked for sense only (test/forecast/arima.test.ts), not against a reference.
 *
 * A fit is refused ("diverged", an OptionError) when its forecast, probed 100 steps ahead, leaves
 * the series' range by more than 10 times that range: the package does not keep the estimated AR
 * part stationary, and ARIMA(1,1,1) on Seattle's daily temperatures gave forecasts falling from
 * 22.8 °C to −144 °C within 7 days. Such a fit is reported as failed, never scored.
 */
import { MissingPackageError, isMissingModule } from "../errors/missing-package.js";
import { OptionError, show } from "../errors/index.js";
import { column, type Forecaster, type PointForecast, type SeriesRows } from "./baselines.js";

export interface ArimaOrder {
  readonly p: number;
  readonly d: number;
  readonly q: number;
  /** Seasonal orders and the season s (default 0: no seasonal part). */
  readonly P?: number;
  readonly D?: number;
  readonly Q?: number;
  readonly s?: number;
}

export interface ArimaInstance {
  train(ts: number[]): ArimaInstance;
  predict(length: number): [number[], number[]];
  destroy(): void;
}
export type ArimaConstructor = new (options: Record<string, unknown>) => ArimaInstance;

let lib: Promise<ArimaConstructor> | null = null;

/** The package's constructor, imported once (a MissingPackageError when it is not installed; the next call tries again). */
export function loadArima(): Promise<ArimaConstructor> {
  // a specifier in a variable: bundlers leave the optional package out of browser bundles
  const name = "arima";
  lib ??= (import(/* @vite-ignore */ name) as Promise<{ default: unknown }>).then((m) => m.default as ArimaConstructor, (e: unknown) => {
    lib = null;
    if (isMissingModule(e, "arima")) throw new MissingPackageError("ARIMA forecasting", "arima");
    throw e;
  });
  return lib;
}

/** The package's name of an order: "ARIMA(1,1,1)" or "SARIMA(1,1,1)(0,1,1,12)". */
export function arimaName(o: ArimaOrder): string {
  const s = o.s ?? 0;
  return s > 1 ? `SARIMA(${o.p},${o.d},${o.q})(${o.P ?? 0},${o.D ?? 0},${o.Q ?? 0},${s})` : `ARIMA(${o.p},${o.d},${o.q})`;
}

function checkOrder(o: ArimaOrder): void {
  for (const k of ["p", "d", "q", "P", "D", "Q", "s"] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new OptionError(`arima: ${k}: expected a non-negative integer, got ${show(v)}`);
  }
}

/** An ARIMA (or, with s > 1, SARIMA) forecaster; loads the package first. "auto": the package's order search, seasonal with s > 1. */
export async function arimaForecaster(order: ArimaOrder | { readonly auto: true; readonly s?: number }): Promise<Forecaster> {
  const ARIMA = await loadArima();
  const auto = "auto" in order;
  if (!auto) checkOrder(order);
  const season = order.s ?? 0;
  const name = auto ? (season > 1 ? `auto-SARIMA (season ${season})` : "auto-ARIMA") : arimaName(order);
  // auto: the package's maxima, its seasonal search only with a season
  const options = auto
    ? { auto: true, s: season > 1 ? season : 0, ...(season > 1 ? {} : { P: 0, D: 0, Q: 0 }), method: 0, optimizer: 5, verbose: false }
    : { p: order.p, d: order.d, q: order.q, P: order.P ?? 0, D: order.D ?? 0, Q: order.Q ?? 0, s: season, method: 0, optimizer: 5, verbose: false };
  let fitted: { model: ArimaInstance; y: Float64Array } | null = null;
  const fitOn = (y: Float64Array): void => {
    fitted?.model.destroy();
    fitted = { model: new ARIMA(options).train(Array.from(y)), y };
  };
  return {
    name,
    fit(history: SeriesRows) { fitOn(column(history)); },
    forecast(history: SeriesRows, steps: number): PointForecast {
      const y = column(history);
      if (!fitted || !same(fitted.y, y)) fitOn(y);
      // forecast at least PROBE steps: an explosive fit (the package's optimiser does not keep the AR
      // part stationary: seen on daily temperatures) shows within them, even when the first steps look sane
      const [all, allVariance] = fitted!.model.predict(Math.max(steps, PROBE));
      const m = Float64Array.from(all.slice(0, Math.max(steps, PROBE))), sigma = Float64Array.from(allVariance.slice(0, steps), (v) => Math.sqrt(v));
      // a fit that diverged gives non-finite or absurd values: say so rather than score them
      if (!m.every(Number.isFinite)) throw new OptionError(`${name}: the fit diverged (non-finite forecasts); try another order`);
      // or finite but far outside anything the series has done (the package's optimiser can run away):
      // more than 10 times the series' whole range away from its last value
      let lo = Infinity, hi = -Infinity;
      for (const v of y) { if (v < lo) lo = v; if (v > hi) hi = v; }
      const last = y[y.length - 1]!, reach = 10 * Math.max(hi - lo, Math.abs(last) * 1e-6, 1e-12);
      const far = m.findIndex((v) => Math.abs(v - last) > reach);
      if (far >= 0) throw new OptionError(`${name}: the fit diverged (its forecast ${far + 1} step(s) ahead is ${m[far]!.toPrecision(3)}, from a series within [${lo.toPrecision(3)}, ${hi.toPrecision(3)}]); try another order`);
      return { mean: m.slice(0, steps), sigma };
    },
  };
}

/** SARIMA(1,1,1)(0,1,1)_s, the airline-like model that statsmodels is checked with (s ≤ 1: ARIMA(1,1,1)). */
export function sarimaForecaster(season: number): Promise<Forecaster> {
  return arimaForecaster(season > 1 ? { p: 1, d: 1, q: 1, P: 0, D: 1, Q: 1, s: season } : { p: 1, d: 1, q: 1 });
}

/** Auto-ARIMA (seasonal with a season) when the package is installed, else null. */
export async function optionalAutoArima(season: number): Promise<Forecaster | null> {
  try {
    return await arimaForecaster({ auto: true, s: season > 1 ? season : 0 });
  } catch (e) {
    if (e instanceof MissingPackageError) return null;
    throw e;
  }
}

/** The SARIMA forecaster when the package is installed, else null (compare and eval include it only then). */
export async function optionalSarima(season: number): Promise<Forecaster | null> {
  try {
    return await sarimaForecaster(season);
  } catch (e) {
    if (e instanceof MissingPackageError) return null;
    throw e;
  }
}

/** Steps forecast (at least) to see whether a fit explodes. */
const PROBE = 100;

function same(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
