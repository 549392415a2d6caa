/**
 * Reading a zip archive held in memory, checked: fflate inflates the entries; this adds what a
 * damaged or hostile archive needs and fflate does not do.
 *   - Sizes are capped before inflating: each entry's declared size against `maxEntryBytes`, and the
 *     total against `maxTotalBytes` and against a ratio to the archive (a zip bomb declares, or
 *     inflates to, far more than deflate can reach: 1032:1 at best).
 *   - Every entry's CRC-32 (from the central directory, PKWARE APPNOTE 4.3.12: signature 0x02014b50,
 *     CRC at +16, compressed size +20, uncompressed size +24, name length +28, extra +30, comment +32,
 *     name at +46; the end record 0x06054b50 gives the directory's entry count at +10 and its offset
 *     at +16) is compared with the CRC of the inflated bytes, so a flipped byte inside a stored
 *     (uncompressed) entry is refused instead of loading as a changed weight.
 */
import { unzipSync } from "fflate";
import { FormatError } from "../errors/index.js";

export interface ZipLimits {
  /** Largest inflated entry (default 2 GiB). */
  readonly maxEntryBytes?: number;
  /** Largest inflated total (default 4 GiB, and at most 1100 × the archive). */
  readonly maxTotalBytes?: number;
}

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** name → CRC-32 from the central directory. */
function centralCrcs(bytes: Uint8Array, where: string): Map<string, number> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (v.getUint32(i, true) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new FormatError(`${where}: not a readable zip archive (no end-of-directory record: truncated?)`);
  let count = v.getUint16(end + 10, true), at = v.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) {
    // zip64: the zip64 end record, found through its locator just before the end record
    const loc = end - 20;
    if (loc < 0 || v.getUint32(loc, true) !== 0x07064b50) throw new FormatError(`${where}: damaged zip64 directory locator`);
    const z = Number(v.getBigUint64(loc + 8, true));
    if (z + 56 > bytes.length || v.getUint32(z, true) !== 0x06064b50) throw new FormatError(`${where}: damaged zip64 directory`);
    count = Number(v.getBigUint64(z + 32, true));
    at = Number(v.getBigUint64(z + 48, true));
  }
  const out = new Map<string, number>(), dec = new TextDecoder();
  for (let k = 0; k < count; k++) {
    if (at + 46 > bytes.length || v.getUint32(at, true) !== 0x02014b50) throw new FormatError(`${where}: damaged zip directory (entry ${k})`);
    const n = v.getUint16(at + 28, true), x = v.getUint16(at + 30, true), c = v.getUint16(at + 32, true);
    if (at + 46 + n > bytes.length) throw new FormatError(`${where}: damaged zip directory (entry ${k})`);
    out.set(dec.decode(bytes.subarray(at + 46, at + 46 + n)), v.getUint32(at + 16, true));
    at += 46 + n + x + c;
  }
  return out;
}

/** The entries `keep` accepts (all by default), inflated, size-capped and CRC-checked. */
export function readZip(bytes: Uint8Array, where: string, keep: (name: string) => boolean = () => true, limits: ZipLimits = {}): Record<string, Uint8Array> {
  const maxEntry = limits.maxEntryBytes ?? 2 ** 31;
  const maxTotal = Math.min(limits.maxTotalBytes ?? 2 ** 32, Math.max(1 << 20, bytes.length * 1100));
  const crcs = centralCrcs(bytes, where);
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!keep(f.name)) return false;
        if (!crcs.has(f.name)) throw new FormatError(`${where}: entry ${JSON.stringify(f.name.slice(0, 80))} is missing from the zip directory (damaged archive)`);
        if (f.compression === 0 ? f.originalSize !== f.size : f.originalSize > 1032 * f.size + 1024) {
          throw new FormatError(`${where}: entry "${f.name}" declares ${f.originalSize} bytes from ${f.size} ${f.compression === 0 ? "stored" : "compressed"} bytes: damaged, or a zip bomb`);
        }
        if (f.originalSize > maxEntry) throw new FormatError(`${where}: entry "${f.name}" declares ${f.originalSize} bytes inflated; the limit is ${maxEntry}`);
        total += f.originalSize;
        if (total > maxTotal) throw new FormatError(`${where}: the entries declare ${total} bytes inflated, more than ${maxTotal} (the limit for a ${bytes.length}-byte archive): refused as a possible zip bomb`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(`${where}: not a readable zip archive (${(e as Error).message})`);
  }
  for (const [name, data] of Object.entries(files)) {
    const want = crcs.get(name);
    if (want === undefined) throw new FormatError(`${where}: entry ${JSON.stringify(name.slice(0, 80))} is missing from the zip directory`);
    if (crc32(data) !== want) throw new FormatError(`${where}: entry "${name}" is damaged (its CRC-32 does not match)`);
  }
  return files;
}
