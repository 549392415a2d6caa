/**
 * sequential(input, layers, options): the model a composition describes (builder.ts makes its spec;
 * this file only builds it, so that the builder, the presets and Model import one another one way).
 */
import type { LayerDef, SequentialInput, SequentialOptions } from "./builder.js";
import { sequentialSpec } from "./builder.js";
import { Model } from "./model.js";
import { modelOptions, validate } from "./schema.js";

/** Builds the model: `options` also takes the model options dtype, seed, init, backend. */
export function sequential(config: SequentialInput, defs: readonly LayerDef[], o: SequentialOptions & ConstructorParameters<typeof Model>[1]): Model {
  const { task: _t, loss: _l, data: _d, ...modelOpts } = o ?? ({} as SequentialOptions);
  validate(modelOptions, modelOpts, "sequential options");
  return new Model(sequentialSpec(config, defs, o), modelOpts);
}
