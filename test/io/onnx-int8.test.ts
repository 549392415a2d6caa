// A stack in precision "int8" exported to ONNX as itself (src/io/onnx/int8-product.ts): quantised
// weights, the activations quantised per row in the graph, MatMulInteger. ONNX Runtime computes the
// same quantised values and integer sums as gated's native int8 products, so its outputs equal
// gated's int8 outputs to float32 rounding (the σ and tanh around the products are its own) — and
// differ from the float32 model's by the quantisation (proof that the int8 form is what ran). Read
// back, the file gives the same int8 model: the same outputs, bit for bit. Damaged quantised
// initializers are refused by name.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { FormatError } from "../../src/errors/index.js";
import { nativeAddon } from "../../src/kernels/native/addon.js";
import { useNative } from "../../src/kernels/native/load-node.js";
import { Model, createSpec, type ModelSpec } from "../../src/model/model.js";
import { specWithPrecision } from "../../src/model/precision.js";
import { modelToOnnx, recurrentOptionsOf as recurrentOptions, recurrentToOnnx } from "../../src/io/onnx/export-model.js";
import { dequantiseWeightRows, quantiseWeightRows } from "../../src/io/onnx/int8-product.js";
import { decodeOnnx, encodeOnnx } from "../../src/io/onnx/proto.js";
import { OnnxProgram } from "../../src/io/onnx/program.js";
import { modelFromGatedOnnx, recurrentFromGatedOnnx } from "../../src/io/onnx/read-gated.js";
import { tensor, type OnnxTensor } from "../../src/io/onnx/tensor.js";
import { Recurrent } from "../../src/sequence/recurrent.js";
import { Rng } from "../../src/util/random.js";
import { assertClose, maxAbsDiff } from "../helpers/close.js";
import { runModel, values } from "./helpers/model.js";
import { MODELS } from "./helpers/models.js";
import { runOrt } from "./helpers/ort.js";

const loaded = useNative();
const vnni = loaded && nativeAddon()!.int8() !== "portable";
const skip = !loaded ? "the native kernels do not load here" : !vnni ? "this CPU has no VNNI: gated refuses int8 stacks here" : false;

const CELLS: Record<string, Record<string, unknown>> = {
  "gru (reset after)": { cell: "gru" },
  "gru, reset before, replace": { cell: "gru", reset: "before", update: "replace" },
  "gru2": { cell: "gru2" },
  "gru3": { cell: "gru3" },
  "mgu": { cell: "mgu" },
  "mgu1, no bias": { cell: "mgu1", bias: false },
  "lstm": { cell: "lstm" },
  "lstm, no bias": { cell: "lstm", bias: false },
};

const rand = (rng: Rng, n: number, scale = 1) => Float32Array.from({ length: n }, () => Math.fround((rng.uniform() * 2 - 1) * scale));
let worstStep = 0, worstInterp = 0, worstSeq = 0, leastInt8 = Infinity;

/** Rows [t·B, (t + 1)·B) of a time-major [T, B, W] value, columns [c0, c0 + n). */
function slab(v: ArrayLike<number>, t: number, B: number, W: number, c0: number, n: number): Float32Array {
  const out = new Float32Array(B * n);
  for (let b = 0; b < B; b++) for (let j = 0; j < n; j++) out[b * n + j] = v[(t * B + b) * W + c0 + j]!;
  return out;
}

describe("ONNX export of int8 stacks", { skip }, () => {
  // Step by step: each of gated's one-step forwards starts from ONNX Runtime's state of the step
  // before, so both quantise the same values — the same integers, outputs equal to float32 rounding.
  // (Run whole, a state one ulp apart can land on the other side of a rounding boundary, one grid
  // step, and the two runs drift apart by ~1e-4: see the whole-stack tests below.) Reset "before"
  // quantises r ⊙ h, whose r is each side's own σ: there one step may differ by one grid step.
  for (const [cname, cellOpts] of Object.entries(CELLS)) {
    for (const direction of ["forward", "reverse", "bidirectional"] as const) {
      it(`${cname}, ${direction}: every step equals gated's int8 step`, async () => {
        const rng = new Rng(17);
        const T = 10, B = 3, I = 9, H = 16, D = direction === "bidirectional" ? 2 : 1, lstm = cellOpts.cell === "lstm";
        const opts = { ...cellOpts, inputSize: I, hiddenSize: H, direction, seed: 4 };
        const q8 = new Recurrent({ ...opts, precision: "int8" } as never);
        const x = rand(rng, T * B * I, 1.5), h0 = rand(rng, D * B * H, 0.8), c0 = rand(rng, D * B * H, 0.8), shape = [D, B, H];
        const feeds: Record<string, OnnxTensor> = { X: tensor("float32", [T, B, I], x), initial_h: tensor("float32", shape, h0) };
        if (lstm) feeds.initial_c = tensor("float32", shape, c0);
        const y = (await runOrt(recurrentToOnnx(q8, { initialState: true }), feeds)).Y!.data;
        // gated, one step at a time from ORT's h (and its own c, which no quantisation touches)
        const cells = [c0.slice(0, B * H), c0.slice(D * B * H - B * H)];
        const order = Array.from({ length: T }, (_, s) => s);
        let off = 0;
        const stacks = Array.from({ length: D }, (_, d) => (D === 1 ? q8 : dirStack(q8, d)));
        for (const s of order) {
          const h = new Float32Array(D * B * H), c = new Float32Array(D * B * H);
          for (let d = 0; d < D; d++) {
            const rev = direction === "reverse" || d === 1;
            const t = rev ? T - 1 - s : s, prev = rev ? t + 1 : t - 1;
            h.set(prev < 0 || prev >= T ? h0.subarray(d * B * H, (d + 1) * B * H) : slab(y, prev, B, D * H, d * H, H), d * B * H);
            c.set(cells[d]!, d * B * H);
          }
          // the forward direction steps t = s, the reverse one t = T − 1 − s: one call each when both
          for (let d = 0; d < D; d++) {
            const rev = direction === "reverse" || d === 1, t = rev ? T - 1 - s : s;
            const r = stacks[d]!.forward({ data: x.subarray(t * B * I, (t + 1) * B * I), shape: [1, B, I] }, {
              initialState: { data: h.subarray(d * B * H, (d + 1) * B * H), shape: [1, B, H] },
              ...(lstm ? { initialCell: { data: c.subarray(d * B * H, (d + 1) * B * H), shape: [1, B, H] } } : {}),
            });
            if (lstm) cells[d] = Float32Array.from(r.finalCell!.data);
            const got = slab(y, t, B, D * H, d * H, H), diff = maxAbsDiff(got, r.output.data);
            if (cellOpts.reset === "before" && diff > 1e-5 && off++ === 0) {
              assert.ok(diff < 2e-3, `step ${t}: one grid step of r ⊙ h at most, got ${diff}`);
              continue;
            }
            worstStep = Math.max(worstStep, assertClose(got, r.output.data, { atol: 1e-5 }, `step ${t}, direction ${d}`));
          }
        }
      });
    }
  }

  // The whole stack (two layers, both directions, lengths, initial states; Y, Y_h, Y_c): equal to
  // gated's int8 run to float32 rounding until a state lands across a rounding boundary (above);
  // after that the two drift apart by at most a small part of what separates int8 from float32.
  for (const [cname, cellOpts] of Object.entries(CELLS)) {
    it(`${cname}: two bidirectional layers, lengths, initial state; read back bit for bit`, async () => {
      const rng = new Rng(23);
      const T = 12, B = 3, I = 9, H = 16, L = 2, D = 2, lstm = cellOpts.cell === "lstm";
      const opts = { ...cellOpts, inputSize: I, hiddenSize: H, layers: L, direction: "bidirectional", seed: 4 };
      const f32 = new Recurrent(opts as never);
      const q8 = new Recurrent({ ...opts, precision: "int8" } as never);
      q8.params.set(f32.params);
      q8.markChanged();
      const x = rand(rng, T * B * I, 1.5), lengths = [12, 5, 0], shape = [L * D, B, H];
      const h0 = rand(rng, L * D * B * H, 0.8), c0 = rand(rng, L * D * B * H, 0.8);
      const run = (net: Recurrent) => net.forward({ data: x, shape: [T, B, I] }, {
        lengths, initialState: { data: h0, shape }, ...(lstm ? { initialCell: { data: c0, shape } } : {}),
      });
      const ours = run(q8), float = run(f32);
      const bytes = recurrentToOnnx(q8, { lengths: true, initialState: true });
      const inits = decodeOnnx(bytes).graph!.initializer!.map((t) => t.name!);
      assert.ok(inits.includes("layer1.reverse.U.int8") && inits.includes("layer1.reverse.U.scale"), `quantised weights: ${inits.join(", ")}`);
      assert.ok(!inits.some((n) => /\.(W|U)$/.test(n)), `no float32 W or U: ${inits.join(", ")}`);

      const feeds: Record<string, OnnxTensor> = {
        X: tensor("float32", [T, B, I], x), sequence_lens: tensor("int32", [B], lengths), initial_h: tensor("float32", shape, h0),
      };
      if (lstm) feeds.initial_c = tensor("float32", shape, c0);
      const r = await runOrt(bytes, feeds);
      const int8Effect = maxAbsDiff(ours.output.data, float.output.data);
      leastInt8 = Math.min(leastInt8, int8Effect);
      assert.ok(int8Effect > 1e-4, `int8 − float32 ${int8Effect}: the int8 path ran`);
      const bound = { atol: Math.max(1e-5, 0.25 * int8Effect) };
      worstSeq = Math.max(worstSeq, assertClose(r.Y!.data, ours.output.data, bound, "ORT Y"));
      assertClose(r.Y_h!.data, ours.finalState.data, bound, "ORT Y_h");
      if (lstm) assertClose(r.Y_c!.data, ours.finalCell!.data, bound, "ORT Y_c");
      // past a row's length both write exact zeros
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          if (t < lengths[b]!) continue;
          const row = r.Y!.data.subarray((t * B + b) * D * H, (t * B + b + 1) * D * H);
          assert.ok(row.every((v) => v === 0), `Y[${t}, ${b}] past the row's length must be 0`);
        }
      }

      const program = OnnxProgram.fromBytes(bytes);
      worstInterp = Math.max(worstInterp, assertClose(program.run(feeds).Y!.data, r.Y!.data, bound, "interpreter Y vs ORT"));
      const back = recurrentFromGatedOnnx(program);
      assert.equal(back.precision, "int8");
      assert.deepEqual(Array.from(run(back).output.data), Array.from(ours.output.data), "the int8 model read back");
    });
  }

  for (const name of ["gru_bidi_stack_head", "lstm_tokens_per_step", "mgu_reverse_last", "gru_before_tokens_last"]) {
    it(`a model (${name}): int8 recurrent layers, float32 head; read back the same model`, async () => {
      const opts = MODELS[name]!, base = createSpec(opts);
      const spec = specWithPrecision({ ...base, layers: base.layers.map((l) => (l.kind === "recurrent" ? { ...l, clip: null } : l)) } as ModelSpec, "int8");
      const model = new Model(spec, { seed: 5 });
      const T = 6, B = 3, tokens = opts.input.kind === "tokens";
      const F = tokens ? 1 : (opts.input as { features: number }).features;
      const x = tokens ? Float32Array.from(values(T * B, 21), (v) => Math.floor((v + 1) * 3.4)) : values(T * B * F, 21, 1.2);
      const lengths = [6, 3, 0];
      const ours = runModel(model, { T, B, data: x, lengths });
      const bytes = modelToOnnx(model, { lengths: true });
      const feeds: Record<string, OnnxTensor> = { input: tensor(tokens ? "int64" : "float32", tokens ? [T, B] : [T, B, F], x), lengths: tensor("int32", [B], lengths) };
      assertClose((await runOrt(bytes, feeds)).output!.data, ours, { atol: 1e-5 }, "ORT output");
      const back = modelFromGatedOnnx(OnnxProgram.fromBytes(bytes));
      assert.deepEqual(back.spec, model.spec);
      assert.deepEqual(Array.from(runModel(back, { T, B, data: x, lengths })), Array.from(ours));
    });
  }
});

describe("int8 weights in ONNX files: quantisation and its inverse", () => {
  it("dequantised weights quantise back to the same values and scales", () => {
    const rng = new Rng(9), n = 40, k = 33;
    const w = rand(rng, n * k, 3);
    w.fill(0, 5 * k, 6 * k); // a zero row
    for (let j = 0; j < k; j++) w[7 * k + j] = Math.fround(1e-30 * (j - 16)); // a tiny one
    for (let j = 0; j < k; j++) w[8 * k + j] = Math.fround(-2.5 + j / 64); // on a grid, ties at ½
    const { q, scale } = quantiseWeightRows(w, n, k);
    const back = dequantiseWeightRows("t", "W", q, scale, n, k);
    const again = quantiseWeightRows(back, n, k);
    assert.deepEqual(Array.from(again.q), Array.from(q));
    assert.deepEqual(Array.from(again.scale), Array.from(scale));
  });

  it("refuses values and scales gated's quantisation cannot make", () => {
    const { q, scale } = quantiseWeightRows(Float32Array.from([0.5, -1, 0.25, 2, 1, -0.5]), 2, 3);
    const bad = (qq: ArrayLike<number>, ss: ArrayLike<number>, re: RegExp) =>
      assert.throws(() => dequantiseWeightRows("file.onnx", "layer0.forward.U", qq, ss, 2, 3), (e: unknown) => e instanceof FormatError && re.test(e.message));
    bad(q, [scale[0]!, -1], /row 1 has scale -1; expected a positive finite number/);
    bad(q, [Number.NaN, scale[1]!], /row 0 has scale NaN/);
    bad([-128, 0, 0, 127, 0, 0], scale, /row 0 holds -128, outside −127…127/);
    bad([60, 0, 0, 127, 0, 0], scale, /row 0's largest \|value\| is 60; gated's quantisation puts 127 there/);
  });

  it("a damaged int8 export is refused by name when read back", { skip }, () => {
    const net = new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4, precision: "int8" } as never);
    const model = decodeOnnx(recurrentToOnnx(net));
    const t = model.graph!.initializer!.find((v) => v.name === "layer0.forward.U.scale")!;
    t.rawData = new Uint8Array(new Float32Array(12).fill(-1).buffer);
    assert.throws(() => recurrentFromGatedOnnx(OnnxProgram.fromBytes(encodeOnnx(model))), (e: unknown) => e instanceof FormatError && /layer0\.forward\.U: row 0 has scale -1/.test(e.message));
  });
});

after(() => console.log(`# int8 ONNX export: step by step max |ORT − gated int8| ${worstStep.toExponential(2)}; whole stacks ${worstSeq.toExponential(2)} (interpreter vs ORT ${worstInterp.toExponential(2)}), least max |int8 − float32| ${leastInt8.toExponential(2)}`));

/** Direction d of a one-layer bidirectional stack as a one-direction stack of its own (the same int8 arithmetic). */
function dirStack(net: Recurrent, d: number): Recurrent {
  const name = d === 0 ? "forward" : "reverse";
  const one = new Recurrent({ ...recurrentOptions(net), direction: name, precision: "int8" } as never);
  for (const e of one.entries) one.param(e.name).set(net.param(e.name));
  one.markChanged();
  return one;
}
