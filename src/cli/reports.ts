/**
 * The HTML report `gated train` writes: configuration, metrics against the baseline, learning
 * curves and, for a series, the model's one-step-ahead forecasts over the held-out part drawn
 * against the actual values.
 *
 * Reports and charts are side outputs: each is written atomically (never a half-written file), and
 * a failure to make or write one is a warning on standard error, not a failure of the command
 * whose main result (a saved model, printed numbers) is already there.
 */
import type { Dataset } from "../data/types.js";
import { writeFileAtomic } from "../node/files.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import type { Model } from "../model/model.js";
import { htmlReport, type ReportSection } from "../report/html.js";
import { forecastChart } from "../report/svg/forecast-chart.js";
import { lineChart } from "../report/svg/line-chart.js";
import type { EpochRecord } from "../train/fit.js";
import { predictSet } from "../train/predict.js";
import type { Assessment } from "./assess.js";
import { fileSystemMessage } from "./errors.js";

/**
 * Writes a side output (a report, a chart) atomically; `make` builds its text. On failure, prints
 * "gated: warning: <what> not written: <cause>" and returns false.
 */
export function writeSideOutput(what: string, path: string, make: () => string): boolean {
  try {
    writeFileAtomic(path, make());
    return true;
  } catch (e) {
    const cause = e instanceof Error ? (fileSystemMessage(e) ?? e.message) : String(e);
    process.stderr.write(`gated: warning: ${what} not written: ${cause}\n`);
    return false;
  }
}

export interface TrainReport {
  readonly model: Model;
  readonly data: Dataset;
  readonly history: readonly EpochRecord[];
  readonly assessment: Assessment;
  readonly seconds: number;
}

function configuration(r: TrainReport): string[][] {
  const rows: string[][] = [["data", `${r.data.name}: ${r.data.description}`], ["source", r.data.source], ["licence", r.data.license]];
  for (const l of r.model.net.layers) {
    if (l.kind === "context") rows.push(["context window", `${String(l.config.left)} frames before, ${String(l.config.right)} after`]); // the frame-wise baseline's
    if (!(l instanceof RecurrentLayer)) continue;
    for (const [k, v] of Object.entries({ ...l.config, ...l.rnn.cells[0]!.config })) {
      if (k === "kind") continue;
      rows.push([k, typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)]);
    }
  }
  rows.push(["parameters", r.model.net.trainableCount.toLocaleString("en")], ["epochs", String(r.history.length)], ["training time", `${r.seconds.toFixed(1)} s`]);
  return rows;
}

/**
 * The model's one-step-ahead forecasts over the held-out part against the actual values, after some
 * history. A long held-out part (daily data) shows only its last 8 seasons (160 steps without a
 * season), said in the subtitle, so the lines stay readable.
 */
function forecastSection(r: TrainReport): ReportSection | null {
  const d = r.data, s = d.series, test = d.test;
  if (!s || !test || !d.normalisation) return null;
  // one-step-ahead forecasts of every held-out window (a distribution head's point forecast and
  // intervals), back in the series' units
  const head = r.model.spec.task.distribution ? r.model.predict({ data: test.x, shape: [test.count, test.steps, test.features] }, { units: "model" }) : null;
  const pred = head ? head.data : predictSet(r.model, test);
  const O = s.horizon * s.targetColumns.length, col = s.targetColumns[0]!, F = s.features, L = s.length;
  const { mean, std } = r.model.spec.data?.normalisation ?? d.normalisation;
  const firstTarget = L - test.count - s.horizon + 1; // the row of the first window's first target
  const shown = Math.min(test.count, s.season ? 8 * s.season : 160), skip = test.count - shown;
  const inUnits = (v: ArrayLike<number>) => Float32Array.from({ length: shown }, (_, i) => {
    const k = skip + i;
    const base = s.relative ? (s.values[(firstTarget + k - 1) * F + col]! - mean[col]!) / std[col]! : 0;
    return (v[k * O]! + base) * std[col]! + mean[col]!;
  });
  const y = inUnits(pred), iv = head?.intervals;
  const bands = iv ? { lower: inUnits(iv.lower95), upper: inUnits(iv.upper95), bandLabel: "95% interval", inner: { lower: inUnits(iv.lower80), upper: inUnits(iv.upper80), label: "80% interval" } } : {};
  const from = firstTarget + skip, context = Math.min(from, 2 * Math.max(s.season ?? 12, 12)), start = from - context;
  const column = (a: number, b: number) => Float32Array.from({ length: b - a }, (_, i) => s.values[(a + i) * F + col]!);
  const a = r.assessment, part = skip > 0 ? `; the last ${shown} of ${test.count} held-out steps` : "";
  const svg = forecastChart({
    title: `${d.name}: one-step-ahead forecasts over the held-out part`,
    subtitle: `${a.metric} ${a.value.toPrecision(4)} vs ${a.baselineName} ${a.baseline.toPrecision(4)}${part}`,
    history: { y: column(start, from), ...(s.labels ? { labels: s.labels.slice(start) } : {}) },
    actual: { y: column(from, L), start: context },
    forecast: { start: context, y, ...bands },
    yLabel: s.columns[col] ?? "value",
  });
  return { heading: "Forecast vs actual", svg: [svg] };
}

/** The loss axis: in normalised units for a regression on normalised data, else the loss's own. */
function lossLabel(r: TrainReport): string {
  const loss = r.model.spec.task.distribution?.name ?? r.model.spec.task.loss.name;
  if (r.model.spec.task.target === "class") return `${loss} (nats)`;
  return r.data.normalisation ? `${loss} (normalised units)` : loss;
}

/** Writes the report to `path`; false (after a warning on stderr) when it could not be written. */
export function writeTrainReport(path: string, r: TrainReport): boolean {
  return writeSideOutput("the report", path, () => trainReportHtml(r));
}

function trainReportHtml(r: TrainReport): string {
  const a = r.assessment;
  const curves = lineChart({
    title: "Loss per epoch", xLabel: "epoch", yLabel: lossLabel(r), logY: true,
    series: [
      { name: "train", y: r.history.map((h) => h.train.loss) },
      ...(r.history[0]?.validation ? [{ name: "validation", y: r.history.map((h) => h.validation!.loss) }] : []),
    ],
  });
  const metrics = [
    [`${a.split} ${a.metric}`, a.value.toPrecision(5)],
    ...(Number.isFinite(a.baseline) ? [[`${a.baselineName} ${a.metric}`, a.baseline.toPrecision(5)]] : []),
    ...Object.entries(a.extra).map(([k, v]) => [k, v.toPrecision(5)]),
  ];
  const fc = forecastSection(r);
  return htmlReport({
    title: `gated: ${r.model.spec.layers.find((l) => l.kind === "recurrent")?.cell ?? "frame-wise baseline"} on ${r.data.name}`,
    sections: [
      { heading: "Result", table: { columns: ["metric", "value"], rows: metrics } },
      { heading: "Learning curves", svg: [curves] },
      ...(fc ? [fc] : []),
      { heading: "Configuration", table: { columns: ["setting", "value"], rows: configuration(r) } },
    ],
    generated: new Date().toISOString(),
  });
}
