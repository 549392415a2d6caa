// `gated export --format pytorch-module` against real PyTorch, through committed fixtures
// (test/fixtures/interchange/pytorch-module, made by scripts/interchange/make-module-fixtures.ts and
// checked in PyTorch by scripts/interchange/check_pytorch_module.py, which recorded expected.json):
// today's exporter writes the very bytes PyTorch ran (so the recorded proof applies to this code),
// gated's outputs equal torch's, with and without lengths, and gated's gradients equal the ones
// torch's autograd computed through the exported module. Plus the refusals and the CLI.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OptionError } from "../../src/errors/index.js";
import { decodeModel } from "../../src/io/model-file.js";
import { exportPytorchModule, torchName } from "../../src/io/pytorch/module-export.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import type { Model } from "../../src/model/model.js";
import { assertClose } from "../helpers/close.js";
import { deterministicTraining, gatedForward, gatedGradients, type Arr } from "./helpers/pytorch-module.js";

const DIR = new URL("../fixtures/interchange/pytorch-module/", import.meta.url).pathname;
const CASES = readdirSync(DIR).filter((d) => statSync(join(DIR, d)).isDirectory()).sort();

interface Inputs { x: Arr; lengths: number[]; gOut: Arr; gated: { grads?: Record<string, number[]> } }
interface Expected { full: Arr; lengths: Arr; backward: { finite: boolean }; grads: Record<string, number[]> | null; buffers: Record<string, number[]> | null }

const read = (c: string, f: string) => new Uint8Array(readFileSync(join(DIR, c, f)));
const json = <T>(c: string, f: string) => JSON.parse(readFileSync(join(DIR, c, f), "utf8")) as T;
const load = (c: string): Model => decodeModel(read(c, "model.gated.safetensors"), c);

describe("pytorch-module fixtures", () => {
  it("cover every cell kind", () => {
    const kinds = new Set<string>();
    for (const c of CASES) for (const l of load(c).net.layers) if (l.kind === "recurrent") kinds.add(String(l.config.cell));
    for (const k of ["gru", "gru1", "gru2", "gru3", "mgu", "mgu1", "mgu2", "mgu3", "ligru", "libru", "mingru", "lstm", "rnn"]) assert.ok(kinds.has(k), `no fixture for ${k}`);
  });
});

for (const c of CASES) {
  describe(`pytorch-module ${c}`, () => {
    const inputs = json<Inputs>(c, "inputs.json"), expected = json<Expected>(c, "expected.json");

    it("re-exports to the committed model.py and weights.safetensors, byte for byte", () => {
      const { python, weights } = exportPytorchModule(load(c));
      assert.equal(python, readFileSync(join(DIR, c, "model.py"), "utf8"), "model.py differs: rerun the fixture script and the PyTorch check (README.md)");
      assert.ok(Buffer.from(weights).equals(Buffer.from(read(c, "weights.safetensors"))), "weights.safetensors differs");
    });

    it("gated's outputs equal PyTorch's (with and without lengths)", () => {
      const model = load(c);
      assertClose(gatedForward(model, inputs.x, null).data, expected.full.data, { atol: 1e-5 }, "without lengths");
      assertClose(gatedForward(model, inputs.x, inputs.lengths).data, expected.lengths.data, { atol: 1e-5 }, "with lengths");
    });

    it("PyTorch's backward ran; where training is deterministic its gradients equal gated's", (t) => {
      assert.equal(expected.backward.finite, true);
      const model = load(c);
      if (!deterministicTraining(model)) {
        assert.equal(expected.grads, null);
        t.diagnostic("dropout draws at random in training: gradients not compared");
        return;
      }
      const { grads, buffers } = gatedGradients(model, inputs.x, inputs.lengths, inputs.gOut);
      assert.deepEqual(Object.keys(grads).sort(), Object.keys(expected.grads!).sort());
      for (const [name, g] of Object.entries(grads)) assertClose(g, expected.grads![name]!, { atol: 1e-5, rtol: 1e-4 }, `d${name}`);
      for (const [name, b] of Object.entries(buffers)) assertClose(b, expected.buffers![name]!, { atol: 1e-5, rtol: 1e-4 }, `${name} after a training forward`);
    });
  });
}

describe("pytorch-module export", () => {
  it("names weights by the module tree and keeps gated's blocks", () => {
    assert.equal(torchName("1.recurrent.layer0.reverse.U"), "layers.1.cells.layer0_reverse.U");
    assert.equal(torchName("3.dense.W"), "layers.3.W");
    const model = load("ligru-batch-norm");
    const f = decodeSafetensors(exportPytorchModule(model).weights);
    assert.equal(f.metadata.format, "gated-pytorch-module");
    for (const e of model.net.entries) {
      const t = f.tensors.get(torchName(e.name))!;
      assert.deepEqual(t.shape, e.shape);
      assert.deepEqual(Array.from(t.data as Float32Array), Array.from(model.net.params.subarray(e.offset, e.offset + e.size)));
    }
  });

  it("refuses a layer, cell option or activation it cannot write, naming it", () => {
    const model = load("rnn");
    const fake = (layers: unknown[]) => ({ spec: model.spec, net: { ...model.net, layers, dtype: "float32", entries: [], params: new Float32Array(0) } }) as unknown as Model;
    assert.throws(() => exportPytorchModule(fake([{ kind: "attention", config: { kind: "attention" } }])),
      (e: unknown) => e instanceof OptionError && /layer 0 \(attention\).*layer kind "attention" has no Python here; supported: embedding/.test(e.message));
    assert.throws(() => exportPytorchModule(fake([{ kind: "dense", config: { kind: "dense", inputSize: 3, outputSize: 2, activation: { name: "Gelu" } } }])),
      (e: unknown) => e instanceof OptionError && /activation "Gelu" has no Python here/.test(e.message));
    assert.throws(() => exportPytorchModule(fake([{ kind: "dense", config: { kind: "dense", inputSize: 3, outputSize: 2, activation: { name: "Tanh" }, useBias: false } }])),
      (e: unknown) => e instanceof OptionError && /option "useBias" has no PyTorch counterpart/.test(e.message));
  });

  it("gated export --format pytorch-module --out DIR writes model.py and weights.safetensors", () => {
    const out = mkdtempSync(join(tmpdir(), "gated-ptm-"));
    try {
      const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "export", join(DIR, "mingru", "model.gated.safetensors"), "--format", "pytorch-module", "--out", join(out, "m"), "--json"], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).written, [join(out, "m", "model.py"), join(out, "m", "weights.safetensors")]);
      assert.equal(readFileSync(join(out, "m", "model.py"), "utf8"), readFileSync(join(DIR, "mingru", "model.py"), "utf8"));
      assert.ok(readFileSync(join(out, "m", "weights.safetensors")).equals(readFileSync(join(DIR, "mingru", "weights.safetensors"))));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
