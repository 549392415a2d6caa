// Boundaries of the CLI's inputs and of the disk: each gives the right answer or one clear line
// (exit 1, no stack trace). CSV rules (header, decimal numbers only, --limit, --columns by index,
// float32 range, CR line ends, quoted values cut to ~80 characters); JSON of 200,000 sequences and
// 100,000-deep nesting; memory estimates refused before allocating; a full disk, a read-only file
// system, a missing folder and --out naming a folder; reports and charts as warnings; stale
// temporary files of a killed run removed. Disk cases need root (tmpfs mounts) and skip without.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadCsv } from "../../src/data/index.js";
import { OptionError, ValueError } from "../../src/errors/index.js";
import { Model, createSpec } from "../../src/model/model.js";
import { FileError, removeStaleTemporaries, saveModel, writeFileAtomic } from "../../src/node/files.js";
import { fileSystemMessage } from "../../src/cli/errors.js";
import { gated, type Run } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "gated-hardening-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** date, temp = 10 + i, load = 100 + 2i for n days, lines joined by `eol`. */
const table = (n = 40, eol = "\n", edit: (rows: string[]) => void = () => {}) => {
  const rows = ["date,temp,load", ...Array.from({ length: n }, (_, i) => `2024-01-${String(i + 1).padStart(2, "0")},${10 + i},${100 + 2 * i}`)];
  edit(rows);
  return rows.join(eol);
};

function throwsWith(fn: () => unknown, cls: new (...args: never[]) => Error, ...parts: (string | RegExp)[]): string {
  let message = "";
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    message = (e as Error).message;
    for (const p of parts) assert.ok(typeof p === "string" ? message.includes(p) : p.test(message), `message "${message.slice(0, 300)}" lacks ${String(p)}`);
    return true;
  });
  return message;
}

/** A user error: exit 1, one line starting "gated: ", no stack trace, matching every pattern. */
function userError(r: Run, ...patterns: RegExp[]): void {
  assert.equal(r.code, 1, `exit ${r.code}: ${r.stderr.slice(0, 2000)}`);
  assert.match(r.stderr, /^gated: /);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, `one line, got:\n${r.stderr.slice(0, 2000)}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  for (const p of patterns) assert.match(r.stderr, p);
}

describe("CSV input", () => {
  it("a column mixing numbers and text is refused naming the column, the line and the cell (never dropped)", () => {
    throwsWith(() => loadCsv(table(40, "\n", (r) => { r[1] = "2024-01-01,n/a,102"; }), { window: 5 }), ValueError, 'column "temp"', 'line 2 holds "n/a"');
    // headerless: a text cell in the first row is no reason to lose the column
    throwsWith(() => loadCsv("1,x,3\n4,5,6\n7,8,9\n10,11,12\n13,14,15\n16,17,18", { window: 2, validation: 0, test: 0 }), ValueError, 'column "1"', 'line 1 holds "x"', "if line 1 is a header");
    // with the columns chosen, the mixed column is simply not read
    const d = loadCsv(table(40, "\n", (r) => { r[1] = "2024-01-01,n/a,102"; }), { window: 5, columns: ["load"] });
    assert.deepEqual(d.series!.columns, ["load"]);
  });
  it("only decimal numbers are numbers: 0x10 is text, named with its line", () => {
    throwsWith(() => loadCsv(table(40, "\n", (r) => { r[3] = "2024-01-03,0x10,104"; }), { window: 5 }), ValueError, 'line 4 holds "0x10"');
    throwsWith(() => loadCsv(table(40, "\n", (r) => { r[3] = "2024-01-03,0x10,104"; }), { window: 5, columns: ["temp"] }), ValueError, 'line 4, column "temp"', 'expected a decimal number, got "0x10"');
    const d = loadCsv("v\n+1\n-2.5\n.5\n1e2\n3.\n7\n8", { window: 2, validation: 0, test: 0, normalisation: "none" });
    assert.deepEqual([...d.series!.values], [1, -2.5, 0.5, 100, 3, 7, 8]);
  });
  it("limit keeps the first n data rows", () => {
    const d = loadCsv(table(), { window: 5, limit: 20 });
    assert.equal(d.series!.length, 20);
    assert.deepEqual(d.series!.labels!.at(-1), "2024-01-20");
    throwsWith(() => loadCsv(table(), { window: 5, limit: 0 }), OptionError, "limit must be an integer ≥ 1");
  });
  it("a number beyond float32 names its line and column", () => {
    throwsWith(() => loadCsv(table(40, "\n", (r) => { r[1] = "2024-01-01,1e308,102"; }), { window: 5 }), ValueError, 'line 2, column "temp"', '"1e308" is outside the float32 range');
  });
  it("a 5 MB cell gives a short message, its value cut with …", () => {
    const m = throwsWith(() => loadCsv(table(40, "\n", (r) => { r[2] = `2024-01-02,${"y".repeat(5_000_000)},104`; }), { window: 5 }), ValueError, "line 3", "…");
    assert.ok(m.length < 400, `message of ${m.length} characters`);
    const u = throwsWith(() => loadCsv(table(), { window: 5, columns: ["z".repeat(5_000_000)] }), OptionError, "unknown column", "…");
    assert.ok(u.length < 400, `message of ${u.length} characters`);
  });
  it("columns given as digit strings are indices, as the message says", () => {
    const d = loadCsv(table(), { window: 5, columns: ["1", "2"] });
    assert.deepEqual(d.series!.columns, ["temp", "load"]);
    throwsWith(() => loadCsv(table(), { window: 5, columns: ["7"] }), OptionError, 'unknown column "7"', "indices 0..2");
  });
  it("CR-only, LF and CRLF line ends read the same rows", () => {
    const ref = loadCsv(table(), { window: 5 }).series!;
    for (const eol of ["\r", "\r\n"]) {
      const s = loadCsv(table(40, eol), { window: 5 }).series!;
      assert.equal(s.length, 40, JSON.stringify(eol));
      assert.deepEqual([...s.values], [...ref.values]);
    }
  });
  it("a CSV whose buffers pass the memory limit is refused before allocating, with the estimate", () => {
    throwsWith(() => loadCsv(table(200), { window: 2_000_000 }), ValueError, /would take [\d.]+ [GT]B of memory/, "200 rows");
  });
  it("gated train --limit is honoured for a CSV, and --columns 1,2 is accepted", async () => {
    const csv = join(dir, "days.csv");
    writeFileSync(csv, table());
    userError(await gated(["train", "--data", csv, "--window", "4", "--limit", "6", "--epochs", "1", "--hidden", "4", "--out", join(dir, "lim.safetensors"), "--no-report"], { cwd: dir }), /the series has 6 rows/);
    userError(await gated(["train", "--data", csv, "--window", "4", "--columns", "1,9", "--epochs", "1", "--hidden", "4", "--out", join(dir, "col.safetensors"), "--no-report"], { cwd: dir }), /unknown column "9".*indices 0\.\.2/);
  });
});

describe("JSON input of predict and run", { timeout: 120_000 }, () => {
  const cls = join(dir, "cls.safetensors"), reg = join(dir, "reg.safetensors");
  before(() => {
    saveModel(cls, new Model(createSpec({ input: { kind: "features", features: 2 }, cell: "gru", hiddenSize: 4, head: [3], task: { target: "class", perStep: false, outputs: 3 } } as never), { seed: 1 }));
    saveModel(reg, new Model(createSpec({ input: { kind: "features", features: 1 }, cell: "gru", hiddenSize: 4, cellOptions: { reset: "before" } as never, head: [1], task: { target: "regression", perStep: false, outputs: 1 } } as never), { seed: 1 }));
  });
  const deep = (depth: number) => "[".repeat(depth) + "1" + "]".repeat(depth);
  let n = 0;
  /** Runs `args` with the input in a file (--input), so an early exit never breaks a pipe. */
  const withInput = (args: string[], input: string) => {
    const file = join(dir, `input-${n++}.json`);
    writeFileSync(file, input);
    return gated([...args, "--input", file], { cwd: dir });
  };

  it("predict classifies 200,000 sequences", async () => {
    const input = JSON.stringify(Array.from({ length: 200_000 }, (_, i) => [[i % 7, 1]]));
    const r = await withInput(["predict", cls, "--json"], input);
    assert.equal(r.code, 0, r.stderr.slice(0, 2000));
    const rows = JSON.parse(r.stdout) as { class: number; probabilities: number[] }[];
    assert.equal(rows.length, 200_000);
    assert.equal(rows[7]!.class, rows[0]!.class, "same input, same class");
    assert.ok(Math.abs(rows[3]!.probabilities.reduce((a, b) => a + b) - 1) < 1e-6);
  });
  it("predict refuses 100,000-deep nesting, null, true, \"1\" and float32 overflow with a short line", async () => {
    userError(await withInput(["predict", cls], `[[${deep(100_000)}]]`), /sequence 0, step 0 must hold 2 number\(s\), got \[\[\[/);
    for (const v of ["null", "true", '"1"']) userError(await withInput(["predict", cls], `[[[${v},1]]]`), /sequence 0, step 0 must hold 2 number\(s\)/);
    userError(await withInput(["predict", cls], "[[[1e39,1]]]"), /sequence 0, step 0: 1e\+39 is outside the float32 range/);
    const r = await withInput(["predict", cls], `[[["${"q".repeat(1_000_000)}",1]]]`);
    userError(r, /…/);
    assert.ok(r.stderr.length < 300, `a ${r.stderr.length}-character message`);
  });
  it("predict refuses padded sequences that would pass the memory limit, with the estimate", async () => {
    const seqs: number[][][] = Array.from({ length: 200_000 }, () => [[1, 2]]);
    seqs[0] = Array.from({ length: 2000 }, () => [1, 2]);
    userError(await withInput(["predict", cls], JSON.stringify(seqs)), /200000 sequences padded to 2000 steps would take 3\.2 GB of memory/);
  });
  it("run (gated model) refuses deep nesting and non-numbers without a crash", async () => {
    const run = (data: string) => withInput(["run", reg, "--layout", "batch-major"], `{"input": {"shape": [1, 1, 1], "data": ${data}}}`);
    userError(await run(deep(100_000)), /nested more than 8 deep/);
    userError(await run("[null]"), /value 0 must be a finite number, got null/);
    userError(await withInput(["run", reg, "--layout", "batch-major"], `{"input": {"shape": ${deep(100_000)}, "data": [1]}}`), /"shape" must be .*got \[\[\[/);
  });
  it("run (ONNX) flattens without .flat(Infinity): deep nesting, non-numbers and huge shapes are one line", async () => {
    const onnx = join(dir, "reg.onnx");
    const e = await gated(["export", reg, "--format", "onnx", "--out", onnx], { cwd: dir });
    assert.equal(e.code, 0, e.stderr);
    const ok = await withInput(["run", onnx], '{"input": {"shape": [1, 1, 1], "data": [[[0.5]]]}}');
    assert.equal(ok.code, 0, ok.stderr);
    userError(await withInput(["run", onnx], `{"input": {"shape": [1, 1, 1], "data": ${deep(100_000)}}}`), /nested more than 8 deep/);
    userError(await withInput(["run", onnx], '{"input": {"shape": [1, 1, 1], "data": ["1"]}}'), /value 0 must be a finite number, got "1"/);
    userError(await withInput(["run", onnx], '{"input": {"shape": [100000, 100000, 1], "data": [1]}}'), /would take [\d.]+ [GT]B of memory/);
  });
});

/** Mounts a tmpfs at `at` (root only); returns why not, or null. */
function mountTmpfs(at: string, size: string): string | null {
  if (process.getuid?.() !== 0) return "needs root to mount a tmpfs";
  mkdirSync(at, { recursive: true });
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", at], { encoding: "utf8" });
  return r.status === 0 ? null : `mount is unavailable here: ${(r.stderr || String(r.error)).trim()}`;
}
const unmount = (at: string) => { spawnSync("umount", [at]); };

describe("the disk", { timeout: 120_000 }, () => {
  const model = join(dir, "disk.safetensors");
  before(() => saveModel(model, new Model(createSpec({ input: { kind: "features", features: 1 }, cell: "gru", hiddenSize: 4, cellOptions: { reset: "before" } as never, head: [1], task: { target: "regression", perStep: false, outputs: 1 } } as never), { seed: 2 })));

  it("--out naming a folder, and a missing folder, are one clear line (exit 1)", async () => {
    userError(await gated(["export", model, "--format", "onnx", "--out", dir], { cwd: dir }), new RegExp(`cannot write ${dir}: it is a folder`));
    throwsWith(() => writeFileAtomic(join(dir, "no-such-folder", "m.bin"), new Uint8Array(4)), FileError, "no-such-folder/m.bin", "no-such-folder does not exist");
    const raw = Object.assign(new Error("EROFS: read-only file system, open 'x'"), { code: "EROFS", syscall: "open", path: "/ro/x.html" });
    assert.equal(fileSystemMessage(raw), "cannot open /ro/x.html: the file system is read-only");
    assert.equal(fileSystemMessage(new Error("plain")), null);
  });

  const full = join(dir, "full"), ro = join(dir, "ro");
  const fullSkip = mountTmpfs(full, "64k");
  const roSkip = fullSkip ?? mountTmpfs(ro, "1m");
  after(() => { if (!fullSkip) unmount(full); if (!roSkip) unmount(ro); });

  it("a full disk: exit 1 naming the path and the cause, the previous file kept, no temporary left", { skip: fullSkip ?? false }, async () => {
    const out = join(full, "m.onnx");
    writeFileSync(out, "previous");
    // fill what is left of the 64 kB
    try { writeFileSync(join(full, "fill"), new Uint8Array(64 * 1024)); } catch { /* full */ }
    userError(await gated(["export", model, "--format", "onnx", "--out", out], { cwd: dir }), new RegExp(`cannot write ${out}: no space left on the device`));
    assert.equal(readFileSync(out, "utf8"), "previous");
    throwsWith(() => writeFileAtomic(out, new Uint8Array(100_000)), FileError, out, "no space left");
    assert.equal(readFileSync(out, "utf8"), "previous");
    assert.deepEqual(readdirSync(full).filter((f) => f.endsWith(".tmp")), []);
  });
  it("a report that cannot be written is a warning: the model is saved, no 0-byte report stays", { skip: fullSkip ?? false }, async () => {
    const csv = join(dir, "report.csv"), out = join(dir, "rep", "m.safetensors"), report = join(full, "r.html");
    mkdirSync(join(dir, "rep"), { recursive: true });
    writeFileSync(csv, table());
    const r = await gated(["train", "--data", csv, "--window", "4", "--epochs", "1", "--hidden", "4", "--out", out, "--report", report], { cwd: dir });
    assert.equal(r.code, 0, r.stderr.slice(0, 2000));
    assert.match(r.stderr, new RegExp(`gated: warning: the report not written: cannot write ${report}: no space left`));
    assert.ok(existsSync(out), "the model was saved");
    assert.equal(existsSync(report), false, "no empty report");
  });
  it("a read-only file system: tfjs and onnx exports name EROFS (not ENOENT), exit 1", { skip: roSkip ?? false }, async () => {
    writeFileSync(join(ro, "m.onnx"), "previous");
    assert.equal(spawnSync("mount", ["-o", "remount,ro", ro]).status, 0);
    userError(await gated(["export", model, "--format", "tfjs", "--out", join(ro, "tfjs")], { cwd: dir }), new RegExp(`cannot create the folder ${ro}/tfjs: the file system is read-only`));
    userError(await gated(["export", model, "--format", "onnx", "--out", join(ro, "m.onnx")], { cwd: dir }), /the file system is read-only/);
    assert.equal(readFileSync(join(ro, "m.onnx"), "utf8"), "previous");
  });
  it("a chart that cannot be written is a warning; the forecast is still printed", async () => {
    const csv = join(dir, "chart.csv"), m = join(dir, "chart", "m.safetensors");
    mkdirSync(join(dir, "chart"), { recursive: true });
    writeFileSync(csv, table());
    const t = await gated(["train", "--data", csv, "--window", "4", "--epochs", "1", "--hidden", "4", "--out", m, "--no-report"], { cwd: dir });
    assert.equal(t.code, 0, t.stderr.slice(0, 2000));
    const r = await gated(["predict", m, "--input", csv, "--chart", dir, "--json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /gated: warning: the chart not written: cannot write .*: it is a folder/);
    assert.equal((JSON.parse(r.stdout) as { forecast: number[][] }).forecast.length, 1);
  });
  it("stale temporaries of a killed write are removed; live ones and other files are kept", () => {
    const folder = join(dir, "temps");
    mkdirSync(folder, { recursive: true });
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!; // a process that has ended
    const old = (Date.now() - 20_000).toString(36);
    const stale = `.${old}-${dead}-abc123.tmp`, aged = `.${old}-${process.pid}-def456.tmp`, live = `.${Date.now().toString(36)}-${process.pid}-ghi789.tmp`;
    for (const f of [stale, aged, live, ".notes.tmp", "keep.tmp"]) writeFileSync(join(folder, f), "x");
    const tenMinutesAgo = (Date.now() - 10 * 60_000) / 1000, twentySecondsAgo = (Date.now() - 20_000) / 1000;
    utimesSync(join(folder, stale), twentySecondsAgo, twentySecondsAgo);
    utimesSync(join(folder, aged), tenMinutesAgo, tenMinutesAgo);
    writeFileAtomic(join(folder, "out.bin"), new Uint8Array([1, 2, 3]));
    assert.deepEqual(readdirSync(folder).sort(), [live, ".notes.tmp", "keep.tmp", "out.bin"].sort());
    assert.deepEqual(removeStaleTemporaries(folder), [], "nothing else is stale");
  });
});
