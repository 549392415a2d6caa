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

/**
 * Typed reads of the config fields gated uses. Keras writes each with one JSON type; any other
 * (a number where an activation name belongs, a string for a flag) is a damaged or foreign config
 * and is refused naming the layer, the field, what was expected and what came, never replaced by
 * the default (a non-string activation read as the default changes every output).
 */
type Config = Readonly<Record<string, unknown>>;
const shown = (v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : JSON.stringify(v)?.slice(0, 60) ?? String(v));
const fieldError = (w: string, key: string, expected: string, v: unknown) => new FormatError(`${w}: config field "${key}" must be ${expected}, got ${shown(v)}`);

/** A boolean field; absent means `dflt`. */
export function boolField(w: string, c: Config, key: string, dflt: boolean): boolean {
  const v = c[key];
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw fieldError(w, key, "true or false", v);
  return v;
}

/** A string field; absent (or null where `nullable`) means `dflt`. */
export function stringField(w: string, c: Config, key: string, dflt: string, nullable = false): string {
  const v = c[key];
  if (v === undefined || (nullable && v === null)) return dflt;
  if (typeof v !== "string") throw fieldError(w, key, "a string", v);
  return v;
}

/** The largest count (units, vocabulary, embedding size) read: a corrupt one fails here, not in an allocation. */
export const MAX_COUNT = 1 << 24;

/** A positive integer field (units, input_dim...), required. */
export function countField(w: string, c: Config, key: string): number {
  const v = c[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_COUNT) throw fieldError(w, key, `an integer in 1..${MAX_COUNT}`, v);
  return v;
}

/** A number field in a range; absent means `dflt`. */
export function numberField(w: string, c: Config, key: string, dflt: number, ok: (v: number) => boolean, range: string): number {
  const v = c[key];
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) throw fieldError(w, key, `a number ${range}`, v);
  return v;
}

/** The declared input shape (batch_input_shape / batch_shape): an array of non-negative integers or nulls. */
export function inputShapeField(w: string, l: KerasLayer): (number | null)[] | null {
  for (const key of ["batch_input_shape", "batch_shape"]) {
    const v = l.config[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || v.length > 8 || v.some((d) => d !== null && !(typeof d === "number" && Number.isInteger(d) && d >= 0 && d <= MAX_COUNT))) {
      throw fieldError(w, key, "an array of sizes (non-negative integers or null)", v);
    }
    return v as (number | null)[];
  }
  return null;
}
