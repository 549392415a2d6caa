/**
 * The arguments of fit() and evaluate() at the public boundary: a Model, and a SequenceSet whose
 * arrays have the lengths its counts say, whose values are finite (ids and classes in range), and
 * that fits the model (features, target kind, outputs; label sequences for a ctc model, each row
 * long enough to align its labels). Each problem is a GatedError naming the
 * field, what was expected and what came.
 *
 * Shape legend: S sequences, T steps, F features per step, O outputs.
 */
import type { SequenceSet } from "../data/types.js";
import { OptionError, ShapeError, ValueError, show } from "../errors/index.js";
import { Model } from "../model/model.js";

/** Throws an OptionError unless `model` is a Model. */
export function checkModel(where: string, model: unknown): asserts model is Model {
  if (!(model instanceof Model)) throw new OptionError(`${where}: expected a Model (new Model(spec) or a loaded file), got ${show(model)}`);
}

/** Throws a ShapeError when the set's arrays and counts do not agree (O(S) for the lengths). */
function checkStructure(where: string, s: SequenceSet): void {
  if (s === null || typeof s !== "object") throw new ShapeError(`${where}: expected a SequenceSet {x, y, count, steps, features, target, perStep, outputs}, got ${show(s)}`);
  for (const k of ["count", "steps", "features", "outputs"] as const) {
    if (!Number.isSafeInteger(s[k]) || s[k] < 1) throw new ShapeError(`${where}: ${k} must be a positive integer, got ${show(s[k])}`);
  }
  if (s.target !== "regression" && s.target !== "class") throw new ShapeError(`${where}: target must be "regression" | "class", got ${show(s.target)}`);
  if (typeof s.perStep !== "boolean") throw new ShapeError(`${where}: perStep must be true or false, got ${show(s.perStep)}`);
  if (!(s.x instanceof Float32Array || s.x instanceof Int32Array)) throw new ShapeError(`${where}: x must be a Float32Array (feature values) or an Int32Array (token ids), got ${show(s.x)}`);
  const { count: S, steps: T, features: F, outputs: O } = s, tokens = s.x instanceof Int32Array;
  const xLen = S * T * (tokens ? 1 : F);
  if (s.x.length !== xLen) throw new ShapeError(`${where}: x must hold ${xLen} values (${tokens ? "[S, T]" : "[S, T, F]"} = ${tokens ? `[${S}, ${T}]` : `[${S}, ${T}, ${F}]`}), got ${s.x.length}`);
  const cls = s.target === "class";
  if (!(cls ? s.y instanceof Int32Array : s.y instanceof Float32Array)) throw new ShapeError(`${where}: y of a ${s.target} target must be ${cls ? "an Int32Array of class ids" : "a Float32Array"}, got ${show(s.y)}`);
  const yLen = S * (s.perStep ? T : 1) * (cls ? 1 : O);
  if (s.labelLengths === undefined && s.y.length !== yLen) throw new ShapeError(`${where}: y must hold ${yLen} values (${S} sequence(s)${s.perStep ? ` × ${T} steps` : ""}${cls ? "" : ` × ${O} outputs`}), got ${s.y.length}`);
  if (s.labelLengths !== undefined || s.blank !== undefined) checkLabelStructure(where, s);
  else checkLengths(where, s);
}

function checkLengths(where: string, s: SequenceSet, least = 0): void {
  const { count: S, steps: T } = s;
  if (s.lengths === undefined) return;
  if (!(s.lengths instanceof Int32Array) || s.lengths.length !== S) throw new ShapeError(`${where}: lengths must be an Int32Array of ${S} values (one per sequence), got ${show(s.lengths)}`);
  const bad = s.lengths.findIndex((n) => n < least || n > T);
  if (bad >= 0) throw new ValueError(`${where}: lengths[${bad}] must be in ${least}..${T}, got ${s.lengths[bad]}`);
}

/**
 * Label sequences (CTC): y [S, L] with labelLengths [S] and a blank id; per-step class scores of
 * `outputs` classes; every row can be aligned (steps ≥ labels + repeated neighbours) and has a step.
 */
function checkLabelStructure(where: string, s: SequenceSet): void {
  const S = s.count, O = s.outputs, ll = s.labelLengths;
  if (s.target !== "class" || !s.perStep) throw new ShapeError(`${where}: label sequences (labelLengths) belong to a per-step class set (target "class", perStep true), got ${s.target}, perStep ${s.perStep}`);
  if (!(ll instanceof Int32Array) || ll.length !== S) throw new ShapeError(`${where}: labelLengths must be an Int32Array of ${S} values (one per sequence), got ${show(ll)}`);
  if (!(Number.isSafeInteger(s.blank) && s.blank! >= 0 && s.blank! < O)) throw new ShapeError(`${where}: label sequences need blank, the id of CTC's blank class in 0..${O - 1}; got ${show(s.blank)}`);
  if (s.y.length % S !== 0) throw new ShapeError(`${where}: y of label sequences must hold [S, L] = ${S} × L values, got ${s.y.length} (not a multiple of ${S})`);
  const L = s.y.length / S;
  checkLengths(where, s, 1);
  for (let r = 0; r < S; r++) {
    const n = ll[r]!;
    if (!(n >= 0 && n <= L)) throw new ValueError(`${where}: labelLengths[${r}] must be in 0..${L}, got ${n}`);
    let need = n;
    for (let i = 0; i < n; i++) {
      const v = s.y[r * L + i]!;
      if (!(Number.isInteger(v) && v >= 0 && v < O) || v === s.blank) throw new ValueError(`${where}: label ${i} of sequence ${r} is ${v}; expected a class id in 0..${O - 1} other than the blank ${s.blank}`);
      if (i > 0 && v === s.y[r * L + i - 1]) need++;
    }
    const steps = s.lengths ? s.lengths[r]! : s.steps;
    if (steps < need) throw new ValueError(`${where}: sequence ${r} has ${steps} steps for ${n} labels; CTC needs at least ${need} (one per label and one between repeated labels)`);
  }
}

/** Throws a ShapeError or ValueError naming the first problem of a set, or one that does not fit the model. */
export function checkSet(where: string, model: Model, s: SequenceSet): void {
  checkStructure(where, s);
  const { input, task } = model.spec;
  const want = input.kind === "features" ? input.features : input.vocabularySize;
  if (s.features !== want) throw new ShapeError(`${where}: the model takes ${want} ${input.kind === "features" ? "features" : "token ids"} per step, the data has ${s.features}`);
  if ((s.x instanceof Int32Array) !== (input.kind === "tokens")) throw new ShapeError(`${where}: the model takes ${input.kind === "tokens" ? "token ids" : "feature values"}, the data gives ${s.x instanceof Int32Array ? "token ids" : "feature values"}`);
  if (s.target !== task.target || s.perStep !== task.perStep || s.outputs !== task.outputs) {
    throw new ShapeError(`${where}: the model predicts ${task.outputs} ${task.target} output(s) ${task.perStep ? "per step" : "per sequence"}, the data has ${s.outputs} ${s.target} target(s) ${s.perStep ? "per step" : "per sequence"}`);
  }
  const ctc = task.loss.name === "ctc";
  if (ctc !== (s.labelLengths !== undefined)) {
    throw new ShapeError(ctc ? `${where}: the model is trained with ctc on label sequences; the data has one class per step (no labelLengths)` : `${where}: the data holds label sequences (labelLengths); train them with loss "ctc", not ${task.loss.name}`);
  }
  if (ctc && s.blank !== (task.loss.blank ?? 0)) throw new ShapeError(`${where}: the model's ctc blank is class ${task.loss.blank ?? 0}, the data's is ${s.blank}`);
  const per = s.x instanceof Int32Array ? s.steps : s.steps * s.features;
  for (let i = 0; i < s.x.length; i++) {
    const v = s.x[i]!;
    if (!Number.isFinite(v) || (s.x instanceof Int32Array && (v < 0 || v >= want))) {
      throw new ValueError(`${where}: input of sequence ${Math.floor(i / per)}, step ${Math.floor((i % per) / (s.x instanceof Int32Array ? 1 : s.features))} is ${v}; expected ${s.x instanceof Int32Array ? `an id in 0..${want - 1}` : "a finite number"}`);
    }
  }
  const cls = s.target === "class";
  if (ctc) return; // labels checked with the structure
  for (let i = 0; i < s.y.length; i++) {
    const v = s.y[i]!;
    if (!Number.isFinite(v)) throw new ValueError(`${where}: target value ${i} is ${v}; expected a finite number`);
    if (cls && (v < 0 || v >= s.outputs)) throw new ValueError(`${where}: target value ${i} is class ${v}; expected a class id in 0..${s.outputs - 1}`);
  }
}
