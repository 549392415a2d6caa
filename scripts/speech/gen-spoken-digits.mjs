// Writes src/data/spoken-digits/features.ts, the features of the spoken-digits data set that gated
// ships (keyword spotting: "zero".."nine", "yes", "no", "stop", "go", an "unknown" word and
// "silence"). Run by hand, never in CI: it needs espeak-ng and sox (Debian: apt-get install
// espeak-ng sox) and takes a few minutes on one core.
//
// Usage: node scripts/speech/gen-spoken-digits.mjs [--seed 2026] [--out file.ts] [--dry-run]
// (--out writes elsewhere, e.g. to check that a second run gives the same bytes: cmp it with
// src/data/spoken-digits/features.ts; --dry-run stops after 4 voices)
//
// How each utterance is made:
//   1. espeak-ng -v <accent>+<variant> -s <speed> -p <pitch> --stdout "<word>"   (22.05 kHz, 16-bit)
//   2. sox -R -D (repeatable, no dither): tempo ×[0.9, 1.1], gain [−6, 0] dB, silence trimmed at both ends (1% of full scale),
//      0.05 s of padding at each end, written to a temporary WAV file
//   3. gated's own front end: readWav(…, { sampleRate: 16000 }) (gated's sinc resampler), white
//      noise at an SNR drawn from [15, 35] dB (mulberry32, the recorded seed), then
//      audioFeatures: 13 MFCCs (c0 included), 25 ms Hann window, 10 ms hop, 512-point FFT, 40 Slaney
//      mel bands, dB log, no deltas (a recurrent net sees the trajectory; Δ would double the size).
//   4. int8: each coefficient standardised by the mean and std of the training voices, times
//      127 / 4.5 (±4.5 std), rounded and clipped; the loader divides by 127 / 4.5.
// "silence" is 0.3–0.8 s of white noise (−60 to −35 dBFS) with no speech; "unknown" is one word
// drawn from UNKNOWN_WORDS per voice.
//
// espeak-ng runs as a separate program (a child process); nothing of it is imported or linked into
// gated. Its licence (GPL-3.0-or-later) covers the program; the features written here are computed
// by gated from espeak-ng's output, and the GPL does not extend to a program's output (GPL-3.0 §2:
// "The output from running a covered work is covered by this License only if the output, given its
// content, constitutes a covered work"). Synthesised speech of single English words is not a
// covered work, so the features are distributed with gated under gated's licence (MIT).
//
// A voice is one accent × one variant; voices, not utterances, are split train / validation /
// test by a seeded shuffle, so no test voice is heard in training.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";
import { addNoise, b64, randoms, standardiseAndQuantise, synthesize, toolVersions } from "./common.mjs";

const { readWav, audioFeatures } = await tsImport("../../src/audio/index.ts", import.meta.url);

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT_DIR = join(ROOT, "src", "data", "spoken-digits");
const args = process.argv.slice(2);
const SEED = args.includes("--seed") ? Number(args[args.indexOf("--seed") + 1]) : 2026;
const DRY = args.includes("--dry-run");
const OUT = args.includes("--out") ? args[args.indexOf("--out") + 1] : join(OUT_DIR, DRY ? "features.dry-run.ts" : "features.ts");

const WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "yes", "no", "stop", "go"];
const CLASSES = [...WORDS, "unknown", "silence"];
const UNKNOWN_WORDS = ["bed", "bird", "cat", "dog", "down", "happy", "house", "left", "marvin", "off", "on", "right", "sheila", "tree", "up", "wow", "follow", "learn", "visual", "forward"];
// The gmw English voices of espeak-ng 1.51 (the mbrola ones need mbrola, not installed here).
const ACCENTS = ["en-gb", "en-us", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029", "en-us-nyc"];
const VARIANTS = [
  "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2", "klatt3", "croak",
  "edward", "Gene", "linda", "max", "steph", "zac", "Andy", "annie",
];
const SPLIT = { validation: 0.125, test: 0.125 };
const SR = 16000;
const FEATURES = { sampleRate: SR, kind: "mfcc", nMfcc: 13, nMels: 40, winLength: 400, hop: 160, nFft: 512, deltas: 0 };
const F = 13;
const Q = 127 / 4.5;
const MAX_FRAMES = 150;

const { rand, uniform, gauss, shuffled } = randoms(SEED);

const tmp = mkdtempSync(join(tmpdir(), "gated-speech-"));
const wavPath = join(tmp, "u.wav");

/** One word by one voice through espeak-ng and sox, as 16 kHz samples read by gated. */
function speak(word, accent, variant) {
  const speed = Math.round(uniform(130, 210)), pitch = Math.round(uniform(25, 75));
  const tempo = uniform(0.9, 1.1).toFixed(3), gain = uniform(-6, 0).toFixed(2);
  return { samples: synthesize(readWav, word, { accent, variant, speed, pitch, tempo, gain }, wavPath, SR), settings: { speed, pitch, tempo: Number(tempo), gain: Number(gain) } };
}

function silence() {
  const x = new Float32Array(Math.round(uniform(0.3, 0.8) * SR));
  const sd = 10 ** (uniform(-60, -35) / 20);
  for (let i = 0; i < x.length; i++) x[i] = sd * gauss();
  return x;
}

function mfcc(samples) {
  const f = audioFeatures(samples, FEATURES);
  const T = Math.min(f.frames, MAX_FRAMES);
  return { data: f.data.subarray(0, T * F), frames: T };
}

// voices, split by voice
const voices = ACCENTS.flatMap((a) => VARIANTS.map((v) => ({ accent: a, variant: v })));
const order = shuffled(voices.map((_, i) => i));
const nTest = Math.round(voices.length * SPLIT.test), nValid = Math.round(voices.length * SPLIT.validation);
order.forEach((vi, k) => { voices[vi].split = k < nTest ? "test" : k < nTest + nValid ? "validation" : "train"; });

const utterances = []; // { voice, label, data, frames }
const started = Date.now();
for (let vi = 0; vi < voices.length; vi++) {
  const { accent, variant } = voices[vi];
  for (let label = 0; label < CLASSES.length; label++) {
    let samples;
    if (CLASSES[label] === "silence") samples = silence();
    else {
      const word = CLASSES[label] === "unknown" ? UNKNOWN_WORDS[Math.floor(rand() * UNKNOWN_WORDS.length)] : CLASSES[label];
      samples = speak(word, accent, variant).samples;
      addNoise(samples, uniform(15, 35), gauss);
    }
    utterances.push({ voice: vi, label, ...mfcc(samples) });
  }
  if (vi % 16 === 15) console.log(`${vi + 1}/${voices.length} voices, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (DRY && vi === 3) break;
}
rmSync(tmp, { recursive: true, force: true });

// the training voices' statistics per coefficient; the int8 frames
const { mean, std, q, totalFrames } = standardiseAndQuantise(utterances, voices, F, Q);
const { espeakNg: espeakVersion, sox: soxVersion } = toolVersions();
const index = {
  made: { by: "scripts/speech/gen-spoken-digits.mjs", seed: SEED, espeakNg: espeakVersion, sox: soxVersion },
  classes: CLASSES,
  unknownWords: UNKNOWN_WORDS,
  voices: voices.map((v) => `${v.accent}+${v.variant}`),
  split: voices.map((v) => v.split),
  features: { ...FEATURES, size: F, quantisation: `int8 = round((mfcc − mean) / std · ${Q.toFixed(6)}), clipped to ±127` },
  mean: Array.from(mean, (v) => Number(v.toPrecision(7))),
  std: Array.from(std, (v) => Number(v.toPrecision(7))),
  scale: Q,
  count: utterances.length,
};
const lines = [
  "// Generated by scripts/speech/gen-spoken-digits.mjs (espeak-ng and sox, features by gated's own front",
  "// end); do not edit. How it was made and its licence: src/data/spoken-digits/README.md.",
  `export const SPOKEN_DIGITS_INDEX = ${JSON.stringify(index)} as const;`,
  "/** Per utterance, voice-major: the voice index (uint8), class (uint8) and frame count (uint8). */",
  `export const SPOKEN_DIGITS_VOICE: string = "${b64(Uint8Array.from(utterances, (u) => u.voice))}";`,
  `export const SPOKEN_DIGITS_LABEL: string = "${b64(Uint8Array.from(utterances, (u) => u.label))}";`,
  `export const SPOKEN_DIGITS_FRAMES: string = "${b64(Uint8Array.from(utterances, (u) => u.frames))}";`,
  `/** int8 frames [Σ frames, ${F}], row-major, utterance after utterance. */`,
  `export const SPOKEN_DIGITS_FEATURES: string = "${b64(q)}";`,
  "",
];
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(OUT, lines.join("\n"));
const frames = utterances.map((u) => u.frames).sort((a, b) => a - b);
console.log(`${utterances.length} utterances, ${voices.length} voices, ${totalFrames} frames (median ${frames[frames.length >> 1]}, max ${frames.at(-1)}), ${(lines.join("\n").length / 1e6).toFixed(2)} MB → ${OUT}`);
