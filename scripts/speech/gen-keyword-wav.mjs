// Writes test/fixtures/speech/digits.wav and digits.json: a few seconds of spoken digits with
// silence between them, for the keyword-spotting test and demo (`gated predict MODEL --wav FILE`).
// Run by hand, never in CI: it needs espeak-ng and sox (Debian: apt-get install espeak-ng sox).
//
// Usage: node scripts/speech/gen-keyword-wav.mjs [--seed 18] [--out-dir test/fixtures/speech]
//
// Voices: only voices of the spoken-digits TEST split (never heard in training; checked against
// src/data/spoken-digits/features.ts). Each word:
//   espeak-ng -v <voice> -s <speed> -p <pitch> --stdout <word>          (22.05 kHz, 16-bit)
//   sox -R -D: tempo ×[0.9, 1.1], silence trimmed at both ends (1 % of full scale), rate 16 kHz
// The words are laid out with 0.4 s of silence before the first, [0.5, 0.9] s between words and
// 0.4 s after the last, then mixed (sox -m) with white noise from `sox synth whitenoise` at
// −50 dBFS RMS. 16 kHz, mono, 16-bit PCM. digits.json records each word's start and end (seconds)
// as laid out. espeak-ng runs as a separate program (see src/data/spoken-digits/README.md for its
// licence); nothing of it is imported into gated.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";
import { mulberry32 } from "../lib/mulberry32.mjs";

const { decodeWav } = await tsImport("../../src/audio/index.ts", import.meta.url);
const { SPOKEN_DIGITS_INDEX } = await tsImport("../../src/data/spoken-digits/features.ts", import.meta.url);

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const SEED = args.includes("--seed") ? Number(args[args.indexOf("--seed") + 1]) : 18;
const OUT = args.includes("--out-dir") ? args[args.indexOf("--out-dir") + 1] : join(ROOT, "test", "fixtures", "speech");
const SR = 16000;
const WORDS = [["three", "en-us+klatt"], ["seven", "en-gb-x-rp+max"], ["one", "en-us-nyc+f3"], ["nine", "en-gb-scotland+m4"]];

for (const [, voice] of WORDS) {
  const i = SPOKEN_DIGITS_INDEX.voices.indexOf(voice);
  if (i < 0 || SPOKEN_DIGITS_INDEX.split[i] !== "test") throw new Error(`${voice} is not a test voice of spoken-digits`);
}

const rand = mulberry32(SEED);
const uniform = (a, b) => a + (b - a) * rand();
const tmp = mkdtempSync(join(tmpdir(), "gated-kws-"));

/** One word by one voice, trimmed, at 16 kHz (sox's resampler), as float samples. */
function speak(word, voice) {
  const speed = Math.round(uniform(140, 190)), pitch = Math.round(uniform(35, 65));
  const raw = execFileSync("espeak-ng", ["-v", voice, "-s", `${speed}`, "-p", `${pitch}`, "--stdout", word], { maxBuffer: 1 << 24 });
  const path = join(tmp, "w.wav");
  execFileSync("sox", ["-R", "-D", "-t", "wav", "-", "-b", "16", "-r", `${SR}`, path, "tempo", uniform(0.9, 1.1).toFixed(3),
    "silence", "1", "0.01", "1%", "reverse", "silence", "1", "0.01", "1%", "reverse"], { input: raw });
  return decodeWav(new Uint8Array(readFileSync(path))).channels[0];
}

const parts = [], marks = [];
let at = Math.round(0.4 * SR);
WORDS.forEach(([word, voice], k) => {
  const x = speak(word, voice);
  parts.push({ at, x });
  marks.push({ word, voice, start: +(at / SR).toFixed(3), end: +((at + x.length) / SR).toFixed(3) });
  at += x.length + (k < WORDS.length - 1 ? Math.round(uniform(0.5, 0.9) * SR) : Math.round(0.4 * SR));
});
const clean = new Int16Array(at);
for (const p of parts) for (let i = 0; i < p.x.length; i++) clean[p.at + i] = Math.round(Math.max(-1, Math.min(1, p.x[i])) * 32767);

/** A 16-bit mono PCM WAV file. */
function wavBytes(pcm) {
  const b = Buffer.alloc(44 + 2 * pcm.length);
  b.write("RIFF", 0); b.writeUInt32LE(36 + 2 * pcm.length, 4); b.write("WAVE", 8);
  b.write("fmt ", 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(SR, 24); b.writeUInt32LE(2 * SR, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write("data", 36); b.writeUInt32LE(2 * pcm.length, 40);
  for (let i = 0; i < pcm.length; i++) b.writeInt16LE(pcm[i], 44 + 2 * i);
  return b;
}

const cleanPath = join(tmp, "clean.wav"), noisePath = join(tmp, "noise.wav");
writeFileSync(cleanPath, wavBytes(clean));
// white noise of RMS −50 dBFS: sox's whitenoise is uniform on [−1, 1] (RMS 1/√3), scaled by vol
const vol = (10 ** (-50 / 20) * Math.sqrt(3)).toFixed(6);
execFileSync("sox", ["-R", "-D", "-n", "-r", `${SR}`, "-c", "1", "-b", "16", noisePath, "synth", `${at / SR}`, "whitenoise", "vol", vol]);
mkdirSync(OUT, { recursive: true });
execFileSync("sox", ["-R", "-D", "-m", "-v", "1", cleanPath, "-v", "1", noisePath, "-b", "16", join(OUT, "digits.wav")]);
rmSync(tmp, { recursive: true, force: true });
const espeak = execFileSync("espeak-ng", ["--version"]).toString().trim().split(/\s+/).find((w) => /^\d+\.\d+/.test(w));
writeFileSync(join(OUT, "digits.json"), JSON.stringify({
  made: { by: "scripts/speech/gen-keyword-wav.mjs", seed: SEED, espeakNg: espeak, sox: execFileSync("sox", ["--version"]).toString().trim().replace(/^sox:\s*/, "") },
  sampleRate: SR, seconds: +(at / SR).toFixed(3), noise: "white, -50 dBFS RMS", words: marks,
}, null, 2) + "\n");
console.log(`${marks.map((m) => `${m.word} ${m.start}–${m.end}`).join(", ")}; ${(at / SR).toFixed(2)} s → ${join(OUT, "digits.wav")}`);
