// Kill-and-resume: a training run killed (SIGKILL) at arbitrary points and resumed from its
// checkpoints ends with exactly the weights of an uninterrupted run.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

const child = new URL("./resume-child.ts", import.meta.url).pathname;

function start(dir: string, out: string): { proc: ChildProcess; done: Promise<number | null> } {
  const proc = spawn(process.execPath, ["--import", "tsx", child, dir, out], { stdio: ["ignore", "ignore", "inherit"] });
  return { proc, done: new Promise((res) => proc.on("exit", (code) => res(code))) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("kill and resume", () => {
  it("gives bit-identical final weights", { timeout: 120_000 }, async () => {
    const a = mkdtempSync(join(tmpdir(), "gated-run-a-")), outA = join(a, "final.bin");
    assert.equal(await start(a, outA).done, 0);
    const b = mkdtempSync(join(tmpdir(), "gated-run-b-")), outB = join(b, "final.bin");
    let kills = 0;
    for (const delay of [0, 40, 90, 15]) {
      const run = start(b, outB);
      // wait until a checkpoint exists (from this run or an earlier one), then kill after `delay` ms
      while (!existsSync(join(b, "checkpoint.safetensors")) && run.proc.exitCode === null) await sleep(2);
      await sleep(delay);
      if (run.proc.exitCode === null && run.proc.kill("SIGKILL")) {
        await run.done;
        if (!existsSync(outB)) kills++;
      }
      if (existsSync(outB)) break;
    }
    if (!existsSync(outB)) assert.equal(await start(b, outB).done, 0);
    assert.ok(kills >= 1, "no run was actually interrupted");
    const wa = readFileSync(outA), wb = readFileSync(outB);
    assert.equal(wb.length, wa.length);
    assert.ok(wa.equals(wb), "the resumed run's weights differ from the uninterrupted run's");
    for (const d of [a, b]) rmSync(d, { recursive: true, force: true });
  });
});
