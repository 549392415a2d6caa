/**
 * Training checkpoints: everything fit() needs to continue a run bit-identically, as one
 * safetensors byte stream (tensors: params, optimiser slots, the epoch's order, the best
 * parameters for early stopping; metadata: the model spec and the loop's counters as JSON).
 * Writing them to disk atomically is Node's business (node/checkpoints.ts).
 */
import { FormatError } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import type { ModelSpec } from "../model/model.js";
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from "../io/safetensors.js";
import type { EpochRecord } from "./fit.js";
import type { OptimizerKind, OptimizerState } from "./optimizers.js";

export interface TrainState {
  epoch: number;                       // current epoch (0-based)
  batch: number;                       // next batch of that epoch
  step: number;                        // optimiser updates done
  order: Int32Array;                   // the epoch's row order
  shuffleRng: [number, number, number, number];
  dropoutRng: [number, number, number, number];
  running: number[];                   // the epoch's metric sums so far
  epochSeconds: number;
  history: EpochRecord[];
  best: { loss: number; epoch: number; bad: number };
  bestParams: Vec | null;
}

export interface Checkpoint {
  readonly spec: ModelSpec;
  readonly params: Vec;
  readonly optimizer: OptimizerState;
  readonly train: TrainState;
}

const FORMAT = "gated-checkpoint";

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const { order, bestParams, history, best, ...counters } = c.train;
  const tensors: [string, { shape: number[]; data: SafeTensor["data"] }][] = [
    ["params", { shape: [c.params.length], data: c.params }],
    ["order", { shape: [order.length], data: order }],
  ];
  for (const [name, slot] of Object.entries(c.optimizer.slots)) tensors.push([`optimizer.${name}`, { shape: [slot.length], data: slot }]);
  if (bestParams) tensors.push(["bestParams", { shape: [bestParams.length], data: bestParams }]);
  return encodeSafetensors(tensors, {
    format: FORMAT,
    model: JSON.stringify(c.spec),
    optimizer: JSON.stringify({ kind: c.optimizer.kind, step: c.optimizer.step }),
    // Infinity does not survive JSON: the best loss is written as a string
    train: JSON.stringify({ ...counters, best: { ...best, loss: String(best.loss) } }),
    history: JSON.stringify(history),
  });
}

export function decodeCheckpoint(bytes: Uint8Array, where = "checkpoint"): Checkpoint {
  const f = decodeSafetensors(bytes, where);
  if (f.metadata.format !== FORMAT) throw new FormatError(`${where}: not a gated checkpoint (metadata format is ${JSON.stringify(f.metadata.format)})`);
  const json = (key: string): Record<string, unknown> => {
    try {
      return JSON.parse(f.metadata[key] ?? "") as Record<string, unknown>;
    } catch {
      throw new FormatError(`${where}: metadata "${key}" is missing or not JSON`);
    }
  };
  const tensor = (name: string) => {
    const t = f.tensors.get(name);
    if (!t) throw new FormatError(`${where}: missing tensor "${name}"`);
    return t.data;
  };
  const opt = json("optimizer") as { kind: OptimizerKind; step: number };
  const slots: Record<string, Float64Array> = {};
  for (const [name, t] of f.tensors) {
    if (!name.startsWith("optimizer.")) continue;
    if (!(t.data instanceof Float64Array)) throw new FormatError(`${where}: optimiser slot "${name}" must be F64`);
    slots[name.slice("optimizer.".length)] = t.data;
  }
  const train = json("train") as unknown as Omit<TrainState, "order" | "bestParams" | "history"> & { best: { loss: string; epoch: number; bad: number } };
  const params = tensor("params");
  const order = tensor("order");
  if (!(params instanceof Float32Array || params instanceof Float64Array)) throw new FormatError(`${where}: params must be F32 or F64`);
  if (!(order instanceof Int32Array)) throw new FormatError(`${where}: order must be I32`);
  const best = f.tensors.get("bestParams")?.data;
  return {
    spec: json("model") as unknown as ModelSpec,
    params,
    optimizer: { kind: opt.kind, step: opt.step, slots },
    train: {
      ...train, best: { ...train.best, loss: Number(train.best.loss) }, order,
      bestParams: best instanceof Float32Array || best instanceof Float64Array ? best : null,
      history: json("history") as unknown as EpochRecord[],
    },
  };
}
