// The Model API on plain arrays: predict (nested and typed inputs, lengths, batching, a forecaster's
// units), forecast, generate (seeded, top-k / top-p), classify (texts as the CLI reads them),
// toBytes / fromBytes, fetchModel over HTTP. Every result is checked against the lower-level path.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { textsAsSequences } from "../../src/cli/texts.js";
import { FormatError, GatedError, OptionError, ShapeError, ValueError } from "../../src/errors/index.js";
import { dense, gru, lstm } from "../../src/model/builder.js";
import { sequential } from "../../src/model/sequential.js";
import { FetchError, fetchModel } from "../../src/model/fetch-model.js";
import { encodeModelBytes } from "../../src/io/model-bytes.js";
import { specWithPrecision } from "../../src/model/precision.js";
import { createSpec, Model } from "../../src/model/model.js";
import { saveModel } from "../../src/node/files.js";
import { forecastSeries } from "../../src/train/forecast.js";
import { generateText, sampleToken } from "../../src/train/generate.js";
import { predictSet } from "../../src/train/predict.js";
import { Rng } from "../../src/util/random.js";
import { gated } from "../cli/run.js";

const B = 5, T = 6, F = 3;
const rng = new Rng(7);
const X = Float32Array.from({ length: B * T * F }, () => rng.normal()); // [B, T, F]
const nested = (x: ArrayLike<number>, b: number, t: number, f: number) =>
  Array.from({ length: b }, (_, i) => Array.from({ length: t }, (_, j) => Array.from({ length: f }, (_, k) => x[(i * t + j) * f + k]!)));

/** The network's own forward on batch-major x, returned batch-major ([B, O] or [B, T, O]). */
function lowLevel(m: Model, x: Float32Array | Int32Array, b: number, t: number, lengths?: Int32Array): Float32Array {
  const O = m.spec.task.outputs, perStep = m.spec.task.perStep;
  const set = { x, count: b, steps: t, features: m.net.layers[0]!.inputFeatures, y: new Float32Array(0), target: "regression" as const, perStep, outputs: O, ...(lengths ? { lengths } : {}) };
  return predictSet(m, set) as Float32Array;
}

const throwsGated = (fn: () => unknown, Err: new (...a: never[]) => GatedError, ...parts: string[]) => assert.throws(fn, (e: unknown) => {
  assert.ok(e instanceof Err, `expected ${Err.name}, got ${String(e)}`);
  for (const p of parts) assert.ok((e as Error).message.includes(p), `"${(e as Error).message}" lacks "${p}"`);
  return true;
});

describe("predict", () => {
  const perSeq = sequential({ input: { features: F } }, [gru({ units: 5, direction: "bidirectional" }), lstm({ units: 4, returnSequences: false }), dense({ units: 2 })], { task: "regression", seed: 3 });
  const perStep = sequential({ input: { features: F } }, [gru({ units: 5, reset: "before" }), dense({ units: 2 })], { task: "regression", seed: 4 });

  it("nested arrays, typed arrays and time-major input give the network's own outputs, bit for bit", () => {
    for (const m of [perSeq, perStep]) {
      const want = lowLevel(m, X, B, T);
      assert.deepEqual(m.predict(nested(X, B, T, F)).data, want);
      assert.deepEqual(m.predict({ data: X, shape: [B, T, F] }).data, want);
      assert.deepEqual(m.predict({ data: Array.from(X), shape: [B, T, F] }, { batchSize: 2 }).data, want, "batched by 2");
      const tm = new Float32Array(T * B * F);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) tm[(t * B + b) * F + f] = X[(b * T + t) * F + f]!;
      const y = m.predict({ data: tm, shape: [T, B, F] }, { layout: "time-major" });
      if (!m.spec.task.perStep) { assert.deepEqual(y.data, want); continue; }
      assert.deepEqual(y.shape, [T, B, 2]);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) assert.deepEqual(y.data.subarray((t * B + b) * 2, (t * B + b + 1) * 2), want.subarray((b * T + t) * 2, (b * T + t + 1) * 2));
    }
    assert.deepEqual(perSeq.predict(nested(X, B, T, F)).toArray(), nested(lowLevel(perSeq, X, B, T), B, 1, 2).map((r) => r[0]));
  });

  it("lengths are honoured: explicit, or each nested row's own length; per-step outputs past a length are zero", () => {
    const lengths = Int32Array.of(6, 3, 1, 0, 5);
    const rows = nested(X, B, T, F).map((r, i) => r.slice(0, lengths[i]));
    for (const m of [perSeq, perStep]) {
      const want = lowLevel(m, X, B, T, lengths), O = 2;
      const a = m.predict({ data: X, shape: [B, T, F] }, { lengths }), b = m.predict(rows);
      if (m.spec.task.perStep) {
        for (let i = 0; i < B; i++) for (let t = 0; t < T; t++) {
          const at = (i * T + t) * O, got = a.data.subarray(at, at + O);
          assert.deepEqual(got, t < lengths[i]! ? want.subarray(at, at + O) : new Float32Array(O), `row ${i} step ${t}`);
        }
        assert.deepEqual((b.toArray() as number[][][]).map((r) => r.length), Array.from(lengths), "toArray cuts rows to their lengths");
      } else {
        assert.deepEqual(a.data, want);
      }
      assert.deepEqual(b.data, a.data, "ragged nested rows = padded rows with lengths");
      // a row alone, cut to its length, gives the same output (rows are independent)
      assert.deepEqual(m.predict([rows[1]!]).toArray()[0], a.toArray()[1]);
    }
  });

  it("token ids as number[][]", () => {
    const m = new Model(createSpec({ input: { kind: "tokens", vocabularySize: 7 }, embedding: 3, cell: "mgu", hiddenSize: 4, task: { target: "class", perStep: false, outputs: 3 } }), { seed: 2 });
    const ids = Int32Array.from({ length: 3 * 4 }, (_, i) => (i * 5) % 7);
    const rows = Array.from({ length: 3 }, (_, i) => Array.from(ids.subarray(i * 4, i * 4 + 4)));
    assert.deepEqual(m.predict(rows).data, lowLevel(m, ids, 3, 4));
    throwsGated(() => m.predict([[1, 2, 7]]), ValueError, "predict: sequence 0, step 2: expected a token id in 0..6, got 7");
    throwsGated(() => m.predict([[[1], [2]]]), ShapeError, "expected a token id");
  });

  it("refusals name what was expected and what came", () => {
    throwsGated(() => perSeq.predict({ data: X, shape: [B, T, 4] }), ShapeError, "predict: expected input of shape [B, T, 3], got [5, 6, 4]");
    throwsGated(() => perSeq.predict({ data: X.subarray(1), shape: [B, T, F] }), ShapeError, "needs 90 values, got 89");
    throwsGated(() => perSeq.predict([[[1, 2]]]), ShapeError, "sequence 0, step 0: expected an array of 3 numbers, got [1,2]");
    throwsGated(() => perSeq.predict([[[1, 2, NaN]]]), ValueError, "expected finite numbers");
    throwsGated(() => perSeq.predict([]), ShapeError, "expected a non-empty array [B, T, 3]");
    throwsGated(() => perSeq.predict({ data: X, shape: [B, T, F] }, { lengths: [1, 2, 3, 4, 7] }), ValueError, "lengths[4]: expected an integer in 0..6 (the steps of sequence 4), got 7");
    throwsGated(() => perSeq.predict({ data: X, shape: [B, T, F] }, { layout: "batch-first" as never }), OptionError, '"batch-major" | "time-major"');
    throwsGated(() => perSeq.predict({ data: X, shape: [B, T, F] }, { batch: 3 } as never), OptionError, 'unknown option "batch"');
  });
});

describe("a forecaster's units", () => {
  const mean = [10, 20], std = [2, 5], W = 4, H = 2;
  const make = (relative: boolean) => new Model(createSpec({
    input: { kind: "features", features: 2 }, cell: "gru", hiddenSize: 4, task: { target: "regression", perStep: false, outputs: H },
    data: { window: W, horizon: H, targetColumns: [1], normalisation: { mean, std }, columns: ["a", "b"], relative },
  }), { seed: 5 });
  const raw = [[[11, 25], [9, 14], [12, 22], [10, 30]], [[8, 18], [13, 21], [10, 19], [12, 26]]];

  for (const relative of [false, true]) {
    it(`predict normalises the input and denormalises the output as computed by hand (relative: ${relative})`, () => {
      const m = make(relative);
      const x = new Float32Array(2 * W * 2), last: number[][] = [];
      raw.forEach((rows, b) => {
        const n = rows.map((r) => r.map((v, f) => Math.fround((v - mean[f]!) / std[f]!)));
        last.push(relative ? n[W - 1]! : [0, 0]);
        n.forEach((r, t) => r.forEach((v, f) => (x[(b * W + t) * 2 + f] = v - last[b]![f]!)));
      });
      const y = lowLevel(m, x, 2, W);
      const want = Float32Array.from(y, (v, i) => (v + last[Math.floor(i / H)]![1]!) * std[1]! + mean[1]!);
      assert.deepEqual(m.predict(raw).data, want);
      assert.deepEqual(m.predict(raw, { units: "model" }).data, lowLevel(m, Float32Array.from(raw.flat(2)), 2, W), "units: model");
    });
  }

  it("forecast equals forecastSeries, beyond the horizon too (the forecasts fed back)", () => {
    const m = new Model(createSpec({
      input: { kind: "features", features: 1 }, cell: "gru", hiddenSize: 4, task: { target: "regression", perStep: false, outputs: 2 },
      data: { window: 3, horizon: 2, targetColumns: [0], normalisation: { mean: [5], std: [3] }, relative: true },
    }), { seed: 6 });
    const history = [4, 6, 5, 7, 8, 6, 9];
    const want = forecastSeries(m, Float32Array.from(history), 5);
    assert.deepEqual(m.forecast(history, 5).data, want);
    assert.deepEqual(m.forecast(history.map((v) => [v]), 5).toArray(), Array.from(want, (v) => [v]));
    assert.deepEqual(m.forecast({ data: Float32Array.from(history), shape: [7, 1] }).data, want.subarray(0, 2), "default: the horizon");
    throwsGated(() => m.forecast([1, 2]), ShapeError, "windows of 3 rows; the history has 2");
    throwsGated(() => make(false).forecast([1, 2, 3, 4]), ShapeError, "expected a history of rows [L][2]");
    throwsGated(() => new Model(createSpec({ input: { kind: "features", features: 1 }, cell: "gru", hiddenSize: 2, task: { target: "regression", perStep: false, outputs: 1 } })).forecast([1]), OptionError, "not a forecaster");
  });
});

describe("generate", () => {
  const vocabulary = [" ", "a", "b", "c", "d", "e"];
  const m = new Model(createSpec({ input: { kind: "tokens", vocabularySize: 6 }, embedding: 4, cell: "gru", hiddenSize: 8, task: { target: "class", perStep: true, outputs: 6 }, data: { vocabulary } }), { seed: 8 });

  it("is seeded, and equals generateText with the same generator", () => {
    const a = m.generate("ab", { length: 40, seed: 3 });
    assert.equal(a.length, 40);
    assert.equal(m.generate("ab", { length: 40, seed: 3 }), a);
    assert.notEqual(m.generate("ab", { length: 40, seed: 4 }), a);
    assert.equal(a, generateText(m, "ab", 40, 1, new Rng(3)));
    assert.equal(m.generate("ab", { length: 20, topK: 1, seed: 9 }), m.generate("ab", { length: 20, temperature: 0 }), "top-1 is greedy");
  });

  it("each generated character is among the top k of the model's logits at its step", () => {
    const text = m.generate("ca", { length: 30, topK: 2, temperature: 2, seed: 1 });
    const ids = [..."ca" + text].map((c) => vocabulary.indexOf(c));
    for (let n = 2; n < ids.length; n++) {
      const logits = Array.from(m.predict([ids.slice(0, n)]).data.subarray((n - 1) * 6, n * 6));
      const top2 = [...logits.keys()].sort((a, b) => logits[b]! - logits[a]!).slice(0, 2);
      assert.ok(top2.includes(ids[n]!), `step ${n}: ${vocabulary[ids[n]!]} is not in the top 2 ${top2}`);
    }
  });

  it("sampleToken: top-k and top-p restrict the support, and every kept token is drawn", () => {
    const logits = [2, 0.5, 3, -1, 1, 2.5]; // softmax ≈ .23 .05 .38 .01 .08 .23 → order 2, 5, 0, 4, 1, 3
    const draws = (s: { topK?: number; topP?: number }, t = 1) => {
      const r = new Rng(11), seen = new Set<number>();
      for (let i = 0; i < 4000; i++) seen.add(sampleToken(logits, t, r, s));
      return [...seen].sort();
    };
    assert.deepEqual(draws({}), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(draws({ topK: 3 }), [0, 2, 5]);
    assert.deepEqual(draws({ topP: 0.5 }), [2, 5], "0.38 < 0.5 ≤ 0.38 + 0.23");
    assert.deepEqual(draws({ topP: 0.3 }), [2]);
    assert.deepEqual(draws({ topK: 4, topP: 0.8 }), [0, 2, 5], "top-p of the top-4 renormalised");
    assert.deepEqual(draws({ topK: 2 }, 100), [2, 5], "a high temperature flattens, top-k still holds");
    throwsGated(() => m.generate("a", { topK: 0 }), OptionError, "topK: expected a positive integer, got 0");
    throwsGated(() => m.generate("a", { topP: 1.5 }), OptionError, "topP: expected a number in (0, 1], got 1.5");
    throwsGated(() => m.generate("aq"), ValueError, '"q", which the model never saw');
  });
});

describe("classify", () => {
  const vocabulary = ["<pad>", "<unk>", "good", "bad", "movie", "not"];
  const texts = ["Good movie!", "not good, BAD", "???", "a movie"];
  const m = new Model(createSpec({
    input: { kind: "tokens", vocabularySize: 6 }, embedding: 3, cell: "gru", hiddenSize: 4, task: { target: "class", perStep: false, outputs: 2 },
    data: { vocabulary, classes: ["negative", "positive"] },
  }), { seed: 12 });
  const dir = mkdtempSync(join(tmpdir(), "gated-api-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("texts: the CLI's tokenisation, the network's logits, softmax", () => {
    const seqs = textsAsSequences(texts, vocabulary) as number[][];
    assert.deepEqual(seqs, [[2, 4], [5, 2, 3], [1], [1, 4]]);
    const got = m.classify(texts);
    assert.deepEqual(m.classify(seqs), got, "sequences of ids give the same");
    const T = 3, ids = new Int32Array(4 * T), lengths = Int32Array.from(seqs, (s) => s.length);
    seqs.forEach((s, i) => ids.set(s, i * T));
    const logits = lowLevel(m, ids, 4, T, lengths);
    got.forEach((c, i) => {
      const l = Array.from(logits.subarray(i * 2, i * 2 + 2)), e = l.map((v) => Math.exp(v - Math.max(...l))), s = e[0]! + e[1]!;
      assert.deepEqual(c.probabilities, e.map((v) => v / s));
      assert.equal(c.index, l[1]! > l[0]! ? 1 : 0);
      assert.equal(c.class, ["negative", "positive"][c.index]);
    });
    assert.deepEqual(m.classify("Good movie!"), got.slice(0, 1));
  });

  it("equals `gated predict --json` on the same texts", async () => {
    const model = join(dir, "words.safetensors"), input = join(dir, "texts.json");
    saveModel(model, m);
    writeFileSync(input, JSON.stringify(texts));
    // the command turns on relaxed SIMD (fused multiply-add) and the native backend unless told not
    // to; these tests run the plain WebAssembly kernels
    const simd = process.env.GATED_SIMD, native = process.env.GATED_NATIVE;
    process.env.GATED_SIMD = "plain";
    process.env.GATED_NATIVE = "off";
    const r = await gated(["predict", model, "--input", input, "--json"]).finally(() => {
      if (simd === undefined) delete process.env.GATED_SIMD; else process.env.GATED_SIMD = simd;
      if (native === undefined) delete process.env.GATED_NATIVE; else process.env.GATED_NATIVE = native;
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), m.classify(texts).map((c) => ({ class: c.class, probabilities: c.probabilities })));
  });

  it("refuses a model that is not a per-sequence classifier, and text for a model without vocabulary", () => {
    const reg = new Model(createSpec({ input: { kind: "features", features: 2 }, cell: "gru", hiddenSize: 2, task: { target: "regression", perStep: false, outputs: 1 } }));
    throwsGated(() => reg.classify([[[1, 2]]]), OptionError, "classify needs one class per sequence");
    const cls = new Model(createSpec({ input: { kind: "features", features: 2 }, cell: "gru", hiddenSize: 2, task: { target: "class", perStep: false, outputs: 3 } }));
    throwsGated(() => cls.classify(["hello"]), OptionError, "reads no text");
    assert.deepEqual(cls.classify([[[1, 2]]])[0]!.class, cls.classify([[[1, 2]]])[0]!.index, "no class names: the index");
  });
});

describe("bytes and HTTP", () => {
  const m = sequential({ input: { features: F } }, [gru({ units: 4, direction: "bidirectional" }), lstm({ units: 3, returnSequences: false }), dense({ units: 2 })], { task: "regression", seed: 13 });
  const bytes = m.toBytes();
  // the same model marked int8 (the file keeps its float32 weights; precision.ts), written without running it
  const int8Bytes = encodeModelBytes(specWithPrecision(m.spec, "int8"), m.net);
  let server: ReturnType<typeof createServer>, base = "";
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === "/m.safetensors") { res.writeHead(200, { "content-type": "application/octet-stream" }); res.end(bytes); return; }
      if (req.url === "/junk") { res.writeHead(200); res.end("not a model"); return; }
      if (req.url === "/m-int8.safetensors") { res.writeHead(200); res.end(int8Bytes); return; }
      res.writeHead(404); res.end("not found");
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((ok) => server.close(() => ok())));

  it("toBytes / fromBytes: the same spec, parameters and outputs, bit for bit (float32 and float64)", () => {
    for (const model of [m, new Model(m.spec, { dtype: "float64", seed: 2 })]) {
      const back = Model.fromBytes(model.toBytes());
      assert.deepEqual(back.spec, model.spec);
      assert.deepEqual(back.net.params, model.net.params);
      assert.deepEqual(back.predict({ data: X, shape: [B, T, F] }).data, model.predict({ data: X, shape: [B, T, F] }).data);
    }
    throwsGated(() => Model.fromBytes(bytes.subarray(0, 40)), FormatError, "model file");
  });

  it("fetchModel loads from a URL; HTTP and format failures are clear errors", async () => {
    const got = await fetchModel(`${base}/m.safetensors`);
    assert.deepEqual(got.predict({ data: X, shape: [B, T, F] }).data, m.predict({ data: X, shape: [B, T, F] }).data);
    await assert.rejects(fetchModel(`${base}/missing.safetensors`), (e: unknown) => {
      assert.ok(e instanceof FetchError && e.code === "io" && e.status === 404, String(e));
      assert.match(e.message, /^fetchModel: GET http:\/\/127\.0\.0\.1:\d+\/missing\.safetensors answered 404 Not Found; expected 200 with a gated model file$/);
      return true;
    });
    await assert.rejects(fetchModel(`${base}/junk`), (e: unknown) => e instanceof FormatError && e.message.startsWith(`${base}/junk: `));
  });

  it("fetchModel takes a precision: an int8 file runs in float32 where asked, the same model as before quantising", async () => {
    const got = await fetchModel(`${base}/m-int8.safetensors`, { precision: "float32" });
    assert.equal(got.spec.layers.some((l) => l.kind === "recurrent" && l.precision === "int8"), false);
    assert.deepEqual(got.predict({ data: X, shape: [B, T, F] }).data, m.predict({ data: X, shape: [B, T, F] }).data);
    await assert.rejects(fetchModel(`${base}/m.safetensors`, { precision: "int4" as never }), (e: unknown) => e instanceof OptionError && /precision: expected "float32" or "int8", got "int4"/.test(e.message));
  });
});
