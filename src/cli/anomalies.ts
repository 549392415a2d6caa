/**
 * `gated eval MODEL --anomalies`: forecast-residual anomaly detection (train/anomaly.ts) with the
 * model's one-step forecasts beside the same detector on persistence, as a table of point-wise and
 * event-wise precision, recall and F1 on the test rows, the threshold chosen on the validation rows
 * (train/anomaly.ts says how).
 */
import type { Dataset } from "../data/types.js";
import type { Model } from "../model/model.js";
import { detectAnomalies, modelSource, persistenceSource, type AnomalyReport } from "../train/anomaly.js";
import { UserError } from "./errors.js";

export function anomalyReports(model: Model, d: Dataset): AnomalyReport[] {
  const sr = d.series;
  if (!sr?.anomalies) throw new UserError(`--anomalies: the data set "${d.name}" carries no anomaly labels; use a set that does (sensor-anomalies)`);
  const cell = model.spec.layers.find((l) => l.kind === "recurrent")?.cell ?? "model";
  return [detectAnomalies(d, modelSource(model, `${String(cell)} forecaster`)), detectAnomalies(d, persistenceSource(sr.targetColumns))];
}

export function describeAnomalies(reports: readonly AnomalyReport[]): string {
  const n = (v: number) => (Number.isNaN(v) ? "  —  " : v.toFixed(3));
  const w = Math.max(...reports.map((r) => r.name.length), 8);
  const lines = [
    "anomaly detection on the test rows (one-step forecast residuals; threshold chosen for the best event-wise F1 on the validation rows):",
    `  ${"detector".padEnd(w)}  threshold  point: precision recall  F1     event: precision recall  F1     (events found, flagged cells)`,
  ];
  for (const r of reports) {
    const p = r.test.point, e = r.test.event;
    lines.push(`  ${r.name.padEnd(w)}  ${r.threshold.toFixed(2).padStart(9)}  ${n(p.precision).padStart(16)} ${n(p.recall).padStart(6)} ${n(p.f1).padStart(6)}  ${n(e.precision).padStart(16)} ${n(e.recall).padStart(6)} ${n(e.f1).padStart(6)}  (${e.counts.found}/${e.counts.events}, ${e.counts.flagged})`);
  }
  for (const r of reports) lines.push(`  ${r.name.padEnd(w)}  events found by kind: ${Object.entries(r.byKind).map(([k, c]) => `${k} ${c.found}/${c.events}`).join(", ")}`);
  lines.push("  scores: |residual − median| / (1.4826·MAD) per column from the validation residuals (a distribution head: |residual| / its predicted σ)");
  lines.push("  event-wise: recall over events (found when any of their cells is flagged), precision over flagged cells (the composite F-score of Garg et al. 2021)");
  return lines.join("\n");
}
