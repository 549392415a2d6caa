// The 10-step run whose losses are recorded in test/fixtures/train/ten-steps.json.
import { loadDataset } from "../../src/data/index.js";
import { createSpec, Model } from "../../src/model/model.js";
import { fit } from "../../src/train/fit.js";

/** The run on one backend: "reference" (the oracle, whose losses are recorded) or "wasm". */
export async function tenStepRun(backend: "reference" | "wasm" = "reference"): Promise<number[]> {
  const data = await loadDataset("copy", { symbols: 3, delay: 4, alphabet: 4, count: 80, validationCount: 8, testCount: 8, seed: 123 });
  const model = new Model(createSpec({
    input: { kind: "tokens", vocabularySize: data.train.features }, embedding: 5, cell: "gru", hiddenSize: 8, layers: 2, dropout: 0.1,
    task: { target: "class", perStep: true, outputs: data.train.outputs },
  }), { seed: 123, backend });
  const losses: number[] = [];
  await fit(model, data.train, {
    epochs: 1, batchSize: 8, seed: 123, optimizer: { kind: "adam", lr: 0.02 }, clipNorm: 5,
    onBatch: (b) => losses.push(b.loss),
  });
  return losses;
}
