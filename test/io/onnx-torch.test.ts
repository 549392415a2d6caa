// Real torch.onnx exports (torch 2.13: the default dynamo=True exporter with its external data,
// the legacy dynamo=False one, and dynamic_shapes exports) read by gated two ways: imported as a
// gated model (onnxToModel) and run by gated's interpreter (OnnxProgram.run), both against
// PyTorch's own outputs. Fixtures: test/fixtures/interchange/onnx, made by
// scripts/interchange/gen_onnx.py. Also the external-data file rules (confined to the model's folder).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, copyFileSync, writeFileSync, symlinkSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onnxToModel } from "../../src/io/onnx/to-model.js";
import { OnnxProgram } from "../../src/io/onnx/program.js";
import { readOnnxProgram } from "../../src/io/node/onnx-files.js";
import { decodeOnnx, encodeOnnx } from "../../src/io/onnx/proto.js";
import { tensor, type OnnxTensor } from "../../src/io/onnx/tensor.js";
import { FormatError, OptionError } from "../../src/errors/index.js";
import { assertClose } from "../helpers/close.js";
import { loadModel } from "../../src/node/files.js";
import { runModel, softmaxRows } from "./helpers/model.js";
import { swap01 } from "./helpers/fixtures.js";

const DIR = new URL("../fixtures/interchange/onnx/", import.meta.url).pathname;
const TOL = { atol: 1e-5 };

interface Arr { shape: number[]; dtype: string; data: number[] }
interface Expected {
  inputs: Arr[]; outputs: Arr[];
  files: Record<string, { file: string; external_data: boolean; symbolic?: string[] }>;
  second?: { inputs: Arr[]; outputs: Arr[] };
}

/** Fixture files gated refuses to import as a model, with what the message must say. */
const REFUSED: Record<string, RegExp> = {
  // the dynamo exporter unrolls the reverse direction of nn.RNN too, which gated does not fold back
  "rnn_bidi/dynamo": /unrolled recurrence .*dynamo=True.*export with torch\.onnx\.export\(\.\.\., dynamo=False\)/,
};

const worst = { import: 0, run: 0 };
const matrix: string[] = [];

const feedOf = (a: Arr): OnnxTensor => tensor(a.dtype === "int64" ? "int64" : "float32", a.shape, a.data);

/** The interpreter on the fixture's input(s): every graph output against PyTorch's. */
function checkRun(p: OnnxProgram, ins: Arr[], outs: Arr[], what: string): number {
  const feeds = Object.fromEntries(p.inputs.map((spec, i) => [spec.name, feedOf(ins[i]!)]));
  const got = p.run(feeds);
  assert.equal(p.outputs.length, outs.length, `${what}: number of outputs`);
  let w = 0;
  p.outputs.forEach((o, i) => {
    assert.deepEqual(got[o.name]!.shape, outs[i]!.shape, `${what}: shape of output "${o.name}"`);
    w = Math.max(w, assertClose(got[o.name]!.data, outs[i]!.data, TOL, `${what}: gated run output "${o.name}" vs torch`));
  });
  return w;
}

/** The imported gated model on the fixture's input: its output against PyTorch's. */
function checkImport(p: OnnxProgram, ins: Arr[], outs: Arr[], what: string): number {
  const imp = onnxToModel(p, { useMetadata: false });
  const x = ins[p.inputs.findIndex((i) => i.name === imp.input.name)]!;
  const bm = imp.input.layout === "batch-major";
  const [T, B] = bm ? [x.shape[1]!, x.shape[0]!] : [x.shape[0]!, x.shape[1]!];
  const F = x.shape[2] ?? 1;
  let ours = runModel(imp.model, { T, B, data: bm ? swap01(x.data, B, T, F) : x.data });
  const O = imp.model.spec.task.outputs;
  if (imp.output.layout === "batch-major") ours = swap01(ours, T, B, O);
  if (imp.model.spec.task.target === "class") ours = softmaxRows(ours, O);
  const want = outs[p.outputs.findIndex((o) => o.name === imp.output.name)]!;
  assert.equal(ours.length, want.data.length, `${what}: output size`);
  return assertClose(ours, want.data, TOL, `${what}: imported model vs torch`);
}

const names = readdirSync(DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe("torch.onnx exports (fixtures from scripts/interchange/gen_onnx.py)", () => {
  it("has the fixtures", () => assert.ok(names.length >= 10, `expected ≥ 10 fixture folders in ${DIR}, got ${names.length}`));
  for (const name of names) {
    const exp = JSON.parse(readFileSync(join(DIR, name, "expected.json"), "utf8")) as Expected;
    for (const [tag, f] of Object.entries(exp.files)) {
      const id = `${name}/${tag}`;
      const load = () => readOnnxProgram(join(DIR, name, f.file));
      it(`${id}: gated run equals torch`, () => {
        let w = checkRun(load(), exp.inputs, exp.outputs, id);
        if (exp.second && tag === "dynamic") w = Math.max(w, checkRun(load(), exp.second.inputs, exp.second.outputs, `${id} (second input)`));
        worst.run = Math.max(worst.run, w);
        matrix.push(`${id} run ${w.toExponential(1)}`);
      });
      const refusal = REFUSED[id];
      if (refusal) {
        it(`${id}: import is refused with the reason`, () => {
          assert.throws(() => onnxToModel(load(), { useMetadata: false }), (e: unknown) => e instanceof OptionError && refusal.test(e.message));
          matrix.push(`${id} import refused`);
        });
        continue;
      }
      it(`${id}: imported model equals torch`, () => {
        let w = checkImport(load(), exp.inputs, exp.outputs, id);
        // the second input has another batch size: a static export's import must not depend on it
        if (exp.second) w = Math.max(w, checkImport(load(), exp.second.inputs, exp.second.outputs, `${id} (second input)`));
        worst.import = Math.max(worst.import, w);
        matrix.push(`${id} import ${w.toExponential(1)}`);
      });
    }
  }
});

describe("the CLI on a dynamo export with external data", () => {
  const src = join(DIR, "gru_2layer_bidi_batch_first");
  const exp = JSON.parse(readFileSync(join(src, "expected.json"), "utf8")) as Expected;
  const tmp = mkdtempSync(join(tmpdir(), "gated-onnx-cli-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const gated = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { encoding: "utf8" });
  it("gated run prints PyTorch's outputs", () => {
    const x = exp.inputs[0]!;
    writeFileSync(join(tmp, "in.json"), JSON.stringify({ x: { shape: x.shape, data: x.data } }));
    const r = gated("run", join(src, "dynamo.onnx"), "--input", join(tmp, "in.json"));
    assert.equal(r.status, 0, r.stderr);
    const out = Object.values(JSON.parse(r.stdout) as Record<string, { shape: number[]; data: number[] }>)[0]!;
    assert.deepEqual(out.shape, exp.outputs[0]!.shape);
    assertClose(out.data, exp.outputs[0]!.data, TOL, "gated run (CLI) vs torch");
  });
  it("gated import writes a model that gives PyTorch's outputs", () => {
    const r = gated("import", join(src, "dynamo.onnx"), "--out", join(tmp, "m.safetensors"));
    assert.equal(r.status, 0, r.stderr);
    const x = exp.inputs[0]!, [B, T] = x.shape as [number, number];
    const y = runModel(loadModel(join(tmp, "m.safetensors")), { T, B, data: swap01(x.data, B, T, 3) });
    assertClose(swap01(y, T, B, 8), exp.outputs[0]!.data, TOL, "gated import (CLI) vs torch");
  });
});

describe("external data files", () => {
  const made: string[] = [];
  after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
  const src = join(DIR, "gru_bidi_cat_linear");
  /** A copy of the fixture whose external locations are rewritten to `location`. */
  function copyWith(location: string | null, data?: Uint8Array): string {
    const dir = mkdtempSync(join(tmpdir(), "gated-onnx-"));
    made.push(dir);
    const m = decodeOnnx(readFileSync(join(src, "dynamo.onnx")));
    if (location !== null) {
      for (const t of m.graph!.initializer ?? []) for (const e of t.externalData ?? []) if (e.key === "location") e.value = location;
    }
    writeFileSync(join(dir, "m.onnx"), encodeOnnx(m));
    if (data) writeFileSync(join(dir, "dynamo.onnx.data"), data);
    else copyFileSync(join(src, "dynamo.onnx.data"), join(dir, "dynamo.onnx.data"));
    return join(dir, "m.onnx");
  }
  const refuses = (path: string, re: RegExp) => assert.throws(() => readOnnxProgram(path), (e: unknown) => e instanceof FormatError && re.test(e.message));

  it("bytes without a resolver: refused, naming the tensor and the file", () => {
    const bytes = readFileSync(join(src, "dynamo.onnx"));
    assert.throws(() => OnnxProgram.fromBytes(bytes, "m.onnx"), (e: unknown) => e instanceof FormatError && /tensor "val_\d+" keeps its data in the external file "dynamo\.onnx\.data".*externalData/.test(e.message));
  });
  it("bytes with a resolver: read", () => {
    const data = new Uint8Array(readFileSync(join(src, "dynamo.onnx.data")));
    const asked: string[] = [];
    const p = OnnxProgram.fromBytes(readFileSync(join(src, "dynamo.onnx")), "m.onnx", { externalData: (loc) => { asked.push(loc); return data; } });
    assert.deepEqual(asked, ["dynamo.onnx.data"]);
    const exp = JSON.parse(readFileSync(join(src, "expected.json"), "utf8")) as Expected;
    checkRun(p, exp.inputs, exp.outputs, "resolver");
  });
  it("a missing data file", () => refuses(copyWith("other.data"), /m\.onnx: tensor "val_\d+": external data file "other\.data" not found/));
  it("an absolute location", () => refuses(copyWith(join(src, "dynamo.onnx.data")), /is an absolute path/));
  it("a location with ..", () => refuses(copyWith("../dynamo.onnx.data"), /leaves the model's folder/));
  it("a symbolic link out of the folder", () => {
    const path = copyWith("link.data");
    symlinkSync(join(src, "dynamo.onnx.data"), join(path, "..", "link.data"));
    refuses(path, /resolves to .* outside the model's folder/);
  });
  it("a file in a subfolder is allowed", () => {
    const path = copyWith("sub/w.data");
    mkdirSync(join(path, "..", "sub"));
    copyFileSync(join(src, "dynamo.onnx.data"), join(path, "..", "sub", "w.data"));
    assert.ok(readOnnxProgram(path).inputs.length === 1);
  });
  it("a truncated data file", () => refuses(copyWith(null, new Uint8Array(100)), /tensor "val_\d+": its bytes \[\d+, \d+\) lie outside the external file "dynamo\.onnx\.data" \(100 bytes\)/));
});

after(() => {
  console.log(`# torch.onnx fixtures: max |gated − torch| import ${worst.import.toExponential(2)}, run ${worst.run.toExponential(2)}`);
  if (process.env.GATED_MATRIX) console.log(matrix.sort().map((l) => `#   ${l}`).join("\n"));
});
