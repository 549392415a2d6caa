/**
 * A model's precision: its recurrent layers in float32 (the default) or in dynamic int8 (each
 * recurrent layer's `precision: "int8"`, saved with the model; see Recurrent's StackOptions.precision
 * for the arithmetic). The file keeps the float32 weights either way: the weights are quantised
 * when a forward starts (deterministic, so a saved int8 model gives the same outputs each time it
 * is loaded), and the same file runs in float32 again with { precision: "float32" }:
 * Model.fromBytes(bytes, { precision }) converts either way (a model in memory: its toBytes()).
 *
 * int8 covers the GRU family and the LSTM with σ gates, tanh and no clip, on the native kernels
 * (8-bit activations) or the WebAssembly kernels' relaxed-SIMD build (7-bit activations,
 * wasm/int8.ts); the other layers (embeddings, dense heads) stay float32.
 */
import { OptionError } from "../errors/index.js";
import type { LayerConfig } from "../layers/sequential.js";
import type { Precision } from "../sequence/recurrent.js";
import type { ModelSpec } from "./model.js";

export type { Precision } from "../sequence/recurrent.js";

const INT8_CELLS = ["gru", "gru1", "gru2", "gru3", "mgu", "mgu1", "mgu2", "mgu3", "lstm"];

/** Why int8 cannot run this recurrent layer, or null when it can. */
function int8Refusal(l: LayerConfig): string | null {
  const cell = String(l.cell);
  if (!INT8_CELLS.includes(cell)) return `a ${cell} layer (int8 covers the GRU family and the LSTM)`;
  if (l.clip !== undefined && l.clip !== null) return `a ${cell} layer with a clip`;
  for (const k of ["gateActivation", "candidateActivation", "outputActivation"] as const) {
    const a = l[k] as string | { name?: string } | undefined;
    const name = typeof a === "string" ? a : a?.name;
    if (name !== undefined && name !== (k === "gateActivation" ? "Sigmoid" : "Tanh")) return `a ${cell} layer whose ${k} is ${name}`;
  }
  return null;
}

/**
 * The spec with every recurrent layer in `precision`. "int8" refuses a model whose recurrent layers
 * it cannot all cover (naming the first), or one with no recurrent layer.
 */
export function specWithPrecision(spec: ModelSpec, precision: Precision): ModelSpec {
  if (precision !== "float32" && precision !== "int8") throw new OptionError(`precision: expected "float32" or "int8", got ${JSON.stringify(precision)}`);
  let recurrent = 0;
  const layers = spec.layers.map((l, i) => {
    if (l.kind !== "recurrent") return l;
    recurrent++;
    const { precision: _old, ...rest } = l as LayerConfig & { precision?: unknown };
    if (precision === "float32") return rest as LayerConfig;
    const why = int8Refusal(l);
    if (why) throw new OptionError(`precision "int8": layers[${i}] is ${why}; int8 runs the GRU family and the LSTM with σ gates, tanh and no clip`);
    return { ...rest, precision: "int8" } as LayerConfig;
  });
  if (precision === "int8" && recurrent === 0) throw new OptionError(`precision "int8": the model has no recurrent layer to quantise`);
  return { ...spec, layers };
}

/** The precision of a spec's recurrent layers: "int8" when any of them runs in int8. */
export function precisionOf(spec: ModelSpec): Precision {
  return spec.layers.some((l) => l.kind === "recurrent" && l.precision === "int8") ? "int8" : "float32";
}

/**
 * The Keras, TF.js and PyTorch exporters write float32 weights and float32 operations: an int8
 * model would come out computing other outputs than it does here, so it is refused, naming the
 * way to its float32 form. (ONNX writes it as itself: src/io/onnx/int8-product.ts.)
 */
export function refuseInt8Export(where: string, spec: ModelSpec): void {
  if (precisionOf(spec) !== "int8") return;
  throw new OptionError(`${where}: this model runs its recurrent layers in int8, which ${where} does not write (it would compute float32 outputs, not this model's); export its float32 form: Model.fromBytes(bytes, { precision: "float32" }), or gated quantize MODEL --precision float32 --out FILE`);
}
