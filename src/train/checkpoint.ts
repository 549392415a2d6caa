/**
 * Training checkpoints: everything fit() needs to continue a run bit-identically, as one
 * safetensors byte stream (tensors: params, optimiser slots, the epoch's order, the best
 * parameters for early stopping; metadata: the model spec and the loop's counters as JSON).
 * Reading checks every part (the spec against the model schema, the counters against
 * checkpoint-schema.ts). Writing them to disk atomically is Node's business (node/files.ts).
 */
import type { GenericSchema } from "valibot";
import { FormatError } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import type { ModelSpec } from "../model/model.js";
import { checkModelSpec, validate } from "../model/schema.js";
import { SLOTS, historyMeta, optimizerMeta, trainMeta } from "./checkpoint-schema.js";
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

/**
 * Reads a checkpoint back; every part is checked before fit() could use it: the model spec against
 * the model schema, the counters against checkpoint-schema.ts, the tensors' types and lengths
 * (params, the optimiser's slots for its kind, the best parameters) and the row order. Anything
 * else is a FormatError naming the field.
 */
export function decodeCheckpoint(bytes: Uint8Array, where = "checkpoint"): Checkpoint {
  const f = decodeSafetensors(bytes, where);
  if (f.metadata.format !== FORMAT) throw new FormatError(`${where}: not a gated checkpoint (metadata format is ${JSON.stringify(f.metadata.format)})`);
  const json = <T>(key: string, schema: GenericSchema | null): T => {
    let value: unknown;
    try {
      value = JSON.parse(f.metadata[key] ?? "");
    } catch {
      throw new FormatError(`${where}: metadata "${key}" is missing or not JSON`);
    }
    return schema ? validate<T>(schema, value, where, FormatError, key) : checkModelSpec<T>(value, `${where}: model`, FormatError);
  };
  const tensor = (name: string) => {
    const t = f.tensors.get(name);
    if (!t) throw new FormatError(`${where}: missing tensor "${name}"`);
    return t.data;
  };
  const spec = json<ModelSpec>("model", null);
  const opt = json<{ kind: OptimizerKind; step: number }>("optimizer", optimizerMeta);
  const train = json<Omit<TrainState, "order" | "bestParams" | "history" | "best"> & { best: { loss: string; epoch: number; bad: number } }>("train", trainMeta);
  const history = json<EpochRecord[]>("history", historyMeta);
  const params = tensor("params");
  const order = tensor("order");
  if (!(params instanceof Float32Array || params instanceof Float64Array)) throw new FormatError(`${where}: params must be F32 or F64`);
  if (!(order instanceof Int32Array)) throw new FormatError(`${where}: order must be I32`);
  const bad = order.findIndex((r) => r < 0);
  if (bad >= 0) throw new FormatError(`${where}: order[${bad}] is ${order[bad]}; expected a row index (≥ 0)`);
  const slots: Record<string, Float64Array> = {};
  for (const [name, t] of f.tensors) {
    if (!name.startsWith("optimizer.")) continue;
    const slot = name.slice("optimizer.".length);
    if (!SLOTS[opt.kind]!.includes(slot)) throw new FormatError(`${where}: tensor "${name}": optimiser "${opt.kind}" keeps ${SLOTS[opt.kind]!.map((n) => `"optimizer.${n}"`).join(", ")}`);
    if (!(t.data instanceof Float64Array)) throw new FormatError(`${where}: optimiser slot "${name}" must be F64`);
    if (t.data.length !== params.length) throw new FormatError(`${where}: optimiser slot "${name}" holds ${t.data.length} values, params ${params.length}`);
    slots[slot] = t.data;
  }
  const best = f.tensors.get("bestParams")?.data;
  if (best !== undefined && !(best.constructor === params.constructor && best.length === params.length)) {
    throw new FormatError(`${where}: bestParams must be like params (${params.length} ${params instanceof Float64Array ? "F64" : "F32"} values)`);
  }
  return {
    spec,
    params,
    optimizer: { kind: opt.kind, step: opt.step, slots },
    train: {
      ...train, best: { ...train.best, loss: Number(train.best.loss) }, order,
      bestParams: best instanceof Float32Array || best instanceof Float64Array ? best : null,
      history: history.map(finiteRecord),
    },
  };
}

/** JSON writes a non-finite metric as null: it comes back as NaN, a number as the types say. */
function finiteRecord(r: EpochRecord): EpochRecord {
  const fix = <T extends object>(m: T): T => Object.fromEntries(Object.entries(m).map(([k, x]) => [k, x === null ? NaN : x])) as T;
  return fix({ ...r, train: fix(r.train), ...(r.validation ? { validation: fix(r.validation) } : {}) });
}
