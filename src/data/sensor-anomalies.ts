/**
 * sensor-anomalies: a GENERATED wireless sensor network with labelled anomalies, modelled loosely on
 * the Intel Berkeley Research Lab deployment (54 Mica2Dot motes reporting temperature, humidity,
 * light and voltage every 31 s, 2004). No such recording with labelled anomalies can be read from
 * an npm package here, so it is generated: numbers and labels are synthetic.
 *
 * Rows every 31 s from 2004-02-28T00:00:00Z; columns "m<k> temperature" (°C), "m<k> humidity" (%RH),
 * "m<k> light" (lux), "m<k> voltage" (V) for motes k = 1..M, all forecast. With d the time of day
 * in days, τ the time in days, per mote m (offsets o_m ~ N(0, 1), gains g_m ~ U(0.8, 1.2)):
 *
 *   temperature  T = 20 + o_m + 3 g_m · cos(2π(d − 0.625)) + W(τ) + e_m(τ) + 0.02·N
 *                W  building-wide AR(1) per row, φ = 0.999, innovation 0.03 °C (shared by all motes)
 *                e_m mote-local AR(1), φ = 0.98, innovation 0.02 °C
 *   humidity     H = 38 + 2 o_m − 1.6 (T − 20 − o_m) + u_m(τ) + 0.1·N,  u_m AR(1) φ = 0.99, innov. 0.1 %RH
 *   light        daylight 400 g_m · max(0, sin(π (d − 0.25) / 0.5)) + 350 (office lights, on from
 *                8:00 + s_m to 19:00 + s_m, s_m ~ U(−0.5, 0.5) h), times (1 + 0.02·N), ≥ 0
 *   voltage      V = 2.70 − 0.05 τ + 0.004 (T − 20) + 0.003·N  (a battery running down)
 *
 * Missing readings: each mote loses whole readings (its four columns) in runs that start with
 * probability 0.005 per row and last 1–6 rows; they are filled by linear interpolation between the
 * neighbouring readings, and flagged in `anomalies.filled` (not labelled as anomalies).
 *
 * Anomalies, injected before the gaps, in one column each, never overlapping in a column (5 rows
 * apart at least), on average `rate` per column per day (default 3), kinds drawn uniformly; u the
 * column's unit (temperature 0.5 °C, humidity 1.5 %RH, light 50 lux, voltage 0.03 V), ± a fair sign:
 *   spike        1 row:       + ±U(4, 10)·u
 *   level-shift  10–60 rows:  + ±U(3, 6)·u
 *   drift        30–120 rows: + ±U(5, 10)·u · (j + 1)/n at its j-th of n rows (a ramp)
 *   stuck-at     20–80 rows:  the reading held at its value on the row before
 *   noise-burst  5–30 rows:   + N(0, (U(2, 4)·u)²) per row
 * Every row of an event is labelled with its kind (anomalies.cells); a stuck-at reading at night's
 * constant light cannot be seen, and stays labelled: the labels say what was injected.
 *
 * The readings, the anomalies and the gaps draw from Rng(seed), Rng(seed + 1) and Rng(seed + 2), so
 * rate 0 gives the same series without its anomalies.
 *
 * Split by time, the last 15% of rows test and the 15% before validation; default 6 days
 * (16,722 rows), 3 motes (12 columns), window 30 rows (15.5 min), horizon 1, seed 0.
 */
import { Rng } from "../util/random.js";
import { DATASETS } from "./catalog.js";
import { forecastDataset, type ForecastOptions } from "./forecast.js";
import { checkKeys, optInt, optSeed } from "./options.js";
import type { AnomalyEvent, AnomalyLabels, Dataset } from "./types.js";

export const SENSOR_PERIOD_S = 31;
export const SENSOR_QUANTITIES = ["temperature", "humidity", "light", "voltage"] as const;
export const ANOMALY_KINDS = ["spike", "level-shift", "drift", "stuck-at", "noise-burst"] as const;
const UNIT = [0.5, 1.5, 50, 0.03]; // per quantity
const DURATION: Record<(typeof ANOMALY_KINDS)[number], readonly [number, number]> = {
  spike: [1, 1], "level-shift": [10, 60], drift: [30, 120], "stuck-at": [20, 80], "noise-burst": [5, 30],
};

export interface SensorAnomaliesOptions extends ForecastOptions {
  /** Motes (default 3; 4 columns each). */
  motes?: number;
  /** Days of readings (default 6). */
  days?: number;
  /** Anomalies per column per day on average (default 3). */
  rate?: number;
  seed?: number;
}

/** The clean readings [L, 4M] of M motes. */
function readings(rng: Rng, L: number, M: number): Float32Array {
  const F = 4 * M, v = new Float32Array(L * F), rowDays = SENSOR_PERIOD_S / 86_400;
  const motes = Array.from({ length: M }, () => ({ o: rng.normal(), g: rng.range(0.8, 1.2), shift: rng.range(-0.5, 0.5) / 24, e: 0, u: 0 }));
  let w = 0;
  for (let r = 0; r < L; r++) {
    const tau = r * rowDays, d = tau - Math.floor(tau);
    w = 0.999 * w + 0.03 * rng.normal();
    motes.forEach((m, k) => {
      m.e = 0.98 * m.e + 0.02 * rng.normal();
      m.u = 0.99 * m.u + 0.1 * rng.normal();
      const T = 20 + m.o + 3 * m.g * Math.cos(2 * Math.PI * (d - 0.625)) + w + m.e + 0.02 * rng.normal();
      const H = 38 + 2 * m.o - 1.6 * (T - 20 - m.o) + m.u + 0.1 * rng.normal();
      const lights = d >= 8 / 24 + m.shift && d < 19 / 24 + m.shift ? 350 : 0;
      const Lx = Math.max(0, (400 * m.g * Math.max(0, Math.sin((Math.PI * (d - 0.25)) / 0.5)) + lights) * (1 + 0.02 * rng.normal()));
      const V = 2.7 - 0.05 * tau + 0.004 * (T - 20) + 0.003 * rng.normal();
      v.set([T, H, Lx, V], r * F + 4 * k);
    });
  }
  return v;
}

/** Injects anomalies into v [L, F] in place; returns the events and the per-cell kind codes. */
function inject(rng: Rng, v: Float32Array, L: number, F: number, perColumn: number): { events: AnomalyEvent[]; cells: Uint8Array } {
  const cells = new Uint8Array(L * F), events: AnomalyEvent[] = [];
  for (let c = 0; c < F; c++) {
    const u = UNIT[c % 4]!, taken: [number, number][] = [];
    for (let e = 0; e < perColumn; e++) {
      const k = rng.int(ANOMALY_KINDS.length), kind = ANOMALY_KINDS[k]!, [lo, hi] = DURATION[kind];
      const n = lo + rng.int(hi - lo + 1);
      let start = -1;
      for (let tries = 0; tries < 20 && start < 0; tries++) {
        const s = 1 + rng.int(L - n - 1);
        if (taken.every(([a, b]) => s + n + 5 <= a || s >= b + 5)) start = s;
      }
      if (start < 0) continue;
      taken.push([start, start + n]);
      const sign = rng.uniform() < 0.5 ? -1 : 1, at = (r: number) => r * F + c;
      const size = kind === "spike" ? rng.range(4, 10) : kind === "level-shift" ? rng.range(3, 6) : kind === "drift" ? rng.range(5, 10) : rng.range(2, 4);
      const held = v[at(start - 1)]!;
      for (let j = 0; j < n; j++) {
        const r = start + j;
        if (kind === "stuck-at") v[at(r)] = held;
        else if (kind === "noise-burst") v[at(r)]! += size * u * rng.normal();
        else if (kind === "drift") v[at(r)]! += (sign * size * u * (j + 1)) / n;
        else v[at(r)]! += sign * size * u;
        if (c % 4 === 2) v[at(r)] = Math.max(0, v[at(r)]!); // no negative light
        cells[at(r)] = k + 1;
      }
      events.push({ column: c, start, end: start + n, kind });
    }
  }
  events.sort((a, b) => a.start - b.start || a.column - b.column);
  return { events, cells };
}

/** Drops readings of whole motes in runs and fills them by linear interpolation; returns the flags. */
function dropAndFill(rng: Rng, v: Float32Array, L: number, M: number): Uint8Array {
  const F = 4 * M, filled = new Uint8Array(L * F);
  for (let m = 0; m < M; m++) {
    for (let r = 1; r < L - 7; r++) {
      if (rng.uniform() >= 0.005) continue;
      const n = 1 + rng.int(6);
      for (let q = 0; q < 4; q++) {
        const c = 4 * m + q, a = v[(r - 1) * F + c]!, b = v[(r + n) * F + c]!;
        for (let j = 0; j < n; j++) { v[(r + j) * F + c] = a + ((b - a) * (j + 1)) / (n + 1); filled[(r + j) * F + c] = 1; }
      }
      r += n;
    }
  }
  return filled;
}

export function sensorAnomaliesDataset(options: SensorAnomaliesOptions = {}): Dataset {
  const where = "sensor-anomalies", info = DATASETS[where];
  checkKeys(where, options, info.options);
  const M = optInt(where, "motes", options.motes, 3), days = optInt(where, "days", options.days, 6);
  const rate = optInt(where, "rate", options.rate, 3, 0), seed = optSeed(where, options.seed);
  const { motes: _m, days: _d, rate: _r, seed: _s, ...forecast } = options;
  const L = Math.floor((days * 86_400) / SENSOR_PERIOD_S), F = 4 * M;
  // three generators, so the rate of anomalies leaves the readings and the gaps as they are
  const values = readings(new Rng(seed), L, M);
  const { events, cells } = inject(new Rng(seed + 1), values, L, F, Math.round(rate * days));
  const filled = dropAndFill(new Rng(seed + 2), values, L, M);
  const columns = Array.from({ length: F }, (_, c) => `m${Math.floor(c / 4) + 1} ${SENSOR_QUANTITIES[c % 4]}`);
  const t0 = Date.parse("2004-02-28T00:00:00Z");
  const labels = Array.from({ length: L }, (_, r) => new Date(t0 + r * SENSOR_PERIOD_S * 1000).toISOString().slice(0, 19) + "Z");
  const d = forecastDataset(
    { name: where, description: `${info.description}; ${M} motes, ${days} days (${L} rows), seed ${seed}`, source: info.source, license: info.license, values, features: F, columns, labels, targetColumns: columns.map((_, c) => c), defaultWindow: 30 },
    { ...forecast, validation: forecast.validation ?? 0.15, test: forecast.test ?? 0.15 },
  );
  const anomalies: AnomalyLabels = { kinds: ANOMALY_KINDS, cells, events, filled };
  return { ...d, series: { ...d.series!, anomalies } };
}
