// The spoken-digits set shipped in src/data/spoken-digits/features.ts (made by
// scripts/speech/gen-spoken-digits.mjs): it loads with the documented shapes, every class is
// balanced within each split, the split is by voice (no test or validation voice in training), the
// options are checked, and a short GRU run on a subset beats chance by a clear margin on unseen voices.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { loadDataset } from "../../src/data/index.js";
import { spokenDigitsUtterances } from "../../src/data/spoken-digits.js";
import { SPOKEN_DIGITS_INDEX } from "../../src/data/spoken-digits/features.js";
import type { SequenceSet } from "../../src/data/types.js";
import { OptionError } from "../../src/errors/index.js";
import { createSpec, Model } from "../../src/model/model.js";
import { evaluate } from "../../src/train/evaluate.js";
import { fit } from "../../src/train/fit.js";

const CLASSES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "yes", "no", "stop", "go", "unknown", "silence"];

function classCounts(s: SequenceSet): number[] {
  const n = new Array<number>(s.outputs).fill(0);
  for (const y of s.y) n[y]!++;
  return n;
}

describe("spoken-digits", () => {
  it("loads 16 classes of 13 standardised MFCCs per 10 ms, padded with lengths", async () => {
    const d = await loadDataset("spoken-digits");
    assert.deepEqual(d.classes, CLASSES);
    const voices = SPOKEN_DIGITS_INDEX.voices.length;
    const parts = [d.train, d.validation!, d.test!];
    assert.equal(parts.reduce((a, s) => a + s.count, 0), voices * 16);
    for (const s of parts) {
      assert.equal(s.features, 13);
      assert.equal(s.outputs, 16);
      assert.equal(s.target, "class");
      assert.equal(s.perStep, false);
      assert.equal(s.x.length, s.count * s.steps * 13);
      assert.ok(s.x instanceof Float32Array);
      assert.equal(s.steps, d.train.steps);
      const lengths = s.lengths!;
      assert.ok(lengths.every((l) => l >= 5 && l <= s.steps), "lengths in 5..T");
      // padding is 0 after each utterance's end, and frames inside are finite within the int8 range
      for (let i = 0; i < s.count; i++) {
        const row = s.x.subarray(i * s.steps * 13, (i + 1) * s.steps * 13);
        assert.ok(row.subarray(lengths[i]! * 13).every((v) => v === 0));
        assert.ok(row.subarray(0, lengths[i]! * 13).every((v) => Math.abs(v) <= 4.5 + 1e-6));
      }
    }
    // standardised over the training voices: mean ≈ 0, std ≈ 1 per coefficient
    const { x, count, steps, lengths } = d.train;
    for (let f = 0; f < 13; f++) {
      let s = 0, s2 = 0, n = 0;
      for (let i = 0; i < count; i++) for (let t = 0; t < lengths![i]!; t++) { const v = x[(i * steps + t) * 13 + f]!; s += v; s2 += v * v; n++; }
      const mean = s / n, std = Math.sqrt(s2 / n - mean * mean);
      assert.ok(Math.abs(mean) < 0.02 && Math.abs(std - 1) < 0.05, `coefficient ${f}: mean ${mean}, std ${std}`);
    }
  });

  it("each split holds every class once per voice, and no voice is in two splits", () => {
    const { utterances } = spokenDigitsUtterances();
    const splitOf = new Map<string, string>();
    const perVoice = new Map<string, number[]>();
    for (const u of utterances) {
      assert.equal(splitOf.get(u.voice) ?? u.split, u.split, `${u.voice} in two splits`);
      splitOf.set(u.voice, u.split);
      perVoice.set(u.voice, [...(perVoice.get(u.voice) ?? []), u.label]);
    }
    for (const [voice, labels] of perVoice) assert.deepEqual(labels.sort((a, b) => a - b), CLASSES.map((_, i) => i), voice);
    const bySplit = (s: string) => [...splitOf].filter(([, p]) => p === s).map(([v]) => v);
    const train = new Set(bySplit("train"));
    assert.deepEqual([bySplit("train").length, bySplit("validation").length, bySplit("test").length], [144, 24, 24]);
    assert.ok([...bySplit("test"), ...bySplit("validation")].every((v) => !train.has(v)));
  });

  it("classes are balanced in every split; words: digits keeps ten; limit and bad options", async () => {
    const d = await loadDataset("spoken-digits");
    assert.deepEqual(classCounts(d.train), new Array(16).fill(144));
    assert.deepEqual(classCounts(d.test!), new Array(16).fill(24));
    const digits = await loadDataset("spoken-digits", { words: "digits", limit: 100 });
    assert.deepEqual(digits.classes, CLASSES.slice(0, 10));
    assert.equal(digits.train.outputs, 10);
    assert.equal(digits.train.count, 100);
    assert.ok(classCounts(digits.train).every((n) => n === 10));
    await assert.rejects(loadDataset("spoken-digits", { word: "digits" }), (e: unknown) => e instanceof OptionError && e.message.includes('"word"') && e.message.includes("words, limit"));
    await assert.rejects(loadDataset("spoken-digits", { words: "all-of-them" as never }), (e: unknown) => e instanceof OptionError && e.message.includes('"all" or "digits"'));
  });

  it("is browser-safe: the loader and the features import nothing from node:", () => {
    for (const f of ["spoken-digits.ts", "spoken-digits/features.ts"]) {
      const text = readFileSync(new URL(`../../src/data/${f}`, import.meta.url), "utf8");
      assert.ok(!/from\s+"node:|import\("node:|require\(/.test(text), `${f} imports node:`);
      assert.ok(!text.includes("./node/"), `${f} reaches into node/`);
    }
  });

  it("a short GRU run on a subset beats chance (10%) by a clear margin on unseen voices", { timeout: 30_000 }, async () => {
    const d = await loadDataset("spoken-digits", { words: "digits", limit: 600 });
    const model = new Model(createSpec({
      input: { kind: "features", features: 13 }, cell: "gru", hiddenSize: 32, task: { target: "class", perStep: false, outputs: 10 },
    }), { seed: 1 });
    await fit(model, d.train, { epochs: 4, batchSize: 32, seed: 1, optimizer: { kind: "adam", lr: 0.01 } });
    const accuracy = evaluate(model, d.test!).accuracy!;
    assert.ok(accuracy > 0.5, `test accuracy ${accuracy}`);
  });
});
