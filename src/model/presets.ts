/**
 * createSpec: the common shape as one preset of the builder (builder.ts),
 *   [embedding] → recurrent stack → [layer norm] → [dropout] → [last step] → [dense head...] → dense
 *   (or, with task.distribution, a distribution head of `outputs` targets),
 * writing exactly the spec it always wrote (model files and tests depend on it).
 */
import type { CellKind, CellOptionsByKind } from "../cells/index.js";
import { OptionError } from "../errors/index.js";
import type { ActivationSpec } from "../kernels/activations.js";
import type { Direction } from "../sequence/recurrent.js";
import type { LossName, LossSpec } from "../train/losses.js";
import type { DistributionOption } from "./distribution.js";
import { composeSpec, dense, distributionHead, dropout, embedding, lastStep, layerNorm, recurrent, type LayerDef } from "./builder.js";
import type { DataInfo, InputSpec, ModelSpec } from "./model.js";
import { createOptions, validate } from "./schema.js";

/** The common shape: [embedding] → recurrent stack → [layer norm] → [dropout] → [last step] → dense head. */
export interface CreateOptions<K extends CellKind = CellKind> {
  readonly input: InputSpec;
  /** Embedding width for token inputs (default 32). */
  readonly embedding?: number;
  readonly cell: K;
  readonly hiddenSize: number;
  readonly layers?: number;
  readonly direction?: Direction;
  /** Options of the cell (conventions, activations...). */
  readonly cellOptions?: Partial<Omit<CellOptionsByKind[K], "inputSize" | "hiddenSize">>;
  /** Recurrent dropout inside the recurrent layers: one mask per sequence (Gal & Ghahramani). */
  readonly recurrentDropout?: number;
  readonly layerNorm?: boolean;
  /** Dropout rate after the recurrent stack, and its mask kind. */
  readonly dropout?: number;
  readonly dropoutMask?: "element" | "sequence";
  /** Hidden widths of the head before the output layer, and their activation (default Relu). */
  readonly head?: readonly number[];
  readonly headActivation?: string;
  readonly task: {
    readonly target: "regression" | "class"; readonly perStep: boolean; readonly outputs: number; readonly loss?: LossSpec | LossName;
    /** Forecast each output as a distribution (its last layer a distribution head; intervals from predict and forecast). */
    readonly distribution?: DistributionOption;
  };
  readonly data?: DataInfo;
}

/** Keys of the builder's recurrent layer that are not cell options. */
const BUILDER_KEYS = ["units", "returnSequences", "at"];

/** Throws an OptionError naming the option (createSpec's own) or the spec field that is invalid. */
export function createSpec<K extends CellKind>(o: CreateOptions<K>): ModelSpec {
  validate(createOptions, o, "createSpec");
  const own = Object.keys(o.cellOptions ?? {}).find((k) => BUILDER_KEYS.includes(k));
  if (own) throw new OptionError(`createSpec: cellOptions.${own}: unknown option "${own}" of a ${o.cell} cell`);
  const defs: LayerDef[] = [];
  if (o.input.kind === "tokens") defs.push(embedding({ units: o.embedding ?? 32 }));
  defs.push(recurrent({
    ...(o.cellOptions as object), cell: o.cell as CellKind, units: o.hiddenSize, layers: o.layers ?? 1, direction: o.direction ?? "forward",
    ...(o.recurrentDropout ? { recurrentDropout: o.recurrentDropout } : {}),
  }));
  if (o.layerNorm) defs.push(layerNorm());
  if (o.dropout) defs.push(dropout({ rate: o.dropout, mask: o.dropoutMask ?? "element" }));
  if (!o.task.perStep) defs.push(lastStep());
  for (const h of o.head ?? []) defs.push(dense({ units: h, activation: (o.headActivation ?? "Relu") as ActivationSpec }));
  defs.push(o.task.distribution ? distributionHead({ distribution: o.task.distribution, targets: o.task.outputs }) : dense({ units: o.task.outputs }));
  return composeSpec("createSpec", o.input, defs, o.task.target, o.task.loss, o.data);
}
