// precision "int8" on the WebAssembly backend's relaxed-SIMD build (wasm/int8.ts: weights 8-bit
// symmetric per row, activations 7-bit asymmetric per row). This file turns relaxed SIMD on first
// (useRelaxedSimd(): V8's flag in Node 20), before anything loads the kernels.
//
// (1) The product equals its TypeScript repeat (wasm-int8-ref.ts) bit for bit, on random rows, rows
//     all zero, all ≥ 0, all ≤ 0, ties at ½ and large values; here and in children run under each of
//     V8's tiers alone (the baseline compiler's code once gave other sums than the optimised code).
// (2) One step from an initial state on its own 7-bit grid (m/64, m ∈ [−64, 63], which quantises with
//     no error) equals the float64 reference forward on the dequantised input and weights, within
//     float32 rounding (the native int8 test's bound).
// (3) 20 steps, two layers, bidirectional, lengths: within one 7-bit activation step of a unit range
//     (2/127: h lies in (−1, 1)) of the float32 forward and of the native int8 one (8-bit activations,
//     when the native kernels load here), and not equal to the float32 forward; the same bits on two
//     threads as on one.
// (4) The plain-SIMD build refuses int8, naming relaxed SIMD and useRelaxedSimd().
// (5) The quantised weights kept between calls (marshal.ts PackCache) follow every change of the weights.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { OptionError } from "../../src/errors/index.js";
import { nativeAddon } from "../../src/kernels/native/addon.js";
import { useNative } from "../../src/kernels/native/load-node.js";
import { useRelaxedSimd } from "../../src/kernels/relaxed-simd.js";
import { disableThreads, enableThreads } from "../../src/kernels/threads.js";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.js";
import { Recurrent } from "../../src/sequence/recurrent.js";
import { Rng } from "../../src/util/random.js";
import { dequantRows, dequantWeights, productMismatches } from "./wasm-int8-ref.js";
import { oneStepVsFloat64 } from "../helpers/int8-step.js";

const relaxed = useRelaxedSimd() && wasmRuntime()?.relaxed === true;
const here = (f: string) => new URL(f, import.meta.url).pathname;
const rand = (rng: Rng, n: number, scale = 1) => Float32Array.from({ length: n }, () => Math.fround(rng.range(-1, 1) * scale));
/** One 7-bit activation step of a unit range: values in (−1, 1) quantise with s_a ≤ 2/127. */
const STEP = 2 / 127;

function child(args: readonly string[], file: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [...args, "--import", "tsx", file], { encoding: "utf8" });
  assert.equal(r.status, 0, `child Node failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
}

describe("int8 on the relaxed-SIMD WebAssembly kernels", { skip: !relaxed && "no relaxed SIMD in this engine" }, () => {
  it("(1) the product equals the TypeScript repeat of the 7-bit arithmetic, bit for bit, under either V8 tier", () => {
    const r = productMismatches(wasmRuntime()!, 1);
    assert.equal(r.mismatches, 0, `${r.mismatches} of ${r.checked} differ; first: ${r.first}`);
    for (const tier of [["--liftoff", "--no-wasm-tier-up"], ["--no-liftoff"]]) {
      const c = child(tier, here("./wasm-int8-child.ts"));
      assert.equal(c.relaxed, true);
      assert.equal(c.mismatches, 0, `${tier.join(" ")}: ${String(c.mismatches)} of ${String(c.checked)} differ; first: ${String(c.first)}`);
    }
  });

  const CASES = [
    { name: "gru (reset after)", options: { cell: "gru", hiddenSize: 7 }, B: 3, I: 5 },
    { name: "gru, replace, bidirectional", options: { cell: "gru", hiddenSize: 40, update: "replace", direction: "bidirectional" }, B: 6, I: 70 },
    { name: "mgu, reset after", options: { cell: "mgu", hiddenSize: 19, reset: "after" }, B: 5, I: 9 },
    { name: "gru2 (gates see h only)", options: { cell: "gru2", hiddenSize: 17 }, B: 4, I: 3 },
    { name: "lstm", options: { cell: "lstm", hiddenSize: 33 }, B: 9, I: 12 },
  ] as const;
  for (const c of CASES) {
    it(`(2) ${c.name}: one step equals the float64 forward on the dequantised input and weights`, () => {
      const { B, I } = c;
      const net = new Recurrent({ inputSize: I, seed: 5, precision: "int8", backend: "wasm", ...c.options } as never);
      const H = net.hiddenSize, LD = net.numDirections, rng = new Rng(9);
      const x = rand(rng, B * I, 1.5);
      // each row of h0 spans the whole grid m/64, m ∈ [−64, 63]: s_a = 1/64, z = 64, no rounding
      const h0 = new Float32Array(LD * B * H).map((_, i) => (i % H === 0 ? -64 : i % H === 1 ? 63 : rng.int(128) - 64) / 64);
      const c0 = rand(rng, LD * B * H, 0.5);
      const worst = oneStepVsFloat64(net, c.options, I, B, x, h0, c0, { weights: dequantWeights, rows: dequantRows }, c.name);
      console.log(`# ${c.name}: worst error / bound ${worst.toFixed(3)}`);
    });
  }

  const native = useNative() && nativeAddon()!.int8() !== "portable";
  for (const cell of [{ cell: "gru" }, { cell: "gru", reset: "before" }, { cell: "mgu" }, { cell: "lstm" }]) {
    it(`(3) ${JSON.stringify(cell)}, 20 steps, two layers, bidirectional, lengths: within 2/127 of float32${native ? " and of native int8" : ""}`, () => {
      const [T, B, I] = [20, 5, 16];
      const opts = { ...cell, inputSize: I, hiddenSize: 48, layers: 2, direction: "bidirectional", seed: 2 };
      const x = { data: rand(new Rng(3), T * B * I), shape: [T, B, I] }, lengths = [20, 7, 1, 13, 20];
      const run = (o: Record<string, unknown>) => new Recurrent({ ...opts, ...o } as never).forward(x, { lengths }).output.data;
      const q = run({ backend: "wasm", precision: "int8" });
      const others: [string, Float32Array | Float64Array][] = [["float32", run({ backend: "wasm" })]];
      if (native) others.push(["native int8", run({ backend: "native", precision: "int8" })]);
      for (const [name, b] of others) {
        let worst = 0;
        for (let i = 0; i < q.length; i++) worst = Math.max(worst, Math.abs(q[i]! - b[i]!));
        console.log(`# ${JSON.stringify(cell)}: max |wasm int8 − ${name}| ${worst.toExponential(2)} (${(worst / STEP).toFixed(2)} of 2/127)`);
        if (name === "float32") assert.ok(worst > 1e-5, `the int8 forward equals the float32 one (${worst}): it did not run in int8`);
        assert.ok(worst < STEP, `the wasm int8 forward is ${worst} from the ${name} one`);
      }
    });
  }

  it("(3) the same bits on two threads as on one", { skip: wasmRuntime()?.shared !== true && "no shared memory here: no worker threads" }, async () => {
    const [T, B, I, H] = [12, 48, 40, 96];
    const x = { data: rand(new Rng(4), T * B * I), shape: [T, B, I] }, lengths = Array.from({ length: B }, (_, i) => 1 + (i * 5) % T);
    const run = (cell: string) => new Recurrent({ cell, inputSize: I, hiddenSize: H, backend: "wasm", precision: "int8", seed: 6, ...(cell === "gru" ? { reset: "before" } : {}) } as never).forward(x, { lengths }).output.data;
    const one = [run("gru"), run("lstm")];
    const threads = await enableThreads(2);
    try {
      const before = wasmRuntime()!.parallel?.dispatched ?? 0;
      const two = [run("gru"), run("lstm")];
      assert.equal(threads, 2);
      assert.ok((wasmRuntime()!.parallel?.dispatched ?? 0) > before, "no chunk ran on a worker thread");
      for (let c = 0; c < 2; c++) assert.ok(one[c]!.every((v, i) => Object.is(v, two[c]![i])), `${c ? "lstm" : "gru"}: two threads changed the output`);
    } finally {
      disableThreads();
    }
  });

  it("(5) quantised weights kept between calls: after markChanged, or a write without it, the bits of a fresh stack", () => {
    const rng = new Rng(12), [T, B, I, H] = [5, 3, 6, 24];
    const x = { data: rand(rng, T * B * I), shape: [T, B, I] };
    for (const cell of ["gru", "lstm"]) {
      const opts = { cell, inputSize: I, hiddenSize: H, layers: 2, backend: "wasm", precision: "int8", seed: 2 };
      const net = new Recurrent(opts as never);
      const fresh = (p: ArrayLike<number>) => { const n = new Recurrent(opts as never); n.params.set(Array.from(p)); n.markChanged(); return n.forward(x).output.data; };
      const first = net.forward(x).output.data;
      assert.deepEqual(net.forward(x).output.data, first, `${cell}: a second call on the kept weights`);
      const p2 = rand(rng, net.params.length, 0.3);
      net.params.set(p2);
      net.markChanged();
      assert.deepEqual(net.forward(x).output.data, fresh(p2), `${cell}: after markChanged`);
      const p3 = rand(rng, net.params.length, 0.3);
      net.params.set(p3);
      assert.deepEqual(net.forward(x).output.data, fresh(p3), `${cell}: after a write without markChanged`);
    }
  });

  it("refuses other cells, and a configuration outside int8's coverage when it runs", () => {
    const is = (re: RegExp) => (e: unknown) => e instanceof OptionError && re.test(e.message);
    assert.throws(() => new Recurrent({ cell: "ligru", inputSize: 2, hiddenSize: 3, precision: "int8", backend: "wasm" }), is(/covers the GRU family and the LSTM, not ligru/));
    assert.throws(() => new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, precision: "int8", backend: "reference" }), is(/needs the native kernels .* or the WebAssembly kernels with relaxed SIMD, and this stack runs reference/));
    const x = { data: new Float32Array(2), shape: [1, 1, 2] };
    for (const o of [{ clip: 1 }, { gateActivation: "HardSigmoid" }]) {
      const net = new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, precision: "int8", backend: "wasm", ...o } as never);
      assert.throws(() => net.forward(x), is(/no int8 loop for this gru layer/));
    }
  });
});

describe("int8 on the plain-SIMD WebAssembly kernels", { skip: wasmRuntime() === null && "no WebAssembly SIMD here" }, () => {
  it("(4) is refused, naming relaxed SIMD and useRelaxedSimd()", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `
      import { wasmRuntime } from ${JSON.stringify(here("../../src/kernels/wasm/runtime.ts"))};
      import { Recurrent } from ${JSON.stringify(here("../../src/sequence/recurrent.ts"))};
      let error = null;
      try { new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 3, precision: "int8", backend: "wasm" }); } catch (e) { error = { name: e.name, message: e.message }; }
      console.log(JSON.stringify({ variant: wasmRuntime().variant, error }));
    `], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { variant: string; error: { name: string; message: string } | null };
    if (out.variant.startsWith("relaxed")) return; // an engine with relaxed SIMD on by default (Node ≥ 22) has no plain build to refuse
    assert.equal(out.error?.name, "OptionError");
    assert.match(out.error!.message, /precision "int8" needs .*relaxed-SIMD build .*this stack runs wasm-simd.*useRelaxedSimd\(\)/);
  });
});
