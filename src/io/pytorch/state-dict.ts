/**
 * PyTorch models ↔ gated models.
 *
 * Import reads every file a PyTorch user ordinarily saves (torch-file.ts): torch.save(state_dict)
 * (.pt/.pth, zip or legacy), torch.save(model), TorchScript archives, and state dicts in safetensors.
 * The architecture is a module list (spec.ts: from the caller, from gated's "gated.pytorch"
 * metadata, or derived where the file fixes it, asking for each fact it leaves open). Modules, in
 * order:
 *   Embedding  "<name>.weight" [V, E]                     → embedding table
 *   GRU/LSTM/RNN (batch_first irrelevant, see recurrent.ts)  → recurrent stack
 *   LayerNorm  "<name>.weight", "<name>.bias" [F], eps     → layer norm
 *   Dropout    no tensors                                 → dropout
 *   LastStep   no tensors: h_n, i.e. out[:, len − 1] for the forward direction and out[:, 0] for the
 *              reverse one (torch.cat([h_n[-2], h_n[-1]], 1) for a bidirectional module)
 *   LastOutput no tensors: out[:, len − 1] for every direction (PyTorch's out[:, -1])
 *   Linear     "<name>.weight" [O, I] (out, in, as gated), "<name>.bias" [O]; `activation` is the
 *              function forward() applies after it (gated's dense activation)
 * Export writes a state dict in safetensors with the module list in its metadata.
 */
import { FormatError, OptionError } from "../../errors/index.js";
import { resolveActivation, type ActivationConfig } from "../../kernels/activations.js";
import type { RecurrentLayer } from "../../layers/recurrent.js";
import type { LayerConfig } from "../../layers/sequential.js";
import type { Model } from "../../model/model.js";
import { assembleModel, type LayerOut } from "../assemble.js";
import { checkFinite, type NonFiniteOption } from "../finite.js";
import { decodeSafetensors, encodeSafetensors } from "../safetensors.js";
import { recurrentFromTorch, recurrentToTorch, torchTypeOf, type TorchTensor } from "./recurrent.js";
import { derivePytorchSpec, type PytorchFacts, type PytorchModule, type PytorchSpec } from "./spec.js";
import { isTorchLegacy, isTorchZip, readTorchFile, type TorchModuleInfo } from "./torch-file.js";
import { recurrentOptionsOf } from "../onnx/export-model.js";
import { refuseInt8Export } from "../../model/precision.js";

export type { PytorchModule, PytorchSpec } from "./spec.js";

const META = "gated.pytorch";

export interface PytorchImportOptions extends PytorchFacts, NonFiniteOption {
  /** The module list in forward() order; overrides what the file says. */
  readonly spec?: PytorchSpec;
  /** The file's name, for messages. */
  readonly where?: string;
}

export interface PytorchImport {
  readonly model: Model;
  readonly spec: PytorchSpec;
  /** What the file is: "state dict (torch.save zip)", "whole module (torch.save)", "TorchScript"… */
  readonly source: string;
  /** Every fact the import used that the tensors do not state, with where it came from. */
  readonly facts: readonly string[];
}

interface Tensors { sd: Map<string, TorchTensor>; metadata: Readonly<Record<string, string>>; modules: readonly TorchModuleInfo[]; source: string; notes: string[] }

function readTensors(where: string, bytes: Uint8Array): Tensors {
  const sd = new Map<string, TorchTensor>();
  if (isTorchZip(bytes) || isTorchLegacy(bytes)) {
    const f = readTorchFile(bytes, where);
    for (const [name, t] of f.tensors) {
      if (t.data) sd.set(name, { shape: t.shape, data: t.data });
      else if (!name.endsWith("num_batches_tracked")) throw new FormatError(`${where}: tensor "${name}" is ${t.dtype}; gated reads float tensors (float32, float64, float16, bfloat16)`);
    }
    const source = f.kind === "state-dict" ? `state dict (torch.save${isTorchZip(bytes) ? "" : ", legacy format"})` : f.kind === "module" ? "whole module (torch.save(model))" : "TorchScript archive";
    const notes = isTorchLegacy(bytes) ? ["legacy torch.save format: it has no checksums, so damage inside tensor data cannot be detected (re-save with a current torch.save to have it checked)"] : [];
    return { sd, metadata: {}, modules: f.modules, source, notes };
  }
  const f = decodeSafetensors(bytes, where);
  for (const [name, t] of f.tensors) {
    if (t.dtype !== "F32" && t.dtype !== "F64") throw new FormatError(`${where}: tensor "${name}" is ${t.dtype}; gated reads float tensors (F32, F64)`);
    sd.set(name, { shape: t.shape, data: Float32Array.from(t.data as Float32Array) });
  }
  return { sd, metadata: f.metadata, modules: [], source: "state dict (safetensors)", notes: [] };
}

/**
 * A PyTorch file (torch.save zip or legacy .pt, TorchScript, or a state dict in safetensors) as a
 * gated model. Facts the file leaves open are refused unless given: `head` for a Linear after the
 * recurrent module, `nonlinearity` for an nn.RNN from a state dict; or a whole module list `spec`.
 */
export function importPytorch(bytes: Uint8Array, opts: PytorchImportOptions = {}): PytorchImport {
  const where = opts.where ?? "pytorch";
  const { sd, metadata, modules, source, notes } = readTensors(where, bytes);
  if (!opts.allowNonFinite) for (const [name, t] of sd) checkFinite(where, name, t.data);
  let s = opts.spec, facts: string[];
  if (s) {
    facts = ["module list given by the caller"];
  } else if (metadata[META]) {
    try { s = JSON.parse(metadata[META]) as PytorchSpec; } catch { throw new FormatError(`${where}: metadata "${META}" is not JSON`); }
    facts = ["module list read from the file's gated.pytorch metadata"];
  } else {
    const d = derivePytorchSpec(where, sd, modules, opts);
    s = d.spec;
    facts = d.used;
  }
  facts = [...facts, ...notes];
  if (!s || typeof s !== "object" || !Array.isArray(s.modules) || s.modules.length === 0) throw new FormatError(`${where}: the module list is empty`);
  const r = new Reader(where, sd);
  for (const m of s.modules) r.module(m);
  for (const k of sd.keys()) if (!r.used.has(k)) throw new FormatError(`${where}: tensor "${k}" belongs to no module of the module list`);
  const target = s.task?.target === "class" ? "class" : "regression";
  const input = r.tokens !== null ? { kind: "tokens" as const, vocabularySize: r.tokens } : { kind: "features" as const, features: r.inputWidth };
  const model = assembleModel(where, input, r.layers, {
    target, perStep: !r.layers.some((l) => l.config.kind === "last-step"), outputs: r.width, ...(s.task?.loss ? { loss: s.task.loss } : {}),
  }, { format: `pytorch ${source}`, facts }, opts);
  return { model, spec: s, source, facts };
}

/** Reads the modules of a state dict in order, tracking the width between them. */
class Reader {
  readonly layers: LayerOut[] = [];
  readonly used = new Set<string>();
  width = NaN;
  inputWidth = NaN;
  tokens: number | null = null;
  private rnn: { H: number; dirs: ("forward" | "reverse")[] } | null = null;

  constructor(private readonly where: string, private readonly sd: ReadonlyMap<string, TorchTensor>) {}

  private take(n: string, shape?: number[]): TorchTensor {
    const t = this.sd.get(n);
    if (!t) throw new FormatError(`${this.where}: missing tensor "${n}"`);
    if (shape && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) throw new FormatError(`${this.where}: tensor "${n}" has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`);
    this.used.add(n);
    return t;
  }

  private setWidth(w: number, reads: number, what: string): void {
    if (!Number.isNaN(this.width) && reads !== this.width) throw new FormatError(`${what}: reads ${reads} features, the module before gives ${this.width}`);
    if (Number.isNaN(this.inputWidth)) this.inputWidth = reads;
    this.width = w;
  }

  module(m: PytorchModule): void {
    const w = `${this.where}: module "${m.name}" (${m.type})`;
    const needWidth = () => { if (Number.isNaN(this.width)) throw new FormatError(`${w}: cannot come first (its width is that of the module before)`); };
    switch (m.type) {
      case "Embedding": {
        const t = this.take(`${m.name}.weight`);
        if (t.shape.length !== 2 || this.layers.length > 0) throw new FormatError(`${w}: must be the first module, with a [V, E] weight`);
        this.tokens = t.shape[0]!;
        this.width = t.shape[1]!;
        this.layers.push({ config: { kind: "embedding", vocabularySize: t.shape[0]!, embeddingSize: t.shape[1]! }, params: new Map([["table", t.data]]) });
        return;
      }
      case "GRU": case "LSTM": case "RNN": {
        const prefix = m.name ? `${m.name}.` : "";
        const sub = new Map([...this.sd].filter(([k]) => k.startsWith(prefix)));
        const nonlinearity = m.type === "RNN" ? m.nonlinearity : undefined;
        if (m.type === "RNN" && nonlinearity !== "tanh" && nonlinearity !== "relu") {
          throw new OptionError(`${w}: an RNN module needs "nonlinearity": "tanh" or "relu" in the module list (a state dict does not store it), got ${JSON.stringify(nonlinearity)}`);
        }
        const net = recurrentFromTorch(w, m.type, prefix, sub, nonlinearity);
        for (const k of sub.keys()) this.used.add(k);
        this.setWidth(net.hiddenSize * net.numDirections, net.inputSize, w);
        this.layers.push({ config: { kind: "recurrent", ...recurrentOptionsOf(net) }, params: new Map(net.entries.map((e) => [e.name, net.param(e.name)])) });
        this.rnn = { H: net.hiddenSize, dirs: net.direction === "bidirectional" ? ["forward", "reverse"] : ["forward"] };
        return;
      }
      case "LayerNorm":
        needWidth();
        this.layers.push({ config: { kind: "layer-norm", features: this.width, epsilon: m.eps ?? 1e-5 }, params: new Map([["gamma", this.take(`${m.name}.weight`, [this.width]).data], ["beta", this.take(`${m.name}.bias`, [this.width]).data]]) });
        return;
      case "Dropout":
        needWidth();
        this.layers.push({ config: { kind: "dropout", features: this.width, rate: m.p ?? 0 }, params: new Map() });
        return;
      case "LastStep": case "LastOutput":
        if (!this.rnn) throw new FormatError(`${w}: needs a recurrent module before it`);
        this.layers.push({ config: { kind: "last-step", hiddenSize: this.rnn.H, directions: this.rnn.dirs, ...(m.type === "LastOutput" ? { at: "last-step" } : {}) }, params: new Map() });
        return;
      case "Linear": {
        const W = this.take(`${m.name}.weight`);
        if (W.shape.length !== 2) throw new FormatError(`${w}: weight has shape [${W.shape.join(", ")}], expected [O, I]`);
        const [O, I] = W.shape as [number, number];
        const b = this.sd.has(`${m.name}.bias`) ? this.take(`${m.name}.bias`, [O]).data : new Float32Array(O);
        this.setWidth(O, I, w);
        const config: Record<string, unknown> = { kind: "dense", inputSize: I, outputSize: O };
        if (m.activation) config.activation = resolveActivation(w, m.activation);
        this.layers.push({ config: config as LayerConfig, params: new Map([["W", W.data], ["b", b]]) });
        return;
      }
      default: throw new FormatError(`${this.where}: module type ${JSON.stringify((m as { type: unknown }).type)} is not supported; supported: Embedding, GRU, LSTM, RNN, LayerNorm, Dropout, LastStep, LastOutput, Linear`);
    }
  }
}

/** Default module names: embedding, gru/lstm/rnn, norm, dropout, last, fc (fc1, fc2, ... with several). */
function defaultNames(model: Model): string[] {
  const kinds = model.net.layers.map((l) => l.kind), count = (k: string) => kinds.filter((x) => x === k).length;
  const seen = new Map<string, number>();
  return model.net.layers.map((l) => {
    const base = l.kind === "recurrent" ? (l as RecurrentLayer).rnn.cells[0]!.kind : ({ embedding: "embedding", "layer-norm": "norm", dropout: "dropout", "last-step": "last", dense: "fc" } as Record<string, string>)[l.kind]!;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const many = count(l.kind) > 1;
    return many ? `${base}${n}` : base;
  });
}

/** A gated model as a PyTorch state dict in safetensors, with its module list in the metadata. */
export function exportPytorch(model: Model, opts: { names?: readonly string[] } = {}): { bytes: Uint8Array; spec: PytorchSpec } {
  refuseInt8Export("export pytorch", model.spec);
  const names = opts.names ?? defaultNames(model);
  if (names.length !== model.net.layers.length) throw new OptionError(`pytorch export: names must give one module name per layer (${model.net.layers.length}), got ${names.length}`);
  const tensors: [string, TorchTensor][] = [], modules: PytorchModule[] = [];
  const net = model.net;
  net.layers.forEach((layer, i) => {
    const n = names[i]!, where = `pytorch export: layer ${i} (${layer.kind})`;
    const v = (p: string) => Float32Array.from(net.view(`${i}.${layer.kind}.${p}`));
    const shape = (p: string) => net.entries.find((e) => e.name === `${i}.${layer.kind}.${p}`)!.shape;
    switch (layer.kind) {
      case "embedding": modules.push({ name: n, type: "Embedding" }); tensors.push([`${n}.weight`, { shape: shape("table"), data: v("table") }]); break;
      case "recurrent": {
        const rnn = (layer as RecurrentLayer).rnn, t = torchTypeOf(where, rnn);
        modules.push(t.nonlinearity ? { name: n, type: t.type, nonlinearity: t.nonlinearity } : { name: n, type: t.type });
        tensors.push(...recurrentToTorch(where, rnn, `${n}.`));
        break;
      }
      case "layer-norm":
        modules.push({ name: n, type: "LayerNorm", eps: layer.config.epsilon as number });
        tensors.push([`${n}.weight`, { shape: shape("gamma"), data: v("gamma") }], [`${n}.bias`, { shape: shape("beta"), data: v("beta") }]);
        break;
      case "dropout": modules.push({ name: n, type: "Dropout", p: layer.config.rate as number }); break;
      case "last-step": modules.push({ name: n, type: layer.config.at === "last-step" ? "LastOutput" : "LastStep" }); break;
      case "dense": {
        const act = layer.config.activation as ActivationConfig;
        const identity = act.name === "Affine" && act.alpha === 1 && act.beta === 0;
        modules.push(identity ? { name: n, type: "Linear" } : { name: n, type: "Linear", activation: act });
        tensors.push([`${n}.weight`, { shape: shape("W"), data: v("W") }], [`${n}.bias`, { shape: shape("b"), data: v("b") }]);
        break;
      }
      default: throw new OptionError(`${where}: no PyTorch module for layer kind "${layer.kind}"`);
    }
  });
  const task = model.spec.task;
  const spec: PytorchSpec = { modules, task: { target: task.target, loss: task.loss.name } };
  return { bytes: encodeSafetensors(tensors, { [META]: JSON.stringify(spec), format: "pt" }), spec };
}
