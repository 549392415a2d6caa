/**
 * WAV (RIFF/WAVE) decoding, browser-safe: bytes in, Float32 samples in [−1, 1) out.
 *
 * Layout read: "RIFF" size "WAVE", then chunks (id, little-endian u32 size, data, a pad byte when
 * the size is odd). "fmt " gives the format tag, channels, sample rate, block align and bits per
 * sample; "data" holds interleaved frames. Other chunks (LIST, fact, cue, …) are skipped.
 *
 * Supported: PCM (tag 1) 8/16/24/32-bit and IEEE float (tag 3) 32/64-bit, also as
 * WAVE_FORMAT_EXTENSIBLE (tag 0xFFFE, the sub-format GUID's first two bytes give 1 or 3).
 * Scaling follows libsndfile (so soundfile and librosa.load read the same values):
 *   8-bit unsigned  (b − 128) / 128        16-bit  s / 2¹⁵
 *   24-bit          s / 2²³                32-bit  s / 2³¹         float  as stored
 * Mixdown to mono is the mean over channels (librosa.to_mono).
 *
 * Refused with a FormatError naming the problem: not RIFF/WAVE, RF64, a missing or short fmt
 * chunk, an unsupported tag or bit depth, a block align that disagrees with channels × bytes, a
 * data chunk longer than the bytes left (a truncated file), or a data size not a whole number of
 * frames.
 */
import { FormatError, checkOptions } from "../errors/index.js";
import { resample, type ResampleOptions } from "./resample.js";

export interface WavData {
  readonly sampleRate: number;
  /** One Float32Array per channel, each of `frames` samples. */
  readonly channels: Float32Array[];
  readonly frames: number;
  readonly bitsPerSample: number;
  readonly encoding: "pcm" | "float";
}

interface Fmt {
  tag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
}

const W = "wav";

function fourcc(v: DataView, at: number): string {
  return String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
}

function readFmt(v: DataView, at: number, size: number): Fmt {
  if (size < 16) throw new FormatError(`${W}: fmt chunk: expected at least 16 bytes, got ${size}`);
  let tag = v.getUint16(at, true);
  const channels = v.getUint16(at + 2, true);
  const sampleRate = v.getUint32(at + 4, true);
  const blockAlign = v.getUint16(at + 12, true);
  const bits = v.getUint16(at + 14, true);
  if (tag === 0xfffe) {
    if (size < 40) throw new FormatError(`${W}: fmt chunk (extensible): expected 40 bytes, got ${size}`);
    tag = v.getUint16(at + 24, true); // the sub-format GUID starts with the plain format tag
  }
  if (tag !== 1 && tag !== 3) {
    throw new FormatError(`${W}: format tag: expected 1 (PCM), 3 (IEEE float) or 0xFFFE (extensible), got ${tag}`);
  }
  const okBits = tag === 1 ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bits)) {
    throw new FormatError(`${W}: bits per sample: expected one of ${okBits.join(", ")} for ${tag === 1 ? "PCM" : "float"}, got ${bits}`);
  }
  if (channels < 1) throw new FormatError(`${W}: channels: expected at least 1, got ${channels}`);
  if (sampleRate < 1) throw new FormatError(`${W}: sample rate: expected a positive rate, got ${sampleRate}`);
  if (blockAlign !== channels * (bits / 8)) {
    throw new FormatError(`${W}: block align: expected channels × bytes = ${channels * (bits / 8)}, got ${blockAlign}`);
  }
  return { tag, channels, sampleRate, blockAlign, bits };
}

function toView(bytes: Uint8Array | ArrayBuffer): DataView {
  return bytes instanceof ArrayBuffer ? new DataView(bytes) : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes a WAV file's bytes into per-channel Float32 samples. */
export function decodeWav(bytes: Uint8Array | ArrayBuffer): WavData {
  const v = toView(bytes);
  const n = v.byteLength;
  if (n < 12) throw new FormatError(`${W}: expected a 12-byte RIFF header, got ${n} bytes`);
  const riff = fourcc(v, 0);
  if (riff === "RF64") throw new FormatError(`${W}: RF64 (WAV over 4 GiB) is not supported; expected "RIFF"`);
  if (riff !== "RIFF" || fourcc(v, 8) !== "WAVE") {
    throw new FormatError(`${W}: expected "RIFF" … "WAVE" at the start, got ${JSON.stringify(riff)} … ${JSON.stringify(fourcc(v, 8))}`);
  }
  let fmt: Fmt | null = null;
  let at = 12;
  while (at + 8 <= n) {
    const id = fourcc(v, at);
    const size = v.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (body + size > n) throw new FormatError(`${W}: fmt chunk declares ${size} bytes, only ${n - body} remain (truncated file)`);
      fmt = readFmt(v, body, size);
    } else if (id === "data") {
      if (fmt === null) throw new FormatError(`${W}: data chunk at byte ${at} comes before any fmt chunk`);
      if (body + size > n) {
        throw new FormatError(`${W}: data chunk declares ${size} bytes, only ${n - body} remain (truncated file)`);
      }
      if (size % fmt.blockAlign !== 0) {
        throw new FormatError(`${W}: data chunk: expected a multiple of the ${fmt.blockAlign}-byte frame, got ${size} bytes`);
      }
      return decodeData(v, body, size / fmt.blockAlign, fmt);
    }
    at = body + size + (size & 1);
  }
  throw new FormatError(`${W}: ${fmt === null ? "no fmt chunk" : "no data chunk"} found in ${n} bytes`);
}

function decodeData(v: DataView, at: number, frames: number, f: Fmt): WavData {
  const channels = Array.from({ length: f.channels }, () => new Float32Array(frames));
  const bytes = f.bits / 8;
  const read = sampleReader(v, f);
  for (let i = 0, p = at; i < frames; i++) {
    for (let c = 0; c < f.channels; c++, p += bytes) channels[c]![i] = read(p);
  }
  return { sampleRate: f.sampleRate, channels, frames, bitsPerSample: f.bits, encoding: f.tag === 3 ? "float" : "pcm" };
}

function sampleReader(v: DataView, f: Fmt): (p: number) => number {
  if (f.tag === 3) return f.bits === 32 ? (p) => v.getFloat32(p, true) : (p) => v.getFloat64(p, true);
  switch (f.bits) {
    case 8: return (p) => (v.getUint8(p) - 128) / 128;
    case 16: return (p) => v.getInt16(p, true) / 32768;
    case 24: return (p) => (((v.getUint8(p + 2) << 24) >> 8) | (v.getUint8(p + 1) << 8) | v.getUint8(p)) / 8388608;
    default: return (p) => v.getInt32(p, true) / 2147483648;
  }
}

/** The mean over channels (librosa.to_mono). One channel is returned as it is. */
export function mixDown(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const n = channels[0]!.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const ch of channels) s += ch[i]!;
    out[i] = s / channels.length;
  }
  return out;
}

export interface ReadWavOptions {
  /** Resample to this rate (Hz); default: keep the file's rate. */
  readonly sampleRate?: number;
  /** Options of the windowed-sinc resampler. */
  readonly resample?: ResampleOptions;
}

/** Decodes, mixes down to mono and (when asked) resamples: what a speech front end wants. */
export function readWav(bytes: Uint8Array | ArrayBuffer, opts: ReadWavOptions = {}): { samples: Float32Array; sampleRate: number } {
  checkOptions("readWav", opts, ["sampleRate", "resample"]);
  const wav = decodeWav(bytes);
  const mono = mixDown(wav.channels);
  const to = opts.sampleRate ?? wav.sampleRate;
  if (to === wav.sampleRate) return { samples: mono, sampleRate: to };
  return { samples: resample(mono, wav.sampleRate, to, opts.resample), sampleRate: to };
}
