// Damaged files are refused, never computed with: safetensors headers checked as strictly as the
// format requires, NaN / infinite weights refused by every importer (with the tensor's name, and
// allowNonFinite to load them anyway), ONNX duplicates and attributes out of their domain, names
// with control characters quoted, Keras / TF.js config fields of the wrong type. One regression
// test per bug found.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FormatError, GatedError } from "../../src/errors/index.js";
import { decodeSafetensors, duplicateKey, encodeSafetensors } from "../../src/io/safetensors.js";
import { checkFinite, firstNonFinite } from "../../src/io/finite.js";
import { exportPytorch, importPytorch } from "../../src/io/pytorch/state-dict.js";
import { importTfjs } from "../../src/io/keras/tfjs-import.js";
import { keras3Config, keras3WeightsToModel } from "../../src/io/keras/keras3.js";
import { readH5Floats } from "../../src/io/keras/hdf5.js";
import { OnnxProgram } from "../../src/io/onnx/program.js";
import { onnxToModel } from "../../src/io/onnx/to-model.js";
import { modelToOnnx } from "../../src/io/onnx/export-model.js";
import { decodeOnnx, encodeOnnx, type ModelProto, type NodeProto } from "../../src/io/onnx/proto.js";
import { fromTensorProto, toTensorProto, tensor } from "../../src/io/onnx/tensor.js";
import { Model, createSpec } from "../../src/model/model.js";
import { outputsOf } from "./helpers/fuzz-formats.js";

const fixture = (rel: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${rel}`, import.meta.url)));
const gruSpec = createSpec({ input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 2, task: { target: "regression", perStep: false, outputs: 1 } } as never);

/** Asserts a FormatError whose message matches every pattern. */
function refuses(f: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof FormatError, `expected a FormatError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}
/** A safetensors file from header JSON text and a data buffer of `size` bytes. */
function rawSafetensors(header: string, size: number): Uint8Array {
  const head = new TextEncoder().encode(header), out = new Uint8Array(8 + head.length + size);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  return out;
}
const F32 = (name: string, b: number, e: number, shape = [(e - b) / 4]) => `"${name}": {"dtype": "F32", "shape": ${JSON.stringify(shape)}, "data_offsets": [${b}, ${e}]}`;

describe("safetensors: the header is checked as the format requires", () => {
  const good = exportPytorch(new Model(gruSpec, { seed: 3 })).bytes;

  it("a header length shortened by 1 to 4 bytes is refused (it used to shift every weight and load)", () => {
    assert.doesNotThrow(() => decodeSafetensors(good));
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    for (let k = 1; k <= 4; k++) {
      const b = good.slice();
      new DataView(b.buffer).setBigUint64(0, BigInt(n - k), true);
      refuses(() => importPytorch(b), /header length|cover|must be a JSON object|not valid JSON/);
    }
  });

  it("overlapping data_offsets are refused, naming both tensors", () => {
    refuses(() => decodeSafetensors(rawSafetensors(`{${F32("a", 0, 16)}, ${F32("b", 8, 24)}}`, 24)), /"b" \(bytes 8..24\) overlaps tensor "a" \(bytes 0..16\)/);
  });

  it("two tensors on the same bytes are refused (a parameter read from the optimiser's bytes)", () => {
    refuses(() => decodeSafetensors(rawSafetensors(`{${F32("w", 0, 16)}, ${F32("adam.m", 0, 16)}}`, 16)), /overlaps/);
  });

  it("a gap, bytes left over, and data that does not begin at 0 are refused", () => {
    refuses(() => decodeSafetensors(rawSafetensors(`{${F32("a", 0, 8)}, ${F32("b", 12, 16)}}`, 16)), /bytes 8..12 of the data belong to no tensor/);
    refuses(() => decodeSafetensors(rawSafetensors(`{${F32("a", 0, 8)}}`, 12)), /cover 8 bytes of data but the file has 12/);
    refuses(() => decodeSafetensors(rawSafetensors(`{${F32("a", 4, 12)}}`, 12)), /bytes 0..4 of the data belong to no tensor/);
  });

  it("duplicate keys are refused (JSON.parse keeps the last), at the top level and inside an entry", () => {
    refuses(() => decodeSafetensors(rawSafetensors(`{${F32("a", 0, 8)}, ${F32("a", 0, 8)}}`, 8)), /names key "a" twice/);
    refuses(() => decodeSafetensors(rawSafetensors(`{"a": {"dtype": "F32", "dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}`, 8)), /key "dtype" twice \(in "a"\)/);
    assert.equal(duplicateKey(`{"a": ["a", "a"], "b": {"a": 1}, "c": "a"}`), null);
  });

  it("an entry with another key, a non-string metadata value, or a shape out of bounds is refused", () => {
    refuses(() => decodeSafetensors(rawSafetensors(`{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "offset": 0}}`, 8)), /tensor "a": unexpected key "offset"/);
    refuses(() => decodeSafetensors(rawSafetensors(`{"__metadata__": {"format": 1}, ${F32("a", 0, 8)}}`, 8)), /__metadata__ must map names to strings; "format" is 1/);
    refuses(() => decodeSafetensors(rawSafetensors(`{"a": {"dtype": "F32", "shape": [0, 4294967296], "data_offsets": [0, 0]}}`, 0)), /tensor "a": bad shape/);
    refuses(() => decodeSafetensors(rawSafetensors(`{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}`, 8)), /needs 12 bytes/);
  });

  it("the header must start with { and be padded with spaces only", () => {
    refuses(() => decodeSafetensors(rawSafetensors(` {${F32("a", 0, 8)}}`, 8)), /must start with "\{"/);
    refuses(() => decodeSafetensors(rawSafetensors(`{${F32("a", 0, 8)}}\n\n`, 8)), /not valid JSON: it must be one object padded with spaces only/);
    assert.equal(decodeSafetensors(rawSafetensors(`{${F32("a", 0, 8)}}   `, 8)).tensors.get("a")!.shape[0], 2);
  });

  it("what gated writes still reads back, empty files included", () => {
    const f = decodeSafetensors(encodeSafetensors([["x", { shape: [2, 0], data: new Float32Array(0) }], ["y", { shape: [3], data: Float64Array.of(1, 2, 3) }]], { k: "v" }));
    assert.deepEqual([...f.tensors.get("y")!.data as Float64Array], [1, 2, 3]);
    assert.equal(decodeSafetensors(encodeSafetensors([])).tensors.size, 0);
  });
});

describe("NaN and infinite weights are refused by every importer, with the tensor's name; allowNonFinite loads them", () => {
  it("the shared helper names the tensor, the index and the value", () => {
    assert.equal(firstNonFinite(Float32Array.of(1, 2, Infinity, NaN)), 2);
    assert.equal(firstNonFinite([0, -1]), -1);
    refuses(() => checkFinite("f", "w", [0, NaN]), /f: tensor "w" holds a non-finite value \(NaN at index 1 of 2\)/, /--allow-non-finite/);
  });

  it("PyTorch (safetensors state dict)", () => {
    const model = new Model(gruSpec, { seed: 3 });
    const { bytes } = exportPytorch(model);
    const f = decodeSafetensors(bytes), name = [...f.tensors.keys()].find((k) => k.includes("weight_hh"))!;
    const tensors = [...f.tensors].map(([k, t]) => [k, { shape: t.shape, data: k === name ? Float32Array.from(t.data as Float32Array, (v, i) => (i === 3 ? NaN : v)) : t.data }] as [string, { shape: number[]; data: Float32Array }]);
    const bad = encodeSafetensors(tensors, { ...f.metadata });
    refuses(() => importPytorch(bad), new RegExp(`tensor "${name.replace(/\./g, "\\.")}" holds a non-finite value \\(NaN at index 3`));
    assert.ok(outputsOf(importPytorch(bad, { allowNonFinite: true }).model).every(Number.isNaN));
  });

  it("TF.js (weights.bin)", () => {
    const dir = "io/tfjs/gru_reset_after";
    const json = JSON.parse(new TextDecoder().decode(fixture(`${dir}/model.json`))), bin = fixture(`${dir}/weights.bin`).slice();
    new DataView(bin.buffer).setFloat32(4, -Infinity, true); // the first weight's second value
    const first = (json.weightsManifest[0].weights[0].name as string).replace(/:0$/, "").split("/").pop()!;
    refuses(() => importTfjs(json, bin), new RegExp(`weight "${first}" holds a non-finite value \\(-Infinity at index 1`));
    assert.doesNotThrow(() => importTfjs(json, bin, { allowNonFinite: true }));
  });

  it("Keras 3 (.keras weights)", async () => {
    const file = fixture("io/keras/gru_reset_after_softmax.keras");
    const { unzipSync } = await import("fflate");
    const data = new Map(await readH5Floats(unzipSync(file)["model.weights.h5"]!, "w"));
    const [path, t] = [...data].find(([k]) => k.includes("gru"))!;
    data.set(path, { shape: t.shape, data: Float32Array.from(t.data, (v, i) => (i === 0 ? NaN : v)) });
    const config = keras3Config(file, "k");
    refuses(() => keras3WeightsToModel(data, config, "k"), /layer "gru[^"]*": weight "kernel" holds a non-finite value \(NaN at index 0/);
    assert.doesNotThrow(() => keras3WeightsToModel(data, config, "k", "k", { allowNonFinite: true }));
  });

  it("ONNX: a recurrent weight in the interpreter and in the import; a gated export's dense weight", () => {
    const m = decodeOnnx(fixture("interchange/onnx/gru_last_linear/legacy.onnx"));
    const gru = m.graph!.node!.find((n) => n.opType === "GRU")!;
    setInit(m, gru.input![1]!, (d) => { d[5] = NaN; });
    const bytes = encodeOnnx(m);
    refuses(() => OnnxProgram.fromBytes(bytes), new RegExp(`\\(GRU\\): initializer ${JSON.stringify(gru.input![1])} holds a non-finite value \\(NaN at index 5`));
    const p = OnnxProgram.fromBytes(bytes, "onnx", { allowNonFinite: true });
    assert.ok(outputsOf(onnxToModel(p).model).every(Number.isNaN));

    const g = decodeOnnx(modelToOnnx(new Model(gruSpec, { seed: 1 })));
    const dense = g.graph!.initializer!.find((t) => /dense\.W$/.test(t.name ?? ""))!.name!;
    setInit(g, dense, (d) => { d[0] = Infinity; });
    refuses(() => onnxToModel(OnnxProgram.fromBytes(encodeOnnx(g))), new RegExp(`initializer "${dense.replace(/\./g, "\\.")}" holds a non-finite value \\(Infinity`));
  });
});

/** Replaces a float initializer's values in place. */
function setInit(m: ModelProto, name: string, edit: (d: Float32Array) => void): void {
  const list = m.graph!.initializer!, i = list.findIndex((t) => t.name === name);
  const t = fromTensorProto(list[i]!, "test"), d = Float32Array.from(t.data);
  edit(d);
  list[i] = toTensorProto(name, tensor("float32", t.shape, d));
}

describe("ONNX: duplicates, attribute domains, quoted names", () => {
  const base = () => decodeOnnx(fixture("interchange/onnx/gru_last_linear/legacy.onnx"));
  const gruOf = (m: ModelProto): NodeProto => m.graph!.node!.find((n) => n.opType === "GRU")!;

  it("a duplicate initializer is refused, naming it (it silently took the last copy)", () => {
    const m = base(), first = m.graph!.initializer![0]!;
    m.graph!.initializer!.push({ ...first });
    refuses(() => OnnxProgram.fromBytes(encodeOnnx(m)), new RegExp(`initializer ${JSON.stringify(first.name)} is defined twice`));
  });

  it("a value produced by two nodes is refused", () => {
    const m = base(), nodes = m.graph!.node!, gru = gruOf(m);
    nodes.push({ ...nodes[nodes.length - 1]!, name: "again" });
    assert.ok(gru);
    refuses(() => OnnxProgram.fromBytes(encodeOnnx(m)), /node "again" .*is already defined/);
  });

  it("linear_before_reset = 1e12 is refused (it was read as reset after), and every recurrent attribute is checked", () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["linear_before_reset", { i: 1e12, type: 2 }, /linear_before_reset must be 0 or 1, got 1000000000000/],
      ["hidden_size", { i: 0, type: 2 }, /hidden_size must be an integer in 1\.\.65536, got 0/],
      ["clip", { f: -1, type: 1 }, /clip must be a finite number > 0, got -1/],
      ["clip", { f: NaN, type: 1 }, /clip must be a finite number > 0, got NaN/],
      ["direction", { s: new TextEncoder().encode("sideways"), type: 3 }, /direction must be one of "forward", "reverse", "bidirectional", got "sideways"/],
      ["activation_alpha", { floats: [Infinity], type: 6 }, /activation_alpha\[0\] must be finite/],
      ["layout", { i: 2, type: 2 }, /layout must be 0 or 1, got 2/],
    ];
    for (const [name, value, pattern] of cases) {
      const m = base(), gru = gruOf(m);
      gru.attribute = [...(gru.attribute ?? []).filter((a) => a.name !== name), { name, ...value }];
      const bytes = encodeOnnx(m);
      // the interpreter reads attributes when it runs; the import reads them at conversion
      refuses(() => onnxToModel(OnnxProgram.fromBytes(bytes)), pattern);
    }
  });

  it("an attribute given twice is refused", () => {
    const m = base(), gru = gruOf(m);
    gru.attribute = [...(gru.attribute ?? []), { name: "hidden_size", i: 3, type: 2 }];
    refuses(() => onnxToModel(OnnxProgram.fromBytes(encodeOnnx(m))), /attribute "hidden_size" is given twice/);
  });

  it("a name with a newline or control characters is quoted in the message, never printed raw", () => {
    const m = base(), gru = gruOf(m), evil = "W\nonnx: all good\u0007";
    gru.input![1] = evil;
    gru.name = "gru\r\nnode";
    assert.throws(() => OnnxProgram.fromBytes(encodeOnnx(m)), (e: unknown) => {
      assert.ok(e instanceof FormatError);
      assert.ok(!/[\n\r\u0007]/.test(e.message), e.message);
      assert.ok(e.message.includes(JSON.stringify(evil)) && e.message.includes(JSON.stringify("gru\r\nnode")), e.message);
      return true;
    });
  });
});

describe("Keras / TF.js configs: every field gated reads has its type checked", () => {
  it("a numeric activation in a TF.js config is refused (it silently became the default)", () => {
    const dir = "io/tfjs/gru_reset_after";
    const json = JSON.parse(new TextDecoder().decode(fixture(`${dir}/model.json`))), bin = fixture(`${dir}/weights.bin`);
    const layer = (json.modelTopology.model_config ?? json.modelTopology).config.layers.find((l: { class_name: string }) => l.class_name === "GRU");
    layer.config.activation = 1;
    refuses(() => importTfjs(json, bin), /layer "[^"]+" \(GRU\): config field "activation" must be a string, got 1/);
  });

  it("a numeric activation in a Keras 3 config is refused", async () => {
    const file = fixture("io/keras/gru_reset_after_softmax.keras");
    const { unzipSync } = await import("fflate");
    const data = await readH5Floats(unzipSync(file)["model.weights.h5"]!, "w");
    const config = keras3Config(file, "k") as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    config.config.layers.find((l) => l.class_name === "GRU")!.config.recurrent_activation = 0;
    refuses(() => keras3WeightsToModel(data, config, "k"), /\(GRU\): config field "recurrent_activation" must be a string, got 0/);
  });

  it("units, flags, merge_mode and input shapes: expected and got named", async () => {
    const file = fixture("io/keras/bidi_gru_hard_sigmoid_sequence.keras");
    const { unzipSync } = await import("fflate");
    const data = await readH5Floats(unzipSync(file)["model.weights.h5"]!, "w");
    const edits: [string, string, unknown, RegExp][] = [
      ["Bidirectional", "merge_mode", 3, /"merge_mode" must be a string \(concat, sum, mul, ave\) or null, got 3/],
      ["Dense", "units", 2.5, /"units" must be an integer in 1\.\.16777216, got 2\.5/],
      ["Dense", "use_bias", "yes", /"use_bias" must be true or false, got "yes"/],
      ["InputLayer", "batch_shape", [null, "T", 3], /"batch_shape" must be an array of sizes/],
    ];
    for (const [cls, key, value, pattern] of edits) {
      const config = keras3Config(file, "k") as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
      const l = config.config.layers.find((x) => x.class_name === cls);
      assert.ok(l, `${cls} in the fixture`);
      l.config[key] = value;
      assert.throws(() => keras3WeightsToModel(data, config, "k"), (e: unknown) => e instanceof GatedError && pattern.test(e.message), `${cls}.${key}`);
    }
  });
});
