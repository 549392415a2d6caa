// Ctrl-C during `gated train` writes a checkpoint and stops; --resume finishes the run.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadCheckpoint } from "../../src/node/files.js";
import { gated, gatedChild } from "./run.js";

describe("gated train and Ctrl-C", { timeout: 180_000 }, () => {
  it("stops cleanly with a checkpoint, and --resume completes the run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gated-int-"));
    const args = ["train", "--data", "co2", "--epochs", "400", "--hidden", "8", "--out", "m.safetensors", "--quiet"];
    const child = gatedChild(args, dir);
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exit = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    // the first epoch's checkpoint shows training is under way
    while (!existsSync(join(dir, "m.checkpoint.safetensors"))) {
      assert.equal(child.exitCode, null, `train ended before its first checkpoint: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGINT");
    assert.equal(await exit, 130, stderr);
    assert.ok(stderr.includes("checkpoint written"), stderr);
    assert.ok(!existsSync(join(dir, "m.safetensors")), "no model file for an unfinished run");
    const c = loadCheckpoint(join(dir, "m.checkpoint.safetensors"));
    assert.ok(c.train.epoch < 400);
    const r = await gated([...args.map((a) => (a === "400" ? String(c.train.epoch + 1) : a)), "--resume"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, "m.safetensors")));
  });
});
