/**
 * Page side: the learning section. The loss curve of every slot (train solid, validation dashed)
 * with gated's lineChart, a table comparing the slots (parameters, seconds per epoch, last losses),
 * and for a series the one-step-ahead forecasts against the truth (gated's forecastChart).
 */
import { forecastChart, lineChart, type LineSeries } from "../../src/report/index.js";
import { $, chartWidth, fmt } from "./dom.js";
import type { Slot } from "./slot.js";

const COLORS = { A: "#4e79a7", B: "#e8762b" } as const;

export function renderLoss(slots: readonly Slot[], lossName: string): void {
  const fig = $("loss-chart");
  const series: LineSeries[] = [];
  for (const s of slots) {
    if (s.history.length === 0) continue;
    const x = s.history.map((e) => e.epoch);
    series.push({ name: `${s.name} ${s.cell} train`, x, y: s.history.map((e) => e.train), color: COLORS[s.name] });
    if (s.history.some((e) => e.validation !== null)) {
      series.push({ name: `${s.name} ${s.cell} validation`, x, y: s.history.map((e) => e.validation ?? NaN), color: COLORS[s.name], dashed: true });
    }
  }
  if (series.length === 0) return;
  const w = chartWidth(fig);
  fig.innerHTML = lineChart({ title: "Loss per epoch", xLabel: "epoch", yLabel: lossName, series, width: w, height: Math.round(Math.min(380, w * 0.6)) });
  const last = slots[0]!.history.at(-1);
  fig.dataset["epochs"] = String(slots[0]!.history.length);
  fig.dataset["trainLoss"] = JSON.stringify(slots[0]!.history.map((e) => e.train));
  if (last) fig.dataset["lastLoss"] = String(last.train);
}

/** Back to the placeholder, before a new run. */
export function clearLoss(): void {
  const fig = $("loss-chart");
  fig.innerHTML = `<p class="muted">The loss curve appears here after the first epoch.</p>`;
  fig.dataset["epochs"] = "0";
  fig.dataset["trainLoss"] = "[]";
}

export function renderCompare(slots: readonly Slot[]): void {
  const table = $<HTMLTableElement>("compare");
  const rows = slots.filter((s) => s.info || s.history.length > 0);
  table.hidden = rows.length === 0;
  table.tBodies[0]!.innerHTML = "";
  for (const s of rows) {
    const tr = table.tBodies[0]!.insertRow();
    const h = s.history, last = h.at(-1);
    const perEpoch = h.length ? h.reduce((n, e) => n + e.seconds, 0) / h.length : null;
    const cells = [s.name, s.cell || s.info?.cells.join(" + ") || "–", s.info ? s.info.parameters.toLocaleString("en") : "–", fmt(perEpoch, 3), fmt(last?.train), fmt(last?.validation)];
    cells.forEach((c, i) => { const td = tr.insertCell(); td.textContent = c; if (i === 0) td.style.color = COLORS[s.name]; });
    tr.dataset["slot"] = s.name;
  }
}

export function renderForecast(slot: Slot): void {
  const fig = $("forecast-chart"), f = slot.forecast;
  $("test-line").textContent = slot.test ? `${slot.name} · ${slot.cell}, ${slot.test}` : "";
  fig.hidden = f === null;
  if (!f) return;
  const w = chartWidth(fig.parentElement ?? fig);
  fig.innerHTML = forecastChart({
    title: f.title, subtitle: f.metric, yLabel: f.yLabel, width: w, height: Math.round(Math.min(380, w * 0.6)),
    history: { y: f.history, ...(f.labels ? { labels: [...f.labels] } : {}) },
    actual: { y: f.actual, start: f.history.length }, forecast: { start: f.history.length, y: f.forecast },
  });
  fig.dataset["forecast"] = JSON.stringify(Array.from(f.forecast));
}
