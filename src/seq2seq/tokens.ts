/**
 * How one side of an encoder–decoder turns its inputs into ids and back: characters, words, or
 * BPE pieces (bpe.ts) learned from the training side. A side's vocabulary is its special tokens
 * (ids 0 … offset−1: "<pad>", "<unk>" or "<pad>", "<bos>", "<eos>"), then its pieces: the base
 * units in code-unit order, then the merges' pieces (labelled by their spelling: characters
 * joined, symbols joined with "+").
 *
 * Inputs: "text" (a string) or "symbols" (a sequence such as phonemes). Units and segments:
 *   char, text      one segment of the characters ("3 janv." → 3, " ", j, a, n, v, .)
 *   word, text      one segment of the words split at white space (joined back with one space)
 *   bpe,  text      segments at white space, each space attached to the word after it
 *                   ("3 janv. 2021" → "3", " janv.", " 2021"), BPE over each segment's characters
 *   char, symbols   one segment of the symbols (every symbol a unit)
 *   bpe,  symbols   one segment, BPE over the symbols
 * Decoding joins characters with "", words and symbols with " ". An unknown unit becomes "<unk>"
 * where the side has one, else it is refused.
 */
import { OptionError, ValueError, show } from "../errors/index.js";
import { BpeCodec, learnBpe, type BpeTable } from "./bpe.js";

export type TokenKind = "char" | "word" | "bpe";
export const TOKEN_KINDS: readonly TokenKind[] = ["char", "word", "bpe"];
export type TokenInput = "text" | "symbols";

/** What the model file stores of a side (file.ts); the pieces themselves are the vocabulary. */
export interface TokensConfig {
  readonly kind: TokenKind;
  readonly input: TokenInput;
  /** Ids below this are special tokens; piece 0 has this id. */
  readonly offset: number;
  /** BPE merges [left piece, right piece], in order (empty for char and word). */
  readonly merges: readonly (readonly [number, number])[];
}

/** A side's tokenizer: the config with its codec and vocabulary. */
export class SideTokens {
  readonly codec: BpeCodec;
  readonly vocabulary: readonly string[];
  private readonly unk: number | null;

  constructor(readonly config: TokensConfig, readonly specials: readonly string[], table: BpeTable) {
    this.codec = new BpeCodec(table);
    this.vocabulary = [...specials, ...Array.from({ length: this.codec.size }, (_, i) => pieceLabel(this.codec, config.input, i))];
    const u = specials.indexOf("<unk>");
    this.unk = u >= 0 ? u : null;
  }

  /** A vocabulary (as saved) and the side's config → its tokenizer; anything inconsistent is refused. */
  static fromVocabulary(config: TokensConfig, vocabulary: readonly string[], where: string): SideTokens {
    const { offset, merges } = config, A = vocabulary.length - offset - merges.length;
    if (!(A >= 1)) throw new OptionError(`${where}: ${vocabulary.length} vocabulary entries cannot hold ${offset} specials, ${merges.length} merges and at least one base unit`);
    merges.forEach(([a, b], k) => {
      if (!(a < A + k && b < A + k)) throw new OptionError(`${where}: merge ${k} [${a}, ${b}] names a piece not made before it (expected ids below ${A + k})`);
    });
    const table = { symbols: vocabulary.slice(offset, offset + A), merges };
    const t = new SideTokens(config, vocabulary.slice(0, offset), table);
    const bad = t.vocabulary.findIndex((v, i) => v !== vocabulary[i]);
    if (bad >= 0) throw new OptionError(`${where}: vocabulary entry ${bad} is ${JSON.stringify(vocabulary[bad])}, but its merge spells ${JSON.stringify(t.vocabulary[bad])}`);
    return t;
  }

  /** The segments of base units of one input (see the header). */
  segments(input: string | readonly string[]): string[][] {
    const { kind, input: what } = this.config;
    if (what === "symbols") {
      if (typeof input === "string") throw new ValueError(`tokens: this side reads symbol sequences, got the text ${JSON.stringify(input)}`);
      return [[...input]];
    }
    if (typeof input !== "string") throw new ValueError(`tokens: this side reads text, got ${show(input)}`);
    if (kind === "char") return [[...input]];
    if (kind === "word") return [input.trim().split(/\s+/).filter((w) => w !== "")];
    return (input.match(/\s*\S+|\s+/g) ?? []).map((s) => [...s]);
  }

  /** An input → model ids (pieces shifted by the offset). */
  encode(input: string | readonly string[]): Int32Array {
    const out: number[] = [];
    for (const seg of this.segments(input)) {
      const ids = this.config.kind === "bpe" ? this.codec.encode(seg) : seg.map((s) => this.codec.encode([s])[0]!);
      ids.forEach((id, i) => {
        if (id >= 0) { out.push(id + this.config.offset); return; }
        if (this.unk === null) throw new ValueError(`tokens: ${JSON.stringify(seg[i])} (in ${show(input)}) is not in the vocabulary, which has no "<unk>"`);
        out.push(this.unk);
      });
    }
    return Int32Array.from(out);
  }

  /** Model ids → base units (special ids dropped). */
  units(ids: ArrayLike<number>): string[] {
    const o = this.config.offset;
    return Array.from(ids).filter((i) => i >= o && i < o + this.codec.size).flatMap((i) => this.codec.expand(i - o));
  }

  /** Model ids → text: characters joined, words and symbols separated by spaces. */
  decode(ids: ArrayLike<number>): string {
    const sep = this.config.input === "text" && this.config.kind !== "word" ? "" : " ";
    return this.units(ids).join(sep);
  }
}

function pieceLabel(codec: BpeCodec, input: TokenInput, i: number): string {
  if (i < codec.table.symbols.length) return codec.table.symbols[i]!;
  return codec.expand(i).join(input === "text" ? "" : "+");
}

/** "char", "word" or "bpe:<size>" (size: the whole vocabulary, specials included). */
export interface TokenSpec { readonly kind: TokenKind; readonly size?: number }

export function parseTokenSpec(text: string, where: string): TokenSpec {
  if (text === "char" || text === "word") return { kind: text };
  const m = /^bpe:(\d+)$/.exec(text);
  if (m) return { kind: "bpe", size: Number(m[1]) };
  throw new OptionError(`${where}: expected char, word or bpe:<vocabulary size> (e.g. bpe:200), got ${JSON.stringify(text)}`);
}

/** Learns a side's tokenizer from its training inputs. */
export function trainTokens(spec: TokenSpec, input: TokenInput, specials: readonly string[], samples: readonly (string | readonly string[])[], where: string): SideTokens {
  if (spec.kind === "word" && input === "symbols") throw new OptionError(`${where}: word tokens are for text; this side is a symbol sequence (use char or bpe:<size>)`);
  const proto = new SideTokens({ kind: spec.kind, input, offset: specials.length, merges: [] }, specials, { symbols: [], merges: [] });
  const segments = samples.flatMap((s) => proto.segments(s));
  const units = [...new Set(segments.flat())].sort();
  let table: BpeTable = { symbols: units, merges: [] };
  if (spec.kind === "bpe") {
    const pieces = spec.size! - specials.length;
    if (pieces < units.length) throw new OptionError(`${where}: bpe:${spec.size} leaves ${pieces} pieces after the ${specials.length} special tokens, fewer than the ${units.length} distinct units of the training data; give at least bpe:${units.length + specials.length}`);
    table = learnBpe(segments, pieces);
  }
  return new SideTokens({ kind: spec.kind, input, offset: specials.length, merges: table.merges }, specials, table);
}
