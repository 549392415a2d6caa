// A checkpoint keeps every metric evaluate() gives in its history: a distribution head's interval
// scores (coverage80/95, pinball, CRPS) and a ctc model's PER come back from the bytes unchanged
// (the schema once refused the first, so such a run could not be resumed).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadDataset } from "../../src/data/index.js";
import { createSpec, Model } from "../../src/model/model.js";
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from "../../src/train/checkpoint.js";
import { fit } from "../../src/train/fit.js";

describe("checkpoint history metrics", () => {
  it("a distribution head's validation metrics survive encode → decode", async () => {
    const d = await loadDataset("co2", { window: 12 });
    const model = new Model(createSpec({
      input: { kind: "features", features: d.train.features }, cell: "gru", hiddenSize: 4,
      task: { target: "regression", perStep: false, outputs: d.train.outputs, distribution: "gaussian" },
    }), { seed: 1 });
    let saved: Checkpoint | undefined;
    await fit(model, d.train, { epochs: 1, batchSize: 64, validation: d.validation!, checkpoint: { everyEpoch: true, write: (c) => { saved = c; } } });
    const v = saved!.train.history[0]!.validation!;
    assert.ok(v.coverage80 !== undefined && v.coverage95 !== undefined && v.pinball !== undefined && v.crps !== undefined);
    const back = decodeCheckpoint(encodeCheckpoint(saved!));
    assert.deepEqual(back.train.history[0]!.validation, v);
  });
});
