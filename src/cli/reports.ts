/**
 * The HTML report `gated train` writes: configuration, metrics against the baseline, learning
 * curves and, for a series, the model's one-step-ahead forecasts over the held-out part drawn
 * against the actual values.
 */
import { writeFileSync } from "node:fs";
import type { Dataset } from "../data/types.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import type { Model } from "../model/model.js";
import { htmlReport, type ReportSection } from "../report/html.js";
import { forecastChart } from "../report/svg/forecast-chart.js";
import { lineChart } from "../report/svg/line-chart.js";
import type { EpochRecord } from "../train/fit.js";
import { predictSet } from "../train/predict.js";
import type { Assessment } from "./assess.js";

export interface TrainReport {
  readonly model: Model;
  readonly data: Dataset;
  readonly history: readonly EpochRecord[];
  readonly assessment: Assessment;
  readonly seconds: number;
}

function configuration(r: TrainReport): string[][] {
  const rows: string[][] = [["data", `${r.data.name}: ${r.data.description}`], ["source", `${r.data.source} (${r.data.license})`]];
  for (const l of r.model.net.layers) {
    if (!(l instanceof RecurrentLayer)) continue;
    for (const [k, v] of Object.entries({ ...l.config, ...l.rnn.cells[0]!.config })) {
      if (k === "kind") continue;
      rows.push([k, typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)]);
    }
  }
  rows.push(["parameters", r.model.net.trainableCount.toLocaleString("en")], ["epochs", String(r.history.length)], ["training time", `${r.seconds.toFixed(1)} s`]);
  return rows;
}

function forecastSection(r: TrainReport): ReportSection | null {
  const d = r.data, s = d.series, test = d.test;
  if (!s || !test || !d.normalisation) return null;
  // one-step-ahead forecasts of every held-out window, back in the series' units
  const pred = predictSet(r.model, test);
  const O = s.horizon * s.targetColumns.length, col = s.targetColumns[0]!, F = s.features, L = s.length;
  const { mean, std } = r.model.spec.data?.normalisation ?? d.normalisation;
  const firstTarget = L - test.count - s.horizon + 1; // the row of the first window's first target
  const y = Float32Array.from({ length: test.count }, (_, k) => {
    const base = s.relative ? (s.values[(firstTarget + k - 1) * F + col]! - mean[col]!) / std[col]! : 0;
    return (pred[k * O]! + base) * std[col]! + mean[col]!;
  });
  const keep = Math.min(L, test.count + 4 * (s.season ?? 12));
  const hist = Float32Array.from({ length: keep }, (_, i) => s.values[(L - keep + i) * F + col]!);
  const svg = forecastChart({
    title: `${d.name}: one-step-ahead forecasts over the held-out part`, subtitle: `${r.assessment.metric} ${r.assessment.value.toPrecision(4)} vs ${r.assessment.baselineName} ${r.assessment.baseline.toPrecision(4)}`,
    history: { y: hist, ...(s.labels ? { labels: s.labels.slice(L - keep) } : {}) },
    forecast: { start: firstTarget - (L - keep), y },
    yLabel: s.columns[col] ?? "value",
  });
  return { heading: "Forecast vs actual", svg: [svg] };
}

export function writeTrainReport(path: string, r: TrainReport): void {
  const a = r.assessment;
  const curves = lineChart({
    title: "Loss per epoch", xLabel: "epoch", yLabel: `${r.model.spec.task.loss.name} (normalised units)`, logY: true,
    series: [
      { name: "train", y: r.history.map((h) => h.train.loss) },
      ...(r.history[0]?.validation ? [{ name: "validation", y: r.history.map((h) => h.validation!.loss) }] : []),
    ],
  });
  const metrics = [[`${a.split} ${a.metric}`, a.value.toPrecision(5)], [`${a.baselineName} ${a.metric}`, a.baseline.toPrecision(5)], ...Object.entries(a.extra).map(([k, v]) => [k, v.toPrecision(5)])];
  const fc = forecastSection(r);
  writeFileSync(path, htmlReport({
    title: `gated: ${r.model.spec.layers.find((l) => l.kind === "recurrent")?.cell} on ${r.data.name}`,
    sections: [
      { heading: "Result", table: { columns: ["metric", "value"], rows: metrics } },
      { heading: "Learning curves", svg: [curves] },
      ...(fc ? [fc] : []),
      { heading: "Configuration", table: { columns: ["setting", "value"], rows: configuration(r) } },
    ],
    generated: new Date().toISOString(),
  }));
}
