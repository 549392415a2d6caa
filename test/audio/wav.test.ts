// WAV decoding: every bit depth against soundfile's values (recorded by scripts/audio/check_features.py),
// stereo mixdown, and truncated / corrupt files refused with a FormatError naming the problem.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeWav, mixDown, readWav } from "../../src/audio/index.js";
import { FormatError } from "../../src/errors/index.js";
import { assertClose } from "../helpers/close.js";

const dir = new URL("../fixtures/audio/", import.meta.url);
interface Case { file: string; sampleRate: number; channels: number; length: number; subtype: string; head: number[]; monoHead: number[] }
const expected = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as { cases: Case[] };
const bytes = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(f, dir)));

describe("decodeWav", () => {
  for (const c of expected.cases) {
    it(`${c.file} (${c.subtype}, ${c.channels} ch, ${c.sampleRate} Hz) reads soundfile's values exactly`, () => {
      const w = decodeWav(bytes(c.file));
      assert.equal(w.sampleRate, c.sampleRate);
      assert.equal(w.channels.length, c.channels);
      assert.equal(w.frames, c.length);
      const head: number[] = [];
      for (let i = 0; i < 16; i++) for (let ch = 0; ch < c.channels; ch++) head.push(w.channels[ch]![i]!);
      // float32 holds 8/16/24-bit samples exactly; 32-bit PCM loses the low 8 bits (2^-24 relative)
      assertClose(head, c.head, { atol: c.subtype === "PCM_32" ? 1e-7 : 0 }, `${c.file} samples`);
      assertClose(mixDown(w.channels).subarray(0, 16), c.monoHead, { atol: 1e-7 }, `${c.file} mixdown`);
    });
  }

  it("mixes stereo down to the channel mean and resamples on request", () => {
    const r = readWav(bytes("noise-44k-pcm24-stereo.wav"), { sampleRate: 16000 });
    assert.equal(r.sampleRate, 16000);
    assert.equal(r.samples.length, Math.ceil((8820 * 16000) / 44100));
    const w = decodeWav(bytes("chirp-16k-float-stereo.wav"));
    const m = mixDown(w.channels);
    assert.equal(m[100], Math.fround((w.channels[0]![100]! + w.channels[1]![100]!) / 2));
  });

  const refuse = (b: Uint8Array, pattern: RegExp) => {
    assert.throws(() => decodeWav(b), (e: unknown) => e instanceof FormatError && e.code === "format" && pattern.test(e.message));
  };

  it("refuses a truncated file, naming the data chunk and the bytes left", () => {
    const b = bytes("chirp-16k-pcm16-mono.wav");
    refuse(b.subarray(0, b.length - 101), /data chunk declares 16000 bytes, only 15899 remain \(truncated file\)/);
    refuse(b.subarray(0, 30), /fmt chunk declares 16 bytes, only 10 remain/);
    refuse(b.subarray(0, 8), /expected a 12-byte RIFF header, got 8 bytes/);
  });

  it("refuses corrupt headers with what was expected and what came", () => {
    const b = bytes("chirp-16k-pcm16-mono.wav").slice();
    const notRiff = b.slice(); notRiff[0] = 0x58;
    refuse(notRiff, /expected "RIFF" … "WAVE" at the start, got "XIFF"/);
    const tag = b.slice(); new DataView(tag.buffer).setUint16(20, 2, true); // ADPCM
    refuse(tag, /format tag: expected 1 \(PCM\), 3 \(IEEE float\) or 0xFFFE \(extensible\), got 2/);
    const bits = b.slice(); new DataView(bits.buffer).setUint16(34, 12, true);
    refuse(bits, /bits per sample: expected one of 8, 16, 24, 32 for PCM, got 12/);
    const align = b.slice(); new DataView(align.buffer).setUint16(32, 3, true);
    refuse(align, /block align: expected channels × bytes = 2, got 3/);
    const odd = b.slice(); new DataView(odd.buffer).setUint32(40, 15999, true);
    refuse(odd.subarray(0, 44 + 15999), /data chunk: expected a multiple of the 2-byte frame, got 15999 bytes/);
    refuse(b.subarray(0, 36), /no data chunk found in 36 bytes/);
  });
});
