// Float64 central-difference checks of whole models: every parameter of every layer kind
// (embedding, recurrent, layer norm, dropout with a fixed mask, last step, dense) under every loss.
import { describe, it } from "node:test";
import type { SequenceSet } from "../../src/data/types.js";
import { createSpec, Model, type CreateOptions } from "../../src/model/model.js";
import { gatherBatch } from "../../src/train/batches.js";
import { computeLoss } from "../../src/train/losses.js";
import { Rng } from "../../src/util/random.js";
import { modelGradCheck } from "../helpers/model-gradcheck.js";

function randomSet(o: CreateOptions, S: number, T: number, seed: number, lengths?: number[]): SequenceSet {
  const rng = new Rng(seed);
  const F = o.input.kind === "features" ? o.input.features : o.input.vocabularySize;
  const x = o.input.kind === "tokens" ? Int32Array.from({ length: S * T }, () => rng.int(F)) : Float32Array.from({ length: S * T * F }, () => rng.range(-1, 1));
  const P = o.task.perStep ? S * T : S, O = o.task.outputs;
  const y = o.task.target === "class" ? Int32Array.from({ length: P }, () => rng.int(O))
    : Float32Array.from({ length: P * O }, () => (o.task.loss === "binary-cross-entropy" ? (rng.uniform() < 0.5 ? 0 : 1) : rng.range(-1, 1)));
  return { x, count: S, steps: T, features: F, y, target: o.task.target, perStep: o.task.perStep, outputs: O, ...(lengths ? { lengths: Int32Array.from(lengths) } : {}) };
}

function check(o: CreateOptions, lengths?: number[]): number {
  const model = new Model(createSpec(o), { dtype: "float64", seed: 4 });
  const net = model.net;
  const set = randomSet(o, 3, 5, 9, lengths);
  const b = gatherBatch(net.kernels, set, [0, 1, 2]);
  const task = model.spec.task;
  const loss = (withGrad: boolean): number => {
    const ctx = net.context(true, new Rng(5)); // the same dropout mask every time
    const out = net.forward(b.input, ctx);
    const dy = withGrad ? net.kernels.alloc(out.data.length) : null;
    const r = computeLoss(task.loss, { y: out.data, T: out.T, B: out.B, O: out.F, target: b.target, lengths: task.perStep ? b.lengths : null }, dy);
    if (dy) { net.zeroGrads(); net.backward(dy, ctx); }
    return r.loss;
  };
  return modelGradCheck(net, loss).worst;
}

describe("model gradient check (float64, every parameter)", () => {
  it("tokens → embedding → GRU → layer norm → dense, per-step cross-entropy with lengths", () => void check({
    input: { kind: "tokens", vocabularySize: 7 }, embedding: 4, cell: "gru", hiddenSize: 3, layerNorm: true,
    task: { target: "class", perStep: true, outputs: 7 },
  }, [5, 3, 1]));
  it("features → bidirectional LSTM → dropout → last step → dense(Tanh) → dense, MSE", () => void check({
    input: { kind: "features", features: 2 }, cell: "lstm", hiddenSize: 3, direction: "bidirectional", dropout: 0.3, head: [4], headActivation: "Tanh",
    task: { target: "regression", perStep: false, outputs: 2, loss: "mse" },
  }, [5, 2, 4]));
  it("2-layer MGU, variational dropout, Huber", () => void check({
    input: { kind: "features", features: 2 }, cell: "mgu", hiddenSize: 3, layers: 2, dropout: 0.4, dropoutMask: "sequence",
    task: { target: "regression", perStep: false, outputs: 1, loss: { name: "huber", delta: 0.3 } },
  }));
  it("LiGRU (batch norm) per step, MAE", () => void check({
    input: { kind: "features", features: 2 }, cell: "ligru", hiddenSize: 3,
    task: { target: "regression", perStep: true, outputs: 2, loss: "mae" },
  }, [5, 4, 2]));
  it("reverse minGRU, binary cross-entropy", () => void check({
    input: { kind: "features", features: 3 }, cell: "mingru", hiddenSize: 4, direction: "reverse",
    task: { target: "regression", perStep: false, outputs: 2, loss: "binary-cross-entropy" },
  }));
  it("sequence classification, cross-entropy per sequence", () => void check({
    input: { kind: "features", features: 2 }, cell: "gru", hiddenSize: 3, head: [5],
    task: { target: "class", perStep: false, outputs: 4 },
  }, [2, 5, 3]));
});
