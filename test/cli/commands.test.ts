// End to end: each command as a child process on small data, asserting what it prints and the
// files it writes; train then predict round-trips through the model file.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadModel } from "../../src/node/files.js";
import { gated } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "gated-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, "co2.safetensors");

describe("gated train → eval → predict → inspect (CO2)", { timeout: 180_000 }, () => {
  let trained: { assessment: { value: number; baseline: number; metric: string }; parameters: number; report: string; checkpoint: string };
  it("train writes the model, the report and a checkpoint and reports the test metric", async () => {
    const r = await gated(["train", "--data", "co2", "--epochs", "3", "--hidden", "8", "--out", model, "--json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    trained = JSON.parse(r.stdout);
    assert.equal(trained.assessment.metric, "RMSE");
    assert.ok(trained.assessment.value > 0 && trained.assessment.value < 20, `RMSE ${trained.assessment.value}`);
    assert.ok(Math.abs(trained.assessment.baseline - 2.577) < 0.01, `seasonal naive RMSE ${trained.assessment.baseline}`);
    const m = loadModel(model);
    assert.equal(m.net.trainableCount, trained.parameters);
    assert.equal(m.spec.data?.name, "co2");
    assert.ok(existsSync(trained.checkpoint));
    const html = readFileSync(trained.report, "utf8");
    assert.equal((html.match(/<svg/g) ?? []).length, 2, "learning curves and the forecast chart");
  });
  it("eval gives the same metric from the file", async () => {
    const r = await gated(["eval", model, "--json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(r.stdout);
    assert.equal(e.assessment.value, trained.assessment.value);
  });
  it("predict forecasts the next months in ppm and draws the chart", async () => {
    const chart = join(dir, "f.svg");
    const r = await gated(["predict", model, "--steps", "6", "--chart", chart, "--json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as { forecast: number[][] };
    assert.equal(p.forecast.length, 6);
    for (const [v] of p.forecast) assert.ok(v! > 395 && v! < 440, `forecast ${v} ppm`);
    assert.ok(readFileSync(chart, "utf8").startsWith("<svg"));
  });
  it("predict reads a history from a CSV on stdin", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${400 + Math.sin(i / 2)}`).join("\n");
    const r = await gated(["predict", model, "--input", "-", "--json"], { cwd: dir, input: `CO2\n${rows}\n` });
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout).forecast[0][0];
    assert.ok(v > 390 && v < 410, `forecast ${v}`);
  });
  it("inspect lists every tensor and draws the gates", async () => {
    const r = await gated(["inspect", model, "--input", "co2", "--json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.parameters.reduce((s: number, p: { count: number }) => s + p.count, 0), d.total);
    assert.equal(d.layers[0].config.reset, "after");
    assert.deepEqual(d.gateFiles.map((f: string) => f.split("/").pop()), ["layer0.forward.z.svg", "layer0.forward.r.svg", "layer0.forward.hHat.svg", "gates.html"]);
  });
});

describe("gated on text and classification", { timeout: 180_000 }, () => {
  it("a character model trains on Moby-Dick and generates deterministic text", async () => {
    const m = join(dir, "moby.safetensors");
    const t = await gated(["train", "--data", "moby-dick", "--limit", "4000", "--steps", "32", "--epochs", "1", "--hidden", "16", "--out", m, "--no-report", "--json"], { cwd: dir });
    assert.equal(t.code, 0, t.stderr);
    assert.equal(JSON.parse(t.stdout).assessment.metric, "perplexity");
    const a = await gated(["predict", m, "--prompt", "The ", "--length", "25", "--temperature", "0.7", "--seed", "3", "--json"], { cwd: dir });
    const b = await gated(["predict", m, "--prompt", "The ", "--length", "25", "--temperature", "0.7", "--seed", "3", "--json"], { cwd: dir });
    assert.equal(a.code, 0, a.stderr);
    const ta = JSON.parse(a.stdout).text;
    assert.equal([...ta].length, 25);
    assert.equal(ta, JSON.parse(b.stdout).text);
  });
  it("compare trains each cell with the same budget and tabulates them", async () => {
    const out = join(dir, "compare.html");
    const r = await gated(["compare", "--data", "adding", "--cells", "gru,lstm,mingru", "--subset", "64", "--epochs", "1", "--hidden", "8", "--out", out, "--json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout) as { rows: { cell: string; parameters: number; secondsPerEpoch: number }[] };
    assert.deepEqual(c.rows.map((x) => x.cell), ["gru", "lstm", "mingru"]);
    // GRU 3H(I+H+1)+H and LSTM 4H(I+H+1) with I = 2, H = 8, plus the same dense head (9)
    assert.deepEqual(c.rows.map((x) => x.parameters), [3 * 8 * 11 + 8 + 9, 4 * 8 * 11 + 9, 2 * 8 * 3 + 9]);
    assert.ok(readFileSync(out, "utf8").includes("<svg"));
  });
});

describe("--threads", { timeout: 120_000 }, () => {
  // the WebAssembly kernels' threads (the native backend runs its forward loops on one thread)
  before(() => { process.env.GATED_NATIVE = "off"; });
  after(() => { delete process.env.GATED_NATIVE; });
  it("one thread or two: the same model, bit for bit", async () => {
    const files = [1, 2].map((t) => join(dir, `threads-${t}.safetensors`));
    const runs = await Promise.all([1, 2].map((t, i) => gated(["train", "--data", "co2", "--epochs", "2", "--hidden", "128", "--batch-size", "64",
      "--threads", String(t), "--out", files[i]!, "--no-report", "--json"], { cwd: dir })));
    runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
    const [one, two] = runs.map((r) => JSON.parse(r.stdout) as { kernels: string });
    assert.doesNotMatch(one!.kernels, /threads/);
    assert.match(two!.kernels, /^wasm-.*×2 threads$/);
    assert.deepEqual(readFileSync(files[1]!), readFileSync(files[0]!));
  });
});

describe("user errors: exit 1, a message, no stack trace", { timeout: 60_000 }, () => {
  const userError = async (args: string[], ...parts: string[]) => {
    const r = await gated(args, { cwd: dir });
    assert.equal(r.code, 1, `exit code ${r.code}: ${r.stderr}`);
    for (const p of parts) assert.ok(r.stderr.includes(p), `stderr lacks "${p}": ${r.stderr}`);
    assert.ok(!/\n\s+at /.test(r.stderr), `a stack trace was printed: ${r.stderr}`);
  };
  it("--threads out of range", () => userError(["train", "--threads", "0"], "--threads must be an integer from 1 to 8", '"0"'));
  it("unknown data set lists the valid ones", () => userError(["train", "--data", "co3"], "co3", "co2, births"));
  it("unknown cell lists the valid ones", () => userError(["train", "--cell", "gruu"], "gruu", "gru"));
  it("an option the cell does not have", () => userError(["train", "--cell", "lstm", "--reset", "before", "--epochs", "1"], "lstm", "reset"));
  it("missing model file names the path", () => userError(["eval", join(dir, "missing.safetensors")], "missing.safetensors", "not found"));
  it("corrupt model file says what is wrong", async () => {
    const bad = join(dir, "bad.safetensors");
    writeFileSync(bad, readFileSync(model).subarray(0, 300));
    await userError(["predict", bad], "bad.safetensors");
  });
  it("a CSV with a non-numeric cell names the line", async () => {
    const csv = join(dir, "bad.csv");
    writeFileSync(csv, "value\n" + Array.from({ length: 60 }, (_, i) => (i === 41 ? "abc" : String(i))).join("\n") + "\n");
    await userError(["train", "--data", csv, "--window", "4", "--epochs", "1"], "line 43", "abc");
  });
  it("--help works on every command", async () => {
    for (const c of ["train", "eval", "predict", "compare", "inspect"]) {
      const r = await gated([c, "--help"]);
      assert.equal(r.code, 0);
      assert.ok(r.stdout.includes(`Usage: gated ${c}`), r.stdout);
    }
  });
});
