/**
 * Seeded damage for the fuzz tests and scripts/fuzz-report.ts: byte-level mutations of a file and
 * node-level mutations of a JSON value, each able to log what it did, so a checker can tell a
 * damage the format can detect (a cut, an insertion, a wrong type) from one it cannot (a weight
 * byte overwritten in place in a format without checksums).
 */

/** One byte-level edit: where it happened in the (then current) bytes and whether it kept the length. */
export interface ByteEdit { readonly kind: "overwrite" | "cut" | "insert" | "duplicate"; readonly at: number; readonly len: number }

/** A damaged copy of bytes: flipped bytes, extreme 32-bit values, cuts, insertions, duplications. */
export function mutateBytes(src: Uint8Array, r: () => number, log: ByteEdit[] = []): Uint8Array {
  let b = src.slice();
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const kind = Math.floor(r() * 6), at = Math.floor(r() * b.length);
    if (kind <= 1) { b[at] = Math.floor(r() * 256); log.push({ kind: "overwrite", at, len: 1 }); }
    else if (kind === 2) {
      const p = Math.min(at, b.length - 4);
      new DataView(b.buffer).setUint32(p, [0, 0xffffffff, 0x7fffffff, 0x80000000, 1][Math.floor(r() * 5)]!, true);
      log.push({ kind: "overwrite", at: p, len: 4 });
    }
    else if (kind === 3) { log.push({ kind: "cut", at, len: b.length - at }); b = b.slice(0, at); }
    else if (kind === 4) {
      const ins = Uint8Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256));
      b = new Uint8Array([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
      log.push({ kind: "insert", at, len: ins.length });
    }
    else {
      const len = Math.floor(r() * 32);
      b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at, at + len), ...b.subarray(at)]);
      log.push({ kind: "duplicate", at, len: Math.min(len, b.length - at) });
    }
    if (b.length < 4) break;
  }
  return b;
}

/**
 * Whether every edit only overwrote bytes in place inside the given [begin, end) ranges (of the
 * original bytes): the damage a format without checksums cannot tell from other weights.
 */
export function onlyOverwritesIn(log: readonly ByteEdit[], ranges: readonly (readonly [number, number])[]): boolean {
  return log.every((e) => e.len === 0 || (e.kind === "overwrite" && ranges.some(([b, x]) => e.at >= b && e.at + e.len <= x)));
}

/** Whether every edit kept the length (overwrites only; an insertion of nothing changes nothing). */
export const onlyOverwrites = (log: readonly ByteEdit[]): boolean => log.every((e) => e.kind === "overwrite" || e.len === 0);

export const JUNK: unknown[] = [null, -1, 0, 1e12, -3.5, "", "tanh", "GRU", true, [], {}, [null, 1e9, 3], { class_name: "GRU", config: {} }, NaN, 2 ** 31];

/** One JSON edit: a node replaced (`typeChanged` when the new value is of another JSON kind), removed, or spliced out. */
export interface JsonEdit { readonly kind: "replace" | "remove"; readonly key: string | number; readonly typeChanged: boolean }

/** The JSON kind of a value; NaN and ±Infinity are their own kind (no JSON number is). */
export function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number" && !Number.isFinite(v)) return "non-finite";
  return typeof v;
}

/** A damaged copy of a JSON value: a random node replaced, removed, or its array shortened. */
export function mutateJson(v: unknown, r: () => number, log: JsonEdit[] = []): unknown {
  const copy = JSON.parse(JSON.stringify(v)) as unknown;
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach((c, i) => { nodes.push({ parent: x, key: i }); walk(c); });
    else if (x && typeof x === "object") for (const [k, c] of Object.entries(x)) { nodes.push({ parent: x as Record<string, unknown>, key: k }); walk(c); }
  };
  walk(copy);
  const m = 1 + Math.floor(r() * 3);
  for (let k = 0; k < m && nodes.length; k++) {
    const { parent, key } = nodes[Math.floor(r() * nodes.length)]!;
    const kind = r();
    if (kind < 0.6) {
      const before = (parent as Record<string, unknown>)[key as string], after = JUNK[Math.floor(r() * JUNK.length)];
      (parent as Record<string, unknown>)[key as string] = after;
      log.push({ kind: "replace", key, typeChanged: jsonKind(before) !== jsonKind(after) });
    }
    else if (Array.isArray(parent)) { parent.splice(key as number, 1); log.push({ kind: "remove", key, typeChanged: false }); }
    else { delete (parent as Record<string, unknown>)[key as string]; log.push({ kind: "remove", key, typeChanged: false }); }
  }
  return copy;
}

/** Whether two outputs are the same numbers, bit for bit (NaN equal to NaN). */
export function sameOutputs(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Whether `out` holds a NaN or an infinity where the undamaged `ref` holds none (a non-finite weight got in). */
export function newlyNonFinite(out: ArrayLike<number>, ref: ArrayLike<number>): boolean {
  const bad = (a: ArrayLike<number>) => Array.prototype.some.call(a, (v: number) => !Number.isFinite(v));
  return bad(out) && !bad(ref);
}
