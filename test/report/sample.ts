/**
 * A report like the one `gated train` / `gated compare` / `gated inspect` will write, built from
 * deterministic synthetic data (no randomness, no data files): learning curves of three cells, a
 * monthly CO2-like series with a held-out year and a forecast band, gate heat maps (one small, one
 * large enough to be downsampled) and a bar chart of final losses.
 */
import { SERIES_COLORS, barChart, forecastChart, heatmap, htmlReport, keyValueTable, lineChart } from "../../src/report/index.js";

const CELLS = ["gru", "mgu", "lstm"] as const;

export function learningCurves(): string {
  const epochs = 20;
  const series = CELLS.flatMap((cell, i) => {
    const rate = 0.18 + 0.05 * i, floor = 0.08 + 0.03 * i;
    const train = Array.from({ length: epochs }, (_, e) => floor + 2.2 * Math.exp(-rate * e));
    const val = train.map((v, e) => v + 0.04 + 0.002 * e * e * (i === 2 ? 0.3 : 0.1));
    if (i === 1) val[7] = NaN; // a gap: validation skipped one epoch
    return [
      { name: `${cell} train`, y: train, color: SERIES_COLORS[i]! }, // train and validation of a cell share its colour,
      { name: `${cell} validation`, y: val, dashed: true, color: SERIES_COLORS[i]! }, // as its bar does below
    ];
  });
  return lineChart({ title: "Learning curves (row-wise MNIST, 20 epochs)", xLabel: "epoch", yLabel: "cross-entropy loss", series, logY: true });
}

/** A Keeling-curve-like monthly series from 1958-03: trend + seasonal cycle. */
export function co2(months: number): { labels: string[]; y: number[] } {
  const labels = Array.from({ length: months }, (_, k) => {
    const m = 2 + k; // March 1958 = month index 2
    return `${1958 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;
  });
  const y = labels.map((_, k) => 315 + 0.06 * k + 0.00009 * k * k + 3 * Math.sin((2 * Math.PI * (k + 1)) / 12));
  return { labels, y };
}

export function forecast(): string {
  const total = 240, held = 24;
  const { labels, y } = co2(total);
  const start = total - held;
  const f = y.slice(start).map((v, k) => v - 0.4 + 0.5 * Math.sin(k / 3));
  return forecastChart({
    title: "CO2 at Mauna Loa: forecast of the held-out 24 months",
    subtitle: "GRU, 2 layers × 32 units, 12-month windows",
    yLabel: "CO2 (ppm)", xLabel: "month",
    history: { y: y.slice(0, start), labels },
    actual: { y: y.slice(start) },
    forecast: { start, y: f, lower: f.map((v, k) => v - 0.6 - 0.05 * k), upper: f.map((v, k) => v + 0.6 + 0.05 * k) },
    labelEvery: 36,
  });
}

/** Gate-like activations: rows = time steps, cols = units, values in (0, 1) or (−1, 1). */
export function gates(rows: number, cols: number, kind: "z" | "candidate"): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let t = 0; t < rows; t++) {
    for (let u = 0; u < cols; u++) {
      const a = Math.sin(t / (4 + (u % 7))) * 2.5 + Math.cos(u / 5) - (u / cols - 0.5) * 2;
      out[t * cols + u] = kind === "z" ? 1 / (1 + Math.exp(-a)) : Math.tanh(a * 0.7);
    }
  }
  return out;
}

export function sampleCharts(): { line: string; forecast: string; z: string; candidate: string; bars: string } {
  return {
    line: learningCurves(),
    forecast: forecast(),
    z: heatmap({ title: "Update gate z, layer 1", values: gates(120, 64, "z"), rows: 120, cols: 64, rowLabel: "time step", colLabel: "unit", min: 0, max: 1, palette: "sequential", valueLabel: "z" }),
    candidate: heatmap({ title: "Candidate h̃, layer 1", values: gates(300, 256, "candidate"), rows: 300, cols: 256, rowLabel: "time step", colLabel: "unit", palette: "diverging", valueLabel: "h̃" }),
    bars: barChart({ title: "Final validation loss by cell", yLabel: "loss", bars: CELLS.map((c, i) => ({ label: c, value: 0.13 + 0.031 * i })) }),
  };
}

export const SAMPLE_SVG_COUNT = 5;

export function sampleReport(): string {
  const c = sampleCharts();
  return htmlReport({
    title: "gated train — co2 <sample> & friends",
    generated: "2025-01-01 12:00 by `gated train`",
    sections: [
      { heading: "Configuration", table: keyValueTable({ data: "co2", cell: "gru", layers: 2, hiddenSize: 32, update: "keep", reset: "after", optimizer: { name: "adam", lr: 0.003 }, epochs: 20, seed: 7 }) },
      { heading: "Metrics", table: { columns: ["split", "loss", "MAE (ppm)", "naive MAE (ppm)"], rows: [["train", 0.01234, 0.41, 0.95], ["validation", 0.0187, 0.52, 1.02]] },
        text: "The model beats the seasonal naive baseline by 49% on the held-out months." },
      { heading: "Learning curves", svg: [c.line, c.bars] },
      { heading: "Forecast", svg: [c.forecast] },
      { heading: "Gates", text: "Per-step gate values for one input sequence.\n\nRows are time steps, columns are units.", svg: [c.z, c.candidate] },
    ],
  });
}
