// Child process of resume.test.ts: trains a small GRU with a checkpoint after every step,
// resuming from the checkpoint when one exists; writes the final parameters to <out>.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDataset } from "../../src/data/index.js";
import { createSpec, Model } from "../../src/model/model.js";
import { loadCheckpoint, saveCheckpoint } from "../../src/node/files.js";
import { fit } from "../../src/train/fit.js";

const [dir, out] = process.argv.slice(2) as [string, string];
const data = await loadDataset("adding", { steps: 12, count: 240, validationCount: 40, testCount: 1, seed: 5 });
const model = new Model(createSpec({
  input: { kind: "features", features: 2 }, cell: "gru", hiddenSize: 6, dropout: 0.2,
  task: { target: "regression", perStep: false, outputs: 1 },
}), { seed: 2 });
const ckpt = join(dir, "checkpoint.safetensors");
await fit(model, data.train, {
  epochs: 4, batchSize: 16, seed: 11, validation: data.validation!, optimizer: { kind: "adamw", lr: 0.01 },
  schedule: { kind: "cosine", total: 60 }, clipNorm: 1,
  ...(existsSync(ckpt) ? { resume: loadCheckpoint(ckpt) } : {}),
  checkpoint: { everySteps: 1, everyEpoch: true, write: (c) => saveCheckpoint(ckpt, c) },
});
writeFileSync(out, new Uint8Array(model.net.params.buffer, model.net.params.byteOffset, model.net.params.byteLength));
