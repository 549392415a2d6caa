// `gated train --data phonemes` (a ctc model: bidirectional 2-layer stack by default, test PER
// reported), `gated eval` on the saved model (PER again, the same number), the frame-wise baseline
// (--cell none --context N) and its refusals.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadModel } from "../../src/node/files.js";
import { gated } from "../cli/run.js";

const dir = mkdtempSync(join(tmpdir(), "gated-phonemes-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("gated train / eval --data phonemes", () => {
  it("trains a ctc model (bidirectional, 2 layers by default), reports test PER, and eval reports the same PER", async () => {
    const out = join(dir, "ligru.safetensors");
    const r = await gated(["train", "--data", "phonemes", "--cell", "ligru", "--hidden", "8", "--epochs", "1", "--limit", "12", "--threads", "1", "--out", out, "--no-report", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { assessment: { metric: string; value: number; split: string } };
    assert.equal(j.assessment.metric, "PER");
    assert.equal(j.assessment.split, "test");
    assert.ok(j.assessment.value > 0);
    const model = loadModel(out);
    assert.deepEqual(model.spec.task, { target: "class", perStep: true, outputs: 40, loss: { name: "ctc", delta: 1, blank: 0 } });
    const rec = model.spec.layers.find((l) => l.kind === "recurrent")!;
    assert.equal(rec.layers, 2);
    assert.equal(rec.direction, "bidirectional");
    const e = await gated(["eval", out, "--threads", "1", "--json"]);
    assert.equal(e.code, 0, e.stderr);
    const m = JSON.parse(e.stdout) as { metrics: { per: number }; assessment: { value: number } };
    assert.equal(m.metrics.per, j.assessment.value);
    assert.equal(m.assessment.value, j.assessment.value);
    const text = await gated(["eval", out, "--threads", "1"]);
    assert.match(text.stdout, /test PER \d\.\d+ vs empty output 1\.00/);
  });

  it("--cell none is the frame-wise baseline: a context window and dense layers, no recurrent layer", async () => {
    const out = join(dir, "none.safetensors");
    const r = await gated(["train", "--data", "phonemes", "--cell", "none", "--context", "2", "--hidden", "16", "--layers", "1", "--epochs", "1", "--limit", "12", "--threads", "1", "--out", out, "--no-report"]);
    assert.equal(r.code, 0, r.stderr);
    // 13 MFCCs × 5 frames = 65 inputs: 65·16 + 16 + 16·40 + 40 = 1,736 parameters
    assert.match(r.stdout, /frame-wise baseline \(±2 frames, 1 dense layer of 16\) · 1,736 parameters/);
    const model = loadModel(out);
    assert.deepEqual(model.spec.layers.map((l) => l.kind), ["context", "dense", "dense"]);
    assert.deepEqual(model.spec.layers[0], { kind: "context", features: 13, left: 2, right: 2 });
  });

  it("refuses what the baseline cannot be", async () => {
    const a = await gated(["train", "--data", "phonemes", "--cell", "none", "--direction", "bidirectional", "--epochs", "1", "--limit", "4", "--out", join(dir, "x.safetensors"), "--no-report"]);
    assert.notEqual(a.code, 0);
    assert.match(a.stderr, /--cell none \(the frame-wise baseline\) has no recurrent layer; leave out --direction/);
    const b = await gated(["train", "--data", "spoken-digits", "--cell", "none", "--epochs", "1", "--limit", "4", "--out", join(dir, "y.safetensors"), "--no-report"]);
    assert.notEqual(b.code, 0);
    assert.match(b.stderr, /scores every step; this data's task has one target per sequence/);
    const c = await gated(["train", "--data", "phonemes", "--cell", "gru", "--context", "3", "--epochs", "1", "--limit", "4", "--out", join(dir, "z.safetensors"), "--no-report"]);
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, /--context is the window of --cell none/);
  });
});
