/**
 * The schema of a checkpoint's JSON metadata (the model spec is checked by model/schema.ts, the
 * one schema of a model; these are the training loop's counters beside it), built from the same
 * pieces so a refusal reads the same: `checkpoint: train.epoch: expected a non-negative integer,
 * got [1000000000000]`. It describes what encodeCheckpoint writes:
 *
 *   optimizer  {kind, step}
 *   train      {epoch, batch, step, shuffleRng, dropoutRng, running, epochSeconds, best: {loss, epoch, bad}}
 *              (best.loss is a string: Infinity does not survive JSON)
 *   history    [{epoch, train: metrics, validation?: metrics, lr, seconds}]; a metric is a number or
 *              null (JSON writes a non-finite number as null)
 */
import * as v from "valibot";
import { choice, closed, finite, integer, leaf, listOf, nonNegInt } from "../model/schema.js";
import { OPTIMIZERS } from "./optimizers.js";

/** The optimiser slots each kind keeps (optimizers.ts). */
export const SLOTS: Readonly<Record<string, readonly string[]>> = { sgd: ["v"], adam: ["m", "v"], adamw: ["m", "v"], rmsprop: ["s", "b"] };

export const optimizerMeta = closed("optimizer state {kind, step}", { kind: choice(OPTIMIZERS, "an optimizer"), step: nonNegInt });

// a generator word is written as a signed or an unsigned 32-bit integer (setState reads both)
const word = leaf("a 32-bit integer (−2^31..2^32 − 1)", (m) => v.pipe(v.number(m), v.safeInteger(m), v.minValue(-(2 ** 31), m), v.maxValue(2 ** 32 - 1, m)));
const rngState = leaf("a generator state: an array of 4 32-bit integers", (m) => v.pipe(v.array(word, m), v.length(4, m)));
const lossText = leaf("a number written as a string (\"Infinity\" before the first epoch)", (m) =>
  v.pipe(v.string(m), v.check((s) => s.trim() !== "" && !Number.isNaN(Number(s)), m)));
const nonNegNumber = leaf("a non-negative number", (m) => v.pipe(v.number(m), v.finite(m), v.minValue(0, m)));
const bestEpoch = leaf("an epoch index (−1 before the first)", (m) => v.pipe(integer, v.minValue(-1, m)));

export const trainMeta = closed("the training counters {epoch, batch, step, shuffleRng, dropoutRng, running, epochSeconds, best}", {
  epoch: nonNegInt, batch: nonNegInt, step: nonNegInt, shuffleRng: rngState, dropoutRng: rngState,
  running: leaf("an array of 5 finite numbers (the epoch's metric sums)", (m) => v.pipe(v.array(finite, m), v.length(5, m))),
  epochSeconds: nonNegNumber,
  best: closed("the early-stopping record {loss, epoch, bad}", { loss: lossText, epoch: bestEpoch, bad: nonNegInt }),
});

const metric = leaf("a number (null for a non-finite one)", (m) => v.nullable(v.number(m)));
const metrics = closed("metrics {loss, count, accuracy?, perplexity?, mae?, rmse?, coverage80?, coverage95?, pinball?, crps?, per?}", {
  loss: metric, count: nonNegInt, accuracy: v.optional(metric), perplexity: v.optional(metric), mae: v.optional(metric), rmse: v.optional(metric),
  coverage80: v.optional(metric), coverage95: v.optional(metric), pinball: v.optional(metric), crps: v.optional(metric), // a distribution head's
  per: v.optional(metric), // a ctc model's
});

export const historyMeta = listOf("an array of epoch records", closed("an epoch record {epoch, train, validation?, lr, seconds}", {
  epoch: nonNegInt, train: metrics, validation: v.optional(metrics), lr: metric, seconds: metric,
}));
