/**
 * The adding problem as a fixed Dataset (sequences from addingBatch in adding.ts, made batch-major):
 * x [S, T, 2] (value, marker), y [S, 1] the sum of the two marked values; regression.
 * Predicting the mean 1 always gives MSE 1/6 ≈ 0.167.
 */
import { addingBatch } from "./adding.js";
import { DATASETS } from "./catalog.js";
import { partCounts, type GeneratedOptions } from "./generated.js";
import { optInt } from "./options.js";
import type { Dataset, SequenceSet } from "./types.js";
import { Rng } from "../util/random.js";

export interface AddingOptions extends GeneratedOptions {
  /** Steps per sequence T (default 50). */
  steps?: number;
}

export function addingDataset(options: AddingOptions = {}): Dataset {
  const info = DATASETS.adding;
  const counts = partCounts("adding", options, info.options);
  const T = optInt("adding", "steps", options.steps, 50, 2);
  const rng = new Rng(counts.seed);
  const part = (S: number) => addingSequences(rng, T, S);
  return {
    name: "adding",
    description: `${info.description}; T ${T}`,
    source: info.source,
    license: info.license,
    train: part(counts.train),
    ...(counts.validation > 0 ? { validation: part(counts.validation) } : {}),
    ...(counts.test > 0 ? { test: part(counts.test) } : {}),
  };
}

export function addingSequences(rng: Rng, T: number, S: number): SequenceSet {
  const batch = addingBatch(rng, T, S); // x [T, S, 2]
  const x = new Float32Array(S * T * 2); // [S, T, 2]
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < S; s++) {
      x[(s * T + t) * 2] = batch.x[(t * S + s) * 2]!;
      x[(s * T + t) * 2 + 1] = batch.x[(t * S + s) * 2 + 1]!;
    }
  }
  return { x, count: S, steps: T, features: 2, y: batch.y, target: "regression", perStep: false, outputs: 1 };
}
