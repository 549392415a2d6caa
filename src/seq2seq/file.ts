/**
 * The encoder–decoder's model file: safetensors holding every parameter under its entry name
 * ("encoder.layer0.forward.W", "attention.Wa", "output.W", ...) with, as JSON in the metadata, the
 * whole Seq2seqOptions, both vocabularies, the pad/bos/eos ids and the data it was trained on:
 *
 *   __metadata__  {format: "gated-seq2seq", dtype: "float32" | "float64", seq2seq: JSON of
 *                  {version: 1, options, vocabularies: {source, target}, pad, bos, eos, data?, tokens?}}
 *
 * `tokens` {source?, target?}, each {kind: "char" | "word" | "bpe", input: "text" | "symbols",
 * offset, merges: [[left, right], …]}, says how a side splits its inputs (tokens.ts); the BPE pieces
 * are the vocabulary's entries from `offset` on, the merges' pieces last. Files without it (and a
 * side without an entry) read characters of text, or symbols when a target token is longer than one
 * character, with the specials below the first piece.
 *
 * Loading is as strict as the native model file (io/model-file.ts): the safetensors container is
 * checked whole (io/safetensors.ts), the configuration against a closed valibot schema (a message
 * names the field), the model is rebuilt from it and every tensor must be there with its dtype and
 * shape, nothing else may be, and NaN / ±Infinity weights are refused (io/finite.ts) unless asked.
 * A round trip is bit for bit: the same parameters, so the same outputs.
 */
import * as v from "valibot";
import { FormatError, GatedError, OptionError } from "../errors/index.js";
import type { NonFiniteOption } from "../io/finite.js";
import { fillModelParams } from "../io/model-bytes.js";
import { decodeSafetensors, encodeSafetensors } from "../io/safetensors.js";
import { cellKind, choice, closed, finite, leaf, listOf, nonNegInt, posInt, text, validate, whole } from "../model/schema.js";
import { ATTENTION_KINDS } from "./attention.js";
import { SideTokens, TOKEN_KINDS, type TokensConfig } from "./tokens.js";
import { Seq2seq, type Seq2seqOptions } from "./model.js";

export const SEQ2SEQ_FORMAT = "gated-seq2seq";

/** The token tables of both sides and the special target ids. */
export interface Seq2seqVocabularies {
  readonly source: readonly string[];
  readonly target: readonly string[];
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  /** How each side splits its inputs; absent: characters (see the header). */
  readonly tokens?: { readonly source?: TokensConfig; readonly target?: TokensConfig };
}

/** The data a model was trained on, so `eval` can rebuild its held-out parts. */
export interface Seq2seqDataInfo {
  readonly name: string;
  readonly options: Readonly<Record<string, number>>;
}

export interface Seq2seqFile {
  readonly model: Seq2seq;
  readonly vocabularies: Seq2seqVocabularies;
  readonly data?: Seq2seqDataInfo;
}

// ---- the schema of the metadata ---------------------------------------------------------------

const cellValue = leaf("a cell option (a string, number, true/false, null or an activation object)", (m) =>
  v.union([v.string(), v.number(), v.boolean(), v.null(), closed("an activation {name, alpha?, beta?}", { name: text, alpha: v.optional(finite), beta: v.optional(finite) })], m));

/** One side: the stack keys, then the cell's own options (checked by building the cells). */
function side(what: string, directions: readonly ("forward" | "bidirectional")[]) {
  const needs: Record<string, string> = { cell: "a cell kind", hiddenSize: "a positive integer" };
  return v.objectWithRest({ cell: cellKind, hiddenSize: posInt, layers: v.optional(posInt), direction: v.optional(choice(directions)) }, cellValue, (i) => {
    const last = i.path?.[i.path.length - 1];
    if (last?.origin === "key" && i.input === undefined) return `expected ${needs[String(last.key)] ?? "a value"}, got nothing`;
    return `expected ${what} {cell, hiddenSize, layers?, direction?, cell options…}, got ${JSON.stringify(i.input)?.slice(0, 60)}`;
  });
}

const optionsSchema = closed("seq2seq options {sourceVocabulary, targetVocabulary, embeddingSize?, encoder, decoder, attention?, attentionSize?, context?, dtype?, seed?}", {
  sourceVocabulary: posInt, targetVocabulary: posInt, embeddingSize: v.optional(posInt),
  encoder: side("the encoder", ["forward", "bidirectional"]), decoder: side("the decoder", ["forward"]),
  attention: v.optional(choice(ATTENTION_KINDS)), attentionSize: v.optional(posInt),
  context: v.optional(choice(["every-step", "initial-only"])), dtype: v.optional(choice(["float32", "float64"])), seed: v.optional(finite),
});

const tokens = listOf("a non-empty array of strings", text, 1);

const sideTokens = closed("tokens of a side {kind, input, offset, merges}", {
  kind: choice(TOKEN_KINDS), input: choice(["text", "symbols"]), offset: nonNegInt,
  merges: listOf("an array of [left, right] piece ids", leaf("a pair [left, right] of piece ids", (m) => v.tuple([nonNegInt, nonNegInt], m))),
});

interface Config {
  version: 1; options: Seq2seqOptions; vocabularies: { source: string[]; target: string[] }; pad: number; bos: number; eos: number; data?: Seq2seqDataInfo;
  tokens?: { source?: TokensConfig; target?: TokensConfig };
}

const configSchema = v.pipe(
  closed("a seq2seq configuration {version, options, vocabularies, pad, bos, eos, data?}", {
    version: leaf("1", (m) => v.literal(1, m)), options: optionsSchema,
    vocabularies: closed("vocabularies {source, target}", { source: tokens, target: tokens }),
    pad: nonNegInt, bos: nonNegInt, eos: nonNegInt,
    data: v.optional(closed("data {name, options}", { name: text, options: leaf("an object of numbers", (m) => v.record(v.string(), v.number(m), m)) })),
    tokens: v.optional(closed("tokens {source?, target?}", { source: v.optional(sideTokens), target: v.optional(sideTokens) })),
  }),
  whole<Config>((c, add) => {
    const o = c.options, V = c.vocabularies;
    if (V.source.length !== o.sourceVocabulary) add({ message: `vocabularies.source: expected ${o.sourceVocabulary} tokens (options.sourceVocabulary), got ${V.source.length}` });
    else if (V.target.length !== o.targetVocabulary) add({ message: `vocabularies.target: expected ${o.targetVocabulary} tokens (options.targetVocabulary), got ${V.target.length}` });
    else for (const k of ["pad", "bos", "eos"] as const) if (c[k] >= o.targetVocabulary) { add({ message: `${k}: expected a target id below ${o.targetVocabulary}, got ${c[k]}` }); return; }
    if (c.bos === c.eos) add({ message: `bos and eos: expected two different ids, got ${c.bos} for both` });
  }),
);

// ---- encode and decode ------------------------------------------------------------------------

export function encodeSeq2seq(model: Seq2seq, vocabularies: Seq2seqVocabularies, data?: Seq2seqDataInfo): Uint8Array {
  const { backend: _backend, ...options } = model.options;
  const { source, target, pad, bos, eos, tokens: sides } = vocabularies;
  const config = { version: 1, options, vocabularies: { source: [...source], target: [...target] }, pad, bos, eos, ...(data ? { data } : {}), ...(sides ? { tokens: sides } : {}) };
  checkTokens(validate<Config>(configSchema, JSON.parse(JSON.stringify(config)), "encodeSeq2seq"), "encodeSeq2seq", OptionError);
  return encodeSafetensors(
    model.entries.map((e) => [e.name, { shape: e.shape, data: model.params.subarray(e.offset, e.offset + e.size) }]),
    { format: SEQ2SEQ_FORMAT, dtype: model.dtype, seq2seq: JSON.stringify(config) },
  );
}

export interface DecodeSeq2seqOptions extends NonFiniteOption {
  readonly backend?: Seq2seqOptions["backend"];
}

export function decodeSeq2seq(bytes: Uint8Array, where = "seq2seq file", opts: DecodeSeq2seqOptions = {}): Seq2seqFile {
  const f = decodeSafetensors(bytes, where);
  if (f.metadata.format !== SEQ2SEQ_FORMAT) {
    throw new FormatError(`${where}: not a gated encoder–decoder (metadata format is ${JSON.stringify(f.metadata.format ?? null)}, expected "${SEQ2SEQ_FORMAT}")`);
  }
  let json: unknown;
  try {
    json = JSON.parse(f.metadata.seq2seq ?? "");
  } catch {
    throw new FormatError(`${where}: the seq2seq configuration in the metadata ("seq2seq") is missing or not JSON`);
  }
  const c = validate<Config>(configSchema, json, where, FormatError);
  checkTokens(c, where, FormatError);
  const dtype = f.metadata.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new FormatError(`${where}: metadata dtype: expected "float32" | "float64", got ${JSON.stringify(dtype)}`);
  if ((c.options.dtype ?? "float32") !== dtype) throw new FormatError(`${where}: metadata dtype ${JSON.stringify(dtype)} disagrees with options.dtype ${JSON.stringify(c.options.dtype ?? "float32")}`);
  let model: Seq2seq;
  try {
    model = new Seq2seq({ ...c.options, ...(opts.backend ? { backend: opts.backend } : {}) });
  } catch (e) {
    if (e instanceof GatedError) throw new FormatError(`${where}: invalid seq2seq configuration: ${e.message}`);
    throw e;
  }
  fillModelParams(where, model, f.tensors, opts, "encoder–decoder");
  const { source, target } = c.vocabularies;
  return { model, vocabularies: { source, target, pad: c.pad, bos: c.bos, eos: c.eos, ...(c.tokens ? { tokens: c.tokens } : {}) }, ...(c.data ? { data: c.data } : {}) };
}

/** Each side's tokens must spell its vocabulary (tokens.ts SideTokens.fromVocabulary). */
function checkTokens(c: Config, where: string, Err: new (message: string) => GatedError): void {
  for (const side of ["source", "target"] as const) {
    const t = c.tokens?.[side];
    if (!t) continue;
    if (side === "target" && t.offset <= Math.max(c.pad, c.bos, c.eos)) throw new Err(`${where}: tokens.target.offset ${t.offset} would make pad, bos or eos a piece; expected above ${Math.max(c.pad, c.bos, c.eos)}`);
    try {
      SideTokens.fromVocabulary(t, c.vocabularies[side], `${where}: tokens.${side}`);
    } catch (e) {
      if (e instanceof GatedError) throw new Err(e.message);
      throw e;
    }
  }
}

/** A side's tokenizer; files without one read characters (or symbols: targets with a token longer than one character). */
export function sideTokensOf(v: Seq2seqVocabularies, side: "source" | "target"): SideTokens {
  const memo = made.get(v) ?? {}, hit = memo[side];
  if (hit) return hit;
  made.set(v, memo);
  return (memo[side] = makeSideTokens(v, side));
}

const made = new WeakMap<Seq2seqVocabularies, { source?: SideTokens; target?: SideTokens }>();

function makeSideTokens(v: Seq2seqVocabularies, side: "source" | "target"): SideTokens {
  const given = v.tokens?.[side], vocabulary = side === "source" ? v.source : v.target;
  if (given) return SideTokens.fromVocabulary(given, vocabulary, `tokens.${side}`);
  // the specials: the leading "<…>" entries of a source, the ids up to pad, bos and eos of a target
  let offset = side === "target" ? Math.max(v.pad, v.bos, v.eos) + 1 : 0;
  if (side === "source") while (offset < vocabulary.length - 1 && /^<[a-z]+>$/.test(vocabulary[offset]!)) offset++;
  const symbols = vocabulary.slice(offset).some((t) => [...t].length > 1);
  return SideTokens.fromVocabulary({ kind: "char", input: symbols ? "symbols" : "text", offset, merges: [] }, vocabulary, `tokens.${side}`);
}

/** Whether safetensors metadata names this format (a cheap look at a header; see cli/seq2seq.ts). */
export function isSeq2seqMetadata(metadata: Readonly<Record<string, unknown>> | undefined): boolean {
  return metadata?.format === SEQ2SEQ_FORMAT;
}
