// Every bad argument at the public boundary is a GatedError that says where, what was expected and
// what came: the stack API (Recurrent), Model, createSpec, fit/evaluate, model files and checkpoints
// (checked against one schema, model/schema.ts), and sizes whose memory would pass the limits of
// sequence/limits.ts, refused before anything is allocated.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FormatError, GatedError, OptionError, ShapeError, ValueError } from "../src/errors/index.js";
import { decodeModel, encodeModel } from "../src/io/model-file.js";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "../src/io/safetensors.js";
import { createSpec, Model, type ModelSpec } from "../src/model/model.js";
import { Recurrent } from "../src/sequence/recurrent.js";
import { decodeCheckpoint, encodeCheckpoint } from "../src/train/checkpoint.js";
import { evaluate } from "../src/train/evaluate.js";
import { fit } from "../src/train/fit.js";
import { Optimizer } from "../src/train/optimizers.js";
import { Rng } from "../src/util/random.js";

type ErrorClass = new (...args: never[]) => GatedError;

function throwsWith(fn: () => unknown, cls: ErrorClass, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const p of parts) assert.ok((e as Error).message.includes(p), `message "${(e as Error).message}" lacks "${p}"`);
    return true;
  });
}

async function rejectsWith(p: Promise<unknown>, cls: ErrorClass, ...parts: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const s of parts) assert.ok((e as Error).message.includes(s), `message "${(e as Error).message}" lacks "${s}"`);
    return true;
  });
}

const gru = () => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4 });
const x = (T: number, B: number, I: number) => ({ data: new Float32Array(T * B * I).fill(0.5), shape: [T, B, I] });
const any = (v: unknown) => v as never;

describe("the stack API refuses bad arguments with typed errors", () => {
  it("forward(null), forward({}), a tensor without data", () => {
    throwsWith(() => gru().forward(any(null)), ShapeError, "gru forward", "expected input as a tensor {data, shape}", "got null");
    throwsWith(() => gru().forward(any({})), ShapeError, "input.shape", "array of non-negative integers", "got nothing");
    throwsWith(() => gru().forward(any({ shape: [1, 1, 3] })), ShapeError, "input.data", "Float32Array or Float64Array", "got nothing");
  });
  it("shapes must be integers: [2.5, 4, 3] and [\"5\", 2, 3] are refused", () => {
    throwsWith(() => gru().forward({ data: new Float32Array(30), shape: [2.5, 4, 3] }), ShapeError, "non-negative integers", "[2.5,4,3]");
    throwsWith(() => gru().forward({ data: new Float32Array(30), shape: any(["5", 2, 3]) }), ShapeError, "non-negative integers", '["5",2,3]');
  });
  it("forward's options: an object with known keys only", () => {
    throwsWith(() => gru().forward(x(1, 1, 3), any(null)), OptionError, "expected an options object", "got null");
    throwsWith(() => gru().forward(x(1, 1, 3), any({ lenghts: [1] })), OptionError, 'unknown option "lenghts"', "lengths");
    throwsWith(() => gru().forward(x(1, 1, 3), any({ train: "yes" })), OptionError, "train must be true or false", '"yes"');
    throwsWith(() => gru().forward(x(1, 1, 3), any({ lengths: null })), ShapeError, "lengths", "got null");
  });
  it("backward(undefined) names the tape it needs", () => {
    const n = gru();
    n.forward(x(2, 1, 3), { train: true });
    throwsWith(() => n.backward(any(undefined), x(2, 1, 4)), OptionError, "gru backward", "tape", "train: true", "got nothing");
  });
  it("backward refuses a NaN or infinite dOutput, naming its position", () => {
    const n = gru();
    const r = n.forward(x(2, 1, 3), { train: true });
    const d = x(2, 1, 4);
    d.data[5] = NaN;
    throwsWith(() => n.backward(r.tape!, d), ValueError, "dOutput", "NaN", "[1, 0, 1]");
    d.data[5] = 0;
    throwsWith(() => n.backward(r.tape!, d, { dFinalState: { data: new Float32Array(4).fill(Infinity), shape: [1, 1, 4] } }), ValueError, "dFinalState", "Infinity");
    throwsWith(() => n.backward(r.tape!, any(null)), ShapeError, "dOutput", "got null");
  });
  it("new Recurrent(null) and a non-integer seed", () => {
    throwsWith(() => new Recurrent(any(null)), OptionError, "recurrent", "expected an options object", "got null");
    throwsWith(() => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4, seed: any("7") }), OptionError, "seed must be an integer", '"7"');
    throwsWith(() => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4, direction: "bidirectional", reverseOptions: any({ hiddenSize: 5 }) }), OptionError, "hiddenSize", "reverseOptions");
  });
  it("setParam and attach without an array", () => {
    throwsWith(() => gru().setParam("layer0.forward.U", any(null)), ShapeError, '"layer0.forward.U"', "48 values", "got null");
    throwsWith(() => gru().attach(any([1, 2])), OptionError, "attach needs a float32 buffer", "[1,2]");
  });
  it("streaming: a state that is not one, a batch size that is not an integer", () => {
    throwsWith(() => gru().step(any(null), { data: new Float32Array(3), shape: [1, 3] }), OptionError, "gru step", "createState", "got null");
    throwsWith(() => gru().createState(2.5), ShapeError, "batch size", "2.5");
    throwsWith(() => gru().createState(1, any(5)), OptionError, "options object", "got 5");
  });
});

describe("sizes beyond the memory limits are refused before allocating, with the estimate", () => {
  it("hiddenSize 1e5 and 1e9: parameters over 2^28", () => {
    throwsWith(() => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 1e5 }), OptionError, "hiddenSize 100000", "30,001,300,000 parameters", "112 GiB", "2^28");
    throwsWith(() => new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 1e9 }), OptionError, "hiddenSize 1000000000", "parameters", "2^28");
    throwsWith(() => new Recurrent({ cell: "lstm", inputSize: 3, hiddenSize: 64, layers: 1e9 }), OptionError, "1000000000 layer(s)", "2^28");
  });
  it("a model whose layers together pass the limit (a huge embedding)", () => {
    const spec = createSpec({ input: { kind: "tokens", vocabularySize: 1e8 }, embedding: 64, cell: "gru", hiddenSize: 4, task: { target: "class", perStep: true, outputs: 3 } });
    throwsWith(() => new Model(spec), OptionError, "model", "6,400,000,847 parameters", "2^28");
  });
  it("a forward whose workspace would pass 4 GiB", () => {
    const T = 2e6;
    const n = new Recurrent({ cell: "gru", inputSize: 1, hiddenSize: 512, init: "none" });
    throwsWith(() => n.forward({ data: new Float32Array(T), shape: [T, 1, 1] }, { train: true }), ShapeError, "T = 2000000", "34 GiB", "the limit is 4 GiB");
  });
  it("a streaming state of a billion rows", () => throwsWith(() => gru().createState(1e9), ShapeError, "B = 1000000000", "GiB", "4 GiB"));
});

const tinySpec = (): ModelSpec => createSpec({
  input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 4, direction: "bidirectional",
  task: { target: "regression", perStep: false, outputs: 2 },
});

describe("Model and createSpec check their arguments against the schema", () => {
  it("new Model(null) names what a spec is", () => throwsWith(() => new Model(any(null)), OptionError, "model spec", "expected a model spec", "got null"));
  it("a spec without task", () => {
    const { task: _task, ...spec } = tinySpec();
    throwsWith(() => new Model(any(spec)), OptionError, "model spec: task: expected a task", "got nothing");
  });
  it("bad model options", () => throwsWith(() => new Model(tinySpec(), any({ dtype: "float16" })), OptionError, "model options: dtype", '"float32" | "float64"', '"float16"'));
  it("layers whose widths do not chain: a ShapeError naming both layers", () => {
    const spec = tinySpec();
    const layers = spec.layers.map((l) => (l.kind === "dense" ? { ...l, inputSize: 5 } : l));
    throwsWith(() => new Model({ ...spec, layers }), ShapeError, "layer 2 (dense) expects 5 input features", "layer 1 (last-step) gives 8");
  });
  it("createSpec(null), a fractional hiddenSize, a stack option inside cellOptions", () => {
    throwsWith(() => createSpec(any(null)), OptionError, "createSpec: expected createSpec options", "got null");
    const o = { input: { kind: "features" as const, features: 3 }, cell: "gru" as const, task: { target: "regression" as const, perStep: false, outputs: 1 } };
    throwsWith(() => createSpec({ ...o, hiddenSize: 1.5 }), OptionError, "createSpec: hiddenSize: expected a positive integer, got 1.5");
    throwsWith(() => createSpec({ ...o, hiddenSize: 4, cellOptions: any({ hiddenSize: 5 }) }), OptionError, "cellOptions.hiddenSize");
    throwsWith(() => createSpec({ ...o, hiddenSize: 4, cellOptions: any({ rest: "before" }) }), OptionError, 'unknown option "rest"');
  });
});

describe("fit and evaluate refuse bad arguments", () => {
  const model = new Model(tinySpec());
  const set = { x: new Float32Array(2 * 5 * 3), count: 2, steps: 5, features: 3, y: new Float32Array(4), target: "regression" as const, perStep: false, outputs: 2 };
  it("fit without a model, data or options", async () => {
    await rejectsWith(fit(any(null), set, { epochs: 1, batchSize: 1 }), OptionError, "fit: expected a Model", "got null");
    await rejectsWith(fit(model, any(undefined), { epochs: 1, batchSize: 1 }), ShapeError, "fit: training data", "expected a SequenceSet", "got nothing");
    await rejectsWith(fit(model, set, any(undefined)), OptionError, "fit: expected options");
    await rejectsWith(fit(model, set, any({ epochs: 1, batchSize: 1, epoch: 3 })), OptionError, 'unknown option "epoch"');
  });
  it("a set whose arrays disagree with its counts", async () => {
    await rejectsWith(fit(model, { ...set, x: new Float32Array(7) }, { epochs: 1, batchSize: 1 }), ShapeError, "x must hold 30 values", "got 7");
    await rejectsWith(fit(model, { ...set, y: any([1, 2, 3, 4]) }, { epochs: 1, batchSize: 1 }), ShapeError, "y of a regression target must be a Float32Array");
  });
  it("evaluate(model, null) and a batch size of 0 (which looped forever)", () => {
    throwsWith(() => evaluate(model, any(null)), ShapeError, "evaluate: data", "got null");
    throwsWith(() => evaluate(model, set, 0), OptionError, "evaluate: batchSize must be a positive integer, got 0");
  });
});

// ---- model files and checkpoints ----------------------------------------------------------

/** A model file with its spec (and optionally a tensor) edited. */
function editFile(bytes: Uint8Array, edit: (spec: Record<string, any>) => void, tensor?: (name: string, t: SafeTensor) => SafeTensor["data"]): Uint8Array {
  const f = decodeSafetensors(bytes);
  const spec = JSON.parse(f.metadata.model!);
  edit(spec);
  const tensors = [...f.tensors].map(([n, t]) => [n, { shape: t.shape, data: tensor ? tensor(n, t) : t.data }] as [string, { shape: readonly number[]; data: SafeTensor["data"] }]);
  return encodeSafetensors(tensors, { ...f.metadata, model: JSON.stringify(spec) });
}

describe("model files: the spec is checked against the schema, naming the field", () => {
  const bytes = encodeModel(new Model(tinySpec(), { seed: 1 }));
  const refused = (edit: (s: Record<string, any>) => void, ...parts: string[]) => throwsWith(() => decodeModel(editFile(bytes, edit)), FormatError, "model file: ", ...parts);
  it("the file as written loads", () => assert.deepEqual(decodeModel(bytes).spec, tinySpec()));
  it("a spec without task", () => refused((s) => delete s.task, "model file: task: expected a task {target, perStep, outputs, loss}, got nothing"));
  it("directions = 0", () => refused((s) => (s.layers[1].directions = 0), 'model file: layers[1].directions: expected a non-empty array of "forward" | "reverse", got 0'));
  it("layers that are not an array", () => refused((s) => (s.layers = { 0: s.layers[0] }), "layers: expected a non-empty array of layers"));
  it("an unknown layer kind", () => refused((s) => (s.layers[2].kind = "conv"), "layers[2].kind", "valid kinds: dense, embedding", '"conv"'));
  it("an unknown key in a layer", () => refused((s) => (s.layers[2].activaton = "Relu"), "layers[2].activaton: unknown key in a dense layer", "valid keys: kind, inputSize, outputSize, activation"));
  it("an unknown cell option (a typo is never ignored)", () => refused((s) => (s.layers[0].resett = "before"), "layers[0]", 'unknown option "resett"', "reset"));
  it("a cell option of the wrong type, checked before the cell reads it", () => refused((s) => (s.layers[0].clip = { at: 1 }), "layers[0].clip: expected a cell option"));
  it("a string normalisation", () => refused((s) => (s.data = { normalisation: "z-score" }), 'data.normalisation: expected a normalisation {mean, std}, got "z-score"'));
  it("a forecaster without data.window", () =>
    refused((s) => (s.data = { horizon: 2, targetColumns: [0], normalisation: { mean: [0, 0, 0], std: [1, 1, 1] } }), "data.window", "forecaster", "window is missing"));
  it("a loss that does not fit the target", () => refused((s) => (s.task.loss = { name: "cross-entropy", delta: 1 }), "task.loss.name", "does not fit a regression target"));
  it("a version this gated does not read", () => refused((s) => (s.version = 2), "version 2 is not supported"));
  it("NaN in a tensor is refused with its name; allowNonFinite loads it", () => {
    const bad = editFile(bytes, () => {}, (n, t) => (n === "2.dense.W" ? Float32Array.from(t.data as Float32Array, (v, i) => (i === 3 ? NaN : v)) : t.data));
    throwsWith(() => decodeModel(bad), FormatError, '"2.dense.W"', "NaN", "index 3", "allowNonFinite");
    const m = decodeModel(bad, "model file", { allowNonFinite: true });
    assert.ok(Number.isNaN(m.net.view("2.dense.W")[3]!));
  });
  it("every committed gated model file still loads (the schema describes what gated writes)", () => {
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    let n = 0;
    for (const p of walk("test/fixtures").filter((p) => p.endsWith(".safetensors"))) {
      const b = new Uint8Array(readFileSync(p));
      if (decodeSafetensors(b, p).metadata.format !== "gated-model") continue;
      decodeModel(b, p);
      n++;
    }
    assert.ok(n >= 30, `only ${n} model files found`);
  });
});

describe("checkpoints: every part is checked before fit could use it", () => {
  const model = new Model(tinySpec(), { seed: 1 });
  const rng = new Rng(3);
  const bytes = encodeCheckpoint({
    spec: model.spec, params: model.net.params.slice(), optimizer: new Optimizer(model.net.paramCount, { kind: "adam" }).state(),
    train: {
      epoch: 1, batch: 2, step: 7, order: Int32Array.of(1, 0), shuffleRng: rng.getState(), dropoutRng: rng.getState(), running: [0, 0, 0, 0, 0],
      epochSeconds: 0.5, history: [{ epoch: 0, train: { loss: Infinity, count: 2 }, lr: 0.001, seconds: 0.1 }], best: { loss: Infinity, epoch: -1, bad: 0 }, bestParams: null,
    },
  });
  const edited = (key: string, edit: (j: any) => void): Uint8Array => {
    const f = decodeSafetensors(bytes);
    const j = JSON.parse(f.metadata[key]!);
    edit(j);
    return encodeSafetensors([...f.tensors].map(([n, t]) => [n, { shape: t.shape, data: t.data }]), { ...f.metadata, [key]: JSON.stringify(j) });
  };
  it("the checkpoint as written reads back (a non-finite metric comes back as NaN)", () => {
    const c = decodeCheckpoint(bytes);
    assert.equal(c.train.epoch, 1);
    assert.equal(c.train.best.loss, Infinity);
    assert.ok(Number.isNaN(c.train.history[0]!.train.loss));
  });
  it("a generator state that is not an array", () =>
    throwsWith(() => decodeCheckpoint(edited("train", (t) => (t.shuffleRng = 5))), FormatError, "checkpoint: train.shuffleRng: expected a generator state", "got 5"));
  it("epoch: [1e12]", () =>
    throwsWith(() => decodeCheckpoint(edited("train", (t) => (t.epoch = [1e12]))), FormatError, "checkpoint: train.epoch: expected a non-negative integer, got [1000000000000]"));
  it("an unknown optimiser, a bad history record, a bad spec", () => {
    throwsWith(() => decodeCheckpoint(edited("optimizer", (o) => (o.kind = "adagrad"))), FormatError, "optimizer.kind", '"adagrad"');
    throwsWith(() => decodeCheckpoint(edited("history", (h) => (h[0].train.count = -1))), FormatError, "history[0].train.count", "non-negative integer");
    throwsWith(() => decodeCheckpoint(edited("model", (s) => (s.layers[1].directions = []))), FormatError, "checkpoint: model: layers[1].directions");
  });
});

describe("exported layer classes and makeCell take an options object", () => {
  it("null, a number or an array is an OptionError naming the class, never a TypeError", async () => {
    const { Dense, Embedding, Dropout, LayerNorm, LastStep, RecurrentLayer, makeCell, OptionError: OE } = await import("../src/index.js");
    const make: [string, (o: unknown) => unknown][] = [
      ["dense", (o) => new Dense(o as never)], ["embedding", (o) => new Embedding(o as never)], ["dropout", (o) => new Dropout(o as never)],
      ["layer-norm", (o) => new LayerNorm(o as never)], ["last-step", (o) => new LastStep(o as never)],
      ["recurrent layer", (o) => new RecurrentLayer(o as never)], ["gru cell", (o) => makeCell("gru", o as never)],
    ];
    for (const [name, f] of make) {
      for (const bad of [null, 3, [], undefined]) {
        assert.throws(() => f(bad), (e: unknown) => e instanceof OE && e.message.startsWith(`${name}: expected an options object`), `${name}(${String(bad)})`);
      }
    }
  });
});
