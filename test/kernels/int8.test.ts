// Dynamic int8 inference (precision "int8" on the native kernels; native/int8.c), on each int8
// product this CPU has (AVX-512 VNNI, AVX-VNNI, and the portable C one, which a stack refuses to be
// made on — too slow to be worth it — but which runs here to cross-check the other two):
//
// Exact arithmetic: the int8 product equals x̂ · Ŵᵀ with x̂ = s_x (q_x − z_x) and Ŵ = s_w q_w, the
// dequantised values, exactly (the integer sums are exact). So a one-step forward from an initial
// state that lies on its own quantisation grid (values m/64 spanning [−2, 127/64], which quantise
// with no error) must equal the float64 reference forward on x̂ with Ŵ and Û, within float32
// rounding (the same bound as the native parity tests). The quantisation is repeated here in
// float32 (Math.fround), as int8.c computes it, so x̂, Ŵ and Û are the values the kernel used.
//
// Reset "before" quantises r ⊙ h, which is not on a grid: those cells (and everything over many
// steps) are checked against the float32 forward instead: close to it (within a quantisation-sized
// bound) and not equal to it (the int8 path ran). And what it refuses: training, step(), other backends, other cells.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { OptionError } from "../../src/errors/index.js";
import { nativeAddon } from "../../src/kernels/native/addon.js";
import { useNative } from "../../src/kernels/native/load-node.js";
import { Recurrent } from "../../src/sequence/recurrent.js";
import { Rng } from "../../src/util/random.js";
import { oneStepVsFloat64 } from "../helpers/int8-step.js";

const loaded = useNative();
const products = loaded ? (["avx512-vnni", "avx-vnni", "portable"] as const).filter((p) => nativeAddon()!.int8(p) === p) : [];
if (loaded) nativeAddon()!.int8("auto");
const vnni = products.some((p) => p !== "portable");

const f = Math.fround;
const roundHalfUp = (v: number) => Math.floor(f(v + 0.5));

/** Ŵ: each row quantised symmetric (s = max|w| / 127), dequantised. */
function dequantWeights(w: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let j = 0; j < cols; j++) m = Math.max(m, Math.abs(w[r * cols + j]!));
    const s = m > 0 ? f(m / 127) : 1;
    for (let j = 0; j < cols; j++) out[r * cols + j] = s * Math.min(127, Math.max(-127, roundHalfUp(f(w[r * cols + j]! / s))));
  }
  return out;
}

/** x̂: each row quantised asymmetric u8 (s = (hi − lo) / 255, zero point z), dequantised. */
function dequantRows(x: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let lo = 0, hi = 0;
    for (let j = 0; j < cols; j++) { lo = Math.min(lo, x[r * cols + j]!); hi = Math.max(hi, x[r * cols + j]!); }
    const s = hi > lo ? f(f(hi - lo) / 255) : 1;
    const z = Math.min(255, Math.max(0, roundHalfUp(f(-lo / s))));
    for (let j = 0; j < cols; j++) out[r * cols + j] = s * (Math.min(255, Math.max(0, roundHalfUp(f(x[r * cols + j]! / s)) + z)) - z);
  }
  return out;
}

const rand = (rng: Rng, n: number, scale = 1) => Float32Array.from({ length: n }, () => f((rng.uniform() * 2 - 1) * scale));

interface Case { readonly name: string; readonly options: Record<string, unknown>; readonly B: number; readonly I: number }
const CASES: readonly Case[] = [
  { name: "gru (reset after)", options: { cell: "gru", hiddenSize: 7 }, B: 3, I: 5 },
  { name: "gru, replace, bidirectional", options: { cell: "gru", hiddenSize: 40, update: "replace", direction: "bidirectional" }, B: 6, I: 70 },
  { name: "mgu, reset after", options: { cell: "mgu", hiddenSize: 19, reset: "after" }, B: 5, I: 9 },
  { name: "gru2 (gates see h only)", options: { cell: "gru2", hiddenSize: 17 }, B: 4, I: 3 },
  { name: "lstm", options: { cell: "lstm", hiddenSize: 33 }, B: 9, I: 12 },
];

describe("int8 inference", { skip: !loaded ? "the native kernels do not load here" : !vnni && "this CPU has no VNNI: int8 is refused (the test after this one)" }, () => {
  after(() => nativeAddon()?.int8("auto"));
  for (const product of products) {
    describe(product, () => {
      for (const c of CASES) {
        it(`${c.name}: one step equals the float64 forward on the dequantised input and weights`, () => {
          // made while the widest product is chosen (a stack refuses int8 on a CPU with only the portable one), then run on this one
          nativeAddon()!.int8("auto");
          const { B, I } = c;
          const net = new Recurrent({ inputSize: I, seed: 5, precision: "int8", ...c.options } as never);
          nativeAddon()!.int8(product);
          const H = net.hiddenSize, LD = net.numDirections, rng = new Rng(9);
          const x = rand(rng, B * I, 1.5);
          // an initial state on its quantisation grid: m/64 for m in [−128, 127], each row spanning both ends
          const h0 = new Float32Array(LD * B * H).map((_, i) => (i % H === 0 ? -128 : i % H === 1 ? 127 : rng.int(256) - 128) / 64);
          const c0 = rand(rng, LD * B * H, 0.5);
          const worst = oneStepVsFloat64(net, c.options, I, B, x, h0, c0, { weights: dequantWeights, rows: dequantRows }, `${product} ${c.name}`);
          console.log(`# ${product} ${c.name}: worst error / bound ${worst.toFixed(3)}`);
        });
      }

      for (const cell of [{ cell: "gru" }, { cell: "gru", reset: "before", direction: "bidirectional" }, { cell: "mgu" }, { cell: "lstm" }]) {
        it(`${JSON.stringify(cell)}, 20 steps, two layers, lengths: near the float32 forward, and not equal to it`, () => {
          nativeAddon()!.int8("auto");
          const [T, B, I] = [20, 5, 16];
          const opts = { ...cell, inputSize: I, hiddenSize: 48, layers: 2, seed: 2 };
          const q = new Recurrent({ ...opts, precision: "int8" } as never), fp = new Recurrent({ ...opts, backend: "native" } as never);
          nativeAddon()!.int8(product);
          const x = { data: rand(new Rng(3), T * B * I), shape: [T, B, I] }, lengths = [20, 7, 1, 13, 20];
          const a = q.forward(x, { lengths }).output.data, b = fp.forward(x, { lengths }).output.data;
          let worst = 0;
          for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
          console.log(`# ${product} ${JSON.stringify(cell)}: max |int8 − float32| over 20 steps, two layers: ${worst.toExponential(2)}`);
          assert.ok(worst > 1e-5, `the int8 forward equals the float32 one (${worst}): it did not run in int8`);
          assert.ok(worst < 0.03, `the int8 forward is ${worst} from the float32 one`);
        });
      }
    });
  }

  it("refuses training, step(), other backends, other cells and float64, naming why", () => {
    nativeAddon()!.int8("auto");
    const is = (re: RegExp) => (e: unknown) => e instanceof OptionError && re.test(e.message);
    const net = new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, precision: "int8" });
    const x = { data: new Float32Array(2), shape: [1, 1, 2] };
    assert.throws(() => net.forward(x, { train: true }), is(/precision "int8" is for inference/));
    assert.throws(() => net.step(net.createState(1), { data: new Float32Array(2), shape: [1, 2] }), is(/step\(\) runs float32/));
    assert.throws(() => new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, precision: "int8", backend: "wasm" }), is(/needs the native kernels .* runs wasm/));
    assert.throws(() => new Recurrent({ cell: "ligru", inputSize: 2, hiddenSize: 3, precision: "int8" }), is(/covers the GRU family and the LSTM, not ligru/));
    assert.throws(() => new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, precision: "int8", dtype: "float64" }), is(/quantises a float32 stack/));
    assert.throws(() => new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, precision: "int4" as never }), is(/precision/));
    // a configuration the native loop does not take (a clip) is refused when it runs, not run in float32
    const clipped = new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, precision: "int8", clip: 1 });
    assert.throws(() => clipped.forward(x), is(/no int8 loop for this gru layer/));
  });
});

describe("int8 without VNNI", { skip: !loaded && "the native kernels do not load here" }, () => {
  it("is refused where only the portable product exists (slower than float32)", () => {
    nativeAddon()!.int8("portable");
    try {
      assert.throws(() => new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, precision: "int8" }),
        (e: unknown) => e instanceof OptionError && /needs integer dot products \(AVX512-VNNI or AVX-VNNI\), which this CPU lacks.*backend "wasm" runs it on the WebAssembly relaxed-SIMD kernels/.test(e.message));
    } finally {
      nativeAddon()!.int8("auto");
    }
  });
});
