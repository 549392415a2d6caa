/**
 * The one schema of a gated model (valibot): the spec a model file stores, `new Model` takes and a
 * checkpoint carries, checked whole before anything uses it. It describes what gated writes.
 *
 *   spec    {format: "gated-model", version: 1, input, layers, task, data?, origin?}
 *   input   {kind: "features", features} | {kind: "tokens", vocabularySize}
 *   layers  a non-empty list, each by `kind`: dense, embedding, dropout, context, layer-norm, last-step,
 *           gaussian-head, student-t-head, quantile-head, recurrent (the stack keys, then the cell's own options: their keys and values are
 *           checked by building the cell, so a typo is refused, never ignored)
 *   task    {target, perStep, outputs, loss: {name, delta?, blank?}, distribution?: {name, quantiles?}}
 *           (loss ctc: a per-step class task, `outputs` classes with the blank among them, trained on label sequences)
 *           (with a distribution the last layer is its head, of `outputs` targets; see model/distribution.ts)
 *   data    the data facts (normalisation, vocabulary, classes, a forecaster's window...)
 *
 * The schema checks types, ranges and the facts that must agree (a forecaster's window, horizon,
 * target columns and normalisation come together); that the layers' widths chain is checked by
 * Sequential, which builds them. Every object is closed: an unknown key is an error.
 * A refusal names the path, what was expected and what came:
 *   `model file: layers[2].directions: expected a non-empty array of "forward" | "reverse", got 0`.
 */
import * as v from "valibot";
import { checkAudioFrontEnd, frontEndWidth, type AudioFrontEnd } from "../audio/front-end.js";
import { CELL_KINDS, makeCell } from "../cells/index.js";
import { covariateWidth } from "../data/covariates.js";
import { GatedError, OptionError, show } from "../errors/index.js";
import { resolveActivation } from "../kernels/activations.js";
import { BACKENDS } from "../kernels/select.js";
import { INIT_SCHEMES } from "../layers/init.js";
import { DISTRIBUTION_LOSSES, LOSSES } from "../train/losses.js";

type Issue = v.BaseIssue<unknown>;
type Msg = (issue: Issue) => string;
type Schema = v.GenericSchema;
type AddIssue = (info: { message: string; path?: [v.IssuePathItem, ...v.IssuePathItem[]] }) => void;

/** What each schema accepts, in words (for the message of a missing key). */
const DESC = new WeakMap<object, string>();

const expected = (desc: string): Msg => (i) => `expected ${desc}, got ${show(i.input)}`;

function described<S extends Schema>(desc: string, s: S): S {
  DESC.set(s, desc);
  return s;
}

/** A schema whose every issue reads "expected <desc>, got <value>". */
export function leaf<S extends Schema>(desc: string, make: (m: Msg) => S): S {
  return described(desc, make(expected(desc)));
}

export const posInt = leaf("a positive integer", (m) => v.pipe(v.number(m), v.safeInteger(m), v.minValue(1, m)));
export const nonNegInt = leaf("a non-negative integer", (m) => v.pipe(v.number(m), v.safeInteger(m), v.minValue(0, m)));
export const finite = leaf("a finite number", (m) => v.pipe(v.number(m), v.finite(m)));
export const positive = leaf("a positive number", (m) => v.pipe(v.number(m), v.finite(m), v.gtValue(0, m)));
export const fraction = leaf("a number in [0, 1)", (m) => v.pipe(v.number(m), v.minValue(0, m), v.ltValue(1, m)));
export const integer = leaf("an integer", (m) => v.pipe(v.number(m), v.safeInteger(m)));
export const bool = leaf("true or false", (m) => v.boolean(m));
export const text = leaf("a string", (m) => v.string(m));

export function choice<const T extends string>(choices: readonly T[], what?: string) {
  const list = choices.map((c) => JSON.stringify(c)).join(" | ");
  return leaf(what ? `${what} (${list})` : list, (m) => v.picklist(choices, m));
}

export function listOf<S extends Schema>(desc: string, item: S, min = 0) {
  return leaf(desc, (m) => (min > 0 ? v.pipe(v.array(item, m), v.minLength(min, m)) : v.array(item, m)));
}

/** A closed object: unknown keys are refused with the valid ones listed; a missing key says what it should hold. */
export function closed<const E extends v.ObjectEntries>(what: string, entries: E) {
  const keys = Object.keys(entries).join(", ");
  return described(what, v.strictObject(entries, (i) => {
    const last = i.path?.[i.path.length - 1];
    if (i.expected === "never") return `unknown key in ${what}; valid keys: ${keys}`;
    if (last?.origin === "key" && i.input === undefined) return `expected ${DESC.get(entries[String(last.key)]!) ?? "a value"}, got nothing`;
    return `expected ${what}, got ${show(i.input)}`;
  }));
}

/** A path to report an issue at, inside the value being checked. */
export function at(obj: object, ...keys: (string | number)[]): [v.IssuePathItem, ...v.IssuePathItem[]] {
  let input: unknown = obj;
  return keys.map((key) => {
    const value = (input as Record<string | number, unknown>)[key];
    const item = { type: "object", origin: "value", input, key, value } as unknown as v.IssuePathItem;
    input = value;
    return item;
  }) as [v.IssuePathItem, ...v.IssuePathItem[]];
}

/** A check of the whole value once its parts are valid (skipped while they are not). */
export function whole<T>(fn: (value: T, add: AddIssue) => void) {
  // any: one check fits every pipe; `fn` states the type it reads (the parts are valid when it runs)
  return v.rawCheck<any>(({ dataset, addIssue }) => {
    if (dataset.typed) fn(dataset.value as T, addIssue as AddIssue);
  });
}

/** Runs a gated validation (a constructor that throws GatedErrors) as a schema issue. */
function delegate(add: AddIssue, fn: () => unknown, path?: [v.IssuePathItem, ...v.IssuePathItem[]], strip = "", unknownHint = ""): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof GatedError)) throw e;
    const message = strip && e.message.startsWith(strip) ? e.message.slice(strip.length) : e.message;
    add({ message: message.includes("unknown option") ? message + unknownHint : message, ...(path ? { path } : {}) });
  }
}

function pathText(issue: Issue, prefix: string): string {
  let s = prefix;
  for (const p of issue.path ?? []) s += typeof p.key === "number" ? `[${p.key}]` : s ? `.${String(p.key)}` : String(p.key);
  return s;
}

/** Checks `value` against `schema`; the first problem becomes `Err("<where>: <path>: <message>")`. Returns the value itself. */
export function validate<T>(schema: Schema, value: unknown, where: string, Err: new (message: string) => GatedError = OptionError, prefix = ""): T {
  const r = v.safeParse(schema, value, { abortEarly: true });
  if (!r.success) {
    const issue = r.issues[0], path = pathText(issue, prefix);
    throw new Err(`${where}: ${path ? `${path}: ` : ""}${issue.message}`);
  }
  return value as T;
}

// ---- layers --------------------------------------------------------------------------------

const kind = <const K extends string>(k: K) => leaf(JSON.stringify(k), (m) => v.literal(k, m));

const activationName = "an activation: a name such as \"Tanh\", or {name, alpha?, beta?}";
export const activation = described(activationName, v.pipe(
  v.union([v.string(), closed("an activation {name, alpha?, beta?}", { name: text, alpha: v.optional(finite), beta: v.optional(finite) })], expected(activationName)),
  whole<string | { name: string }>((a, add) => delegate(add, () => resolveActivation("activation", a as never), undefined, "activation: ")),
));

/** The value of one cell option: a name, a number, a flag, null (no clip) or an activation. */
const cellValue = leaf("a cell option (a string, number, true/false, null or an activation object)", (m) =>
  v.union([v.string(), v.number(), v.boolean(), v.null(), closed("an activation {name, alpha?, beta?}", { name: text, alpha: v.optional(finite), beta: v.optional(finite) })], m));
export const cellOptions = leaf("an object of cell options", (m) => v.record(v.string(), cellValue, m));
export const cellKind = leaf(`a cell kind (valid kinds: ${CELL_KINDS.join(", ")})`, (m) => v.picklist(CELL_KINDS, m));
export const DIRECTION_CHOICES = ["forward", "reverse", "bidirectional"] as const;

/** Keys of a recurrent layer that belong to the stack; every other key is the cell's. */
export const STACK_KEYS = ["kind", "cell", "inputSize", "hiddenSize", "layers", "direction", "recurrentDropout", "reverseOptions", "precision"];
const STACK_HINT = `; a recurrent layer also has ${STACK_KEYS.slice(1).join(", ")}`;
/** Cell kinds that fix `gates` themselves. */
const FIXED_GATES = new Set(["gru1", "gru2", "gru3", "mgu1", "mgu2", "mgu3"]);

type RecurrentValue = { cell: string; inputSize: number; hiddenSize: number; reverseOptions?: Record<string, unknown> } & Record<string, unknown>;

/** The cell's own options, checked by the cell (unknown keys, values) for both directions. */
function checkCellOptions(obj: Record<string, unknown>, cell: string, opts: Record<string, unknown>, sizes: { inputSize: number; hiddenSize: number }, reverse: Record<string, unknown> | undefined, add: AddIssue, hint = ""): void {
  for (const [k, x] of Object.entries(opts)) {
    const r = v.safeParse(cellValue, x);
    if (!r.success) return add({ message: r.issues[0].message, path: at(obj, k) });
  }
  if (FIXED_GATES.has(cell) && "gates" in opts) {
    return add({ message: `cell "${cell}" fixes its gates; remove "gates" or use cell "${cell.slice(0, 3)}"`, path: at(obj, "gates") });
  }
  delegate(add, () => makeCell(cell as never, { ...opts, ...sizes } as never, "float64"), undefined, "", hint);
  if (!reverse) return;
  for (const k of ["inputSize", "hiddenSize", "gates"]) {
    if (k in reverse) return add({ message: `both directions share ${k}; it cannot differ in reverseOptions`, path: at(obj, "reverseOptions", k) });
  }
  delegate(add, () => makeCell(cell as never, { ...opts, ...reverse, ...sizes } as never, "float64"), at(obj, "reverseOptions"));
}

const recurrent = v.pipe(
  v.looseObject({
    kind: kind("recurrent"), cell: cellKind, inputSize: posInt, hiddenSize: posInt, layers: v.optional(posInt),
    direction: v.optional(choice(DIRECTION_CHOICES)), recurrentDropout: v.optional(fraction), reverseOptions: v.optional(cellOptions),
    precision: v.optional(choice(["float32", "int8"])),
  }),
  whole<RecurrentValue>((c, add) => {
    const own = Object.fromEntries(Object.entries(c).filter(([k]) => !STACK_KEYS.includes(k)));
    checkCellOptions(c, c.cell, own, { inputSize: c.inputSize, hiddenSize: c.hiddenSize }, c.reverseOptions, add, STACK_HINT);
  }),
);

/** Quantile levels: strictly increasing, each in (0, 1). */
const levels = leaf("an array of strictly increasing levels in (0, 1)", (m) => v.pipe(
  v.array(v.pipe(v.number(m), v.gtValue(0, m), v.ltValue(1, m)), m), v.minLength(1, m),
  v.check((q) => q.every((x, i) => i === 0 || x > q[i - 1]!), m),
));

const LAYER_KINDS = ["dense", "embedding", "dropout", "context", "layer-norm", "last-step", "recurrent", "gaussian-head", "student-t-head", "quantile-head"];

export const layer = v.variant("kind", [
  closed("a dense layer", { kind: kind("dense"), inputSize: posInt, outputSize: posInt, activation: v.optional(activation) }),
  closed("an embedding layer", { kind: kind("embedding"), vocabularySize: posInt, embeddingSize: posInt }),
  closed("a dropout layer", { kind: kind("dropout"), features: posInt, rate: fraction, mask: v.optional(choice(["element", "sequence"])) }),
  closed("a context layer", { kind: kind("context"), features: posInt, left: v.optional(nonNegInt), right: v.optional(nonNegInt) }),
  closed("a layer-norm layer", { kind: kind("layer-norm"), features: posInt, epsilon: v.optional(positive) }),
  closed("a last-step layer", {
    kind: kind("last-step"), hiddenSize: posInt,
    directions: listOf("a non-empty array of \"forward\" | \"reverse\"", choice(["forward", "reverse"]), 1),
    at: v.optional(choice(["final-state", "last-step"])),
  }),
  recurrent,
  closed("a gaussian-head layer", { kind: kind("gaussian-head"), inputSize: posInt, targets: posInt }),
  closed("a student-t-head layer", { kind: kind("student-t-head"), inputSize: posInt, targets: posInt }),
  closed("a quantile-head layer", { kind: kind("quantile-head"), inputSize: posInt, targets: posInt, quantiles: v.optional(levels) }),
], (i) => (i.path ? `expected a layer kind (valid kinds: ${LAYER_KINDS.join(", ")}), got ${show(i.input)}` : `expected a layer (an object with a "kind"), got ${show(i.input)}`));

export const layers = listOf("a non-empty array of layers", layer, 1);

// ---- the spec ------------------------------------------------------------------------------

export const input = v.variant("kind", [
  closed("a features input", { kind: kind("features"), features: posInt }),
  closed("a tokens input", { kind: kind("tokens"), vocabularySize: posInt }),
], expected("an input {kind: \"features\", features} or {kind: \"tokens\", vocabularySize}"));

export const target = choice(["regression", "class"]);
export const lossName = choice(LOSSES, "a loss");
const distribution = closed("a distribution {name, quantiles?}", { name: choice(DISTRIBUTION_LOSSES, "a distribution loss"), quantiles: v.optional(levels) });
const task = closed("a task {target, perStep, outputs, loss}", {
  target, perStep: bool, outputs: posInt, loss: closed("a loss {name, delta?, blank?}", { name: lossName, delta: v.optional(positive), blank: v.optional(nonNegInt) }),
  distribution: v.optional(distribution),
});

const normalisation = closed("a normalisation {mean, std}", {
  mean: listOf("an array of finite numbers", finite), std: listOf("an array of positive numbers", positive),
});

// known-future covariates (data/covariates.ts): names day-of-week, month, holiday:<column>
const covariateName = leaf('a covariate ("day-of-week", "month" or "holiday:<column>")', (m) => v.pipe(v.string(m), v.regex(/^(day-of-week|month|holiday:.+)$/, m)));
const covariates = closed("covariates {names, frequency}", { names: listOf("a non-empty array of covariates", covariateName, 1), frequency: choice(["daily", "monthly"]) });

type DataValue = { normalisation?: { mean: number[]; std: number[] }; columns?: string[]; targetColumns?: number[]; window?: number; horizon?: number; covariates?: { names: string[] } };
const SERIES = ["window", "horizon", "targetColumns", "normalisation"] as const;

/** An audio model's front end (audio/front-end.ts): every feature setting, the statistics, quantisation and deltas. */
const audioFrontEnd = v.pipe(
  closed("an audio front end {features, mean, std, quantise?, deltas, deltaWidth}", {
    features: closed("audio feature settings", {
      sampleRate: posInt, kind: choice(["log-mel", "mfcc"]), nFft: posInt, winLength: posInt, hop: posInt, window: choice(["hann", "hamming"]),
      center: bool, nMels: posInt, fmin: finite, fmax: finite, melScale: choice(["slaney", "htk"]), melNorm: choice(["slaney", "none"]),
      power: leaf("1 or 2", (m) => v.picklist([1, 2], m)), log: choice(["db", "ln"]), amin: positive, nMfcc: posInt,
    }),
    mean: listOf("an array of finite numbers", finite), std: listOf("an array of positive numbers", positive),
    quantise: v.optional(closed("a quantisation {scale, limit}", { scale: positive, limit: posInt })),
    deltas: leaf("0, 1 or 2", (m) => v.picklist([0, 1, 2], m)), deltaWidth: posInt,
  }),
  whole<AudioFrontEnd>((a, add) => delegate(add, () => checkAudioFrontEnd("audio", a), undefined, "audio: ")),
);

export const data = v.pipe(
  closed("data facts", {
    name: v.optional(text), normalisation: v.optional(normalisation),
    vocabulary: v.optional(listOf("an array of strings", text)), classes: v.optional(listOf("an array of strings", text)),
    columns: v.optional(listOf("an array of strings", text)), targetColumns: v.optional(listOf("an array of non-negative integers", nonNegInt, 1)),
    window: v.optional(posInt), horizon: v.optional(posInt), season: v.optional(posInt), relative: v.optional(bool),
    limit: v.optional(posInt), steps: v.optional(posInt), seed: v.optional(integer), audio: v.optional(audioFrontEnd),
    covariates: v.optional(covariates),
  }),
  whole<DataValue>((d, add) => {
    const norm = d.normalisation;
    if (norm && norm.mean.length !== norm.std.length) {
      return add({ message: `expected as many values as mean (${norm.mean.length}), got ${norm.std.length}`, path: at(d, "normalisation", "std") });
    }
    if (SERIES.some((k) => d[k] !== undefined)) {
      const missing = SERIES.find((k) => d[k] === undefined);
      if (missing) return add({ message: `a forecaster's data (it has ${SERIES.filter((k) => d[k] !== undefined).join(", ")}) needs ${SERIES.join(", ")}; ${missing} is missing`, path: at(d, missing) });
    }
    const F = norm?.mean.length;
    if (F !== undefined && d.columns && d.columns.length !== F) return add({ message: `expected one name per normalised column (${F}), got ${d.columns.length}`, path: at(d, "columns") });
    const bad = F === undefined ? -1 : (d.targetColumns ?? []).findIndex((c) => c >= F);
    if (bad >= 0) return add({ message: `expected a column index in 0..${F! - 1}, got ${d.targetColumns![bad]}`, path: at(d, "targetColumns", bad) });
  }),
);

const origin = closed("an origin {format, facts}", { format: text, facts: listOf("an array of strings", text) });

type SpecValue = {
  input: { kind: "features"; features: number } | { kind: "tokens"; vocabularySize: number };
  task: { target: string; perStep: boolean; outputs: number; loss: { name: string; blank?: number }; distribution?: { name: string; quantiles?: number[] } };
  data?: DataValue & { vocabulary?: string[]; classes?: string[] };
};

/** What must agree between the parts: the loss and the target, the data facts and the model's sizes. */
function checkSpec(s: SpecValue, add: AddIssue): void {
  const { task: t, data: d, input: inp } = s;
  if ((t.loss.name === "cross-entropy" || t.loss.name === "ctc") !== (t.target === "class")) {
    return add({ message: `loss "${t.loss.name}" does not fit a ${t.target} target (class targets use cross-entropy or ctc; regression uses mse, mae, huber or binary-cross-entropy)`, path: at(s, "task", "loss", "name") });
  }
  if (t.loss.name === "ctc" && !t.perStep) return add({ message: "ctc scores classes at every step; the task must be per step (perStep: true)", path: at(s, "task", "perStep") });
  if (t.loss.blank !== undefined && t.loss.name !== "ctc") return add({ message: `blank belongs to the ctc loss, not to ${t.loss.name}`, path: at(s, "task", "loss", "blank") });
  if (t.loss.blank !== undefined && t.loss.blank >= t.outputs) return add({ message: `expected a class id in 0..${t.outputs - 1} (the blank is one of the ${t.outputs} outputs), got ${t.loss.blank}`, path: at(s, "task", "loss", "blank") });
  if (t.distribution && t.target !== "regression") return add({ message: `a distribution forecasts values; the target is ${t.target}`, path: at(s, "task", "distribution") });
  if (t.distribution && (t.distribution.name === "pinball") !== (t.distribution.quantiles !== undefined)) {
    return add({ message: `quantiles belong to pinball (and pinball needs them), got ${show(t.distribution)}`, path: at(s, "task", "distribution") });
  }
  if (!d) return;
  if (d.window !== undefined && d.horizon !== undefined && d.targetColumns && t.outputs !== d.horizon * d.targetColumns.length) {
    return add({ message: `a forecaster of ${d.horizon} step(s) × ${d.targetColumns.length} column(s) gives ${d.horizon * d.targetColumns.length} outputs, got ${t.outputs}`, path: at(s, "task", "outputs") });
  }
  // with covariates, each input step holds the normalised columns, then H·K covariate values (data/covariates.ts)
  const known = d.covariates && d.horizon !== undefined ? d.horizon * covariateWidth(d.covariates.names) : 0;
  if (d.window !== undefined && inp.kind === "features" && d.normalisation && d.normalisation.mean.length + known !== inp.features) {
    const what = known ? `${inp.features - known} normalised columns (the input's ${inp.features} features less ${known} covariate values)` : `${inp.features} input features`;
    return add({ message: `expected the statistics of the ${what}, got ${d.normalisation.mean.length}`, path: at(s, "data", "normalisation", "mean") });
  }
  if (d.vocabulary && inp.kind === "tokens" && d.vocabulary.length !== inp.vocabularySize) {
    return add({ message: `expected one token per input id (${inp.vocabularySize}), got ${d.vocabulary.length}`, path: at(s, "data", "vocabulary") });
  }
  const audio = (d as { audio?: AudioFrontEnd }).audio;
  if (audio && inp.kind === "features" && frontEndWidth(audio) !== inp.features) {
    return add({ message: `expected a front end that gives the ${inp.features} input features, got one of ${frontEndWidth(audio)}`, path: at(s, "data", "audio") });
  }
  if (d.classes && t.target === "class" && d.classes.length !== t.outputs) {
    return add({ message: `expected one name per class (${t.outputs}), got ${d.classes.length}`, path: at(s, "data", "classes") });
  }
}

export const modelSpec = v.pipe(
  closed("a model spec {format, version, input, layers, task, data?, origin?}", {
    format: leaf("\"gated-model\"", (m) => v.literal("gated-model", m)),
    version: described("version 1", v.literal(1, (i) => `version ${show(i.input)} is not supported (this gated reads version 1)`)),
    input, layers, task, data: v.optional(data), origin: v.optional(origin),
  }),
  whole<SpecValue>(checkSpec),
);

/** Checks a model spec; an invalid one throws `Err` (OptionError for API calls, FormatError for files). */
export function checkModelSpec<T>(spec: unknown, where: string, Err?: new (message: string) => GatedError): T {
  return validate<T>(modelSpec, spec, where, Err);
}

// ---- the options of the API calls that make a model ---------------------------------------

/** `new Model(spec, options)` and `new Sequential(layers, options)`. */
export const modelOptions = closed("model options {dtype?, seed?, init?, backend?}", {
  dtype: v.optional(choice(["float32", "float64"])), seed: v.optional(integer),
  init: v.optional(choice(INIT_SCHEMES)), backend: v.optional(choice(BACKENDS)),
});

/** createSpec's options (the spec it makes is then checked as a whole). */
export const createOptions = v.pipe(
  closed("createSpec options {input, cell, hiddenSize, task, ...}", {
    input, embedding: v.optional(posInt), cell: cellKind, hiddenSize: posInt, layers: v.optional(posInt),
    direction: v.optional(choice(DIRECTION_CHOICES)), cellOptions: v.optional(cellOptions), recurrentDropout: v.optional(fraction),
    layerNorm: v.optional(bool), dropout: v.optional(fraction), dropoutMask: v.optional(choice(["element", "sequence"])),
    head: v.optional(listOf("an array of positive integers", posInt)), headActivation: v.optional(activation),
    task: closed("a task {target, perStep, outputs, loss?}", {
      target, perStep: bool, outputs: posInt,
      loss: v.optional(v.union([lossName, closed("a loss {name, delta?, blank?}", { name: lossName, delta: v.optional(positive), blank: v.optional(nonNegInt) })], expected(`a loss name (${LOSSES.join(", ")}) or {name, delta?, blank?}`))),
      distribution: v.optional(v.union([choice(["gaussian", "student-t"]), closed("quantiles {quantiles}", { quantiles: levels })],
        expected("a distribution: \"gaussian\", \"student-t\" or { quantiles: [levels] }"))),
    }),
    data: v.optional(data),
  }),
  whole<{ cellOptions?: Record<string, unknown> }>((o, add) => {
    const own = Object.keys(o.cellOptions ?? {}).find((k) => STACK_KEYS.includes(k));
    if (own) add({ message: `${own} is an option of createSpec itself (or of the spec), not of the cell`, path: at(o, "cellOptions", own) });
  }),
);
