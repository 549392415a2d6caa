// Keras files written by Keras itself (scripts/interchange/gen_keras.py, Keras 3 on TensorFlow):
// every fixture in each of its three saved forms (.keras, legacy .h5, .weights.h5 with its
// config) → gated, compared with Keras's own model.predict outputs; content detection and
// refusals; gated → .keras, read back by real Keras (scripts/interchange/check_keras_export.py)
// and compared with the outputs Keras recorded.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { importKeras, kerasFileKind } from "../../src/io/keras/import.js";
import type { KerasImport } from "../../src/io/keras/to-model.js";
import { detectFormat, importFile } from "../../src/io/node/files.js";
import { FormatError, OptionError } from "../../src/errors/index.js";
import { exportKeras3, keras3Artifacts } from "../../src/io/keras/keras3-export.js";
import { readH5 } from "../../src/io/keras/hdf5.js";
import { decodeModel } from "../../src/io/model-file.js";
import { Model, createSpec } from "../../src/model/model.js";
import { strFromU8, unzipSync } from "fflate";
import { assertClose } from "../helpers/close.js";
import { runBatchMajor } from "./helpers/model.js";

const DIR = new URL("../fixtures/interchange/keras/", import.meta.url);
const path = (rel: string) => new URL(rel, DIR).pathname;
const bytes = (rel: string) => new Uint8Array(readFileSync(new URL(rel, DIR)));

interface Expected { input: number[][] | number[][][]; inputKind: "features" | "tokens"; lengths: number[] | null; output: unknown; outputShape: number[] }
const worst: Record<string, number> = {};

/** Runs an imported model on a batch-major input; the output in Keras's layout, probabilities for a softmax model. */
function runKerasLike(imp: { readonly model: Model }, e: Pick<Expected, "input" | "inputKind" | "lengths">): Float32Array {
  return runBatchMajor(imp.model, e.input as unknown[], e.lengths);
}


const fixtures = readdirSync(DIR).filter((n) => statSync(new URL(n, DIR)).isDirectory() && n !== "export").sort();

describe("Keras-saved models → gated, against Keras's model.predict", () => {
  const forms: Record<string, (name: string) => Promise<KerasImport>> = {
    ".keras": (n) => importKeras(bytes(`${n}/m.keras`), { where: `${n}/m.keras` }),
    "legacy .h5": (n) => importKeras(bytes(`${n}/m.h5`), { where: `${n}/m.h5` }),
    ".weights.h5 + model.json": (n) => importKeras(bytes(`${n}/m.weights.h5`), { where: `${n}/m.weights.h5`, config: bytes(`${n}/model.json`) }),
  };
  for (const name of fixtures) {
    for (const [form, load] of Object.entries(forms)) {
      it(`${name} (${form})`, async () => {
        const e = JSON.parse(readFileSync(new URL(`${name}/expected.json`, DIR), "utf8")) as Expected;
        const imp = await load(name);
        assert.equal(imp.masking !== null, e.lengths !== null, "masking reported exactly when the model masks");
        const d = assertClose(runKerasLike(imp, e), (e.output as unknown[]).flat(2) as number[], { atol: 1e-5 }, `${name} (${form}) vs Keras`);
        worst[`${name} ${form}`] = d;
      });
    }
  }
  it("a .weights.h5 with a .keras file as its config", async () => {
    const e = JSON.parse(readFileSync(new URL("bidi_gru_concat_dense/expected.json", DIR), "utf8")) as Expected;
    const imp = await importKeras(bytes("bidi_gru_concat_dense/m.weights.h5"), { config: bytes("bidi_gru_concat_dense/m.keras") });
    assertClose(runKerasLike(imp, e), (e.output as unknown[]).flat(2) as number[], { atol: 1e-5 }, "weights.h5 + .keras config");
  });
  it("a .weights.h5 with a legacy .h5 as its config, and with a parsed object", async () => {
    const e = JSON.parse(readFileSync(new URL("lstm_stack_dense/expected.json", DIR), "utf8")) as Expected;
    for (const config of [bytes("lstm_stack_dense/m.h5"), JSON.parse(readFileSync(new URL("lstm_stack_dense/model.json", DIR), "utf8")) as Record<string, unknown>]) {
      const imp = await importKeras(bytes("lstm_stack_dense/m.weights.h5"), { config });
      assertClose(runKerasLike(imp, e), (e.output as unknown[]).flat(2) as number[], { atol: 1e-5 }, "weights.h5 + other config");
    }
  });
  it("hard_sigmoid from a Keras 3 file is x/6 + 0.5 in every form", async () => {
    for (const f of ["m.keras", "m.h5"]) {
      const imp = await importKeras(bytes(`gru_hard_sigmoid_last/${f}`));
      assert.deepEqual(imp.model.spec.layers[0]!.gateActivation, { name: "HardSigmoid", alpha: 1 / 6, beta: 0.5 });
    }
  });
});

describe("Keras files told apart by content", () => {
  it("kinds by magic bytes", () => {
    assert.equal(kerasFileKind(bytes("gru_reset_after_seq/m.keras")), "keras-archive");
    assert.equal(kerasFileKind(bytes("gru_reset_after_seq/m.h5")), "hdf5");
    assert.equal(kerasFileKind(bytes("gru_reset_after_seq/m.weights.h5")), "hdf5");
    assert.equal(kerasFileKind(bytes("gru_reset_after_seq/model.json")), "json");
  });
  it("detectFormat: .h5 and .weights.h5 are keras", () => {
    assert.equal(detectFormat(path("gru_reset_after_seq/m.h5")), "keras");
    assert.equal(detectFormat(path("gru_reset_after_seq/m.weights.h5")), "keras");
  });
  it("importFile reads a legacy .h5 and a .weights.h5 with its config", async () => {
    const e = JSON.parse(readFileSync(new URL("gru_reset_before_last/expected.json", DIR), "utf8")) as Expected;
    for (const r of [await importFile(path("gru_reset_before_last/m.h5")), await importFile(path("gru_reset_before_last/m.weights.h5"), { kerasConfig: path("gru_reset_before_last/model.json") })]) {
      assert.equal(r.format, "keras");
      assertClose(runKerasLike(r, e), (e.output as unknown[]).flat(2) as number[], { atol: 1e-5 }, "importFile");
    }
  });
});

describe("Keras refusals", () => {
  it("a .weights.h5 without a config names the missing architecture and the flag", async () => {
    await assert.rejects(importKeras(bytes("gru_reset_after_seq/m.weights.h5"), { where: "m.weights.h5" }),
      (err: unknown) => err instanceof OptionError && /m\.weights\.h5: .*holds no architecture.*--config FILE/.test(err.message));
  });
  it("importFile on a .weights.h5 without --config", async () => {
    await assert.rejects(importFile(path("gru_reset_after_seq/m.weights.h5")), (err: unknown) => err instanceof OptionError && /--config/.test(err.message));
  });
  it("an HDF5 file that is neither a full model nor Keras 3 weights", async () => {
    const { h5Lib, scratchPath } = await import("../../src/io/keras/hdf5.js");
    const { FS, File } = await h5Lib();
    const p = scratchPath();
    const f = new File(p, "w");
    (f as unknown as { create_dataset(a: object): void }).create_dataset({ name: "data", data: new Float32Array([1, 2]), shape: [2], dtype: "<f" });
    f.close();
    const h5 = FS.readFile(p);
    FS.unlink(p);
    await assert.rejects(importKeras(h5, { where: "other.h5" }),
      (err: unknown) => err instanceof FormatError && /other\.h5: .*neither a legacy full model \(no root "model_config" attribute\) nor Keras 3 weights/.test(err.message));
  });
  it("bytes that are no Keras file", async () => {
    await assert.rejects(importKeras(new TextEncoder().encode("hello world"), { where: "x.h5" }),
      (err: unknown) => err instanceof FormatError && /x\.h5: expected a Keras file .* got bytes starting 68 65/.test(err.message));
  });
  it("a config that is not a model configuration", async () => {
    await assert.rejects(importKeras(bytes("gru_reset_after_seq/m.weights.h5"), { config: new Uint8Array([1, 2, 3]), configWhere: "cfg.bin" }),
      (err: unknown) => err instanceof FormatError && /cfg\.bin: expected a model configuration/.test(err.message));
  });
  it("damaged .h5 and .weights.h5 bytes give only typed errors", async () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
    for (const f of ["gru_reset_after_seq/m.h5", "bidi_gru_concat_dense/m.weights.h5"]) {
      const good = bytes(f);
      for (let k = 0; k < 40; k++) {
        const b = good.slice(0, k % 4 === 0 ? Math.floor(next() * good.length) : good.length);
        for (let j = 0; j < 8; j++) b[Math.floor(next() * b.length)] = Math.floor(next() * 256);
        try {
          await importKeras(b, { config: bytes("bidi_gru_concat_dense/model.json") });
        } catch (err) {
          assert.ok(err instanceof FormatError || err instanceof OptionError, `${f} mutation ${k}: ${String(err)}`);
        }
      }
    }
  });
  it("a config for another model", async () => {
    await assert.rejects(importKeras(bytes("gru_reset_after_seq/m.weights.h5"), { config: bytes("lstm_stack_dense/model.json"), configWhere: "lstm.json" }),
      (err: unknown) => err instanceof FormatError && /lstm\.json.*missing weight/.test(err.message));
  });
});

describe("gated → .keras, read back by real Keras (check_keras_export.py)", () => {
  const cases = readdirSync(new URL("export/", DIR)).sort();
  it("has committed cases", () => assert.ok(cases.length >= 6));
  for (const name of cases) {
    it(name, async () => {
      const rel = `export/${name}/`;
      const model = decodeModel(bytes(`${rel}model.safetensors`), name);
      const inp = JSON.parse(readFileSync(new URL(`${rel}input.json`, DIR), "utf8")) as Expected;
      const keras = JSON.parse(readFileSync(new URL(`${rel}keras_output.json`, DIR), "utf8")) as { output: unknown };
      const ref = (keras.output as unknown[]).flat(2) as number[];
      // what Keras was given is what today's exporter writes: config.json byte for byte, every weight bit for bit
      const a = keras3Artifacts(model, { link: true });
      const given = unzipSync(bytes(`${rel}m.keras`));
      assert.equal(strFromU8(given["config.json"]!), a.config, "config.json");
      const h5 = (await readH5(given["model.weights.h5"]!, `${name} model.weights.h5`)).datasets;
      assert.deepEqual([...h5.keys()].sort(), a.datasets.map((d) => d.path).sort(), "weight paths");
      for (const d of a.datasets) {
        assert.deepEqual(h5.get(d.path)!.shape, d.shape, `${d.path} shape`);
        assert.deepEqual(new Uint32Array(h5.get(d.path)!.data.buffer), new Uint32Array(Float32Array.from(d.data).buffer), `${d.path} values`);
      }
      worst[`export ${name}`] = assertClose(runKerasLike({ model }, { ...inp, lengths: null }), ref, { atol: 1e-5 }, `${name}: gated vs Keras reading gated's .keras`);
      // and today's archive bytes read back into gated give Keras's outputs
      const back = await importKeras(await exportKeras3(model, { link: true }), { where: `${name} re-export` });
      assertClose(runKerasLike(back, { ...inp, lengths: null }), ref, { atol: 1e-5 }, `${name}: gated → .keras → gated vs Keras`);
    });
  }
});

describe("gated → .keras refusals", () => {
  const base = { input: { kind: "features", features: 2 }, hiddenSize: 3, task: { target: "regression", perStep: true, outputs: 1 } };
  const refuse = (opts: Record<string, unknown>, pattern: RegExp) => assert.throws(() => keras3Artifacts(new Model(createSpec(opts as never))), (e: unknown) => e instanceof OptionError && pattern.test(e.message));
  it("MGU", () => refuse({ ...base, cell: "mgu" }, /keras export: layer 0 \(recurrent\): Keras has no layer for the "mgu" cell/));
  it("minGRU", () => refuse({ ...base, cell: "mingru" }, /Keras has no layer for the "mingru" cell/));
  it("LiGRU", () => refuse({ ...base, cell: "ligru" }, /Keras has no layer for the "ligru" cell/));
  it('update "replace"', () => refuse({ ...base, cell: "gru", cellOptions: { update: "replace" } }, /update "replace" have no Keras layer \(Keras: full gates, keep update\)/));
  it("GRU gate type 1", () => refuse({ ...base, cell: "gru", cellOptions: { gates: "type1" } }, /gates "type1".*no Keras layer/));
  it("a cell clip", () => refuse({ ...base, cell: "gru", cellOptions: { clip: 2 } }, /clip 2 has no Keras counterpart/));
  it("TF.js's hard sigmoid (0.2x + 0.5)", () => refuse({ ...base, cell: "gru", cellOptions: { gateActivation: { name: "HardSigmoid", alpha: 0.2, beta: 0.5 } } }, /no Keras 3 equivalent \(Keras 3: .*hard_sigmoid = clip\(x\/6 \+ 0\.5\)/));
  it("a reverse direction read at every step", () => refuse({ ...base, cell: "gru", direction: "reverse" }, /reverse time order/));
});

after(() => {
  const groups = new Map<string, number>();
  for (const [k, d] of Object.entries(worst)) {
    const g = k.startsWith("export ") ? "gated → .keras → Keras" : k.slice(k.indexOf(" ") + 1);
    groups.set(g, Math.max(groups.get(g) ?? 0, d));
  }
  if (groups.size) console.log(`# Keras real files, max |gated − Keras|: ${[...groups].map(([g, d]) => `${g} ${d.toExponential(2)}`).join(", ")}`);
  if (process.env.GATED_KERAS_MATRIX) console.log(JSON.stringify(worst, null, 1));
});

describe("Keras .keras archives are checked", () => {
  it("a flipped byte inside the stored model.weights.h5 is refused by its CRC-32, not imported as another weight", async () => {
    const { importKeras3 } = await import("../../src/io/keras/keras3.js");
    const b = new Uint8Array(readFileSync("test/fixtures/interchange/keras/gru_reset_after_seq/m.keras"));
    const name = new TextEncoder().encode("model.weights.h5");
    let at = -1;
    for (let i = 0; i < b.length - name.length && at < 0; i++) if (name.every((c, k) => b[i + k] === c)) at = i; // the local header's name
    const v = new DataView(b.buffer, b.byteOffset);
    const data = at + name.length + v.getUint16(at - 2, true), size = v.getUint32(at - 8, true);
    const bad = b.slice();
    bad[data + Math.floor(size * 0.9)] ^= 0x01;
    await assert.rejects(importKeras3(bad, "m.keras"), (e: unknown) => e instanceof FormatError && /model\.weights\.h5.*CRC-32/.test(e.message));
  });
});
