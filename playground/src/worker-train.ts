/**
 * Worker side: training with gated's fit (Adam, gradient clipping at norm 1, the task's validation
 * part), reporting progress a few times a second and every epoch; Stop makes fit write a
 * checkpoint and return (its shouldStop), Resume continues from that checkpoint bit-identically,
 * to the configured number of epochs or, after a finished run, for as many epochs again.
 */
import {
  Model, evaluate, fit, formatSummary, predictSet, summaryRows,
  type Checkpoint, type Dataset, type EpochRecord, type FitOptions,
} from "../../src/index.js";
import type { EpochView, ForecastView, FromWorker, ModelInfo, TrainConfig } from "./protocol.js";
import type { Session } from "./session.js";
import { loadTask, specFor } from "./worker-tasks.js";

/** A macrotask turn (so a "stop" message is seen), at most every 40 ms. */
const channel = new MessageChannel();
let lastYield = 0;
function yieldTurn(): Promise<void> {
  const now = performance.now();
  if (now - lastYield < 40) return Promise.resolve();
  lastYield = now;
  return new Promise((resolve) => { channel.port1.onmessage = () => resolve(); channel.port2.postMessage(0); });
}

export function modelInfo(s: Session): ModelInfo {
  const m = s.model!;
  const cells = m.spec.layers.flatMap((l) => (l.kind === "recurrent" ? [String((l as { cell?: unknown }).cell)] : []));
  return {
    source: s.source, cells, parameters: m.net.trainableCount, summary: formatSummary(summaryRows(m)), notes: s.notes,
    sequences: s.sequences?.count ?? 0, sequenceSource: s.sequenceSource,
  };
}

function epochView(e: EpochRecord): EpochView {
  return { epoch: e.epoch + 1, train: e.train.loss, validation: e.validation?.loss ?? null, seconds: e.seconds, accuracy: e.validation?.accuracy ?? e.train.accuracy ?? null };
}

/** One-step-ahead forecasts of every held-out window, back in the series' units (as gated's report draws them). */
function forecastView(model: Model, d: Dataset): ForecastView | null {
  const s = d.series, test = d.test, norm = model.spec.data?.normalisation;
  if (!s || !test || !norm) return null;
  const pred = predictSet(model, test);
  const O = s.horizon * s.targetColumns.length, col = s.targetColumns[0]!, F = s.features, L = s.length;
  const first = L - test.count - s.horizon + 1;
  const mean = norm.mean[col]!, std = norm.std[col]!;
  const forecast = Float32Array.from({ length: test.count }, (_, k) => {
    const base = s.relative ? (s.values[(first + k - 1) * F + col]! - mean) / std : 0;
    return (pred[k * O]! + base) * std + mean;
  });
  const context = Math.min(first, 48);
  const column = (a: number, b: number) => Float32Array.from({ length: b - a }, (_, i) => s.values[(a + i) * F + col]!);
  let se = 0;
  forecast.forEach((v, k) => { se += (v - s.values[(first + k) * F + col]!) ** 2; });
  return {
    title: `${d.name}: one-step-ahead forecasts over the held-out part`, yLabel: s.columns[col] ?? "value",
    history: column(first - context, first), ...(s.labels ? { labels: s.labels.slice(first - context) } : {}),
    actual: column(first, L), forecast, metric: `RMSE ${Math.sqrt(se / test.count).toPrecision(4)} (in the series' units)`,
  };
}

function testLine(model: Model, d: Dataset): string {
  if (!d.test) return "";
  const m = evaluate(model, d.test);
  const acc = m.accuracy !== undefined ? `, accuracy ${(100 * m.accuracy).toFixed(1)}%` : "";
  return `held-out test: ${model.spec.task.loss.name} ${m.loss.toPrecision(4)}${acc} on ${m.count} sequences`;
}

function fitOptions(s: Session, post: (m: FromWorker) => void): FitOptions {
  const c = s.config!, d = s.data!;
  let lastProgress = 0;
  return {
    epochs: s.epochsTarget, batchSize: c.batchSize, seed: c.seed, optimizer: { kind: "adam", lr: c.lr }, clipNorm: 1,
    ...(d.validation ? { validation: d.validation } : {}),
    checkpoint: { everyEpoch: true, write: (ck) => { s.checkpoint = ck; } },
    shouldStop: () => s.stop,
    yield: yieldTurn,
    onBatch: (b) => {
      const now = performance.now();
      if (now - lastProgress < 100 && b.batch + 1 < b.batches) return;
      lastProgress = now;
      post({ type: "progress", epoch: b.epoch + 1, epochs: s.epochsTarget, batch: b.batch + 1, batches: b.batches, loss: b.loss });
    },
    onEpoch: (e) => post({ type: "epoch", record: epochView(e) }),
  };
}

async function run(s: Session, post: (m: FromWorker) => void, resume: Checkpoint | null): Promise<void> {
  s.running = true;
  s.stop = false;
  try {
    const r = await fit(s.model!, s.data!.train, { ...fitOptions(s, post), ...(resume ? { resume } : {}) });
    post({ type: "trained", interrupted: r.interrupted, model: modelInfo(s), forecast: forecastView(s.model!, s.data!), test: testLine(s.model!, s.data!) });
  } finally {
    s.running = false;
  }
}

export async function train(s: Session, c: TrainConfig, post: (m: FromWorker) => void): Promise<void> {
  const data = await loadTask(c.task, c.seed);
  s.data = data;
  s.config = c;
  s.model = new Model(specFor(data, c), { seed: c.seed });
  s.checkpoint = null;
  s.epochsTarget = c.epochs;
  s.sequences = data.test ?? data.train;
  s.sequenceSource = `${data.name}, ${data.test ? "held-out test" : "training"} sequences`;
  s.source = `trained: ${c.cell} on ${data.name}`;
  s.notes = [data.description, `source: ${data.source} (${data.license})`];
  post({ type: "model", model: modelInfo(s) });
  await run(s, post, null);
}

/** Continues a stopped run; after a finished run, trains `more` epochs again. */
export async function resume(s: Session, more: number, post: (m: FromWorker) => void): Promise<void> {
  if (!s.model || !s.data || !s.config || !s.checkpoint) throw new Error("nothing to resume: train a model first");
  if (s.checkpoint.train.epoch >= s.epochsTarget) s.epochsTarget += more;
  await run(s, post, s.checkpoint);
}
