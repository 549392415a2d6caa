/**
 * Composition: `sequential(input, layers, options)` builds a Model from a list of layers, computing
 * every width for the user; the spec it writes (spec.layers) is what the model file stores, so a
 * loaded model is the same composition.
 *
 *   const model = sequential({ input: { features: 3 } }, [
 *     gru({ units: 32, direction: "bidirectional", reset: "before" }), dropout(0.2),
 *     lstm({ units: 16, returnSequences: false }), dense({ units: 1 }),
 *   ], { task: "regression" });
 *
 * Recurrent layers return every step (returnSequences: true, the default) or, with
 * returnSequences: false, one vector per sequence (a last-step layer, `at` choosing which step each
 * direction is read at). Dense layers apply to every step while the sequence is kept (a per-step,
 * time-distributed head) and the task is then per step; after the last step it is per sequence.
 * Conventions stay named cell options (reset, update, gates, activations...).
 */
import type { CellKind, CellOptionsByKind } from "../cells/index.js";
import { OptionError, checkOptions, show } from "../errors/index.js";
import type { ActivationConfig, ActivationSpec } from "../kernels/activations.js";
import type { LastStepAt } from "../layers/last-step.js";
import type { LayerConfig } from "../layers/sequential.js";
import type { Direction } from "../sequence/recurrent.js";
import { resolveLoss, type LossName, type LossSpec } from "../train/losses.js";
import { distributionOfLayer, distributionSpec, headConfig, pointLoss, type DistributionOption } from "./distribution.js";
import type { DataInfo, InputSpec, ModelSpec } from "./model.js";
import { CELL_KINDS } from "../cells/index.js";
import { checkModelSpec, layer as layerSchema, validate } from "./schema.js";

/** A layer of a composition, made by gru(), lstm(), recurrent(), dense(), dropout(), embedding(), layerNorm(), lastStep(), distributionHead(). */
export interface LayerDef {
  readonly layer: "recurrent" | "dense" | "dropout" | "context" | "embedding" | "layer-norm" | "last-step" | "distribution-head";
  readonly options: Readonly<Record<string, unknown>>;
}

/** The options of a recurrent layer: its width (`units`), the stack's options, and the cell's own conventions. */
export type RecurrentArgs<K extends CellKind> = Partial<Omit<CellOptionsByKind[K], "inputSize" | "hiddenSize">> & {
  /** Hidden size H of each direction. */
  readonly units: number;
  /** Layers of this cell stacked in one block (default 1). */
  readonly layers?: number;
  readonly direction?: Direction;
  /** true (default): every step; false: one vector per sequence (a last-step layer follows). */
  readonly returnSequences?: boolean;
  /** With returnSequences: false, which step each direction is read at (default "final-state", see layers/last-step.ts). */
  readonly at?: LastStepAt;
  /** Dropout of the recurrent state, one mask per sequence (Gal & Ghahramani). */
  readonly recurrentDropout?: number;
  /** Cell options that differ for the reverse direction. */
  readonly reverseOptions?: Readonly<Record<string, unknown>>;
};

/** A recurrent layer of any cell kind: recurrent({ cell: "gru2", units: 8 }). */
export function recurrent<K extends CellKind>(o: RecurrentArgs<K> & { readonly cell: K }): LayerDef {
  return { layer: "recurrent", options: { ...o } };
}
const cellLayer = <K extends CellKind>(cell: K) => (o: RecurrentArgs<K>): LayerDef => ({ layer: "recurrent", options: { cell, ...o } });
export const gru = cellLayer("gru");
export const mgu = cellLayer("mgu");
export const ligru = cellLayer("ligru");
export const libru = cellLayer("libru");
export const mingru = cellLayer("mingru");
export const lstm = cellLayer("lstm");
export const rnn = cellLayer("rnn");

/** A fully connected layer of `units` outputs (every step, or every sequence after the last step). Default activation: none. */
export function dense(o: { readonly units: number; readonly activation?: ActivationSpec | ActivationConfig }): LayerDef {
  return { layer: "dense", options: { ...o } };
}
/** Inverted dropout at `rate`; mask "element" (default) or "sequence" (one mask per sequence and feature). */
export function dropout(o: number | { readonly rate: number; readonly mask?: "element" | "sequence" }): LayerDef {
  return { layer: "dropout", options: typeof o === "number" ? { rate: o } : { ...o } };
}
/**
 * Each step with `left` frames before it and `right` after it, side by side (zeros past a row's
 * ends): the input of a frame-wise network, e.g. context({ left: 4, right: 4 }) before dense layers.
 */
export function context(o: { readonly left?: number; readonly right?: number }): LayerDef {
  return { layer: "context", options: { ...o } };
}
/** Token ids → vectors of `units` values; the first layer of a tokens input. */
export function embedding(o: { readonly units: number }): LayerDef {
  return { layer: "embedding", options: { ...o } };
}
/** Layer normalisation over the features of each step. */
export function layerNorm(o: { readonly epsilon?: number } = {}): LayerDef {
  return { layer: "layer-norm", options: { ...o } };
}
/** Sequence → one vector per row, read after the last recurrent layer (see returnSequences: false). */
export function lastStep(o: { readonly at?: LastStepAt } = {}): LayerDef {
  return { layer: "last-step", options: { ...o } };
}

/**
 * The last layer of a forecaster with intervals: `targets` values per position (default 1), each
 * given as a distribution ("gaussian", "student-t" or { quantiles }); fit trains its loss (distribution.ts).
 */
export function distributionHead(o: { readonly distribution: DistributionOption; readonly targets?: number }): LayerDef {
  return { layer: "distribution-head", options: { ...o } };
}

export interface SequentialInput {
  /** { features } for feature values per step, { vocabularySize } for token ids. */
  readonly input: { readonly features: number } | { readonly vocabularySize: number };
}

export interface SequentialOptions {
  /** "regression" or "class" (logits of `outputs` classes); the outputs are the last layer's width. */
  readonly task: "regression" | "class";
  /** Default mse for regression, cross-entropy for classes. */
  readonly loss?: LossName | LossSpec;
  readonly data?: DataInfo;
}

/** A builder's spec, checked as a whole (schema.ts). Throws an OptionError naming the layer and option. */
export function sequentialSpec(config: SequentialInput, defs: readonly LayerDef[], o: SequentialOptions): ModelSpec {
  checkOptions("sequential", config, ["input"]);
  if (config === undefined) throw new OptionError("sequential: expected { input: { features } | { vocabularySize } }, got nothing");
  const input = inputOf(config.input);
  checkOptions("sequential options", o, ["task", "loss", "data", "dtype", "seed", "init", "backend"]);
  if (o === undefined || (o.task !== "regression" && o.task !== "class")) throw new OptionError(`sequential: task: expected "regression" | "class", got ${show(o?.task)}`);
  return composeSpec("sequential", input, defs, o.task, o.loss, o.data);
}

/** The spec of a composition (sequential and the createSpec preset share it); `where` starts every message. */
export function composeSpec(where: string, input: InputSpec, defs: readonly LayerDef[], target: "regression" | "class", lossOption: LossName | LossSpec | undefined, data: DataInfo | undefined): ModelSpec {
  const { layers, width, perStep } = buildLayers(where, input, defs);
  const dist = distributionOfLayer(layers[layers.length - 1]!);
  if (dist && lossOption !== undefined) throw new OptionError(`${where}: loss: a distribution head trains its own loss (${dist.name}); leave loss out`);
  if (dist && target !== "regression") throw new OptionError(`${where}: a distribution head forecasts values; use task "regression"`);
  if (layers.slice(0, -1).some((c) => distributionOfLayer(c))) throw new OptionError(`${where}: a distribution head is the last layer; one came earlier`);
  const loss = resolveLoss(where, dist ? pointLoss(dist) : lossOption ?? (target === "class" ? "cross-entropy" : "mse"));
  if ((loss.name === "cross-entropy" || loss.name === "ctc") !== (target === "class")) {
    throw new OptionError(`${where}: loss "${loss.name}" does not fit a ${target} target (class targets use cross-entropy or ctc; regression uses mse, mae, huber or binary-cross-entropy)`);
  }
  return checkModelSpec<ModelSpec>({
    format: "gated-model", version: 1, input, layers,
    task: { target, perStep, outputs: dist ? (layers[layers.length - 1]!.targets as number) : width, loss, ...(dist ? { distribution: dist } : {}) },
    ...(data ? { data } : {}),
  }, where);
}

function inputOf(i: unknown): InputSpec {
  if (i !== null && typeof i === "object" && !Array.isArray(i)) {
    const keys = Object.keys(i);
    const n = (i as Record<string, unknown>)[keys[0]!];
    const ok = typeof n === "number" && Number.isSafeInteger(n) && n >= 1;
    if (keys.length === 1 && keys[0] === "features" && ok) return { kind: "features", features: n };
    if (keys.length === 1 && keys[0] === "vocabularySize" && ok) return { kind: "tokens", vocabularySize: n };
  }
  throw new OptionError(`sequential: input: expected { features: <positive integer> } or { vocabularySize: <positive integer> }, got ${show(i)}`);
}

interface Walk { width: number; seq: boolean; tokens: boolean; rec: { units: number; directions: ("forward" | "reverse")[]; width: number } | null }

/** The layer configs of a composition, with the widths filled in. */
export function buildLayers(where0: string, input: InputSpec, defs: readonly LayerDef[]): { layers: LayerConfig[]; width: number; perStep: boolean } {
  if (!Array.isArray(defs) || defs.length === 0) throw new OptionError(`${where0}: layers: expected a non-empty array of layers (gru(), dense()...), got ${show(defs)}`);
  const w: Walk = { width: input.kind === "features" ? input.features : input.vocabularySize, seq: true, tokens: input.kind === "tokens", rec: null };
  const layers: LayerConfig[] = [];
  defs.forEach((d, i) => {
    const where = `${where0}: layers[${i}]`;
    if (d === null || typeof d !== "object" || typeof d.layer !== "string" || d.options === null || typeof d.options !== "object") {
      throw new OptionError(`${where}: expected a layer made by gru(), lstm(), recurrent(), dense(), dropout(), context(), embedding(), layerNorm() or lastStep(), got ${show(d)}`);
    }
    const name = d.layer === "recurrent" ? String(d.options.cell) : d.layer;
    if (w.tokens && d.layer !== "embedding") throw new OptionError(`${where} (${name}): a tokens input is read by an embedding first; start with embedding({ units })`);
    for (const c of layerOf(`${where} (${name})`, d, w)) layers.push(validate(layerSchema, c, `${where} (${name})`));
  });
  return { layers, width: w.width, perStep: w.seq };
}

function units(where: string, o: Readonly<Record<string, unknown>>): number {
  const u = o.units;
  if (!(typeof u === "number" && Number.isSafeInteger(u) && u >= 1)) throw new OptionError(`${where}: units: expected a positive integer, got ${show(u)}`);
  return u;
}

/** The config(s) of one layer (a recurrent layer with returnSequences: false gives two). */
function layerOf(where: string, d: LayerDef, w: Walk): LayerConfig[] {
  const o = d.options;
  switch (d.layer) {
    case "embedding": {
      checkOptions(where, o, ["units"]);
      if (!w.tokens) throw new OptionError(`${where}: an embedding reads token ids; the input is ${w.width} features per step (give input { vocabularySize })`);
      const size = units(where, o), V = w.width;
      Object.assign(w, { width: size, tokens: false });
      return [{ kind: "embedding", vocabularySize: V, embeddingSize: size }];
    }
    case "recurrent": return recurrentOf(where, o, w);
    case "dense": {
      checkOptions(where, o, ["units", "activation"]);
      const inputSize = w.width;
      w.width = units(where, o);
      return [{ kind: "dense", inputSize, outputSize: w.width, ...(o.activation !== undefined ? { activation: o.activation } : {}) }];
    }
    case "dropout": {
      checkOptions(where, o, ["rate", "mask"]);
      return [{ kind: "dropout", features: w.width, rate: o.rate, mask: o.mask ?? "element" }];
    }
    case "context": {
      checkOptions(where, o, ["left", "right"]);
      if (!w.seq) throw new OptionError(`${where}: a context window needs a sequence, but an earlier layer kept only the last step`);
      const features = w.width, left = o.left ?? 0, right = o.right ?? 0;
      for (const [k, n] of [["left", left], ["right", right]] as const) {
        if (!(typeof n === "number" && Number.isSafeInteger(n) && n >= 0)) throw new OptionError(`${where}: ${k}: expected a non-negative integer (frames), got ${show(n)}`);
      }
      w.width = features * ((left as number) + 1 + (right as number));
      return [{ kind: "context", features, left, right }];
    }
    case "layer-norm": {
      checkOptions(where, o, ["epsilon"]);
      return [{ kind: "layer-norm", features: w.width, ...(o.epsilon !== undefined ? { epsilon: o.epsilon } : {}) }];
    }
    case "last-step": {
      checkOptions(where, o, ["at"]);
      return [lastOf(where, o.at, w)];
    }
    case "distribution-head": {
      checkOptions(where, o, ["distribution", "targets"]);
      const d = o.distribution, ok = d === "gaussian" || d === "student-t" || (d !== null && typeof d === "object" && Array.isArray((d as { quantiles?: unknown }).quantiles));
      if (!ok) throw new OptionError(`${where}: distribution: expected "gaussian", "student-t" or { quantiles: [levels] }, got ${show(d)}`);
      const targets = o.targets ?? 1, inputSize = w.width;
      if (!(typeof targets === "number" && Number.isSafeInteger(targets) && targets >= 1)) throw new OptionError(`${where}: targets: expected a positive integer, got ${show(targets)}`);
      w.width = targets;
      return [headConfig(distributionSpec(d as DistributionOption), inputSize, targets)];
    }
    default:
      throw new OptionError(`${where}: unknown layer ${show(d.layer)}; layers: recurrent, dense, dropout, context, embedding, layer-norm, last-step, distribution-head`);
  }
}

function recurrentOf(where: string, o: Readonly<Record<string, unknown>>, w: Walk): LayerConfig[] {
  const { cell, units: _u, layers, direction, returnSequences, at, recurrentDropout, reverseOptions, ...cellOptions } = o;
  if (!CELL_KINDS.includes(cell as CellKind)) throw new OptionError(`${where}: cell: expected one of ${CELL_KINDS.join(", ")}, got ${show(cell)}`);
  if (!w.seq) throw new OptionError(`${where}: a recurrent layer needs a sequence, but an earlier layer kept only the last step (set returnSequences: true on the recurrent layer before)`);
  if (returnSequences !== undefined && typeof returnSequences !== "boolean") throw new OptionError(`${where}: returnSequences: expected true or false, got ${show(returnSequences)}`);
  if (at !== undefined && returnSequences !== false) throw new OptionError(`${where}: at chooses the step of returnSequences: false; it has no meaning while the layer returns every step`);
  const H = units(where, o), dir = direction ?? "forward";
  const config: LayerConfig = {
    kind: "recurrent", cell, inputSize: w.width, hiddenSize: H, layers: layers ?? 1, direction: dir,
    ...(recurrentDropout ? { recurrentDropout } : {}), ...cellOptions, ...(reverseOptions !== undefined ? { reverseOptions } : {}),
  };
  const directions: ("forward" | "reverse")[] = dir === "bidirectional" ? ["forward", "reverse"] : [dir === "reverse" ? "reverse" : "forward"];
  w.width = H * directions.length;
  w.rec = { units: H, directions, width: w.width };
  return returnSequences === false ? [config, lastOf(where, at, w)] : [config];
}

/** The last-step layer reading the last recurrent layer's directions (or, after a width change, the last step of every column). */
function lastOf(where: string, at: unknown, w: Walk): LayerConfig {
  if (!w.seq) throw new OptionError(`${where}: the sequence was already reduced to its last step`);
  if (!w.rec) throw new OptionError(`${where}: a last step follows a recurrent layer; there is none before it`);
  w.seq = false;
  const same = w.rec.width === w.width;
  return { kind: "last-step", hiddenSize: same ? w.rec.units : w.width, directions: same ? w.rec.directions : ["forward"], ...(at !== undefined && at !== "final-state" ? { at } : {}) };
}
