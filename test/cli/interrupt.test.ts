// Ctrl-C and SIGTERM: during `gated train` a checkpoint is written and the command ends with 130 /
// 143, --resume finishes the run; at start-up (before any data is loaded) and on a second signal
// the command exits at once, cleanly: no stack trace, no partial file.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadCheckpoint } from "../../src/node/files.js";
import { gated, gatedChild } from "./run.js";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
const probe = new URL("./signal-probe.mjs", import.meta.url).pathname;
const tsx = import.meta.resolve("tsx");

type Child = ReturnType<typeof gatedChild>;

function watch(child: Child): { exit: Promise<{ code: number | null; signal: string | null }>; err: () => string } {
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) => child.on("exit", (code, signal) => r({ code, signal })));
  return { exit, err: () => stderr };
}

async function until(cond: () => boolean, child: Child, err: () => string, what: string): Promise<void> {
  while (!cond()) {
    assert.equal(child.exitCode, null, `the command ended before ${what}: ${err()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "gated-int-"));
}

const noStack = (stderr: string) => assert.ok(!/internal error|\n\s+at /.test(stderr), `a stack trace or internal error: ${stderr}`);

describe("gated and Ctrl-C / SIGTERM", { timeout: 240_000 }, () => {
  it("stops cleanly with a checkpoint, and --resume completes the run", async () => {
    const dir = tempDir();
    try {
      const args = ["train", "--data", "co2", "--epochs", "400", "--hidden", "8", "--out", "m.safetensors", "--quiet"];
      const child = gatedChild(args, dir);
      const { exit, err } = watch(child);
      // the first epoch's checkpoint shows training is under way
      await until(() => existsSync(join(dir, "m.checkpoint.safetensors")), child, err, "its first checkpoint");
      child.kill("SIGINT");
      assert.equal((await exit).code, 130, err());
      assert.ok(err().includes("checkpoint written"), err());
      assert.ok(!existsSync(join(dir, "m.safetensors")), "no model file for an unfinished run");
      const c = loadCheckpoint(join(dir, "m.checkpoint.safetensors"));
      assert.ok(c.train.epoch < 400);
      const r = await gated([...args.map((a) => (a === "400" ? String(c.train.epoch + 1) : a)), "--resume"], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(join(dir, "m.safetensors")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("SIGTERM during training is Ctrl-C: a checkpoint, then exit code 143", async () => {
    const dir = tempDir();
    try {
      const child = gatedChild(["train", "--data", "co2", "--epochs", "400", "--hidden", "8", "--out", "m.safetensors", "--quiet"], dir);
      const { exit, err } = watch(child);
      await until(() => existsSync(join(dir, "m.checkpoint.safetensors")), child, err, "its first checkpoint");
      child.kill("SIGTERM");
      const e = await exit;
      assert.deepEqual(e, { code: 143, signal: null }, err());
      assert.match(err(), /interrupted \(SIGTERM\): checkpoint written to m\.checkpoint\.safetensors/);
      noStack(err());
      assert.ok(loadCheckpoint(join(dir, "m.checkpoint.safetensors")).train.epoch < 400);
      assert.ok(!existsSync(join(dir, "m.safetensors")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The probe reports the moment the first SIGINT listener is added; a handler installed only once
  // training has begun (the old way) would checkpoint here instead, and SIGTERM would kill the process.
  for (const [signal, code, args] of [
    ["SIGINT", 130, ["train", "--data", "co2", "--epochs", "400", "--hidden", "8", "--out", "m.safetensors", "--quiet"]],
    ["SIGTERM", 143, ["compare", "--data", "co2", "--cells", "gru", "--epochs", "1", "--hidden", "4", "--out", "c.html", "--quiet"]],
  ] as const) {
    it(`${signal} at start-up, before any data is loaded, exits ${code} at once with nothing written (${args[0]})`, async () => {
      const dir = tempDir();
      try {
        const child = spawn(process.execPath, ["--import", tsx, "--import", probe, main, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        const { exit, err } = watch(child);
        await until(() => err().includes("signal-probe: SIGINT handler"), child, err, "its signal handler");
        child.kill(signal);
        assert.deepEqual(await exit, { code, signal: null }, err());
        assert.match(err(), new RegExp(`gated: stopped by ${signal === "SIGINT" ? "Ctrl-C" : "SIGTERM"}`));
        noStack(err());
        assert.deepEqual(readdirSync(dir), [], "no file written");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("a second Ctrl-C while the first waits for the batch exits at once: the last checkpoint intact, no partial file", async () => {
    const dir = tempDir();
    try {
      // batches of ~1 s, so both signals arrive while one batch is computed (on the WebAssembly
      // kernels: the native ones finish such a batch too soon for the test to be sure)
      process.env.GATED_NATIVE = "off";
      const child = gatedChild(["--threads", "1", "train", "--data", "co2", "--epochs", "50", "--hidden", "128", "--batch-size", "256", "--out", "m.safetensors", "--quiet"], dir);
      const { exit, err } = watch(child);
      await until(() => existsSync(join(dir, "m.checkpoint.safetensors")), child, err, "its first checkpoint");
      delete process.env.GATED_NATIVE;
      child.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 30));
      child.kill("SIGINT");
      assert.deepEqual(await exit, { code: 130, signal: null }, err());
      assert.match(err(), /a second signal \(Ctrl-C\): stopped at once; the last checkpoint is m\.checkpoint\.safetensors/);
      noStack(err());
      assert.deepEqual(readdirSync(dir).sort(), ["m.checkpoint.safetensors"], "only the complete checkpoint");
      assert.equal(loadCheckpoint(join(dir, "m.checkpoint.safetensors")).train.epoch, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
