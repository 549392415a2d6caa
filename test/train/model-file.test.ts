// The model file: save → load gives bit-identical outputs; broken files give typed errors.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FormatError } from "../../src/errors/index.js";
import { decodeModel, encodeModel } from "../../src/io/model-file.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { createSpec, Model } from "../../src/model/model.js";
import { FileError, loadModel, saveModel } from "../../src/node/files.js";
import { gatherBatch } from "../../src/train/batches.js";
import { Rng } from "../../src/util/random.js";
import { assertClose } from "../helpers/close.js";

const dir = mkdtempSync(join(tmpdir(), "gated-model-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function makeModel(): Model {
  return new Model(createSpec({
    input: { kind: "tokens", vocabularySize: 6 }, embedding: 3, cell: "ligru", hiddenSize: 4, layers: 2, direction: "bidirectional",
    cellOptions: { normalisation: "batch" }, layerNorm: true, task: { target: "class", perStep: true, outputs: 6 },
    data: { name: "toy", vocabulary: ["a", "b", "c", "d", "e", " "] },
  }), { seed: 9 });
}

function outputs(m: Model): Float32Array | Float64Array {
  const rng = new Rng(1);
  const set = { x: Int32Array.from({ length: 2 * 5 }, () => rng.int(6)), count: 2, steps: 5, features: 6, y: new Int32Array(10), target: "class" as const, perStep: true, outputs: 6 };
  return m.net.forward(gatherBatch(m.net.kernels, set, [0, 1]).input, m.net.context(false, new Rng(0))).data.slice();
}

function rewriteHeader(bytes: Uint8Array, edit: (h: Record<string, any>) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  edit(h);
  const head = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(8 + head.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(bytes.subarray(8 + n), 8 + head.length);
  return out;
}

function throwsFormat(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
    for (const p of parts) assert.ok((e as Error).message.includes(p), `"${(e as Error).message}" lacks "${p}"`);
    return true;
  });
}

describe("model file", () => {
  const model = makeModel();
  // training-mode forwards move the batch-norm running statistics, so they are saved non-trivially
  for (let i = 0; i < 3; i++) {
    const rng = new Rng(i);
    const set = { x: Int32Array.from({ length: 20 }, () => rng.int(6)), count: 4, steps: 5, features: 6, y: new Int32Array(20), target: "class" as const, perStep: true, outputs: 6 };
    model.net.forward(gatherBatch(model.net.kernels, set, [0, 1, 2, 3]).input, model.net.context(true, new Rng(0)));
  }
  const path = join(dir, "model.safetensors");
  saveModel(path, model);

  it("save → load gives bit-identical parameters and outputs, and the same spec", () => {
    const back = loadModel(path);
    assert.deepEqual(back.spec, model.spec);
    assertClose(back.net.params, model.net.params, { atol: 0 }, "params");
    assertClose(outputs(back), outputs(model), { atol: 0 }, "outputs");
  });
  it("leaves no temporary file beside it", () => {
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
  });
  it("is a standard safetensors file with named tensors", () => {
    const f = decodeSafetensors(new Uint8Array(readFileSync(path)));
    assert.ok(f.tensors.has("1.recurrent.layer0.forward.W"));
    assert.deepEqual(f.tensors.get("0.embedding.table")!.shape, [6, 3]);
    assert.equal(JSON.parse(f.metadata.model!).data.vocabulary.length, 6);
  });
  it("a missing file names the path", () => {
    assert.throws(() => loadModel(join(dir, "nope.safetensors")), (e: unknown) => e instanceof FileError && e.missing && (e as Error).message.includes("nope.safetensors"));
  });

  const bytes = encodeModel(model);
  it("truncated anywhere: a FormatError, never a partial model", () => {
    for (const cut of [0, 5, 8, 100, bytes.length - 1000, bytes.length - 1]) throwsFormat(() => decodeModel(bytes.subarray(0, cut)));
  });
  it("bad header length", () => {
    const b = bytes.slice();
    new DataView(b.buffer).setBigUint64(0, BigInt(b.length * 2), true);
    throwsFormat(() => decodeModel(b), "bad header length");
  });
  it("corrupt header JSON", () => {
    const b = bytes.slice();
    b[8] = 0x78; // the opening brace of the header becomes "x"
    throwsFormat(() => decodeModel(b), "not valid JSON");
  });
  it("tensor size not matching its shape", () => {
    throwsFormat(() => decodeModel(rewriteHeader(bytes, (h) => { h["0.embedding.table"].shape = [6, 4]; })), "0.embedding.table", "size does not match");
  });
  it("unknown cell kind", () => {
    throwsFormat(() => decodeModel(rewriteHeader(bytes, (h) => {
      const spec = JSON.parse(h.__metadata__.model);
      spec.layers[1].cell = "grux";
      h.__metadata__.model = JSON.stringify(spec);
    })), "grux", "valid kinds");
  });
  it("missing tensor", () => {
    // a valid safetensors file without the tensor (deleting only its header entry leaves bytes that
    // belong to no tensor, which the safetensors reader refuses first)
    const f = decodeSafetensors(bytes);
    const tensors = [...f.tensors].filter(([n]) => n !== "2.layer-norm.gamma");
    throwsFormat(() => decodeModel(encodeSafetensors(tensors as never, f.metadata as Record<string, string>)), 'missing tensor "2.layer-norm.gamma"');
    throwsFormat(() => decodeModel(rewriteHeader(bytes, (h) => { delete h["2.layer-norm.gamma"]; })), "belong to no tensor");
  });
  it("a tensor whose shape disagrees with the configuration", () => {
    const f = decodeSafetensors(bytes);
    const tensors = [...f.tensors].map(([n, t]) => [n, n === "3.dense.b" ? { shape: [3, 2], data: t.data } : t] as const);
    throwsFormat(() => decodeModel(encodeSafetensors(tensors as never, f.metadata as Record<string, string>)), "3.dense.b", "[3, 2]", "[6]");
  });
  it("not a gated model", () => {
    throwsFormat(() => decodeModel(encodeSafetensors([["x", { shape: [1], data: new Float32Array(1) }]])), "not a gated model");
  });
  it("random corruption never crashes with a raw exception", () => {
    const rng = new Rng(3);
    for (let i = 0; i < 300; i++) {
      const b = bytes.slice();
      for (let k = 0; k < 1 + rng.int(4); k++) b[rng.int(Math.min(b.length, 600))] = rng.int(256);
      try {
        decodeModel(b);
      } catch (e) {
        assert.ok(e instanceof FormatError, `mutation ${i}: ${String(e)}`);
      }
    }
  });
  it("an atomic write that fails leaves the old file whole", () => {
    const p = join(dir, "keep.safetensors");
    writeFileSync(p, bytes);
    assert.throws(() => saveModel(join(dir, "no-such-dir", "x.safetensors"), model));
    assert.deepEqual(new Uint8Array(readFileSync(p)), bytes);
  });
});
