/**
 * `gated export --format pytorch-module`: a gated model as a self-contained PyTorch program, for
 * users who continue in PyTorch (train further with autograd, on more machines).
 *
 *   model.py              one file: torch only (safetensors to load). `Model` (an nn.Module) for the
 *                         model's exact architecture, its configuration as JSON (CONFIG), and one
 *                         class per cell family used (module/python-cells.ts), each computing its
 *                         gated cell's equations exactly.
 *   weights.safetensors   gated's parameter blocks unchanged (dtype, shape, block order), named by
 *                         the module tree: gated "{i}.{kind}.{rest}" → "layers.{i}.{rest}", and for
 *                         recurrent layers "{i}.recurrent.layer{l}.{dir}.{P}" → "layers.{i}.cells.layer{l}_{dir}.{P}"
 *                         (torchName). Metadata: format "gated-pytorch-module" and the same config.
 *
 * In PyTorch: `from model import Model; m = Model.load("weights.safetensors"); y = m(x, lengths)`,
 * x batch_first ([B, T, F] features or [B, T] token ids), lengths optional [B] in 0..T. Outputs are
 * gated's raw outputs (logits for classes; no link), [B, T, O] per step or [B, O] after last-step.
 *
 * The output is a pure function of the model: the same model gives the same bytes (the fixtures in
 * test/fixtures/interchange/pytorch-module rely on it). Refused with an OptionError naming it: a layer
 * kind, cell kind, cell option or activation the Python here does not write (a newer gated's).
 */
import { OptionError } from "../../errors/index.js";
import { ACTIVATIONS } from "../../kernels/activations.js";
import type { Layer } from "../../layers/layer.js";
import { RecurrentLayer } from "../../layers/recurrent.js";
import type { Model } from "../../model/model.js";
import { encodeSafetensors } from "../safetensors.js";
import { CELL_CLASSES, CELL_OPTIONS, CELL_SOURCES } from "./module/python-cells.js";
import { PYTHON_COMMON, PYTHON_LAYERS, PYTHON_PRELUDE, PYTHON_STACK } from "./module/python-stack.js";
import { refuseInt8Export } from "../../model/precision.js";

const WHERE = "export pytorch-module";
export const MODULE_FORMAT = "gated-pytorch-module";

/** The keys of each layer kind's config that the Python honours. */
const LAYER_KEYS: Readonly<Record<string, readonly string[]>> = {
  embedding: ["kind", "vocabularySize", "embeddingSize"],
  "layer-norm": ["kind", "features", "epsilon"],
  dropout: ["kind", "features", "rate", "mask"],
  "last-step": ["kind", "hiddenSize", "directions", "at"],
  dense: ["kind", "inputSize", "outputSize", "activation"],
  // the stack's own keys, beside the cell's options (read from the built cells, see recurrentConfig)
  recurrent: ["kind", "cell", "inputSize", "hiddenSize", "layers", "direction", "recurrentDropout", "reverseOptions"],
};

export interface PytorchModuleFiles {
  /** model.py */
  readonly python: string;
  /** weights.safetensors */
  readonly weights: Uint8Array;
}

/** The PyTorch name of a gated parameter block ("1.recurrent.layer0.forward.W" → "layers.1.cells.layer0_forward.W"). */
export function torchName(gatedName: string): string {
  const [i, kind, ...rest] = gatedName.split(".");
  if (kind === "recurrent") {
    const [layer, dir, ...p] = rest;
    return `layers.${i}.cells.${layer}_${dir}.${p.join(".")}`;
  }
  return `layers.${i}.${rest.join(".")}`;
}

function checkActivation(where: string, v: unknown): void {
  const name = (v as { name?: unknown } | null)?.name;
  if (!(ACTIVATIONS as readonly unknown[]).includes(name)) {
    throw new OptionError(`${where}: activation ${JSON.stringify(name)} has no Python here; expected one of ${ACTIVATIONS.join(", ")}`);
  }
}

function checkKnown(where: string, keys: readonly string[], known: readonly string[]): void {
  for (const k of keys) {
    if (!known.includes(k)) throw new OptionError(`${where}: option "${k}" has no PyTorch counterpart in this exporter; supported: ${known.join(", ")}`);
  }
}

/** One recurrent layer's config for the Python: the stack and each built cell's resolved options. */
function recurrentConfig(where: string, layer: RecurrentLayer): Record<string, unknown> {
  const rnn = layer.rnn, D = rnn.numDirections;
  const directions = rnn.direction === "bidirectional" ? ["forward", "reverse"] : [rnn.direction];
  const cells = rnn.cells.map((c, idx) => {
    const at = `${where} layer${Math.floor(idx / D)}.${directions[idx % D]} (${c.kind})`;
    const known = CELL_OPTIONS[c.kind];
    if (!known || !CELL_CLASSES[c.kind]) {
      throw new OptionError(`${at}: cell kind ${JSON.stringify(c.kind)} has no Python here; supported: ${Object.keys(CELL_CLASSES).join(", ")}`);
    }
    checkKnown(at, Object.keys(c.config), known);
    for (const [k, v] of Object.entries(c.config)) if (k.endsWith("ctivation")) checkActivation(`${at} ${k}`, v);
    return { name: `layer${Math.floor(idx / D)}_${directions[idx % D]}`, kind: c.kind, inputSize: c.inputSize, hiddenSize: c.hiddenSize, config: c.config };
  });
  // stack-level options beside the cell's own (a new stack option must not be dropped silently)
  checkKnown(where, Object.keys(layer.config), [...LAYER_KEYS.recurrent!, ...(CELL_OPTIONS[rnn.cells[0]!.kind] ?? [])]);
  return { kind: "recurrent", layers: rnn.layers, directions, hiddenSize: rnn.hiddenSize, recurrentDropout: rnn.recurrentDropout, cells };
}

/** The config of each layer for the Python, after checking every key is one the Python honours. */
function layerConfig(i: number, layer: Layer): Record<string, unknown> {
  const where = `${WHERE}: layer ${i} (${layer.kind})`;
  const known = LAYER_KEYS[layer.kind];
  if (!known) throw new OptionError(`${where}: layer kind ${JSON.stringify(layer.kind)} has no Python here; supported: ${Object.keys(LAYER_KEYS).join(", ")}`);
  if (layer.kind === "recurrent") {
    if (!(layer instanceof RecurrentLayer)) throw new OptionError(`${where}: expected a recurrent layer object`);
    return recurrentConfig(where, layer);
  }
  checkKnown(where, Object.keys(layer.config), known);
  if (layer.kind === "dense") checkActivation(`${where} activation`, layer.config.activation);
  if (layer.kind === "last-step" && i === 0) throw new OptionError(`${where}: a model cannot start with last-step`);
  if (layer.kind === "embedding" && i !== 0) throw new OptionError(`${where}: an embedding reads token ids, so it must be the first layer`);
  return { ...layer.config };
}

/** JSON with every value on one line when it fits in `width` columns (`used` taken already), else broken over lines. */
function compactJson(v: unknown, indent = 0, used = 0, width = 100): string {
  const flat = JSON.stringify(v);
  if (v === null || typeof v !== "object" || used + flat.length <= width) return flat;
  const pad = " ".repeat(indent + 1), end = " ".repeat(indent);
  if (Array.isArray(v)) return `[\n${v.map((x) => pad + compactJson(x, indent + 1, pad.length, width)).join(",\n")}\n${end}]`;
  const rows = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pad}${JSON.stringify(k)}: ${compactJson(x, indent + 1, pad.length + k.length + 4, width)}`);
  return `{\n${rows.join(",\n")}\n${end}}`;
}

/** One line per layer for the header: what it is, in words. */
function describe(c: Record<string, unknown>): string {
  const actName = (a: unknown) => (a as { name: string }).name;
  switch (c.kind) {
    case "recurrent": {
      const cells = c.cells as { kind: string }[];
      const kinds = [...new Set(cells.map((x) => x.kind))].join("/");
      return `recurrent ${kinds}, hidden ${c.hiddenSize as number}, ${c.layers as number} layer(s), ${(c.directions as string[]).join(" + ")}`;
    }
    case "dense": return `dense ${c.inputSize as number} -> ${c.outputSize as number}, ${actName(c.activation)}`;
    case "embedding": return `embedding ${c.vocabularySize as number} ids -> ${c.embeddingSize as number}`;
    case "dropout": return `dropout ${c.rate as number} (mask per ${c.mask === "sequence" ? "sequence" : "element"})`;
    default: return String(c.kind);
  }
}

/** The model's description at the top of model.py. */
function header(model: Model, layers: readonly Record<string, unknown>[]): string {
  const inp = model.spec.input, task = model.spec.task;
  const x = inp.kind === "tokens" ? `token ids [B, T] (int64, 0..${inp.vocabularySize - 1})` : `features [B, T, ${inp.features}] (float)`;
  const perSeq = model.net.layers.some((l) => l.kind === "last-step");
  const out = perSeq ? `[B, ${task.outputs}]` : `[B, T, ${task.outputs}]`;
  const link = task.target === "class" ? "logits, no softmax" : "no link";
  return `"""
A gated model as a PyTorch module, written by \`gated export --format pytorch-module\`.
Self-contained: needs torch, and safetensors to load the weights.

    from model import Model
    m = Model.load("weights.safetensors")   # eval mode; m.train() to go on training with autograd
    y = m(x)                                 # or m(x, lengths) for a padded batch

Input, batch_first: x = ${x}.
lengths: None or [B] integers in 0..T; positions t >= lengths[b] are padding: recurrent outputs
there are 0, the reverse direction starts at step lengths[b] - 1, and last-step reads step
lengths[b] - 1 (forward blocks) or 0 (reverse blocks).
Output: ${out}, gated's raw outputs (${task.target} task: ${link}; gated trains it with ${task.loss.name}).

Layers (CONFIG below has every option as gated resolved it):
${layers.map((c, i) => `    layers.${i}: ${describe(c)}`).join("\n")}
Parameters are gated's blocks unchanged (each class's docstring gives its blocks and gate order):
gated "{i}.{kind}.{P}" is "layers.{i}.{P}" here, and gated "{i}.recurrent.layer{l}.{dir}.{P}" is
"layers.{i}.cells.layer{l}_{dir}.{P}". Batch-norm running statistics are buffers (not trained).
In training mode dropout and recurrent dropout draw from torch's generator (not gated's), and
LiGRU batch norm uses the batch's statistics over the active positions and updates the running ones.
"""
`;
}

/** model.py and weights.safetensors for a gated model (see the file header). */
export function exportPytorchModule(model: Model): PytorchModuleFiles {
  refuseInt8Export("export pytorch-module", model.spec);
  const net = model.net;
  const layers = net.layers.map((l, i) => layerConfig(i, l));
  const config = { format: MODULE_FORMAT, dtype: net.dtype, input: model.spec.input, layers };
  const kinds = new Set<string>();
  for (const c of layers) if (c.kind === "recurrent") for (const cell of c.cells as { kind: string }[]) kinds.add(cell.kind);
  const order = Object.keys(CELL_CLASSES).filter((k) => kinds.has(k));
  const classes = [...new Set(order.map((k) => CELL_CLASSES[k]!))];
  const json = compactJson(config);
  // top-level pieces, two blank lines apart (PEP 8)
  const python = [
    header(model, layers),
    PYTHON_PRELUDE,
    `CONFIG = json.loads(r"""\n${json}\n""")`,
    PYTHON_COMMON,
    ...classes.map((c) => CELL_SOURCES[c]!),
    `CELLS = {${order.map((k) => `"${k}": ${CELL_CLASSES[k]}`).join(", ")}}`,
    PYTHON_STACK,
    PYTHON_LAYERS,
  ].map((piece) => piece.trim()).join("\n\n\n") + "\n";
  const weights = encodeSafetensors(
    net.entries.map((e) => [torchName(e.name), { shape: e.shape, data: net.params.subarray(e.offset, e.offset + e.size) }]),
    { format: MODULE_FORMAT, config: JSON.stringify(config) },
  );
  return { python, weights };
}
