// The phonemes set shipped in src/data/phonemes/features.ts (made by scripts/speech/gen-phonemes.mjs):
// it loads as label sequences with the documented shapes, its classes are the blank and CMUdict's
// 39 ARPAbet phonemes, every utterance can be aligned by CTC, the split is by voice, the options
// are checked, and a short bidirectional GRU run on a subset learns (PER well under an empty output's 1).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ARPABET, loadDataset } from "../../src/data/index.js";
import { phonemesUtterances } from "../../src/data/phonemes.js";
import { PHONEMES_INDEX } from "../../src/data/phonemes/features.js";
import { OptionError } from "../../src/errors/index.js";
import { createSpec, Model } from "../../src/model/model.js";
import { evaluate } from "../../src/train/evaluate.js";
import { fit } from "../../src/train/fit.js";

describe("phonemes", () => {
  it("loads label sequences: 13 standardised MFCCs per 20 ms → phoneme ids 1..39, blank 0, padded with lengths", async () => {
    const d = await loadDataset("phonemes");
    assert.deepEqual(d.classes, ["<blank>", ...ARPABET]);
    const parts = [d.train, d.validation!, d.test!];
    assert.equal(parts.reduce((a, s) => a + s.count, 0), PHONEMES_INDEX.count);
    assert.deepEqual(parts.map((s) => s.count), [72 * 7, 8 * 7, 16 * 7]);
    for (const s of parts) {
      assert.equal(s.features, 13);
      assert.equal(s.outputs, 40);
      assert.equal(s.blank, 0);
      assert.equal(s.target, "class");
      assert.equal(s.perStep, true);
      assert.equal(s.x.length, s.count * s.steps * 13);
      const L = s.y.length / s.count, lengths = s.lengths!, labels = s.labelLengths!;
      assert.ok(Number.isInteger(L) && L === Math.max(...labels));
      for (let i = 0; i < s.count; i++) {
        const row = s.x.subarray(i * s.steps * 13, (i + 1) * s.steps * 13);
        assert.ok(row.subarray(lengths[i]! * 13).every((v) => v === 0), "zero padding after the frames");
        assert.ok(row.subarray(0, lengths[i]! * 13).every((v) => Math.abs(v) <= 4.5 + 1e-6), "int8 range");
        const l = s.y.subarray(i * L, i * L + labels[i]!);
        assert.ok(labels[i]! >= 5 && l.every((v) => v >= 1 && v <= 39), `labels of row ${i}`);
        assert.ok(s.y.subarray(i * L + labels[i]!, (i + 1) * L).every((v) => v === 0), "label padding");
        let need = labels[i]!;
        for (let k = 1; k < l.length; k++) if (l[k] === l[k - 1]) need++;
        assert.ok(lengths[i]! >= need, `row ${i}: ${lengths[i]} frames for ${need} CTC steps`);
      }
    }
    // standardised over the training voices
    const { x, count, steps, lengths } = d.train;
    for (let f = 0; f < 13; f++) {
      let s = 0, s2 = 0, n = 0;
      for (let i = 0; i < count; i++) for (let t = 0; t < lengths![i]!; t++) { const v = x[(i * steps + t) * 13 + f]!; s += v; s2 += v * v; n++; }
      const mean = s / n, std = Math.sqrt(s2 / n - mean * mean);
      assert.ok(Math.abs(mean) < 0.02 && Math.abs(std - 1) < 0.05, `coefficient ${f}: mean ${mean}, std ${std}`);
    }
  });

  it("is split by voice (72 / 8 / 16 voices, 7 sentences each, none in two splits), and every phoneme occurs in training", () => {
    const { utterances } = phonemesUtterances();
    const splitOf = new Map<string, string>();
    for (const u of utterances) {
      assert.equal(splitOf.get(u.voice) ?? u.split, u.split, `${u.voice} in two splits`);
      splitOf.set(u.voice, u.split);
    }
    const voices = (split: string) => [...splitOf.values()].filter((s) => s === split).length;
    assert.deepEqual([voices("train"), voices("validation"), voices("test")], [72, 8, 16]);
    const accents = new Set([...splitOf.keys()].map((v) => v.split("+")[0]));
    assert.equal(accents.size, 8);
    const seen = new Set(utterances.filter((u) => u.split === "train").flatMap((u) => [...u.labels]));
    assert.equal(seen.size, 39, `phonemes seen in training: ${seen.size}`);
    assert.ok(utterances.every((u) => u.sentence.split(" ").length >= 4), "sentences of 4+ words");
  });

  it("checks its options", async () => {
    await assert.rejects(loadDataset("phonemes", { limt: 3 } as never), (e: unknown) => e instanceof OptionError && /"limt".*limit/.test(e.message));
    await assert.rejects(loadDataset("phonemes", { limit: 0 }), (e: unknown) => e instanceof OptionError && /limit must be an integer ≥ 1/.test(e.message));
    const d = await loadDataset("phonemes", { limit: 10 });
    assert.deepEqual([d.train.count, d.validation!.count, d.test!.count], [10, 10, 10]);
  });

  it("a bidirectional GRU trained with ctc on 140 utterances for 10 epochs recognises phonemes of unseen voices (PER < 0.7; 0.56 when written)", async () => {
    const d = await loadDataset("phonemes", { limit: 140 });
    const model = new Model(createSpec({
      input: { kind: "features", features: 13 }, cell: "gru", hiddenSize: 32, direction: "bidirectional",
      task: { target: "class", perStep: true, outputs: 40, loss: { name: "ctc", blank: 0 } },
    }), { seed: 1 });
    const before = evaluate(model, d.test!);
    const r = await fit(model, d.train, { epochs: 10, batchSize: 10, seed: 1, optimizer: { kind: "adam", lr: 0.01 } });
    const after = evaluate(model, d.test!);
    assert.ok(r.history.at(-1)!.train.loss < 0.6 * r.history[0]!.train.loss, `train loss ${r.history[0]!.train.loss} → ${r.history.at(-1)!.train.loss}`);
    assert.ok(before.per! > 0.95, `PER before ${before.per}`);
    assert.ok(after.per! < 0.7, `PER after ${after.per}`);
  });
});
