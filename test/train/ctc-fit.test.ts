// CTC inside the fit loop: label-sequence sets (y [S, L] + labelLengths), the model's gradient
// through the CTC loss by float64 central differences, learning on a tiny synthetic task (loss and
// PER fall), the task kept by a saved model, checkpoints resumed bit-identically, and refusals.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SequenceSet } from "../../src/data/types.js";
import { GatedError, OptionError, ShapeError, ValueError } from "../../src/errors/index.js";
import { context, dense, sequentialSpec } from "../../src/model/builder.js";
import { createSpec, Model, type CreateOptions, type ModelSpec } from "../../src/model/model.js";
import { gatherBatch } from "../../src/train/batches.js";
import type { Checkpoint } from "../../src/train/checkpoint.js";
import { ctcLoss } from "../../src/train/ctc.js";
import { ctcGreedyDecode, labelErrorRate } from "../../src/train/decode-ctc.js";
import { evaluate } from "../../src/train/evaluate.js";
import { fit } from "../../src/train/fit.js";
import { computeLoss } from "../../src/train/losses.js";
import { Rng } from "../../src/util/random.js";
import { modelGradCheck } from "../helpers/model-gradcheck.js";

/**
 * A toy speech task: symbols 1..K (0 is blank) each held for 2–3 steps on its own input channel,
 * sometimes separated by a step on the "pause" channel (always between repeats), plus noise.
 * x [S, T, K + 1], labels the symbols.
 */
function toySet(S: number, seed: number, K = 3): SequenceSet {
  const rng = new Rng(seed), F = K + 1;
  const rows: { frames: number[]; labels: number[] }[] = [];
  for (let s = 0; s < S; s++) {
    const n = 1 + rng.int(4), labels: number[] = [], frames: number[] = [];
    for (let i = 0; i < n; i++) {
      const l = 1 + rng.int(K);
      if (i > 0 && (l === labels[i - 1] || rng.uniform() < 0.3)) frames.push(0);
      for (let d = 0, dur = 2 + rng.int(2); d < dur; d++) frames.push(l);
      labels.push(l);
    }
    rows.push({ frames, labels });
  }
  const T = Math.max(...rows.map((r) => r.frames.length)), L = Math.max(...rows.map((r) => r.labels.length));
  const x = new Float32Array(S * T * F), y = new Int32Array(S * L);
  rows.forEach((r, s) => {
    r.frames.forEach((c, t) => {
      for (let f = 0; f < F; f++) x[(s * T + t) * F + f] = (f === c ? 1 : 0) + 0.3 * rng.range(-1, 1);
    });
    y.set(r.labels, s * L);
  });
  return {
    x, count: S, steps: T, features: F, lengths: Int32Array.from(rows, (r) => r.frames.length), y, target: "class", perStep: true,
    outputs: K + 1, labelLengths: Int32Array.from(rows, (r) => r.labels.length), blank: 0,
  };
}

const ctcOptions = (o: Partial<CreateOptions> = {}): CreateOptions => ({
  input: { kind: "features", features: 4 }, cell: "gru", hiddenSize: 12, task: { target: "class", perStep: true, outputs: 4, loss: "ctc" }, ...o,
});

describe("ctc in fit", () => {
  it("the model spec holds the ctc loss with its blank; a saved and loaded model keeps the task", () => {
    const model = new Model(createSpec(ctcOptions({ task: { target: "class", perStep: true, outputs: 4, loss: { name: "ctc", blank: 0 } } })), { seed: 1 });
    assert.deepEqual(model.spec.task, { target: "class", perStep: true, outputs: 4, loss: { name: "ctc", delta: 1, blank: 0 } });
    const back = Model.fromBytes(model.toBytes());
    assert.deepEqual(back.spec.task, model.spec.task);
    const set = toySet(8, 5);
    assert.deepEqual(evaluate(back, set), evaluate(model, set));
  });

  it("the batch loss is Σ_b −log p(l_b | y_b) / Σ_b max(L_b, 1), by ctcLoss row by row, and PER by greedy decoding", () => {
    const model = new Model(createSpec(ctcOptions()), { dtype: "float64", seed: 2 });
    const set = toySet(5, 7), net = model.net;
    const b = gatherBatch(net.kernels, set, [0, 1, 2, 3, 4]);
    const out = net.forward(b.input, net.context(false, new Rng(0)));
    const r = computeLoss(model.spec.task.loss, { y: out.data, T: out.T, B: out.B, O: out.F, target: b.target, lengths: b.lengths, labelLengths: b.labelLengths }, null);
    const L = set.y.length / set.count, C = 4;
    let total = 0, n = 0;
    const refs: number[][] = [], hyps: number[][] = [];
    for (let s = 0; s < 5; s++) {
      const Ts = set.lengths![s]!, labels = Array.from(set.y.subarray(s * L, s * L + set.labelLengths![s]!));
      const row = new Float64Array(Ts * C);
      for (let t = 0; t < Ts; t++) for (let k = 0; k < C; k++) row[t * C + k] = out.data[(t * 5 + s) * C + k]!;
      total += ctcLoss(row, [Ts, 1, C], [Ts], labels, [labels.length], { reduction: "sum" }).loss;
      n += Math.max(labels.length, 1);
      refs.push(labels);
      hyps.push(ctcGreedyDecode(row, C));
    }
    assert.ok(Math.abs(r.loss - total / n) <= 1e-12 * Math.abs(total / n), `loss ${r.loss} vs ${total / n}`);
    assert.equal(r.count, n);
    const per = labelErrorRate(refs, hyps);
    assert.equal(r.edits, per.errors);
    assert.equal(r.labels, per.length);
    const m = evaluate(model, set, 2);
    assert.ok(Math.abs(m.per! - per.rate) <= 1e-12, `evaluate per ${m.per} vs ${per.rate}`);
    assert.ok(Math.abs(m.loss - total / n) <= 1e-9 * (total / n));
  });

  for (const [name, spec] of [
    ["bidirectional GRU → dense, with lengths", createSpec(ctcOptions({ hiddenSize: 3, direction: "bidirectional" }))],
    ["2-layer LiGRU (batch norm, ReLU candidate) → dense(Relu) → dense, blank last", createSpec(ctcOptions({
      cell: "ligru", hiddenSize: 3, layers: 2, head: [5], task: { target: "class", perStep: true, outputs: 4, loss: { name: "ctc", blank: 3 } },
    }))],
    ["the frame-wise baseline: context(±2, +1) → dense(Relu) → dense", sequentialSpec({ input: { features: 4 } },
      [context({ left: 2, right: 1 }), dense({ units: 5, activation: "Relu" }), dense({ units: 4 })], { task: "class", loss: "ctc" })],
  ] as [string, ModelSpec][]) {
    it(`gradient of the whole model through ctc, float64 central differences: ${name}`, () => {
      const model = new Model(spec, { dtype: "float64", seed: 4 });
      const net = model.net, blank = model.spec.task.loss.blank!;
      const base = toySet(3, 11);
      // relabel so that no label is the blank (blank 3: symbols 1..3 → 0..2)
      const set: SequenceSet = blank === 0 ? base : { ...base, y: base.y.map((v) => v - 1), blank };
      const b = gatherBatch(net.kernels, set, [0, 1, 2]);
      const loss = (withGrad: boolean): number => {
        const ctx = net.context(true, new Rng(5));
        const out = net.forward(b.input, ctx);
        const dy = withGrad ? net.kernels.alloc(out.data.length) : null;
        const r = computeLoss(model.spec.task.loss, { y: out.data, T: out.T, B: out.B, O: out.F, target: b.target, lengths: b.lengths, labelLengths: b.labelLengths }, dy);
        if (dy) { net.zeroGrads(); net.backward(dy, ctx); }
        return r.loss;
      };
      const { checked } = modelGradCheck(net, loss);
      assert.ok(checked > 50, `checked ${checked} parameters`);
    });
  }

  it("a context window stacks each step's neighbours, zeros outside the row's own steps", () => {
    const model = new Model(sequentialSpec({ input: { features: 2 } }, [context({ left: 1, right: 2 }), dense({ units: 3 })], { task: "class", loss: "ctc" }), { dtype: "float64" });
    const layer = model.net.layers[0]!;
    assert.equal(layer.outputFeatures, 8);
    // x [T 4, B 2, F 2]: x_t,b = (10t + b, −(10t + b)); row 1 has 2 steps
    const x = Float64Array.from({ length: 16 }, (_, i) => { const p = i >> 1, v = 10 * Math.floor(p / 2) + (p % 2); return i % 2 ? -v : v; });
    const ctx = model.net.context(false, new Rng(0));
    const y = layer.forward({ data: x, T: 4, B: 2, F: 2, lengths: Int32Array.from([4, 2]) }, ctx);
    const at = (t: number, b: number) => Array.from(y.data.subarray((t * 2 + b) * 8, (t * 2 + b + 1) * 8));
    assert.deepEqual(at(0, 0), [0, 0, 0, -0, 10, -10, 20, -20]);
    assert.deepEqual(at(2, 0), [10, -10, 20, -20, 30, -30, 0, 0]);
    assert.deepEqual(at(1, 1), [1, -1, 11, -11, 0, 0, 0, 0]);
    assert.deepEqual(at(3, 1), [0, 0, 0, 0, 0, 0, 0, 0]);
    // backward: each x_u collects the slices of every window that holds it
    const dx = layer.backward(Float64Array.from({ length: 4 * 2 * 8 }, () => 1), ctx)!;
    assert.deepEqual(Array.from(dx.subarray(0, 8)), [2, 2, 2, 2, 3, 3, 2, 2]); // t 0 (rows 0, 1), t 1 (rows 0, 1)
    assert.deepEqual(Array.from(dx.subarray(8, 16)), [4, 4, 0, 0, 3, 3, 0, 0]); // t 2, t 3: row 1 has no such steps
    assert.throws(() => sequentialSpec({ input: { features: 2 } }, [context({ left: -1 }), dense({ units: 3 })], { task: "class", loss: "ctc" }), (e: Error) => e instanceof OptionError && /left: expected a non-negative integer/.test(e.message));
  });

  it("fit learns a tiny synthetic ctc task: the loss falls and the PER on held-out sequences drops below 0.1", async () => {
    const train = toySet(160, 1), test = toySet(64, 2);
    const model = new Model(createSpec(ctcOptions({ direction: "bidirectional" })), { seed: 3 });
    const before = evaluate(model, test);
    const r = await fit(model, train, { epochs: 25, batchSize: 16, seed: 1, optimizer: { kind: "adam", lr: 0.02 }, validation: test });
    const after = evaluate(model, test);
    const first = r.history[0]!, last = r.history[r.history.length - 1]!;
    assert.ok(last.train.loss < 0.3 * first.train.loss, `train loss ${first.train.loss} → ${last.train.loss}`);
    assert.ok(before.per! > 0.5, `PER before training ${before.per}`);
    assert.ok(after.per! < 0.1, `PER after training ${after.per}`);
    assert.equal(last.validation!.per, after.per);
    assert.ok(first.train.per !== undefined && last.train.per! < first.train.per, `train PER ${first.train.per} → ${last.train.per}`);
  });

  it("an interrupted ctc run resumed from its checkpoint ends bit-identical to an uninterrupted one", async () => {
    const train = toySet(48, 4);
    const opts = { epochs: 3, batchSize: 8, seed: 2, optimizer: { kind: "adam" as const, lr: 0.01 }, validationSplit: 0.25 };
    const whole = new Model(createSpec(ctcOptions()), { seed: 6 });
    const full = await fit(whole, train, opts);
    const part = new Model(createSpec(ctcOptions()), { seed: 6 });
    let saved: Checkpoint | undefined, batches = 0;
    const stopped = await fit(part, train, { ...opts, checkpoint: { write: (c) => { saved = c; } }, shouldStop: () => ++batches === 7 });
    assert.ok(stopped.interrupted && saved);
    const resumed = new Model(saved!.spec, { init: "none" });
    const rest = await fit(resumed, train, { ...opts, resume: saved! });
    assert.deepEqual(Array.from(resumed.net.params), Array.from(whole.net.params));
    assert.deepEqual(rest.history.map((h) => h.validation), full.history.map((h) => h.validation));
  });

  it("refuses what cannot be trained: unalignable rows, missing blank, per-step classes for ctc, ctc data for cross-entropy, windows", async () => {
    const model = new Model(createSpec(ctcOptions()), { seed: 1 });
    const set = toySet(4, 9);
    const short = { ...set, lengths: Int32Array.from(set.lengths!, (n, i) => (i === 1 ? Math.min(n, set.labelLengths![1]! - 1 || 1) : n)) };
    if (set.labelLengths![1]! > 1) assert.throws(() => evaluate(model, short), (e: Error) => e instanceof ValueError && /sequence 1 has \d+ steps for \d+ labels; CTC needs at least/.test(e.message));
    const { blank: _b, ...noBlank } = set;
    assert.throws(() => evaluate(model, noBlank), (e: Error) => e instanceof ShapeError && /need blank/.test(e.message));
    const blankLabel = { ...set, y: set.y.map((v, i) => (i === 0 ? 0 : v)) };
    assert.throws(() => evaluate(model, blankLabel), (e: Error) => e instanceof ValueError && /other than the blank 0/.test(e.message));
    const perStep: SequenceSet = { ...set, y: new Int32Array(set.count * set.steps).fill(1) };
    delete (perStep as { labelLengths?: unknown }).labelLengths;
    delete (perStep as { blank?: unknown }).blank;
    assert.throws(() => evaluate(model, perStep), (e: Error) => e instanceof ShapeError && /trained with ctc on label sequences/.test(e.message));
    const ce = new Model(createSpec(ctcOptions({ task: { target: "class", perStep: true, outputs: 4 } })), { seed: 1 });
    assert.throws(() => evaluate(ce, set), (e: Error) => e instanceof ShapeError && /train them with loss "ctc"/.test(e.message));
    await assert.rejects(fit(model, set, { epochs: 1, batchSize: 2, window: 3 }), (e: Error) => e instanceof OptionError && /cannot cut a ctc task/.test(e.message));
    assert.throws(() => createSpec(ctcOptions({ task: { target: "class", perStep: false, outputs: 4, loss: "ctc" } })), (e: Error) => e instanceof GatedError && /must be per step/.test(e.message));
    assert.throws(() => createSpec(ctcOptions({ task: { target: "class", perStep: true, outputs: 4, loss: { name: "ctc", blank: 4 } } })), (e: Error) => e instanceof GatedError && /expected a class id in 0..3/.test(e.message));
    assert.throws(() => createSpec(ctcOptions({ task: { target: "regression", perStep: true, outputs: 4, loss: "ctc" } })), (e: Error) => e instanceof GatedError && /does not fit a regression target/.test(e.message));
    assert.throws(() => createSpec(ctcOptions({ task: { target: "class", perStep: true, outputs: 4, loss: { name: "cross-entropy", blank: 0 } } })), (e: Error) => e instanceof GatedError && /blank/.test(e.message));
  });
});
