/**
 * Keras model configurations as TensorFlow.js (model.json "modelTopology") and Keras 3
 * (config.json) write them, reduced to one list of layers in order. Sequential models, and
 * functional models whose layers form a chain (each reads the one before), are accepted; anything
 * else is refused with the reason.
 */
import { FormatError, OptionError } from "../../errors/index.js";

export interface KerasLayer {
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly name: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** One serialised layer ({class_name, config}) as a KerasLayer. */
export function kerasLayer(where: string, raw: unknown): KerasLayer {
  if (!isObj(raw) || typeof raw.class_name !== "string" || !isObj(raw.config)) {
    throw new FormatError(`${where}: a layer must be an object with "class_name" and "config", got ${JSON.stringify(raw)?.slice(0, 80)}`);
  }
  const name = typeof raw.config.name === "string" ? raw.config.name : typeof raw.name === "string" ? raw.name : raw.class_name;
  return { className: raw.class_name, config: raw.config, name };
}

/** The model's layers in order, from a modelTopology / config.json object. */
export function kerasLayers(where: string, topology: unknown): KerasLayer[] {
  let t = topology;
  if (isObj(t) && isObj(t.model_config)) t = t.model_config; // Keras-converted TF.js models
  if (!isObj(t) || typeof t.class_name !== "string") throw new FormatError(`${where}: the model configuration has no "class_name"`);
  const cfg = t.config;
  const list = Array.isArray(cfg) ? cfg : isObj(cfg) && Array.isArray(cfg.layers) ? cfg.layers : null;
  if (!list) throw new FormatError(`${where}: the model configuration has no layer list`);
  const layers = list.map((l, i) => kerasLayer(`${where}: layer ${i}`, l));
  if (t.class_name === "Sequential") return layers;
  if (t.class_name === "Model" || t.class_name === "Functional") {
    checkChain(where, list as Record<string, unknown>[], layers);
    return layers;
  }
  throw new OptionError(`${where}: model class "${t.class_name}" is not supported (Sequential, or a functional Model that is a chain of layers)`);
}

/** The names of the layers a functional layer reads (TF.js / Keras 2 and Keras 3 forms). */
function inboundNames(l: Record<string, unknown>): string[] {
  const nodes = l.inbound_nodes;
  if (!Array.isArray(nodes)) return [];
  const names: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (typeof v[0] === "string" && typeof v[1] === "number") { names.push(v[0]); return; }
      v.forEach(visit);
    } else if (isObj(v)) {
      const hist = isObj(v.config) ? v.config.keras_history : undefined;
      if (Array.isArray(hist) && typeof hist[0] === "string") { names.push(hist[0]); return; }
      Object.values(v).forEach(visit);
    }
  };
  visit(nodes);
  return names;
}

function checkChain(where: string, raw: Record<string, unknown>[], layers: KerasLayer[]): void {
  layers.forEach((l, i) => {
    const inbound = inboundNames(raw[i]!);
    const expected = i === 0 ? [] : [layers[i - 1]!.name];
    if (JSON.stringify(inbound) !== JSON.stringify(expected)) {
      throw new OptionError(`${where}: layer "${l.name}" reads [${inbound.join(", ")}]; gated models are chains where each layer reads the one before (${expected.join(", ") || "the input"})`);
    }
  });
}

/** The inner layer of a Bidirectional wrapper, in either serialisation. */
export function innerLayer(where: string, l: KerasLayer, key: "layer" | "backward_layer"): KerasLayer | null {
  const v = l.config[key];
  if (v === undefined || v === null) return null;
  return kerasLayer(`${where}: ${key}`, v);
}

/** The [batch, …] input shape a layer declares, if any. */
export function declaredInputShape(l: KerasLayer): (number | null)[] | null {
  const s = l.config.batch_input_shape ?? l.config.batch_shape;
  return Array.isArray(s) ? (s as (number | null)[]) : null;
}
