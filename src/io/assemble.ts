/**
 * The last step of every importer: a list of layers (configuration plus parameter blocks by
 * name) becomes a gated Model. Consecutive one-layer recurrent layers with the same options are
 * merged into one stack (the same network: a stack is layers in sequence); every parameter is
 * copied into the model's flat buffer by its entry name; an invalid combination is a FormatError.
 * A NaN or infinite parameter is refused here, naming the layer and parameter, for every importer
 * (unless `allowNonFinite`): it would make every prediction NaN without an error.
 */
import { FormatError, GatedError } from "../errors/index.js";
import { checkFinite, type NonFiniteOption } from "./finite.js";
import type { LayerConfig } from "../layers/sequential.js";
import { Model, type InputSpec, type ModelSpec, type OriginInfo } from "../model/model.js";
import { resolveLoss, type LossName } from "../train/losses.js";

export interface LayerOut {
  readonly config: LayerConfig;
  readonly params: ReadonlyMap<string, ArrayLike<number>>;
}

export interface AssembleTask {
  readonly target: "regression" | "class";
  readonly perStep: boolean;
  readonly outputs: number;
  readonly loss?: LossName;
}

export function assembleModel(where: string, input: InputSpec, layers: readonly LayerOut[], task: AssembleTask, origin?: OriginInfo, opts: NonFiniteOption = {}): Model {
  const merged = mergeStacks(layers);
  if (merged.length === 0) throw new FormatError(`${where}: the model has no layer gated can hold`);
  const spec: ModelSpec = {
    format: "gated-model", version: 1, input, layers: merged.map((l) => l.config),
    task: { target: task.target, perStep: task.perStep, outputs: task.outputs, loss: resolveLoss(where, task.loss ?? (task.target === "class" ? "cross-entropy" : "mse")) },
    ...(origin ? { origin } : {}),
  };
  let model: Model;
  try {
    model = new Model(spec, { init: "none" });
  } catch (e) {
    if (e instanceof GatedError) throw new FormatError(`${where}: the layers do not form a gated model: ${e.message}`);
    throw e;
  }
  merged.forEach((l, i) => {
    for (const [name, v] of l.params) {
      const view = model.net.view(`${i}.${l.config.kind}.${name}`);
      if (v.length !== view.length) throw new FormatError(`${where}: layer ${i} (${l.config.kind}) parameter "${name}" needs ${view.length} values, got ${v.length}`);
      if (!opts.allowNonFinite) checkFinite(`${where}: layer ${i} (${l.config.kind})`, name, v, "parameter");
      view.set(v);
    }
  });
  model.net.markChanged();
  return model;
}

/** Consecutive single-layer recurrent layers with the same options become one stack. */
export function mergeStacks(layers: readonly LayerOut[]): LayerOut[] {
  const out: LayerOut[] = [];
  for (const l of layers) {
    const prev = out[out.length - 1];
    if (prev && prev.config.kind === "recurrent" && l.config.kind === "recurrent" && (l.config.layers ?? 1) === 1 && sameStack(prev.config, l.config)) {
      const k = (prev.config.layers as number | undefined) ?? 1;
      const params = new Map(prev.params);
      for (const [name, v] of l.params) params.set(name.replace(/^layer0\./, `layer${k}.`), v);
      out[out.length - 1] = { config: { ...prev.config, layers: k + 1 }, params };
    } else {
      out.push(l);
    }
  }
  return out;
}

function sameStack(a: LayerConfig, b: LayerConfig): boolean {
  const strip = ({ inputSize: _i, layers: _l, ...rest }: LayerConfig) => JSON.stringify(rest);
  const D = a.direction === "bidirectional" ? 2 : 1;
  return strip(a) === strip(b) && b.inputSize === D * (a.hiddenSize as number);
}
