// `gated predict MODEL --wav FILE`: the committed small spoken-digits model on the committed WAV of
// four digits (test/fixtures/speech, made by scripts/speech/*.mjs) prints each word with its time
// and probability; a model without an audio front end and a missing file are refused in words.
// A model trained with --deltas keeps them in its front end, and eval opens the data with them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { gated } from "./run.js";

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const model = fixture("speech/digits-ligru32.safetensors"), wav = fixture("speech/digits.wav");

describe("gated predict --wav", { timeout: 60_000 }, () => {
  it("prints the words heard, when, and how sure", async () => {
    const r = await gated(["predict", model, "--wav", wav]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => l.split("\t"));
    assert.deepEqual(lines.map((l) => l[1]), ["three", "seven", "one", "nine"]);
    for (const [span, , p] of lines) {
      assert.match(span!, /^\d+\.\d\d–\d+\.\d\d s$/);
      assert.ok(Number(p) > 0.5 && Number(p) <= 1, `probability ${p}`);
    }
    const j = await gated(["predict", model, "--wav", wav, "--json"]);
    const hits = JSON.parse(j.stdout) as { word: string; start: number; end: number }[];
    assert.deepEqual(hits.map((h) => h.word), ["three", "seven", "one", "nine"]);
    assert.ok(Math.abs(hits[0]!.start - 0.4) < 0.12 && Math.abs(hits[3]!.end - 3.969) < 0.12);
  });

  it("refuses a model without an audio front end, and a missing file", async () => {
    const r = await gated(["predict", fixture("interchange/onnx-export/tokens_gru_class/model.safetensors"), "--wav", wav]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /holds no audio front end/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const m = await gated(["predict", model, "--wav", "no-such.wav"]);
    assert.notEqual(m.code, 0);
    assert.match(m.stderr, /--wav: file not found: no-such\.wav/);
  });
});

describe("gated train --data spoken-digits --deltas 2", { timeout: 120_000 }, () => {
  let dir = "";
  before(() => { dir = mkdtempSync(join(tmpdir(), "gated-deltas-")); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("saves the deltas with the front end; eval reopens the data with them", async () => {
    const t = await gated(["train", "--data", "spoken-digits", "--deltas", "2", "--limit", "16", "--cell", "gru", "--hidden", "4", "--epochs", "1", "--out", "d.safetensors", "--no-report", "--quiet"], { cwd: dir });
    assert.equal(t.code, 0, t.stderr);
    const i = await gated(["inspect", "d.safetensors"], { cwd: dir });
    assert.match(i.stdout, /input: \{"kind":"features","features":39\}/);
    assert.match(i.stdout, /audio mfcc 13 @ 16000 Hz, window 400, hop 160, deltas 2/);
    const e = await gated(["eval", "d.safetensors", "--json"], { cwd: dir });
    assert.equal(e.code, 0, e.stderr);
    const c = await gated(["eval", "d.safetensors", "--deltas", "1"], { cwd: dir });
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, /--deltas 1 conflicts with the model, which was trained with --deltas 2/);
    const bad = await gated(["train", "--data", "spoken-digits", "--deltas", "3"], { cwd: dir });
    assert.match(bad.stderr, /--deltas must be 0, 1 or 2, got "3"/);
  });
});
