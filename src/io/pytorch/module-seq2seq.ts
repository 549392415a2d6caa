/**
 * `gated export SEQ2SEQ --format pytorch-module`: a gated encoder–decoder as a self-contained
 * PyTorch program, the counterpart of module-export.ts for plain models.
 *
 *   model.py              torch only (safetensors to load): CONFIG (the architecture, the
 *                         vocabularies and the pad / bos / eos ids as JSON), the cell classes the
 *                         model uses (module/python-cells.ts), the recurrent stack
 *                         (module/python-stack.ts) and `Model` (module/python-seq2seq.ts) with
 *                         encode(src, src_len), decode_step(prev_token, state, enc_out, mask),
 *                         forward(src, src_len, tgt_in) (teacher forcing) and greedy(src, src_len, max_len).
 *   weights.safetensors   gated's parameter blocks unchanged (dtype, shape, order), named by the module
 *                         tree: "{side}.layer{l}.{dir}.{P}" → "{side}.cells.layer{l}_{dir}.{P}" for the
 *                         encoder and decoder, every other name as in gated ("attention.Wq", "output.W").
 *                         Metadata: format "gated-pytorch-module-seq2seq" and the same config.
 *
 * The output is a pure function of the model (the fixtures in
 * test/fixtures/interchange/seq2seq-module rely on it). Refused with an OptionError naming it: a cell
 * kind, cell option or activation the Python does not write, recurrent dropout (not carried over).
 */
import { OptionError } from "../../errors/index.js";
import { ACTIVATIONS } from "../../kernels/activations.js";
import type { Dense } from "../../layers/dense.js";
import type { Seq2seqVocabularies } from "../../seq2seq/file.js";
import type { Seq2seq } from "../../seq2seq/model.js";
import type { Recurrent } from "../../sequence/recurrent.js";
import { encodeSafetensors } from "../safetensors.js";
import type { PytorchModuleFiles } from "./module-export.js";
import { CELL_CLASSES, CELL_OPTIONS, CELL_SOURCES } from "./module/python-cells.js";
import { PYTHON_SEQ2SEQ_LAYERS, PYTHON_SEQ2SEQ_MODEL } from "./module/python-seq2seq.js";
import { PYTHON_COMMON, PYTHON_PRELUDE, PYTHON_STACK } from "./module/python-stack.js";

const WHERE = "export pytorch-module (encoder–decoder)";
export const SEQ2SEQ_MODULE_FORMAT = "gated-pytorch-module-seq2seq";

/** The PyTorch name of an encoder–decoder's parameter block ("encoder.layer0.reverse.W" → "encoder.cells.layer0_reverse.W"). */
export function seq2seqTorchName(gatedName: string): string {
  const [part, layer, dir, ...rest] = gatedName.split(".");
  if ((part === "encoder" || part === "decoder") && rest.length > 0) return `${part}.cells.${layer}_${dir}.${rest.join(".")}`;
  return gatedName;
}

function checkActivation(where: string, v: unknown): void {
  const name = (v as { name?: unknown } | null)?.name;
  if (!(ACTIVATIONS as readonly unknown[]).includes(name)) {
    throw new OptionError(`${where}: activation ${JSON.stringify(name)} has no Python here; expected one of ${ACTIVATIONS.join(", ")}`);
  }
}

/** One side's stack for python-stack.ts's Recurrent, each built cell's resolved options checked. */
function stackConfig(side: "encoder" | "decoder", r: Recurrent): Record<string, unknown> {
  const where = `${WHERE}: ${side}`;
  if (r.recurrentDropout > 0) throw new OptionError(`${where}: recurrent dropout ${r.recurrentDropout} is not carried into the PyTorch module; export a model trained without it`);
  const D = r.numDirections, directions = r.direction === "bidirectional" ? ["forward", "reverse"] : [r.direction];
  const cells = r.cells.map((c, idx) => {
    const name = `layer${Math.floor(idx / D)}_${directions[idx % D]}`, at = `${where} ${name} (${c.kind})`;
    const known = CELL_OPTIONS[c.kind];
    if (!known || !CELL_CLASSES[c.kind]) throw new OptionError(`${at}: cell kind ${JSON.stringify(c.kind)} has no Python here; supported: ${Object.keys(CELL_CLASSES).join(", ")}`);
    for (const [k, v] of Object.entries(c.config)) {
      if (!known.includes(k)) throw new OptionError(`${at}: option "${k}" has no PyTorch counterpart in this exporter; supported: ${known.join(", ")}`);
      if (k.endsWith("ctivation")) checkActivation(`${at} ${k}`, v);
    }
    return { name, kind: c.kind, inputSize: c.inputSize, hiddenSize: c.hiddenSize, config: c.config };
  });
  return { kind: "recurrent", layers: r.layers, directions, hiddenSize: r.hiddenSize, recurrentDropout: 0, cells };
}

function denseConfig(what: string, d: Dense | null): Record<string, unknown> | null {
  if (!d) return null;
  checkActivation(`${WHERE}: ${what} activation`, d.config.activation);
  return { inputSize: d.config.inputSize, outputSize: d.config.outputSize, activation: d.config.activation };
}

/** The whole configuration the Python reads (CONFIG). */
function seq2seqConfig(m: Seq2seq, v: Seq2seqVocabularies): Record<string, unknown> {
  const kind = m.options.attention ?? "additive", a = m.attention;
  const attention = !a ? { kind } : {
    kind, querySize: m.decoder.hiddenSize, memorySize: m.memorySize,
    ...(a.kind === "additive" ? { attentionSize: m.entries.find((e) => e.name === "attention.v")!.shape[0] } : {}),
  };
  return {
    format: SEQ2SEQ_MODULE_FORMAT, dtype: m.dtype,
    sourceVocabulary: m.sourceEmbedding.inputFeatures, targetVocabulary: m.output.outputFeatures, embeddingSize: m.targetEmbedding.outputFeatures,
    context: m.contextFeed ? "every-step" : "initial-only",
    encoder: stackConfig("encoder", m.encoder), bridge: denseConfig("bridge", m.bridge), decoder: stackConfig("decoder", m.decoder),
    attention, combine: denseConfig("combine", m.combine), output: denseConfig("output", m.output),
    vocabularies: { source: v.source, target: v.target, pad: v.pad, bos: v.bos, eos: v.eos },
  };
}

/** CONFIG as JSON: one line per top-level key, or per key of a top-level object. */
function configJson(c: Record<string, unknown>): string {
  const row = (pad: string, k: string, v: unknown): string => v !== null && typeof v === "object" && !Array.isArray(v) && pad.length < 4
    ? `${pad}${JSON.stringify(k)}: {\n${Object.entries(v).map(([k2, v2]) => row(`${pad}  `, k2, v2)).join(",\n")}\n${pad}}`
    : `${pad}${JSON.stringify(k)}: ${JSON.stringify(v)}`;
  return `{\n${Object.entries(c).map(([k, v]) => row("  ", k, v)).join(",\n")}\n}`;
}

/** The description at the top of model.py. */
function header(m: Seq2seq, c: Record<string, unknown>): string {
  const side = (r: Recurrent) => `${[...new Set(r.cells.map((x) => x.kind))].join("/")}, hidden ${r.hiddenSize}, ${r.layers} layer(s), ${r.direction}`;
  const v = c.vocabularies as { bos: number; eos: number; pad: number };
  return `"""
A gated encoder-decoder as a PyTorch module, written by \`gated export --format pytorch-module\`.
Self-contained: needs torch, and safetensors to load the weights.

    from model import Model
    m = Model.load("weights.safetensors")             # eval mode; m.train() to go on training
    tokens = m.greedy(src, src_len, max_len=64)         # src [B, S] int64 ids, src_len [B] in 1..S
    logits = m(src, src_len, tgt_in)                    # teacher forcing: tgt_in [B, T] = bos, y_1, ...

or step by step (a beam search of your own):

    enc_out, state, mask = m.encode(src, src_len)
    logits, state = m.decode_step(prev_token, state, enc_out, mask)   # prev_token [B], bos first

Ids in, ids out: CONFIG["vocabularies"] holds both token tables (source ${m.sourceEmbedding.inputFeatures}, target ${m.output.outputFeatures} ids);
pad ${v.pad}, bos ${v.bos}, eos ${v.eos}. Logits are raw (no softmax).
Encoder: ${side(m.encoder)}. Decoder: ${side(m.decoder)}.
Attention ${(c.attention as { kind: string }).kind}, context ${c.context as string}, embedding ${c.embeddingSize as number}, ${m.dtype}.
Parameters are gated's blocks unchanged (each class's docstring gives its blocks and gate order):
gated "{side}.layer{l}.{dir}.{P}" is "{side}.cells.layer{l}_{dir}.{P}" here, every other name is gated's.
"""
`;
}

/** model.py and weights.safetensors for a gated encoder–decoder (see the file header). */
export function exportSeq2seqModule(m: Seq2seq, vocabularies: Seq2seqVocabularies): PytorchModuleFiles {
  const config = seq2seqConfig(m, vocabularies);
  const kinds = new Set([...m.encoder.cells, ...m.decoder.cells].map((c) => c.kind));
  const order = Object.keys(CELL_CLASSES).filter((k) => kinds.has(k));
  const classes = [...new Set(order.map((k) => CELL_CLASSES[k]!))];
  const python = [
    header(m, config),
    PYTHON_PRELUDE,
    `CONFIG = json.loads(r"""\n${configJson(config)}\n""")`,
    PYTHON_COMMON,
    ...classes.map((c) => CELL_SOURCES[c]!),
    `CELLS = {${order.map((k) => `"${k}": ${CELL_CLASSES[k]}`).join(", ")}}`,
    PYTHON_STACK,
    PYTHON_SEQ2SEQ_LAYERS,
    PYTHON_SEQ2SEQ_MODEL,
  ].map((piece) => piece.trim()).join("\n\n\n") + "\n";
  const weights = encodeSafetensors(
    m.entries.map((e) => [seq2seqTorchName(e.name), { shape: e.shape, data: m.params.subarray(e.offset, e.offset + e.size) }]),
    { format: SEQ2SEQ_MODULE_FORMAT, config: JSON.stringify(config) },
  );
  return { python, weights };
}
