// `gated eval --anomalies` on the generated sensor network, as child processes: the table with the
// trained forecaster beside persistence, the same numbers as JSON, and a set without labels refused.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gated } from "../cli/run.js";

const dir = mkdtempSync(join(tmpdir(), "gated-anomaly-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("gated eval --anomalies", { timeout: 180_000 }, () => {
  it("prints point-wise and event-wise precision, recall and F1 for the model and persistence", async () => {
    const model = join(dir, "sensor.safetensors");
    const t = await gated(["train", "--data", "sensor-anomalies", "--epochs", "1", "--hidden", "4", "--window", "8", "--out", model, "--no-report", "--quiet"], { cwd: dir });
    assert.equal(t.code, 0, t.stderr);
    const j = await gated(["eval", model, "--anomalies", "--json"], { cwd: dir });
    assert.equal(j.code, 0, j.stderr);
    const r = JSON.parse(j.stdout).anomalies as { name: string; threshold: number; test: { point: { precision: number; recall: number; f1: number }; event: { counts: { events: number } } } }[];
    assert.deepEqual(r.map((x) => x.name), ["gru forecaster", "persistence"]);
    for (const x of r) {
      assert.ok(Number.isFinite(x.threshold));
      const p = x.test.point;
      assert.ok(Math.abs(p.f1 - (2 * p.precision * p.recall) / (p.precision + p.recall)) < 1e-12);
      assert.ok(x.test.event.counts.events > 10);
    }
    const text = await gated(["eval", model, "--anomalies"], { cwd: dir });
    assert.match(text.stdout, /anomaly detection on the test rows/);
    assert.match(text.stdout, /gru forecaster +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+/);
    assert.match(text.stdout, /persistence +[\d.]+/);
    assert.match(text.stdout, /persistence +events found by kind: spike \d+\/\d+, level-shift \d+\/\d+, drift \d+\/\d+, stuck-at \d+\/\d+, noise-burst \d+\/\d+/);
  });

  it("a data set without anomaly labels is refused, naming one that has them", async () => {
    const model = join(dir, "co2.safetensors");
    const t = await gated(["train", "--data", "co2", "--epochs", "1", "--hidden", "4", "--out", model, "--no-report", "--quiet"], { cwd: dir });
    assert.equal(t.code, 0, t.stderr);
    const r = await gated(["eval", model, "--anomalies"], { cwd: dir });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /carries no anomaly labels.*sensor-anomalies/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
  });
});
