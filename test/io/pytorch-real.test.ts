// PyTorch files made by PyTorch 2.13 itself (scripts/interchange/gen_pytorch.py → test/fixtures/interchange/pytorch):
// every saved form (torch.save of a state dict, zip and legacy; safetensors; torch.save(model);
// TorchScript) imports to the outputs PyTorch computed, at ≤ 1e-5; each fact a file leaves open is
// refused until given, with the flag that gives it; and the CLI reads .pt files the same way.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { importPytorch, type PytorchImportOptions } from "../../src/io/pytorch/state-dict.js";
import { readTorchFile } from "../../src/io/pytorch/torch-file.js";
import { unpickle } from "../../src/io/pytorch/pickle.js";
import { FormatError, OptionError } from "../../src/errors/index.js";
import { assertClose } from "../helpers/close.js";
import { runModel } from "./helpers/model.js";
import { swap01 } from "./helpers/fixtures.js";

const DIR = "test/fixtures/interchange/pytorch";
interface Expected {
  forms: string[];
  facts: { layout: "time-major" | "batch-major"; head: "none" | "last-state" | "last-output" | "per-step"; nonlinearity?: "tanh" | "relu"; input?: "tokens"; refused?: string; dtype?: string };
  input: { shape: number[]; data: number[] };
  output: { shape: number[]; data: number[] };
}
const cases = readdirSync(DIR).filter((d) => !d.includes(".")).sort();
const load = (c: string) => JSON.parse(readFileSync(join(DIR, c, "expected.json"), "utf8")) as Expected;
const bytes = (c: string, f: string) => new Uint8Array(readFileSync(join(DIR, c, f)));

/** gated's output for PyTorch's input, in PyTorch's layout. */
function gatedOutput(e: Expected, opts: PytorchImportOptions, file: Uint8Array): Float32Array {
  const { model } = importPytorch(file, opts);
  const [A, Bd] = e.input.shape as [number, number];
  const batchFirst = e.facts.layout === "batch-major";
  const T = batchFirst ? Bd : A, B = batchFirst ? A : Bd;
  const F = e.input.shape.length === 3 ? e.input.shape[2]! : 1;
  const x = batchFirst ? swap01(Float32Array.from(e.input.data), B, T, F) : Float32Array.from(e.input.data);
  const y = runModel(model, { T, B, data: x });
  if (e.facts.head === "last-state" || e.facts.head === "last-output") return y; // [B, O] either way
  return batchFirst ? swap01(y, T, B, y.length / (T * B)) : y;
}

/** The facts a user gives on the command line for a case (none for what the file itself says). */
function given(e: Expected, form: string): PytorchImportOptions {
  const whole = form === "module.pt" || form === "scripted.pt";
  return {
    ...(e.facts.head !== "none" ? { head: e.facts.head } : {}),
    ...(e.facts.nonlinearity && !whole ? { nonlinearity: e.facts.nonlinearity } : {}),
  };
}

let worst = 0, routes = 0;
for (const c of cases) {
  const e = load(c);
  describe(`PyTorch file ${c}`, () => {
    for (const form of e.forms) {
      if (e.facts.refused) {
        it(`${form}: refused (${e.facts.refused}) with the reason`, () => {
          assert.throws(() => importPytorch(bytes(c, form), { where: form }), (err: unknown) => err instanceof OptionError && /proj_size/.test(err.message) && /no output projection/.test(err.message));
        });
        continue;
      }
      it(`${form}: imports to PyTorch's outputs`, () => {
        const y = gatedOutput(e, { ...given(e, form), where: form }, bytes(c, form));
        worst = Math.max(worst, assertClose(y, e.output.data, { atol: 1e-5 }, `${c}/${form}`));
        routes++;
      });
    }
    if (e.facts.head !== "none" && !e.facts.refused) {
      it("without --head: refused, naming the three heads", () => {
        assert.throws(() => importPytorch(bytes(c, "state_dict.pt")), (err: unknown) => err instanceof OptionError && /--head last-state/.test(err.message) && /last-output/.test(err.message) && /per-step/.test(err.message));
        if (e.forms.includes("module.pt")) assert.throws(() => importPytorch(bytes(c, "module.pt")), (err: unknown) => err instanceof OptionError && /pickled module holds no code/.test(err.message));
        if (e.forms.includes("scripted.pt")) assert.throws(() => importPytorch(bytes(c, "scripted.pt")), (err: unknown) => err instanceof OptionError && /does not read TorchScript's/.test(err.message));
      });
      it("the head given is recorded in the model file", () => {
        const { model } = importPytorch(bytes(c, "state_dict.pt"), given(e, "state_dict.pt"));
        assert.ok(model.spec.origin?.facts.some((f) => f.startsWith(`head ${e.facts.head} (given)`)), JSON.stringify(model.spec.origin));
      });
    }
  });
}

describe("PyTorch facts a state dict leaves open", () => {
  it("nn.RNN from a state dict: refused without --nonlinearity; read from a whole module", () => {
    for (const c of ["rnn_relu", "rnn_tanh"]) {
      assert.throws(() => importPytorch(bytes(c, "state_dict.pt")), (err: unknown) => err instanceof OptionError && /--nonlinearity tanh\|relu/.test(err.message));
      const { model } = importPytorch(bytes(c, "module.pt"));
      assert.ok(model.spec.origin!.facts.some((f) => /nonlinearity (relu|tanh) \(read from the file\)/.test(f)));
    }
  });
  it("a nonlinearity that contradicts the file is refused", () => {
    assert.throws(() => importPytorch(bytes("rnn_relu", "module.pt"), { nonlinearity: "tanh" }), (err: unknown) => err instanceof OptionError && /contradicts the file/.test(err.message));
  });
  it("the wrong head gives other numbers (the flag matters: no silent default)", () => {
    const e = load("bidi_gru_last_output");
    const right = gatedOutput(e, { head: "last-output" }, bytes("bidi_gru_last_output", "state_dict.pt"));
    const wrong = gatedOutput(e, { head: "last-state" }, bytes("bidi_gru_last_output", "state_dict.pt"));
    assertClose(right, e.output.data, { atol: 1e-5 });
    assert.ok(Math.max(...wrong.map((v, i) => Math.abs(v - e.output.data[i]!))) > 1e-2);
  });
  it("a caller's module list without an RNN's nonlinearity is refused", () => {
    assert.throws(() => importPytorch(bytes("rnn_relu", "state_dict.pt"), { spec: { modules: [{ name: "", type: "RNN" }] } }), (err: unknown) => err instanceof OptionError && /nonlinearity/.test(err.message));
  });
});

describe("PyTorch files: what the reader reads and refuses", () => {
  it("module.pt lists the modules with their classes and attributes", () => {
    const f = readTorchFile(bytes("gru_last_state", "module.pt"), "m");
    assert.equal(f.kind, "module");
    assert.deepEqual(f.modules.map((m) => [m.path, m.qualName]), [["", "__main__.LastState"], ["rnn", "torch.nn.modules.rnn.GRU"], ["fc", "torch.nn.modules.linear.Linear"]]);
    assert.equal(f.modules[1]!.attributes.batch_first, true);
    assert.equal(f.modules[1]!.attributes.hidden_size, 4);
  });
  it("TorchScript: constants read from the code", () => {
    const f = readTorchFile(bytes("rnn_relu", "scripted.pt"), "m");
    assert.equal(f.kind, "torchscript");
    assert.equal(f.modules[0]!.attributes.mode, "RNN_RELU");
    assert.equal(f.modules[0]!.attributes.nonlinearity, "relu");
  });
  it("strided and offset views of one storage read as PyTorch lays them out", () => {
    const f = readTorchFile(bytes("gru_views", "state_dict.pt"), "m");
    assert.deepEqual(f.tensors.get("weight_hh_l0")!.shape, [12, 4]);
  });
  it("a pickle that calls anything else is refused by name, and nothing runs", () => {
    // protocol 2: GLOBAL 'os system', ('echo',), REDUCE, STOP
    const evil = new Uint8Array([0x80, 0x02, ...new TextEncoder().encode("cos\nsystem\n"), 0x58, 4, 0, 0, 0, ...new TextEncoder().encode("echo"), 0x85, 0x52, 0x2e]);
    const hooks = { call: () => { throw new FormatError("called"); }, build: (o: unknown) => o, persistent: () => null };
    assert.throws(() => unpickle(evil, hooks, "x"), /called/);
    // as a legacy .pt file: the reader's own hooks refuse the call, naming it
    assert.throws(() => readTorchFile(evil, "evil.pt"), (err: unknown) => err instanceof FormatError && /os\.system/.test(err.message));
  });
  it("truncated and damaged files are refused with a FormatError", () => {
    for (const form of ["state_dict.pt", "state_dict_legacy.pt", "module.pt", "scripted.pt"]) {
      const b = bytes("gru", form);
      for (const cut of [b.length - 1, Math.floor(b.length / 2), 40]) {
        assert.throws(() => importPytorch(b.subarray(0, cut)), (err: unknown) => err instanceof FormatError || err instanceof OptionError, `${form} cut at ${cut}`);
      }
    }
  });
  it("an opcode outside the data subset is refused", () => {
    assert.throws(() => unpickle(new Uint8Array([0x80, 0x02, 0x99]), { call: () => null, build: (o) => o, persistent: () => null }, "x"), /opcode 0x99/);
  });
});

after(() => console.log(`# PyTorch real files: ${routes} routes, max |gated − PyTorch| ${worst.toExponential(2)}`));

describe("PyTorch zip archives are checked", () => {
  it("a flipped byte inside a stored tensor is refused (CRC-32), not loaded as another weight", () => {
    const b = bytes("gru", "state_dict.pt").slice();
    // the first storage's data: find the 144-byte entry "state_dict/data/0" by its local header name
    const name = new TextEncoder().encode("state_dict/data/0");
    let at = -1;
    for (let i = 0; i < b.length - name.length && at < 0; i++) if (name.every((c, k) => b[i + k] === c)) at = i;
    const v = new DataView(b.buffer);
    const dataAt = at + name.length + v.getUint16(at - 2, true); // the extra field follows the name
    b[dataAt + 5] = b[dataAt + 5]! ^ 0x40;
    assert.throws(() => importPytorch(b), (err: unknown) => err instanceof FormatError && /data\/0.*CRC-32/.test(err.message));
  });
});

describe("PyTorch out[:, -1] on a bidirectional GRU, onwards", () => {
  it("exports to ONNX that ONNX Runtime runs to PyTorch's numbers", async () => {
    const { modelToOnnx } = await import("../../src/io/onnx/export-model.js");
    const { runOrt } = await import("./helpers/ort.js");
    const { tensor } = await import("../../src/io/onnx/tensor.js");
    const e = load("bidi_gru_last_output");
    const { model } = importPytorch(bytes("bidi_gru_last_output", "module.pt"), { head: "last-output" });
    const out = await runOrt(modelToOnnx(model, { layout: "batch-major" }), { input: tensor("float32", e.input.shape, e.input.data) });
    assertClose(out.output!.data, e.output.data, { atol: 1e-5 }, "ORT on gated's export vs PyTorch");
  });
  it("the ONNX export with lengths reads every direction at len − 1", async () => {
    const { modelToOnnx } = await import("../../src/io/onnx/export-model.js");
    const { runOrt } = await import("./helpers/ort.js");
    const { tensor } = await import("../../src/io/onnx/tensor.js");
    const e = load("bidi_gru_last_output");
    const { model } = importPytorch(bytes("bidi_gru_last_output", "module.pt"), { head: "last-output" });
    const [B, T, F] = e.input.shape as [number, number, number], lengths = [T, 3];
    const ort = await runOrt(modelToOnnx(model, { layout: "batch-major", lengths: true }), { input: tensor("float32", e.input.shape, e.input.data), lengths: tensor("int32", [B], lengths) });
    const ours = runModel(model, { T, B, data: swap01(Float32Array.from(e.input.data), B, T, F), lengths });
    assertClose(ort.output!.data, ours, { atol: 1e-6 }, "ORT with lengths vs gated");
  });
});

describe("out[:, -1] on a bidirectional GRU has no Keras form", () => {
  it("TF.js and Keras exports refuse it, saying why", async () => {
    const { exportTfjs } = await import("../../src/io/keras/tfjs-export.js");
    const { keras3Artifacts } = await import("../../src/io/keras/keras3-export.js");
    const { model } = importPytorch(bytes("bidi_gru_last_output", "module.pt"), { head: "last-output" });
    for (const f of [() => exportTfjs(model), () => keras3Artifacts(model)]) {
      assert.throws(f, (err: unknown) => err instanceof OptionError && /out\[:, -1\].*each direction where it finished/.test(err.message));
    }
  });
});
