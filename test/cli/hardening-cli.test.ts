// The CLI tried as a new user would: data options saved with a model are reused by eval, predict
// and inspect (a conflicting one is refused), text models evaluate on the parts they have, imported
// and word models predict, --resume and --out refuse what would be lost, and the report says true things.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gated, gatedChild } from "./run.js";

const fixture = new URL("../fixtures/interchange/pytorch/gru/state_dict.pt", import.meta.url).pathname;
let dir = "";
const run = (...args: string[]) => gated(["--threads", "1", ...args], { cwd: dir });
const json = (s: string) => JSON.parse(s) as Record<string, any>;
const clean = (stderr: string) => assert.ok(!/internal error|\n\s+at /.test(stderr), `a stack trace: ${stderr}`);

before(() => {
  dir = mkdtempSync(join(tmpdir(), "gated-hcli-"));
  // two columns: a trend (a) and a sine (b); the model forecasts b only
  const rows = Array.from({ length: 300 }, (_, i) => `d${i},${(100 + i * 0.5 + 10 * Math.sin(i / 3)).toFixed(3)},${Math.sin(i / 5).toFixed(4)}`);
  writeFileSync(join(dir, "s.csv"), ["date,a,b", ...rows].join("\n") + "\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("gated CLI: every boundary gives the right answer or a clear error", { timeout: 300_000 }, () => {
  it("eval reuses the target, columns and window saved with a CSV model; a conflicting option is refused", async () => {
    const t = await run("train", "--data", "s.csv", "--target", "b", "--epochs", "1", "--hidden", "4", "--out", "csv.safetensors", "--no-report", "--json");
    assert.equal(t.code, 0, t.stderr);
    const e = await run("eval", "csv.safetensors", "--json");
    assert.equal(e.code, 0, e.stderr);
    const trained = json(t.stdout).assessment, evaluated = json(e.stdout).assessment;
    assert.equal(evaluated.unit, "b");
    assert.equal(evaluated.value, trained.value, "eval gives the RMSE of the trained target");
    const same = await run("eval", "csv.safetensors", "--target", "b", "--json");
    assert.equal(json(same.stdout).assessment.value, trained.value);
    const bad = await run("eval", "csv.safetensors", "--target", "a");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /eval: --target a conflicts with the model, which was trained with --target b/);
    const w = await run("eval", "csv.safetensors", "--window", "12");
    assert.equal(w.code, 1);
    assert.match(w.stderr, /--window 12 conflicts with the model, which was trained with --window 24/);
    const p = await run("predict", "csv.safetensors", "--json");
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual(json(p.stdout).columns, ["b"]);
  });

  it("a text model: eval reports on its validation part, names the parts it has, and inspect takes --limit", async () => {
    const t = await run("train", "--data", "moby-dick", "--limit", "3000", "--steps", "20", "--epochs", "1", "--hidden", "8", "--out", "text.safetensors", "--no-report", "--quiet");
    assert.equal(t.code, 0, t.stderr);
    const e = await run("eval", "text.safetensors", "--limit", "3000", "--steps", "20", "--json");
    assert.equal(e.code, 0, e.stderr);
    assert.equal(json(e.stdout).split, "validation");
    assert.ok(json(e.stdout).metrics.perplexity > 1);
    const test = await run("eval", "text.safetensors", "--limit", "3000", "--steps", "20", "--split", "test");
    assert.equal(test.code, 1);
    clean(test.stderr);
    assert.match(test.stderr, /--split test: the data set "moby-dick" has no test part; its parts are train, validation/);
    // --limit and --steps are saved with the model: eval without them opens the same part
    const same = await run("eval", "text.safetensors", "--json");
    assert.equal(same.code, 0, same.stderr);
    assert.deepEqual(json(same.stdout).metrics, json(e.stdout).metrics);
    // another --limit conflicts with the saved one: refused, naming it
    const other = await run("eval", "text.safetensors", "--limit", "5000");
    assert.equal(other.code, 1);
    clean(other.stderr);
    assert.match(other.stderr, /--limit 5000 conflicts with the model/);
    const i = await run("inspect", "text.safetensors", "--input", "moby-dick", "--limit", "3000", "--steps", "20", "--out", "gates", "--json");
    assert.equal(i.code, 0, i.stderr);
    assert.ok(json(i.stdout).gateFiles.some((f: string) => f.endsWith("gates.html")));
  });

  it("predict on an imported model (no window, no data) classifies JSON sequences, and a wrong step says what it needs", async () => {
    const imp = await run("import", fixture, "--out", "imported.safetensors");
    assert.equal(imp.code, 0, imp.stderr);
    const ok = await gated(["predict", "imported.safetensors", "--json"], { cwd: dir, input: "[[[1,2,3],[0,0,1]]]" });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(json(ok.stdout)[0].steps.length, 2);
    const bad = await gated(["predict", "imported.safetensors"], { cwd: dir, input: "[[1,2]]" });
    assert.equal(bad.code, 1);
    clean(bad.stderr);
    assert.match(bad.stderr, /sequence 0, step 0 must hold 3 number\(s\), got 1/);
  });

  it("a reader that closes the pipe early (`gated run --help | head -1`) ends the command quietly, no EPIPE trace", async () => {
    const child = gatedChild(["run", "--help"], process.cwd());
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    // read the first chunk, then close our end, as head does
    await new Promise<void>((ok) => child.stdout.once("data", () => { child.stdout.destroy(); ok(); }));
    const code = await new Promise<number | null>((ok) => child.on("exit", (c) => ok(c)));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|\n\s+at /);
  });

  it("compare --help names the data it runs by default (MNIST)", async () => {
    const h = await gated(["compare", "--help"]);
    assert.equal(h.code, 0);
    assert.match(h.stdout.replace(/\s+/g, " "), /--data <name\|file\.csv> .*\(default: "mnist"\)/);
  });

  it("train refuses to replace a named model without --force, replaces the default one with a notice", async () => {
    const args = ["train", "--data", "co2", "--epochs", "1", "--hidden", "4", "--no-report", "--quiet"];
    assert.equal((await run(...args, "--out", "named.safetensors")).code, 0);
    const before = readFileSync(join(dir, "named.safetensors"));
    const again = await run(...args, "--out", "named.safetensors", "--seed", "2");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /--out named\.safetensors: the file exists; add --force to replace it/);
    assert.deepEqual(readFileSync(join(dir, "named.safetensors")), before, "the file is untouched");
    assert.equal((await run(...args, "--out", "named.safetensors", "--seed", "2", "--force")).code, 0);
    assert.notDeepEqual(readFileSync(join(dir, "named.safetensors")), before);
    // the README's first command, twice: the default output is replaced, with a notice
    assert.equal((await run(...args)).code, 0);
    const twice = await run(...args);
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stderr, /replacing co2-gru\.safetensors \(the default output/);
  });

  it("--resume refuses options that differ from the checkpoint's, naming each", async () => {
    const args = ["train", "--data", "co2", "--epochs", "1", "--hidden", "4", "--out", "r.safetensors", "--no-report", "--quiet"];
    assert.equal((await run(...args)).code, 0);
    assert.ok(existsSync(join(dir, "r.checkpoint.safetensors")));
    const r = await run(...args.map((a) => (a === "4" ? "8" : a)), "--window", "12", "--resume", "--force");
    assert.equal(r.code, 1);
    clean(r.stderr);
    assert.match(r.stderr, /--resume: r\.checkpoint\.safetensors was made with other options/);
    assert.match(r.stderr, /hiddenSize: the checkpoint has 4, this command gives 8/);
    assert.match(r.stderr, /data\.window: the checkpoint has 24, this command gives 12/);
    const o = await run(...args, "--optimizer", "sgd", "--resume", "--force");
    assert.match(o.stderr, /optimizer: the checkpoint has "adam", this command gives "sgd"/);
    // the same options, more epochs: continues
    assert.equal((await run(...args.map((a) => (a === "1" ? "2" : a)), "--resume", "--force")).code, 0);
  });

  it("a sentiment model classifies raw text (--text, or a JSON array of strings) as it classifies the words' ids", async () => {
    const t = await run("train", "--data", "sentiment", "--epochs", "1", "--hidden", "8", "--out", "sent.safetensors", "--no-report", "--quiet");
    assert.equal(t.code, 0, t.stderr);
    const one = await run("predict", "sent.safetensors", "--text", "A wonderful, GREAT movie!", "--json");
    assert.equal(one.code, 0, one.stderr);
    const [r] = json(one.stdout) as any[];
    assert.ok(["negative", "positive"].includes(r.class));
    writeFileSync(join(dir, "texts.json"), JSON.stringify(["a wonderful great movie", "zzzunknownword"]));
    const many = await run("predict", "sent.safetensors", "--input", "texts.json", "--json");
    assert.equal(many.code, 0, many.stderr);
    const rows = json(many.stdout) as any[];
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0].probabilities, r.probabilities, "the same words give the same result");
    // an unknown word is "<unk>" (id 1), as in training
    const ids = await gated(["predict", "sent.safetensors", "--json"], { cwd: dir, input: "[[1]]" });
    assert.deepEqual((json(ids.stdout) as any[])[0].probabilities, rows[1].probabilities);
    const notWords = await run("predict", "imported.safetensors", "--text", "hello");
    assert.equal(notWords.code, 1);
    assert.match(notWords.stderr, /--text: this model does not read words/);
  });

  it("the training report: a baseline for the adding task, a plain source line, loss units by task, actual values named", async () => {
    const a = await run("train", "--data", "adding", "--limit", "200", "--epochs", "1", "--hidden", "4", "--out", "adding.safetensors", "--json");
    assert.equal(a.code, 0, a.stderr);
    const s = json(a.stdout).assessment;
    assert.equal(s.baselineName, "training mean");
    assert.ok(Number.isFinite(s.baseline) && s.baseline > 0.05 && s.baseline < 0.5, `the mean predictor's MSE: ${s.baseline}`);
    const html = readFileSync(join(dir, "adding.html"), "utf8");
    assert.ok(!html.includes("NaN"), "no NaN in the report");
    assert.match(html, /<td>source<\/td><td>generated by gated, the task of Hochreiter &amp; Schmidhuber \(1997\)<\/td>/);
    assert.ok(!html.includes("(none (generated))"));
    const b = await run("train", "--data", "births", "--epochs", "1", "--hidden", "4", "--out", "births.safetensors", "--quiet");
    assert.equal(b.code, 0, b.stderr);
    const bh = readFileSync(join(dir, "births.html"), "utf8");
    assert.match(bh, /the last 56 of \d+ held-out steps/);
    assert.match(bh, /<g class="actual">/);
    assert.match(bh, /mse \(normalised units\)/);
    const t = await run("train", "--data", "moby-dick", "--limit", "2000", "--steps", "20", "--epochs", "1", "--hidden", "4", "--out", "t2.safetensors", "--quiet");
    assert.equal(t.code, 0, t.stderr);
    const th = readFileSync(join(dir, "t2.html"), "utf8");
    assert.match(th, /cross-entropy \(nats\)/);
    assert.ok(!th.includes("normalised units"));
  });
});
