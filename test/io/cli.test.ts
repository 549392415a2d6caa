// The interchange commands end to end: gated export (onnx, tfjs, pytorch), gated run on the ONNX
// file (outputs compared with gated's own model), gated import back; user errors exit 1 with a
// message and no stack trace.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Model, createSpec } from "../../src/model/model.js";
import { loadModel, saveModel } from "../../src/node/files.js";
import { assertClose } from "../helpers/close.js";
import { runModel, values } from "./helpers/model.js";

const gated = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { encoding: "utf8" });

describe("gated run / export / import", () => {
  let dir = "";
  let model: Model;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "gated-io-"));
    model = new Model(createSpec({ input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 4, direction: "bidirectional", cellOptions: { reset: "before" } as never, head: [3], task: { target: "regression", perStep: true, outputs: 2 } }), { seed: 2 });
    saveModel(join(dir, "m.safetensors"), model);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("export --format onnx, then run prints the model's outputs as JSON", () => {
    const r = gated("export", join(dir, "m.safetensors"), "--format", "onnx", "--out", join(dir, "m.onnx"));
    assert.equal(r.status, 0, r.stderr);
    const x = values(4 * 2 * 3, 5);
    writeFileSync(join(dir, "in.json"), JSON.stringify({ input: { shape: [4, 2, 3], data: Array.from(x) } }));
    const run = gated("run", join(dir, "m.onnx"), "--input", join(dir, "in.json"));
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { output: { shape: number[]; data: number[] } };
    assert.deepEqual(out.output.shape, [4, 2, 2]);
    assertClose(out.output.data, runModel(model, { T: 4, B: 2, data: x }), { atol: 1e-6 }, "gated run vs the model");
  });

  it("import turns the ONNX file back into the same model", () => {
    const r = gated("import", join(dir, "m.onnx"), "--out", join(dir, "back.safetensors"), "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { format: string }).format, "onnx");
    assert.deepEqual(Array.from(loadModel(join(dir, "back.safetensors")).net.params), Array.from(model.net.params));
  });

  it("export --format tfjs writes model.json and weights.bin; --format pytorch a state dict that imports back", () => {
    assert.equal(gated("export", join(dir, "m.safetensors"), "--format", "tfjs", "--out", join(dir, "tfjs")).status, 0);
    assert.ok(existsSync(join(dir, "tfjs", "model.json")) && existsSync(join(dir, "tfjs", "weights.bin")));
    const t = gated("import", join(dir, "tfjs", "model.json"), "--out", join(dir, "t.safetensors"));
    assert.equal(t.status, 0, t.stderr);
    const p = gated("export", join(dir, "m.safetensors"), "--format", "pytorch", "--out", join(dir, "pt.safetensors"));
    assert.equal(p.status, 1, "reset-before GRUs have no PyTorch form");
    assert.match(p.stderr, /^gated: .*reset-after only/);
  });

  it("user errors exit 1 with a message, no stack", () => {
    for (const args of [["run", join(dir, "missing.onnx"), "--input", join(dir, "in.json")], ["export", join(dir, "m.safetensors"), "--format", "caffe", "--out", "x"]]) {
      const r = gated(...args);
      assert.equal(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^gated: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  it("--help lists the commands", () => {
    const r = gated("--help");
    assert.equal(r.status, 0);
    for (const c of ["run", "export", "import"]) assert.match(r.stdout, new RegExp(`\\n\\s+${c} `));
  });
});
