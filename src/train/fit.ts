/**
 * The fit loop: epochs of seeded, shuffled mini-batches; validation; early stopping; truncated
 * BPTT over windows; checkpoints that hold everything needed to continue bit-identically
 * (parameters, optimiser state, both generators, the epoch's order, the partial epoch sums).
 *
 * Same seed and data → bit-identical weights, whether or not the run was interrupted and resumed.
 * A ctc model trains on label sequences (SequenceSet.labelLengths): the batches carry them, the
 * loss aligns them to the whole sequence (never cut into windows), and the metrics add the PER.
 */
import type { SequenceSet } from "../data/types.js";
import { OptionError, ShapeError, ValueError, checkOptions, show } from "../errors/index.js";
import type { Model } from "../model/model.js";
import { checkModel, checkSet } from "./check-set.js";
import { Rng } from "../util/random.js";
import { gatherBatch } from "./batches.js";
import type { Checkpoint, TrainState } from "./checkpoint.js";
import { evaluate, MetricSum, taskLoss, type Metrics } from "./evaluate.js";
import { clipByGlobalNorm, clipByValue, Optimizer, type OptimizerOptions } from "./optimizers.js";
import { makeSchedule, type ScheduleOptions } from "./schedules.js";

export interface EpochRecord {
  readonly epoch: number;
  readonly train: Metrics;
  readonly validation?: Metrics;
  readonly lr: number;
  readonly seconds: number;
}

export interface BatchInfo {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
}

export interface FitOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed?: number;
  readonly shuffle?: boolean;
  readonly optimizer?: OptimizerOptions;
  readonly schedule?: ScheduleOptions;
  readonly clipNorm?: number;
  readonly clipValue?: number;
  readonly validation?: SequenceSet;
  /** Fraction of the training set held out for validation (seeded), when no validation set is given. */
  readonly validationSplit?: number;
  readonly earlyStopping?: { readonly patience: number; readonly minDelta?: number; readonly restoreBest?: boolean };
  /** Truncated BPTT: steps per window (per-step tasks); the state carries across windows. */
  readonly window?: number;
  readonly checkpoint?: {
    readonly everySteps?: number;
    readonly everyEpoch?: boolean;
    write(c: Checkpoint): void | Promise<void>;
  };
  readonly resume?: Checkpoint;
  readonly onBatch?: (b: BatchInfo) => void;
  readonly onEpoch?: (e: EpochRecord) => void;
  /** Checked after every batch: when true, a checkpoint is written and fit returns (Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /** Awaited after every batch (lets signal handlers and progress output run). */
  readonly yield?: () => Promise<void>;
}

export { checkSet };

const FIT_KEYS = ["epochs", "batchSize", "seed", "shuffle", "optimizer", "schedule", "clipNorm", "clipValue", "validation", "validationSplit",
  "earlyStopping", "window", "checkpoint", "resume", "onBatch", "onEpoch", "shouldStop", "yield"];

export interface FitResult {
  readonly history: readonly EpochRecord[];
  readonly steps: number;
  readonly stoppedEarly: boolean;
  readonly interrupted: boolean;
}

function splitRows(count: number, fraction: number, seed: number): { train: Int32Array; validation: Int32Array } {
  if (!(fraction > 0 && fraction < 1)) throw new OptionError(`fit: validationSplit must be in (0, 1), got ${fraction}`);
  const idx = Int32Array.from({ length: count }, (_, i) => i);
  shuffle(idx, new Rng(seed ^ 0x5eed));
  const nv = Math.max(1, Math.round(count * fraction));
  return { validation: idx.slice(0, nv).sort(), train: idx.slice(nv).sort() };
}

function shuffle(a: Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

function subset(s: SequenceSet, rows: Int32Array): SequenceSet {
  const xPer = s.x.length / s.count, yPer = s.y.length / s.count;
  const x = s.x instanceof Int32Array ? new Int32Array(rows.length * xPer) : new Float32Array(rows.length * xPer);
  const y = s.y instanceof Int32Array ? new Int32Array(rows.length * yPer) : new Float32Array(rows.length * yPer);
  rows.forEach((r, i) => {
    x.set(s.x.subarray(r * xPer, (r + 1) * xPer), i * xPer);
    y.set(s.y.subarray(r * yPer, (r + 1) * yPer), i * yPer);
  });
  return {
    ...s, x, y, count: rows.length, ...(s.lengths ? { lengths: Int32Array.from(rows, (r) => s.lengths![r]!) } : {}),
    ...(s.labelLengths ? { labelLengths: Int32Array.from(rows, (r) => s.labelLengths![r]!) } : {}),
  };
}

export async function fit(model: Model, train: SequenceSet, o: FitOptions): Promise<FitResult> {
  checkModel("fit", model);
  if (o === undefined) throw new OptionError("fit: expected options {epochs, batchSize, ...}, got nothing");
  checkOptions("fit", o, FIT_KEYS);
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) throw new OptionError(`fit: seed must be an integer, got ${show(o.seed)}`);
  for (const k of ["clipNorm", "clipValue"] as const) {
    if (o[k] !== undefined && !(typeof o[k] === "number" && o[k] > 0)) throw new OptionError(`fit: ${k} must be a positive number, got ${show(o[k])}`);
  }
  const net = model.net, task = model.spec.task;
  if (!(Number.isInteger(o.epochs) && o.epochs >= 1)) throw new OptionError(`fit: epochs must be a positive integer, got ${o.epochs}`);
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new OptionError(`fit: batchSize must be a positive integer, got ${o.batchSize}`);
  if (o.window !== undefined && (!task.perStep || !(o.window >= 1))) {
    throw new OptionError(`fit: window (truncated BPTT) needs a per-step task and a positive length, got ${o.window} for a ${task.perStep ? "per-step" : "per-sequence"} task`);
  }
  if (o.window !== undefined && task.loss.name === "ctc") throw new OptionError("fit: window (truncated BPTT) cannot cut a ctc task: its labels align to the whole sequence; leave window out");
  checkSet("fit: training data", model, train);
  const seed = o.seed ?? 0;
  let trainRows: Int32Array = Int32Array.from({ length: train.count }, (_, i) => i);
  let validation = o.validation;
  if (!validation && o.validationSplit) {
    const sp = splitRows(train.count, o.validationSplit, seed);
    trainRows = sp.train;
    validation = subset(train, sp.validation);
  }
  if (validation) checkSet("fit: validation data", model, validation);
  const optimizer = new Optimizer(net.paramCount, o.optimizer ?? { kind: "adam" });
  const lrAt = makeSchedule(optimizer.options.lr, o.schedule);
  const batches = Math.ceil(trainRows.length / o.batchSize);
  const st = startState(seed, trainRows);
  if (o.resume) resumeFrom(model, optimizer, o.resume, st);
  const shuffleRng = new Rng(0), dropRng = new Rng(0);
  shuffleRng.setState(st.shuffleRng);
  dropRng.setState(st.dropoutRng);
  const ctx = net.context(true, dropRng);
  const running = new MetricSum(model);
  running.load(st.running);
  let t0 = Date.now() - st.epochSeconds * 1000;

  const snapshot = (): Checkpoint => ({
    spec: model.spec, params: net.params.slice(), optimizer: optimizer.state(),
    train: { ...st, shuffleRng: shuffleRng.getState(), dropoutRng: dropRng.getState(), running: running.save(), epochSeconds: (Date.now() - t0) / 1000, history: [...st.history] },
  });
  for (; st.epoch < o.epochs; st.epoch++, st.batch = 0) {
    if (st.batch === 0) {
      st.order = trainRows.slice();
      if (o.shuffle !== false) shuffle(st.order, shuffleRng);
      running.load([0, 0, 0, 0, 0]);
      t0 = Date.now();
    }
    for (; st.batch < batches; ) {
      const rows = st.order.subarray(st.batch * o.batchSize, Math.min(st.order.length, (st.batch + 1) * o.batchSize));
      const before = st.step;
      const loss = trainBatch(model, optimizer, train, rows, o, lrAt, st, ctx, running);
      st.batch++;
      o.onBatch?.({ epoch: st.epoch, batch: st.batch, batches, step: st.step, loss, lr: lrAt(st.step) });
      const every = o.checkpoint?.everySteps;
      if (every && Math.floor(st.step / every) > Math.floor(before / every)) await o.checkpoint!.write(snapshot());
      if (o.shouldStop?.()) {
        if (o.checkpoint) await o.checkpoint.write(snapshot());
        return { history: st.history, steps: st.step, stoppedEarly: false, interrupted: true };
      }
      if (o.yield) await o.yield();
    }
    const record: EpochRecord = {
      epoch: st.epoch, train: running.result(), lr: lrAt(st.step), seconds: (Date.now() - t0) / 1000,
      ...(validation ? { validation: evaluate(model, validation, o.batchSize) } : {}),
    };
    st.history.push(record);
    o.onEpoch?.(record);
    const stop = earlyStop(model, o, st, record);
    if (o.checkpoint?.everyEpoch || stop) {
      const c = snapshot();
      await o.checkpoint?.write({ ...c, train: { ...c.train, epoch: st.epoch + 1, batch: 0 } });
    }
    if (stop) { st.epoch++; return finish(model, o, st, true); }
  }
  return finish(model, o, st, false);
}

function startState(seed: number, rows: Int32Array): TrainState {
  const a = new Rng(seed), b = new Rng(seed + 1);
  return {
    epoch: 0, batch: 0, step: 0, order: rows.slice(), shuffleRng: a.getState(), dropoutRng: b.getState(),
    running: [0, 0, 0, 0, 0], epochSeconds: 0, history: [], best: { loss: Infinity, epoch: -1, bad: 0 }, bestParams: null,
  };
}

function resumeFrom(model: Model, opt: Optimizer, c: Checkpoint, st: TrainState): void {
  if (JSON.stringify(c.spec) !== JSON.stringify(model.spec)) throw new OptionError("fit: the checkpoint was made for a different model configuration");
  if (c.params.length !== model.net.paramCount) throw new ShapeError(`fit: the checkpoint holds ${c.params.length} parameters, the model has ${model.net.paramCount}`);
  model.net.params.set(c.params);
  model.net.markChanged();
  opt.load(c.optimizer);
  Object.assign(st, c.train, { history: [...c.train.history] });
}

function trainBatch(model: Model, opt: Optimizer, set: SequenceSet, rows: Int32Array, o: FitOptions, lrAt: (s: number) => number, st: TrainState, ctx: ReturnType<Model["net"]["context"]>, running: MetricSum): number {
  const net = model.net, task = model.spec.task;
  const W = o.window ?? set.steps;
  net.setCarry(o.window !== undefined);
  let total = 0, n = 0;
  for (let t0 = 0; t0 < set.steps; t0 += W) {
    const b = gatherBatch(net.kernels, set, rows, t0, Math.min(set.steps, t0 + W));
    net.zeroGrads();
    const out = net.forward(b.input, ctx);
    const dy = net.kernels.alloc(out.data.length);
    const r = taskLoss(model, { y: out.data, T: out.T, B: out.B, O: out.F, target: b.target, lengths: task.perStep ? b.lengths : null, labelLengths: b.labelLengths }, dy);
    if (!Number.isFinite(r.loss)) {
      throw new ValueError(`fit: the loss became ${r.loss} at epoch ${st.epoch + 1}, batch ${st.batch + 1} (step ${st.step + 1}); the parameters before this batch are intact${o.checkpoint ? " and the last checkpoint can be resumed" : ""}. Lower the learning rate or clip gradients (clipNorm).`);
    }
    if (r.count === 0) continue;
    net.backward(dy, ctx);
    if (o.clipValue !== undefined) clipByValue(net.grads, o.clipValue);
    if (o.clipNorm !== undefined) clipByGlobalNorm(net.grads, net.trainable, o.clipNorm);
    opt.step(net.params, net.grads, net.trainable, lrAt(st.step));
    net.markChanged();
    st.step++;
    running.add(r);
    total += r.loss * r.count;
    n += r.count;
  }
  net.setCarry(false);
  return n ? total / n : 0;
}

function earlyStop(model: Model, o: FitOptions, st: TrainState, rec: EpochRecord): boolean {
  const es = o.earlyStopping;
  if (!es) return false;
  const loss = rec.validation?.loss ?? rec.train.loss;
  if (loss < st.best.loss - (es.minDelta ?? 0)) {
    st.best = { loss, epoch: rec.epoch, bad: 0 };
    if (es.restoreBest) st.bestParams = model.net.params.slice();
    return false;
  }
  st.best = { ...st.best, bad: st.best.bad + 1 };
  return st.best.bad >= es.patience;
}

function finish(model: Model, o: FitOptions, st: TrainState, stoppedEarly: boolean): FitResult {
  if (o.earlyStopping?.restoreBest && st.bestParams) {
    model.net.params.set(st.bestParams);
    model.net.markChanged();
  }
  return { history: st.history, steps: st.step, stoppedEarly, interrupted: false };
}
