// Every code example of README.md and docs/*.md runs: ```ts blocks with tsx, "gated" and its
// subpaths resolved to this checkout's src/, and ```sh blocks that start with the gated command, on
// this checkout's CLI (src/cli/main.ts). A ```text block after a block is its output and is compared
// (test/docs/blocks.ts has the conventions). Each block runs in its own folder under .tmp.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { assembleTs, chainOf, isRun, outputMismatch, readBlocks, shScript, type Block } from "./blocks.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const WORK = join(ROOT, ".tmp/docs-examples");
const ENTRY: Record<string, string> = {
  "gated": "src/index.ts",
  "gated/data": "src/data/index.ts",
  "gated/data/browser": "src/data/browser.ts",
  "gated/node": "src/node/index.ts",
  "gated/report": "src/report/index.ts",
  "gated/threads": "src/kernels/threads.ts",
};
const resolve = (m: string): string => (ENTRY[m] ? join(ROOT, ENTRY[m]) : m);
const TIMEOUT_MS = 120_000;

const pages = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];

interface Ran { code: number | null; out: string }

function exec(command: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((done, fail) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: TIMEOUT_MS });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    child.on("error", fail);
    child.on("close", (code) => done({ code, out }));
  });
}

async function runBlock(blocks: readonly Block[], index: number): Promise<Ran> {
  const b = blocks[index]!;
  const dir = join(WORK, `${b.file.replace(/[^\w]+/g, "-")}-${b.line}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const chain = b.lang === "ts" ? chainOf(blocks, index) : [b];
  for (const c of chain) for (const [name, from] of c.files) copyFileSync(join(ROOT, from), join(dir, name));
  if (b.lang === "ts") {
    writeFileSync(join(dir, "example.ts"), assembleTs(chain, resolve));
    return exec(process.execPath, ["--import", "tsx", "example.ts"], dir);
  }
  const cli = join(ROOT, "src/cli/main.ts");
  const script = `set -eo pipefail\ngated() { node --import tsx "${cli}" "$@"; }\n${shScript(b)}\n`;
  writeFileSync(join(dir, "example.sh"), script);
  return exec("bash", ["example.sh"], dir);
}

describe("documentation examples", { concurrency: 2 }, () => {
  for (const page of pages) {
    const blocks = readBlocks(join(ROOT, page), page);
    blocks.forEach((b, i) => {
      if (!isRun(b)) return;
      const shrunk = b.shrink.length > 0 || chainOf(blocks, i).some((c) => c.shrink.length > 0);
      it(`${page}:${b.line} (${b.lang}${shrunk ? ", shrunk" : ""})`, { timeout: TIMEOUT_MS + 10_000 }, async () => {
        const r = await runBlock(blocks, i);
        assert.equal(r.code, 0, `${page}:${b.line} exited ${r.code}:\n${r.out.slice(-4000)}`);
        if (b.output !== undefined && !shrunk) {
          const miss = outputMismatch(b.output, r.out);
          assert.equal(miss, null, `${page}:${b.line}: the output does not show the line\n  ${miss}\ngot:\n${r.out.slice(-4000)}`);
        }
      });
    });
  }

  it("marks few blocks as not run, each with a reason", () => {
    const skipped = pages.flatMap((p) => readBlocks(join(ROOT, p), p).filter((b) => b.notRun !== undefined));
    for (const b of skipped) assert.notEqual(b.notRun, "(no reason given)", `${b.file}:${b.line}`);
    assert.ok(skipped.length <= 6, `${skipped.length} blocks are not run:\n${skipped.map((b) => `${b.file}:${b.line} ${b.notRun}`).join("\n")}`);
  });

  it("every ts and sh block is either run or marked (sh blocks of other commands excepted)", () => {
    for (const p of pages) for (const b of readBlocks(join(ROOT, p), p)) {
      if (b.lang === "ts") assert.ok(isRun(b) || b.notRun !== undefined, `${p}:${b.line}`);
    }
  });
});
