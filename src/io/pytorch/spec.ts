/**
 * What a PyTorch model is made of, and how much of it a file says.
 *
 * A state dict holds tensors only. Its names and shapes fix a recurrent module's type (GRU 3H rows,
 * LSTM 4H, RNN H), sizes, layers, direction and bias; they do not fix nn.RNN's nonlinearity, LSTM
 * projections aside, nor how forward() joins the modules: a Linear after a GRU may read the final
 * states (h_n), the output at the last step (out[:, -1], which for a bidirectional module is the
 * reverse direction after one step), or every step. A pickled whole module (torch.save(model)) and
 * a TorchScript archive add each module's class and attributes (nonlinearity, batch_first,
 * proj_size), still not forward()'s composition.
 *
 * So the module list (PytorchSpec) comes from, in order: the caller; the "gated.pytorch" metadata
 * gated writes; or derivePytorchSpec below, which accepts only [Embedding] → one recurrent module →
 * [Linear] and asks for every fact the file leaves open (the head's composition, an RNN's
 * nonlinearity) instead of guessing it. Each fact used is returned in words, and the importer
 * records them in the model file (spec.origin).
 */
import { FormatError, OptionError } from "../../errors/index.js";
import type { ActivationConfig, ActivationSpec } from "../../kernels/activations.js";
import type { LossName } from "../../train/losses.js";
import type { TorchModuleInfo } from "./torch-file.js";
import type { TorchRecurrent } from "./recurrent.js";

export type PytorchModule =
  | { readonly name: string; readonly type: "Embedding" }
  | { readonly name: string; readonly type: TorchRecurrent; readonly nonlinearity?: "tanh" | "relu" }
  | { readonly name: string; readonly type: "LayerNorm"; readonly eps?: number }
  | { readonly name: string; readonly type: "Dropout"; readonly p?: number }
  /** h_n: out[:, len − 1] for the forward direction, out[:, 0] for the reverse one (cat(h_n[-2], h_n[-1])). */
  | { readonly name: string; readonly type: "LastStep" }
  /** out[:, len − 1] for every direction (PyTorch's out[:, -1]). */
  | { readonly name: string; readonly type: "LastOutput" }
  | { readonly name: string; readonly type: "Linear"; readonly activation?: ActivationSpec | ActivationConfig };

export interface PytorchSpec {
  readonly modules: readonly PytorchModule[];
  /** The task of the model's output (default regression with mse; "class": logits for cross-entropy). */
  readonly task?: { readonly target: "regression" | "class"; readonly loss?: LossName };
}

/** How forward() feeds a Linear that follows the recurrent module. */
export type PytorchHead = "last-state" | "last-output" | "per-step";
export const PYTORCH_HEADS: readonly PytorchHead[] = ["last-state", "last-output", "per-step"];

export interface PytorchFacts {
  /** How the head reads the recurrent output (needed when a Linear follows it). */
  readonly head?: PytorchHead;
  /** nn.RNN's nonlinearity (needed for an RNN from a bare state dict). */
  readonly nonlinearity?: "tanh" | "relu";
}

export interface Shape { readonly shape: readonly number[] }

const HEAD_HELP = "--head last-state (fc(h_n[-1]), or fc(cat(h_n[-2], h_n[-1])) when bidirectional), --head last-output (fc(out[:, -1])) or --head per-step (fc(out) at every step); API: importPytorch(bytes, { head })";
const SPEC_HELP = "give the module list in forward() order (--pytorch-spec FILE; API: { spec })";

/** The module list of [Embedding] → one recurrent module → [Linear], from the tensors, module info and the caller's facts. */
export function derivePytorchSpec(
  where: string, tensors: ReadonlyMap<string, Shape>, modules: readonly TorchModuleInfo[], facts: PytorchFacts,
): { spec: PytorchSpec; used: string[] } {
  const used: string[] = [];
  const byPath = new Map(modules.map((m) => [m.path, m]));
  const prefixOf = (n: string) => n.slice(0, n.lastIndexOf(".") + 1);
  const recPrefixes = [...tensors.keys()].filter((n) => /(^|\.)weight_ih_l0$/.test(n)).map((n) => n.slice(0, -"weight_ih_l0".length));
  if (recPrefixes.length !== 1) {
    throw new OptionError(`${where}: found ${recPrefixes.length} recurrent modules (${recPrefixes.map((p) => p || "(top level)").join(", ") || "none"}); gated works out only [Embedding] → one GRU/LSTM/RNN → [Linear] by itself: ${SPEC_HELP}`);
  }
  const rp = recPrefixes[0]!, recName = rp.slice(0, -1);
  const rec = recurrentModule(where, rp, tensors, byPath.get(recName), facts, used);
  const D = tensors.has(`${rp}weight_ih_l0_reverse`) ? 2 : 1, H = rec.H, I = rec.I;
  const others = new Map<string, string[]>();
  for (const n of tensors.keys()) {
    if (n.startsWith(rp)) continue;
    const p = prefixOf(n);
    others.set(p, [...(others.get(p) ?? []), n.slice(p.length)]);
  }
  let embedding: string | null = null, linear: string | null = null;
  for (const [p, names] of others) {
    const name = p.slice(0, -1), info = byPath.get(name), w = tensors.get(`${p}weight`);
    const kind = info ? info.type : classify(where, name, names, w, tensors.has(`${p}bias`), I, D * H);
    if (kind === "Embedding" && embedding === null && names.length === 1 && w?.shape.length === 2) embedding = name;
    else if (kind === "Linear" && linear === null && w?.shape.length === 2) linear = name;
    else throw new OptionError(`${where}: module "${name}" (${kind}) does not fit [Embedding] → ${rec.type} → [Linear]; ${SPEC_HELP}`);
  }
  const list: PytorchModule[] = [];
  if (embedding !== null) list.push({ name: embedding, type: "Embedding" });
  list.push(rec.type === "RNN" ? { name: recName, type: "RNN", nonlinearity: rec.nonlinearity! } : { name: recName, type: rec.type });
  const head = facts.head;
  if (linear !== null && head === undefined) {
    const why = modules.length === 0 ? "a state dict holds no code" : "a pickled module holds no code, and gated does not read TorchScript's";
    throw new OptionError(`${where}: the file has a Linear "${linear}" after the ${rec.type} "${recName || "(top level)"}" but not how forward() joins them (${why}): give ${HEAD_HELP}`);
  }
  if (head !== undefined) {
    if (head === "last-state") list.push({ name: "last", type: "LastStep" });
    if (head === "last-output") list.push({ name: "last", type: "LastOutput" });
    const formula = head === "last-state" ? (D === 2 ? "cat(h_n[-2], h_n[-1])" : "h_n[-1]") : head === "last-output" ? "out[:, -1]" : "out";
    used.push(linear !== null ? `head ${head} (given): output = ${linear}(${formula}), nothing after it` : `head ${head} (given): output = ${formula}`);
  } else {
    used.push(`no head: output = out of "${recName || "(top level)"}" at every step`);
  }
  if (linear !== null) list.push({ name: linear, type: "Linear" });
  return { spec: { modules: list }, used };
}

function recurrentModule(
  where: string, rp: string, tensors: ReadonlyMap<string, Shape>, info: TorchModuleInfo | undefined, facts: PytorchFacts, used: string[],
): { type: TorchRecurrent; nonlinearity?: "tanh" | "relu"; H: number; I: number } {
  const name = rp.slice(0, -1) || "(top level)";
  const proj = info?.attributes.proj_size;
  if (tensors.has(`${rp}weight_hr_l0`) || (typeof proj === "number" && proj > 0)) {
    throw new OptionError(`${where}: "${name}" is an LSTM with proj_size (tensor "${rp}weight_hr_l0"): gated's LSTM has no output projection, so it cannot hold this model`);
  }
  const wih = tensors.get(`${rp}weight_ih_l0`)!, whh = tensors.get(`${rp}weight_hh_l0`);
  if (!whh || whh.shape.length !== 2 || wih.shape.length !== 2) throw new FormatError(`${where}: "${rp}weight_hh_l0" is missing or not a matrix`);
  const H = whh.shape[1]!, G = wih.shape[0]! / H;
  const fromShape: TorchRecurrent | undefined = G === 3 ? "GRU" : G === 4 ? "LSTM" : G === 1 ? "RNN" : undefined;
  if (!fromShape || whh.shape[0] !== wih.shape[0]) throw new FormatError(`${where}: "${rp}weight_ih_l0" has ${wih.shape[0]} rows for hidden size ${H}: not 3H (GRU), 4H (LSTM) or H (RNN)`);
  let type = fromShape;
  if (info) {
    const mode = String(info.attributes.mode ?? info.type);
    const t: TorchRecurrent | undefined = mode === "GRU" ? "GRU" : mode === "LSTM" ? "LSTM" : mode.startsWith("RNN") ? "RNN" : undefined;
    if (!t) throw new OptionError(`${where}: module "${name}" is a ${info.qualName}, not nn.GRU, nn.LSTM or nn.RNN; ${SPEC_HELP}`);
    if (t !== fromShape) throw new FormatError(`${where}: module "${name}" is a ${t} but its weights have the shape of a ${fromShape}`);
    type = t;
    used.push(`"${name}" is ${info.qualName} (read from the file)`);
  } else {
    used.push(`"${name}" is nn.${type} (from its weight shapes: ${G}·hidden_size rows)`);
  }
  if (type !== "RNN") return { type, H, I: wih.shape[1]! };
  let nonlinearity = facts.nonlinearity;
  const fromFile = info?.attributes.nonlinearity ?? (info?.attributes.mode === "RNN_RELU" ? "relu" : info?.attributes.mode === "RNN_TANH" ? "tanh" : undefined);
  if (fromFile !== undefined) {
    if (fromFile !== "tanh" && fromFile !== "relu") throw new FormatError(`${where}: module "${name}" has nonlinearity ${JSON.stringify(fromFile)}; nn.RNN has tanh or relu`);
    if (nonlinearity !== undefined && nonlinearity !== fromFile) throw new OptionError(`${where}: --nonlinearity ${nonlinearity} contradicts the file, where "${name}" uses ${fromFile}`);
    nonlinearity = fromFile;
    used.push(`"${name}" nonlinearity ${fromFile} (read from the file)`);
  } else if (nonlinearity !== undefined) {
    used.push(`"${name}" nonlinearity ${nonlinearity} (given)`);
  } else {
    throw new OptionError(`${where}: "${name}" is an nn.RNN, whose nonlinearity (tanh or relu) a state dict does not store: give --nonlinearity tanh|relu (API: importPytorch(bytes, { nonlinearity })), or import the whole module saved with torch.save(model)`);
  }
  return { type, nonlinearity, H, I: wih.shape[1]! };
}

/** Embedding or Linear, from tensors alone, only where the shapes allow one reading. */
function classify(where: string, name: string, names: readonly string[], w: Shape | undefined, bias: boolean, I: number, out: number): string {
  const has = (k: string) => names.includes(k);
  if (!w || w.shape.length !== 2 || names.some((k) => k !== "weight" && k !== "bias")) {
    throw new OptionError(`${where}: module "${name}" (tensors ${names.join(", ")}) is neither an Embedding nor a Linear; ${SPEC_HELP}`);
  }
  if (bias && has("bias")) return "Linear";
  const [rows, cols] = w.shape as [number, number];
  const asEmbedding = cols === I, asHead = cols === out;
  if (asEmbedding && asHead) throw new OptionError(`${where}: "${name}.weight" [${rows}, ${cols}] without a bias could be an Embedding before the recurrent module or a bias-free Linear after it; ${SPEC_HELP}`);
  if (asEmbedding) return "Embedding";
  if (asHead) return "Linear";
  throw new OptionError(`${where}: "${name}.weight" [${rows}, ${cols}] fits neither the recurrent module's input (${I}) nor its output (${out}); ${SPEC_HELP}`);
}
