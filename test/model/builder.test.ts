// Composition: sequential() stacks of different cells, sizes, directions, dropout, per-step and
// last-step heads, embeddings and layer norm; widths computed, summary rows checked against the
// layers' own counts, saved and loaded exactly, trained by fit; createSpec is its preset and
// writes the spec it always wrote; bad arguments are GatedErrors naming the layer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parameterCount } from "../../src/cells/index.js";
import { GatedError, OptionError } from "../../src/errors/index.js";
import { Recurrent } from "../../src/sequence/recurrent.js";
import {
  dense, dropout, embedding, gru, lastStep, layerNorm, ligru, lstm, mgu, mingru, recurrent, type LayerDef,
} from "../../src/model/builder.js";
import { sequential } from "../../src/model/sequential.js";
import { createSpec, Model } from "../../src/model/model.js";
import { formatSummary } from "../../src/model/summary.js";
import { fit } from "../../src/train/fit.js";
import { Rng } from "../../src/util/random.js";
import { MODELS } from "../io/helpers/models.js";

const rng = new Rng(21);
const X = Float32Array.from({ length: 4 * 5 * 3 }, () => rng.normal()); // [B 4, T 5, F 3]
const dense_ = (I: number, O: number) => O * I + O;

/** Saved to bytes and loaded: the same spec, summary and outputs, bit for bit. */
function roundTrip(m: Model, x: Parameters<Model["predict"]>[0]): void {
  const back = Model.fromBytes(m.toBytes());
  assert.deepEqual(back.spec, m.spec);
  assert.deepEqual(back.summary({ print: null }), m.summary({ print: null }));
  assert.deepEqual(back.predict(x).data, m.predict(x).data);
}

const shapes = (m: Model) => m.summary({ print: null }).map((r) => r.outputShape);

describe("sequential", () => {
  it("stacked different cells and sizes, bidirectional per layer, dropout between, a last step", () => {
    const m = sequential({ input: { features: 3 } }, [
      gru({ units: 6, direction: "bidirectional", reset: "before", update: "replace" }),
      dropout({ rate: 0.2, mask: "sequence" }),
      mgu({ units: 5, direction: "reverse" }),
      dropout(0.1),
      lstm({ units: 4, layers: 2, returnSequences: false }),
      dense({ units: 3, activation: "Tanh" }),
      dense({ units: 1 }),
    ], { task: "regression", seed: 1 });
    const rows = m.summary({ print: null });
    assert.deepEqual(rows.map((r) => r.layer), ["gru (bidirectional)", "dropout (0.2, one mask per sequence)", "mgu (reverse)", "dropout (0.1)", "lstm (2 layers)", "last-step", "dense (Tanh)", "dense"]);
    assert.deepEqual(rows.map((r) => r.outputShape), [["B", "T", 12], ["B", "T", 12], ["B", "T", 5], ["B", "T", 5], ["B", "T", 4], ["B", 4], ["B", 3], ["B", 1]]);
    const lstmCount = parameterCount("lstm", { inputSize: 5, hiddenSize: 4 }) + parameterCount("lstm", { inputSize: 4, hiddenSize: 4 });
    assert.deepEqual(rows.map((r) => r.params), [
      2 * parameterCount("gru", { inputSize: 3, hiddenSize: 6, reset: "before" }), 0, parameterCount("mgu", { inputSize: 12, hiddenSize: 5 }), 0, lstmCount, 0, dense_(4, 3), dense_(3, 1),
    ]);
    assert.deepEqual(rows.map((r) => r.params), m.net.layers.map((l) => l.paramCount), "the layers' own counts");
    assert.equal(rows.reduce((s, r) => s + r.params, 0), m.net.paramCount);
    assert.deepEqual(m.spec.task, { target: "regression", perStep: false, outputs: 1, loss: { name: "mse", delta: 1 } });
    assert.deepEqual(m.spec.layers[0], { kind: "recurrent", cell: "gru", inputSize: 3, hiddenSize: 6, layers: 1, direction: "bidirectional", reset: "before", update: "replace" });
    assert.deepEqual(m.spec.layers[5], { kind: "last-step", hiddenSize: 4, directions: ["forward"] });
    roundTrip(m, { data: X, shape: [4, 5, 3] });
  });

  it("a per-step (time-distributed) head: no last step, the task is per step", () => {
    const m = sequential({ input: { features: 3 } }, [mingru({ units: 4 }), layerNorm(), dense({ units: 6, activation: "Relu" }), dense({ units: 2 })], { task: "class", seed: 2 });
    assert.deepEqual(shapes(m), [["B", "T", 4], ["B", "T", 4], ["B", "T", 6], ["B", "T", 2]]);
    assert.equal(m.spec.task.perStep, true);
    assert.equal(m.spec.task.loss.name, "cross-entropy");
    assert.deepEqual(m.predict({ data: X, shape: [4, 5, 3] }).shape, [4, 5, 2]);
    roundTrip(m, { data: X, shape: [4, 5, 3] });
  });

  it("an embedding, a LiGRU with batch norm (saved statistics counted apart), a bidirectional last step read at len − 1", () => {
    const m = sequential({ input: { vocabularySize: 9 } }, [
      embedding({ units: 5 }), ligru({ units: 3, normalisation: "batch", direction: "bidirectional", returnSequences: false, at: "last-step" }), dense({ units: 2 }),
    ], { task: "regression", loss: "huber", seed: 3 });
    const rows = m.summary({ print: null });
    assert.deepEqual(rows.map((r) => [r.layer, r.outputShape]), [["embedding (9 → 5)", ["B", "T", 5]], ["ligru (bidirectional)", ["B", "T", 6]], ["last-step (every direction at step len − 1)", ["B", 6]], ["dense", ["B", 2]]]);
    const learned = 2 * parameterCount("ligru", { inputSize: 5, hiddenSize: 3, normalisation: "batch" });
    assert.deepEqual([rows[1]!.trainable, rows[1]!.params], [learned, learned + 2 * 4 * 3], "running mean and variance of z and h, each direction");
    assert.deepEqual(m.spec.layers[2], { kind: "last-step", hiddenSize: 3, directions: ["forward", "reverse"], at: "last-step" });
    assert.equal(formatSummary(rows).split("\n").pop(), `Total parameters: ${45 + learned + 24 + 14} (learned: ${45 + learned + 14}; saved statistics: 24)`);
    roundTrip(m, [[1, 2, 3, 4], [8, 0], [5]]);
  });

  it("recurrent() takes any cell kind; lastStep() may follow layer norm and dropout", () => {
    const m = sequential({ input: { features: 3 } }, [recurrent({ cell: "gru2", units: 4, direction: "bidirectional" }), layerNorm({ epsilon: 1e-3 }), dropout(0.3), lastStep(), dense({ units: 2 })], { task: "class", seed: 4 });
    assert.deepEqual(m.spec.layers[3], { kind: "last-step", hiddenSize: 4, directions: ["forward", "reverse"] });
    assert.equal(m.summary({ print: null })[0]!.params, 2 * parameterCount("gru2", { inputSize: 3, hiddenSize: 4 }));
    roundTrip(m, { data: X, shape: [4, 5, 3] });
  });

  it("summary prints a table, to console.log unless told otherwise", () => {
    const m = sequential({ input: { features: 3 } }, [gru({ units: 2, returnSequences: false }), dense({ units: 1 })], { task: "regression" });
    const lines: string[] = [];
    m.summary({ print: (t) => lines.push(t) });
    assert.equal(lines[0], [
      "Layer        Output shape  Parameters", "─".repeat(37), "0 gru        [B, T, 2]             38",
      "1 last-step  [B, 2]                 0", "2 dense      [B, 1]                 3", "─".repeat(37), "Total parameters: 41 (learned: 41)",
    ].join("\n"));
  });

  it("fit trains a composed model: the loss goes down", async () => {
    const m = sequential({ input: { features: 2 } }, [gru({ units: 8, direction: "bidirectional" }), dropout(0.1), lstm({ units: 6, returnSequences: false }), dense({ units: 1 })], { task: "regression", seed: 5 });
    const r = new Rng(3), S = 64, T = 6;
    const x = Float32Array.from({ length: S * T * 2 }, () => r.uniform());
    const y = Float32Array.from({ length: S }, (_, s) => { let v = 0; for (let t = 0; t < T; t++) v += x[(s * T + t) * 2]! * x[(s * T + t) * 2 + 1]!; return v; });
    const res = await fit(m, { x, y, count: S, steps: T, features: 2, target: "regression", perStep: false, outputs: 1 }, { epochs: 6, batchSize: 16, optimizer: { kind: "adam", lr: 0.01 } });
    const losses = res.history.map((h) => h.train.loss);
    assert.ok(losses[losses.length - 1]! < 0.5 * losses[0]!, `losses ${losses.join(", ")}`);
  });
});

describe("createSpec is a preset of the builder", () => {
  it("it writes the spec it always wrote (a recorded case)", () => {
    assert.deepEqual(JSON.parse(JSON.stringify(createSpec(MODELS.gru_bidi_stack_head!))), {
      format: "gated-model", version: 1, input: { kind: "features", features: 3 }, layers: [
        { kind: "recurrent", cell: "gru", inputSize: 3, hiddenSize: 4, layers: 2, direction: "bidirectional" },
        { kind: "layer-norm", features: 8 }, { kind: "dropout", features: 8, rate: 0.3, mask: "element" },
        { kind: "last-step", hiddenSize: 4, directions: ["forward", "reverse"] },
        { kind: "dense", inputSize: 8, outputSize: 5, activation: "Relu" }, { kind: "dense", inputSize: 5, outputSize: 3 },
      ], task: { target: "class", perStep: false, outputs: 3, loss: { name: "cross-entropy", delta: 1 } },
    });
  });
  it("every interchange model: the same layers as the equivalent composition", () => {
    for (const [name, o] of Object.entries(MODELS)) {
      const defs: LayerDef[] = [];
      if (o.input.kind === "tokens") defs.push(embedding({ units: o.embedding ?? 32 }));
      defs.push(recurrent({ ...(o.cellOptions as object), cell: o.cell, units: o.hiddenSize, layers: o.layers ?? 1, direction: o.direction ?? "forward" }));
      if (o.layerNorm) defs.push(layerNorm());
      if (o.dropout) defs.push(dropout(o.dropout));
      if (!o.task.perStep) defs.push(lastStep());
      for (const h of o.head ?? []) defs.push(dense({ units: h, activation: (o.headActivation ?? "Relu") as "Relu" }));
      defs.push(dense({ units: o.task.outputs }));
      const input = o.input.kind === "tokens" ? { vocabularySize: o.input.vocabularySize } : { features: o.input.features };
      const built = sequential({ input }, defs, { task: o.task.target, ...(o.task.loss ? { loss: o.task.loss } : {}) });
      assert.deepEqual(built.spec, createSpec(o), name);
    }
  });
});

describe("bad builder arguments are GatedErrors naming the layer", () => {
  const input = { input: { features: 3 } };
  const refused = (fn: () => unknown, ...parts: string[]) => assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GatedError && e instanceof OptionError, `expected an OptionError, got ${String(e)}`);
    for (const p of parts) assert.ok(e.message.includes(p), `"${e.message}" lacks "${p}"`);
    return true;
  });
  const reg = { task: "regression" as const };
  it("widths, options, cells", () => {
    refused(() => sequential(input, [gru({ units: 0 })], reg), "sequential: layers[0] (gru): units: expected a positive integer, got 0");
    refused(() => sequential(input, [gru({ units: 4, rest: "before" } as never)], reg), "sequential: layers[0] (gru)", 'unknown option "rest"');
    refused(() => sequential(input, [gru({ units: 4, reset: "middle" } as never)], reg), "layers[0] (gru)", "reset");
    refused(() => sequential(input, [recurrent({ cell: "gruu", units: 4 } as never)], reg), "layers[0] (gruu): cell: expected one of gru, gru1");
    refused(() => sequential(input, [gru({ units: 4 }), dropout(1.5)], reg), "layers[1] (dropout)", "rate", "1.5");
    refused(() => sequential(input, [dense({ units: 2, size: 3 } as never)], reg), "layers[0] (dense)", 'unknown option "size"');
  });
  it("the order of layers", () => {
    refused(() => sequential(input, [], reg), "sequential: layers: expected a non-empty array");
    refused(() => sequential(input, [gru({ units: 4, returnSequences: false }), lstm({ units: 2 })], reg), "layers[1] (lstm): a recurrent layer needs a sequence");
    refused(() => sequential(input, [gru({ units: 4, at: "last-step" })], reg), "layers[0] (gru): at chooses the step of returnSequences: false");
    refused(() => sequential(input, [dense({ units: 4 }), lastStep()], reg), "layers[1] (last-step): a last step follows a recurrent layer");
    refused(() => sequential(input, [gru({ units: 4, returnSequences: false }), lastStep()], reg), "layers[1] (last-step): the sequence was already reduced");
    refused(() => sequential(input, [embedding({ units: 4 })], reg), "layers[0] (embedding): an embedding reads token ids");
    refused(() => sequential({ input: { vocabularySize: 5 } }, [gru({ units: 4 })], reg), "layers[0] (gru): a tokens input is read by an embedding first");
    refused(() => sequential(input, [{ kind: "dense", outputSize: 3 } as never], reg), "layers[0]: expected a layer made by gru()");
  });
  it("the input and the task", () => {
    refused(() => sequential({ input: { features: 0 } }, [gru({ units: 4 })], reg), "sequential: input: expected { features: <positive integer> }", "got {\"features\":0}");
    refused(() => sequential(input, [gru({ units: 4 })], { task: "classification" as never }), 'sequential: task: expected "regression" | "class", got "classification"');
    refused(() => sequential(input, [gru({ units: 4 })], { task: "class", loss: "mse" }), 'sequential: loss "mse" does not fit a class target');
    refused(() => sequential(input, [gru({ units: 4 })], { task: "regression", dtype: "float16" as never }), "sequential options: dtype");
  });
});

describe("parameter counts: one definition", () => {
  it("LiGRU with batch norm at I = 64, H = 128: 49,664 learned (the README's table), 50,176 stored", () => {
    const o = { inputSize: 64, hiddenSize: 128, normalisation: "batch" as const };
    const net = new Recurrent({ cell: "ligru", ...o });
    assert.equal(parameterCount("ligru", o), 49_664);
    assert.equal(net.trainableCount, 49_664);
    assert.equal(net.paramCount, 50_176);
    const m = sequential({ input: { features: 64 } }, [ligru({ units: 128, normalisation: "batch" })], { task: "regression" });
    assert.deepEqual([m.net.trainableCount, m.net.paramCount], [49_664, 50_176]);
  });
});
