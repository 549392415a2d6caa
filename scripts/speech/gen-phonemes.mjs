// Writes src/data/phonemes/features.ts, the features of the phonemes data set that gated ships
// (phoneme recognition with a CTC loss: short English sentences → their phoneme sequences). Run by
// hand, never in CI: it needs espeak-ng and sox (Debian: apt-get install espeak-ng sox) and takes a
// few minutes on one core.
//
// Usage: node scripts/speech/gen-phonemes.mjs [--seed 2027] [--out file.ts] [--dry-run] [--check-phonemes]
// (--out writes elsewhere, e.g. to check that a second run gives the same bytes; --dry-run stops
// after 2 voices; --check-phonemes only transcribes 200 sentences in every accent and lists the
// espeak-ng phoneme mnemonics that have no class, so the table below can be kept complete)
//
// How each utterance is made:
//   0. a sentence of 4–7 words from our own small grammar and word lists (below; no corpus): a
//      seeded draw of a pattern and its words, e.g. "the old doctor found a green box".
//   1. its phonemes: espeak-ng -q -x --sep=_ -v <accent> "<sentence>" — the phoneme mnemonics
//      espeak-ng speaks in that accent (the accent, not the voice variant, decides them); stress and
//      pauses dropped, each mnemonic mapped by PHONES to one or two of the 39 ARPAbet phonemes of
//      the CMU dictionary (stress-free); a mnemonic missing from PHONES stops the script.
//   2. espeak-ng -v <accent>+<variant> -s <speed> -p <pitch> --stdout "<sentence>" (22.05 kHz)
//   3. sox -R -D: tempo ×[0.9, 1.1], gain [−6, 0] dB, silence trimmed at both ends (1%), 0.05 s
//      padding each end
//   4. gated's own front end: readWav(…, { sampleRate: 16000 }), white noise at an SNR drawn from
//      [15, 35] dB, audioFeatures: 13 MFCCs (c0 included), 25 ms Hann window (400 samples), a
//      20 ms hop (320 samples; half the usual frame rate, so that the set stays small), 512-point
//      FFT, 40 Slaney mel bands, dB log, no deltas; at most 255 frames (5.1 s).
//   5. int8: each coefficient standardised by the mean and std of the training voices, times
//      127 / 4.5, rounded and clipped; base64 in a TS module.
//
// espeak-ng runs as a separate program (a child process); nothing of it is imported or linked into
// gated, and the GPL does not extend to a program's output (GPL-3.0 §2). The sentences are made
// here; the features are distributed with gated under gated's licence (MIT).
//
// Voices (accent × variant) are split train / validation / test by a seeded shuffle, so no test
// voice is heard in training; each voice speaks its own sentences.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";
import { addNoise, b64, randoms, standardiseAndQuantise, synthesize, toolVersions } from "./common.mjs";

const { readWav, audioFeatures } = await tsImport("../../src/audio/index.ts", import.meta.url);

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT_DIR = join(ROOT, "src", "data", "phonemes");
const args = process.argv.slice(2);
const SEED = args.includes("--seed") ? Number(args[args.indexOf("--seed") + 1]) : 2027;
const DRY = args.includes("--dry-run");
const CHECK = args.includes("--check-phonemes");
const OUT = args.includes("--out") ? args[args.indexOf("--out") + 1] : join(OUT_DIR, DRY ? "features.dry-run.ts" : "features.ts");

// The 39 phonemes of the CMU dictionary (ARPAbet without stress); class 0 is the CTC blank.
const PHONEMES = [
  "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY", "JH", "K",
  "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
];
// espeak-ng 1.51 English mnemonics (stress marks removed) → ARPAbet. Accent differences stay where
// espeak-ng voices them (a non-rhotic accent prints no r, so none is labelled).
const PHONES = {
  "@": "AH", "@2": "AH", "@5": "AH", "a#": "AH", V: "AH", "@L": "AH L", "3": "ER", "3:": "ER", IR: "ER", VR: "ER", "3:r": "ER",
  a: "AE", aa: "AE", "A:": "AA", "A@": "AA", "0": "AA", "O:": "AO", "O@": "AO", "o@": "AO", O: "AO", E: "EH", "e@": "EH",
  I: "IH", I2: "IH", "I#": "IH", "i@": "IH", "i@3": "IH", i: "IY", "i:": "IY", U: "UH", "U@": "UH", "u:": "UW",
  aI: "AY", aI2: "AY", O2: "AO", "aI@": "AY ER", aI3: "AY ER", "aU@": "AW ER", aU: "AW", eI: "EY", OI: "OY", oU: "OW", "@U": "OW", o: "OW", e: "EH",
  p: "P", b: "B", t: "T", t2: "T", "t#": "T", "t[": "T", d: "D", "d#": "D", "d[": "D", k: "K", g: "G", f: "F", v: "V", T: "TH", D: "DH",
  s: "S", z: "Z", S: "SH", Z: "ZH", h: "HH", x: "HH", C: "HH", tS: "CH", dZ: "JH", m: "M", n: "N", "n-": "N", N: "NG",
  l: "L", "l-": "L", r: "R", "r-": "R", w: "W", W: "W", j: "Y",
  "?": "", "": "",
};

// Our own sentence material: patterns of word classes and common English words.
const W = {
  det: ["the", "a", "this", "that", "my", "your", "his", "her", "our", "one", "every", "some"],
  adj: ["old", "new", "red", "green", "blue", "small", "big", "long", "short", "warm", "cold", "happy", "quiet", "dark", "bright",
    "young", "heavy", "empty", "strong", "soft", "clean", "early", "late", "busy", "little", "yellow", "broken", "simple", "good",
    "thick", "thin", "usual"],
  noun: ["man", "woman", "child", "doctor", "teacher", "farmer", "driver", "girl", "boy", "friend", "father", "mother", "dog", "cat",
    "horse", "bird", "fish", "car", "train", "boat", "house", "garden", "river", "window", "table", "chair", "book", "letter",
    "paper", "door", "road", "city", "village", "market", "school", "kitchen", "water", "bread", "apple", "orange", "coffee",
    "money", "music", "picture", "story", "box", "bottle", "clock", "key", "phone", "shirt", "shoe", "tree", "flower", "mountain",
    "island", "morning", "evening", "winter", "summer", "thief", "tooth", "mouth", "treasure", "television", "garage", "toy"],
  verb: ["saw", "found", "took", "made", "gave", "sold", "bought", "moved", "opened", "closed", "washed", "painted", "carried",
    "followed", "wanted", "liked", "needed", "brought", "kept", "left", "watched", "cleaned", "fixed", "visited", "remembered",
    "thanked", "enjoyed", "measured"],
  adv: ["today", "yesterday", "again", "slowly", "quickly", "quietly", "early", "later", "together", "alone", "twice", "outside", "usually", "through the night"],
  prep: ["near", "under", "behind", "across", "inside", "after", "before", "beside", "over", "with"],
  pron: ["she", "he", "we", "they", "you", "i"],
  aux: ["will", "can", "should", "might", "did not", "could", "would"],
  base: ["see", "find", "take", "make", "give", "sell", "buy", "move", "open", "close", "wash", "paint", "carry", "follow", "keep", "watch", "clean", "fix", "visit", "thank", "enjoy", "measure"],
};
const PATTERNS = [
  ["det", "adj", "noun", "verb", "det", "noun"],
  ["det", "noun", "verb", "det", "adj", "noun", "adv"],
  ["pron", "verb", "det", "noun", "prep", "det", "noun"],
  ["pron", "aux", "base", "det", "adj", "noun"],
  ["det", "adj", "noun", "verb", "prep", "det", "noun"],
  ["pron", "aux", "base", "det", "noun", "adv"],
  ["det", "noun", "prep", "det", "noun", "verb", "adv"],
];

// The gmw English voices of espeak-ng 1.51 and 12 of its variants: 96 voices.
const ACCENTS = ["en-gb", "en-us", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029", "en-us-nyc"];
const VARIANTS = ["m1", "m2", "m3", "m5", "m7", "f1", "f2", "f4", "klatt", "klatt3", "Andy", "annie"];
const SENTENCES_PER_VOICE = 7;
const SPLIT = { validation: 8, test: 16 }; // voices
const SR = 16000;
const FEATURES = { sampleRate: SR, kind: "mfcc", nMfcc: 13, nMels: 40, winLength: 400, hop: 320, nFft: 512, deltas: 0 };
const F = 13;
const Q = 127 / 4.5;
const MAX_FRAMES = 255;

const { rand, uniform, gauss, pick, shuffled } = randoms(SEED);

function sentence() {
  return pick(PATTERNS).map((c) => pick(W[c])).join(" ").replace(/\ba ([aeiou])/g, "an $1").replace(/\bi\b/g, "I");
}

/** espeak-ng's phoneme mnemonics of a sentence in an accent, mapped to class ids (1-based; 0 is blank). */
function phonemes(text, accent, unknown) {
  const out = execFileSync("espeak-ng", ["-q", "-x", "--sep=_", "-v", accent, text]).toString();
  const ids = [];
  for (const word of out.split(/\s+/)) {
    for (let m of word.split("_")) {
      m = m.replace(/[',%=]/g, "").replace(/;$/, "").replace(/^:+$/, "");
      if (!(m in PHONES)) { unknown.set(m, (unknown.get(m) ?? 0) + 1); continue; }
      for (const p of PHONES[m].split(" ").filter(Boolean)) ids.push(PHONEMES.indexOf(p) + 1);
    }
  }
  return ids;
}

if (CHECK) {
  const unknown = new Map();
  for (let i = 0; i < 200; i++) {
    const s = sentence();
    for (const a of ACCENTS) phonemes(s, a, unknown);
  }
  console.log(unknown.size ? `unmapped: ${JSON.stringify([...unknown])}` : "every mnemonic has a class");
  process.exit(unknown.size ? 1 : 0);
}

const tmp = mkdtempSync(join(tmpdir(), "gated-phonemes-"));
const wavPath = join(tmp, "u.wav");
process.on("exit", () => rmSync(tmp, { recursive: true, force: true })); // also when a step fails

/** One sentence by one voice through espeak-ng and sox, as 16 kHz samples read by gated. */
function speak(text, accent, variant) {
  const speed = Math.round(uniform(140, 200)), pitch = Math.round(uniform(25, 75));
  const tempo = uniform(0.9, 1.1).toFixed(3), gain = uniform(-6, 0).toFixed(2);
  return synthesize(readWav, text, { accent, variant, speed, pitch, tempo, gain }, wavPath, SR);
}

const voices = ACCENTS.flatMap((a) => VARIANTS.map((v) => ({ accent: a, variant: v })));
const order = shuffled(voices.map((_, i) => i));
order.forEach((vi, k) => { voices[vi].split = k < SPLIT.test ? "test" : k < SPLIT.test + SPLIT.validation ? "validation" : "train"; });

const utterances = []; // { voice, text, labels, data, frames }
const unknown = new Map();
const started = Date.now();
for (let vi = 0; vi < voices.length; vi++) {
  const { accent, variant } = voices[vi];
  for (let k = 0; k < SENTENCES_PER_VOICE; k++) {
    const text = sentence();
    const labels = phonemes(text, accent, unknown);
    const samples = speak(text, accent, variant);
    addNoise(samples, uniform(15, 35), gauss);
    const f = audioFeatures(samples, FEATURES);
    if (f.frames > MAX_FRAMES) throw new Error(`"${text}" by ${accent}+${variant}: ${f.frames} frames, more than ${MAX_FRAMES}`);
    utterances.push({ voice: vi, text, labels, data: f.data, frames: f.frames });
  }
  if (vi % 16 === 15) console.log(`${vi + 1}/${voices.length} voices, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (DRY && vi === 1) break;
}
rmSync(tmp, { recursive: true, force: true });
if (unknown.size) throw new Error(`espeak-ng mnemonics without a class (add them to PHONES): ${JSON.stringify([...unknown])}`);

const { mean, std, q, totalFrames } = standardiseAndQuantise(utterances, voices, F, Q);
const labels = Uint8Array.from(utterances.flatMap((u) => u.labels));
const { espeakNg: espeakVersion, sox: soxVersion } = toolVersions();
const index = {
  made: { by: "scripts/speech/gen-phonemes.mjs", seed: SEED, espeakNg: espeakVersion, sox: soxVersion },
  classes: ["<blank>", ...PHONEMES],
  voices: voices.map((v) => `${v.accent}+${v.variant}`),
  split: voices.map((v) => v.split),
  features: { ...FEATURES, size: F, quantisation: `int8 = round((mfcc − mean) / std · ${Q.toFixed(6)}), clipped to ±127` },
  mean: Array.from(mean, (v) => Number(v.toPrecision(7))),
  std: Array.from(std, (v) => Number(v.toPrecision(7))),
  scale: Q,
  count: utterances.length,
  sentences: utterances.map((u) => u.text),
};
const lines = [
  "// Generated by scripts/speech/gen-phonemes.mjs (espeak-ng and sox, features by gated's own front end);",
  "// do not edit. How it was made and its licence: src/data/phonemes/README.md.",
  `export const PHONEMES_INDEX = ${JSON.stringify(index)} as const;`,
  "/** Per utterance, voice-major: the voice index, frame count and phoneme count (uint8 each). */",
  `export const PHONEMES_VOICE: string = "${b64(Uint8Array.from(utterances, (u) => u.voice))}";`,
  `export const PHONEMES_FRAMES: string = "${b64(Uint8Array.from(utterances, (u) => u.frames))}";`,
  `export const PHONEMES_LABEL_COUNT: string = "${b64(Uint8Array.from(utterances, (u) => u.labels.length))}";`,
  "/** Phoneme class ids (1..39; 0 is the CTC blank), utterance after utterance (uint8). */",
  `export const PHONEMES_LABELS: string = "${b64(labels)}";`,
  `/** int8 frames [Σ frames, ${F}], row-major, utterance after utterance. */`,
  `export const PHONEMES_FEATURES: string = "${b64(q)}";`,
  "",
];
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(OUT, lines.join("\n"));
const frames = utterances.map((u) => u.frames).sort((a, b) => a - b);
const lens = utterances.map((u) => u.labels.length).sort((a, b) => a - b);
console.log(`${utterances.length} utterances, ${voices.length} voices, ${totalFrames} frames (median ${frames[frames.length >> 1]}, max ${frames.at(-1)}), ` +
  `${labels.length} phonemes (median ${lens[lens.length >> 1]}, max ${lens.at(-1)}), ${(lines.join("\n").length / 1e6).toFixed(2)} MB → ${OUT}`);
