/**
 * Byte-pair encoding (Sennrich, Haddow & Birch 2016, "Neural machine translation of rare words with
 * subword units"), over sequences of base symbols: characters of text, or any symbols (phonemes).
 *
 * Learning, from segments (words; a merge never crosses a segment's edge), each with its count:
 *   pieces  = the distinct base symbols in code-unit order (ids 0 … A−1), then one piece per merge
 *   repeat: count every adjacent pair (a, b) over all segments; take the most frequent pair, ties
 *           broken by the lower id of a, then the lower id of b; stop when it occurs fewer than 2
 *           times or the pieces reach `size`; otherwise merge (a, b) → a new piece (id A + k for the
 *           k-th merge), replacing its occurrences left to right, without overlap.
 * Encoding a segment: its symbols as pieces, then while two neighbours form a learned pair, merge
 * the pair of the earliest merge (lowest k) at all its places, left to right — the training order.
 * Decoding: each piece expands to its base symbols (merges are stored as id pairs, so this is exact
 * whatever the symbols' spelling); the round trip decode(encode(s)) = s holds for every segment of
 * known symbols. An unknown base symbol encodes as −1 (the caller maps it to its unknown id).
 */
import { OptionError, show } from "../errors/index.js";

/** The learned tables: the base symbols and the merges, [left id, right id] each, in order. */
export interface BpeTable {
  readonly symbols: readonly string[];
  readonly merges: readonly (readonly [number, number])[];
}

/** Learns merges from segments of base symbols until `size` pieces (symbols + merges) or no pair occurs twice. */
export function learnBpe(segments: readonly (readonly string[])[], size: number): BpeTable {
  if (!(Number.isSafeInteger(size) && size >= 1)) throw new OptionError(`bpe: size must be a positive integer, got ${show(size)}`);
  const symbols = [...new Set(segments.flat())].sort();
  if (size < symbols.length) {
    throw new OptionError(`bpe: size ${size} is below the ${symbols.length} distinct base symbols of the training data; give at least ${symbols.length}`);
  }
  const index = new Map(symbols.map((s, i) => [s, i]));
  // distinct segments with their counts
  const counts = new Map<string, { ids: number[]; n: number }>();
  for (const seg of segments) {
    const key = seg.join("\u0000"), e = counts.get(key);
    if (e) e.n++;
    else counts.set(key, { ids: seg.map((s) => index.get(s)!), n: 1 });
  }
  const types = [...counts.values()], merges: [number, number][] = [];
  const P = size + 1; // pair key a·P + b, ids < P
  while (symbols.length + merges.length < size) {
    const pairs = new Map<number, number>();
    for (const { ids, n } of types) for (let i = 0; i + 1 < ids.length; i++) {
      const k = ids[i]! * P + ids[i + 1]!;
      pairs.set(k, (pairs.get(k) ?? 0) + n);
    }
    let best = -1, bestN = 1;
    for (const [k, n] of pairs) if (n > bestN || (n === bestN && n >= 2 && k < best)) { best = k; bestN = n; }
    if (best < 0) break;
    const a = Math.floor(best / P), b = best % P, id = symbols.length + merges.length;
    merges.push([a, b]);
    for (const t of types) t.ids = mergeAll(t.ids, a, b, id);
  }
  return { symbols, merges };
}

/** Replaces each (a, b) of `ids`, left to right without overlap, by `id`. */
function mergeAll(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === a && ids[i + 1] === b) { out.push(id); i++; } else out.push(ids[i]!);
  }
  return out;
}

/** A reusable encoder of one table (its symbol index and merge ranks built once). */
export class BpeCodec {
  private readonly index: Map<string, number>;
  private readonly rank = new Map<number, number>();
  private readonly P: number;

  constructor(readonly table: BpeTable) {
    this.index = new Map(table.symbols.map((s, i) => [s, i]));
    this.P = table.symbols.length + table.merges.length + 1;
    table.merges.forEach(([a, b], k) => this.rank.set(a * this.P + b, k));
  }

  /** Number of pieces: symbols and merges. */
  get size(): number {
    return this.table.symbols.length + this.table.merges.length;
  }

  /** A segment of base symbols → piece ids (−1 for a symbol the table does not know; it merges with nothing). */
  encode(segment: readonly string[]): number[] {
    let ids = segment.map((s) => this.index.get(s) ?? -1);
    const A = this.table.symbols.length;
    for (;;) {
      let best = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        if (ids[i]! < 0 || ids[i + 1]! < 0) continue;
        const k = this.rank.get(ids[i]! * this.P + ids[i + 1]!);
        if (k !== undefined && k < best) best = k;
      }
      if (best === Infinity) return ids;
      const [a, b] = this.table.merges[best]!;
      ids = mergeAll(ids, a, b, A + best);
    }
  }

  /** A piece → its base symbols. */
  expand(id: number): string[] {
    const A = this.table.symbols.length;
    if (!(Number.isInteger(id) && id >= 0 && id < this.size)) throw new OptionError(`bpe: piece id ${show(id)} is outside 0..${this.size - 1}`);
    if (id < A) return [this.table.symbols[id]!];
    const [a, b] = this.table.merges[id - A]!;
    return [...this.expand(a), ...this.expand(b)];
  }

  /** Piece ids → base symbols. */
  decode(ids: readonly number[]): string[] {
    return ids.flatMap((id) => this.expand(id));
  }
}
