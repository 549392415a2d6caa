// The WebAssembly activations against Math.exp / Math.tanh over a dense grid, and every other
// activation of the fused kernels against src/kernels/activations.ts, forward and derivative.
// The maximum errors measured here are the ones stated in wasm/activations.ts and the report.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeActivation, resolveActivation, sigmoid, type ActivationSpec } from "../../src/kernels/activations.js";
import { ACT_CODE, kernelActivation, MIN_G_CODE } from "../../src/kernels/wasm/fused.js";
import { wasmRuntime, type WasmRuntime } from "../../src/kernels/wasm/runtime.js";

const rt = wasmRuntime();

/** Runs a wasm activation entry point over xs; returns the float32 outputs. */
function run(r: WasmRuntime, xs: Float32Array, f: (x: number, y: number, n: number) => void): Float32Array {
  const n = xs.length, p = r.heap.alloc(n * 8);
  r.f32.set(xs, p >> 2);
  f(p, p + n * 4, n);
  const out = r.f32.slice((p >> 2) + n, (p >> 2) + 2 * n);
  r.heap.release(p);
  return out;
}

function grid(lo: number, hi: number, step: number): Float32Array {
  return Float32Array.from({ length: Math.floor((hi - lo) / step) + 1 }, (_, i) => lo + i * step);
}

function worst(xs: Float32Array, ys: Float32Array, ref: (x: number) => number): { abs: number; rel: number; at: number } {
  let abs = 0, rel = 0, at = 0;
  for (let i = 0; i < xs.length; i++) {
    const e = ref(xs[i]!), d = Math.abs(ys[i]! - e);
    if (d > abs) { abs = d; at = xs[i]!; }
    if (e !== 0) rel = Math.max(rel, d / Math.abs(e));
  }
  return { abs, rel, at };
}

describe("wasm activations", { skip: rt === null && "no WebAssembly SIMD here" }, () => {
  const xs = grid(-20, 20, 1e-4); // 400 001 points, every one rounded to float32

  it("sigmoid: max |error| ≤ 1.5e−7 against 1/(1 + Math.exp(−x)) on [−20, 20], step 1e−4", () => {
    const ys = run(rt!, xs, (x, y, n) => rt!.x.actForward(ACT_CODE.Sigmoid!, 0, 0, Infinity, x, y, n));
    const w = worst(xs, ys, sigmoid);
    console.log(`# sigmoid: max abs error ${w.abs.toExponential(2)} (at x = ${w.at.toFixed(4)}), max rel error ${w.rel.toExponential(2)}`);
    assert.ok(w.abs <= 1.5e-7 && w.rel <= 3e-7, JSON.stringify(w));
  });

  it("tanh: max |error| ≤ 1.5e−7 against Math.tanh on [−20, 20], step 1e−4", () => {
    const ys = run(rt!, xs, (x, y, n) => rt!.x.actForward(ACT_CODE.Tanh!, 0, 0, Infinity, x, y, n));
    const w = worst(xs, ys, Math.tanh);
    console.log(`# tanh: max abs error ${w.abs.toExponential(2)} (at x = ${w.at.toFixed(4)}), max rel error ${w.rel.toExponential(2)}`);
    assert.ok(w.abs <= 1.5e-7 && w.rel <= 3e-7, JSON.stringify(w));
    // small arguments keep their relative accuracy (the odd polynomial branch)
    const tiny = Float32Array.of(1e-30, -1e-8, 3e-5, 0, -0);
    const ty = run(rt!, tiny, (x, y, n) => rt!.x.actForward(ACT_CODE.Tanh!, 0, 0, Infinity, x, y, n));
    tiny.forEach((v, i) => assert.equal(ty[i], Math.fround(Math.tanh(v))));
  });

  it("exp: max relative error ≤ 1.5e−7 against Math.exp on [−87, 0], step 1e−4", () => {
    const e = grid(-87, 0, 1e-4);
    const ys = run(rt!, e, (x, y, n) => rt!.x.expForward(x, y, n));
    const w = worst(e, ys, Math.exp);
    console.log(`# exp (x ≤ 0): max rel error ${w.rel.toExponential(2)}`);
    assert.ok(w.rel <= 1.5e-7, JSON.stringify(w));
  });

  it("softplus: max |error| ≤ 2e−7·max(1, y) against log1p(e^x) on [−20, 20], step 1e−4; tiny values keep their relative accuracy", () => {
    const ys = run(rt!, xs, (x, y, n) => rt!.x.actForward(ACT_CODE.Softplus!, 0, 0, Infinity, x, y, n));
    const ref = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    let scaled = 0;
    xs.forEach((x, i) => { scaled = Math.max(scaled, Math.abs(ys[i]! - ref(x)) / Math.max(1, ref(x))); });
    const w = worst(xs, ys, ref);
    console.log(`# softplus: max abs error ${w.abs.toExponential(2)} (at x = ${w.at.toFixed(4)}), max rel error ${w.rel.toExponential(2)}`);
    assert.ok(scaled <= 2e-7, `${scaled}`);
    // far left softplus(x) ≈ e^x: the rounding of 1 + t is corrected, so the relative error stays small
    const left = grid(-80, -10, 0.01);
    const wl = worst(left, run(rt!, left, (x, y, n) => rt!.x.actForward(ACT_CODE.Softplus!, 0, 0, Infinity, x, y, n)), ref);
    console.log(`# softplus on [−80, −10]: max rel error ${wl.rel.toExponential(2)}`);
    assert.ok(wl.rel <= 5e-7, JSON.stringify(wl));
  });

  it("log: max |error| ≤ 1.5e−7·max(1, |log x|) against Math.log for x from 1e−37 to 1e37; log 0 = −∞, log of a negative = NaN", () => {
    const xs2 = Float32Array.from({ length: 200001 }, (_, i) => Math.pow(10, -37 + (74 * i) / 200000));
    const ys = run(rt!, xs2, (x, y, n) => rt!.x.logForward(x, y, n));
    let scaled = 0;
    xs2.forEach((x, i) => { scaled = Math.max(scaled, Math.abs(ys[i]! - Math.log(x)) / Math.max(1, Math.abs(Math.log(x)))); });
    const near1 = grid(0.5, 2, 1e-5), y1 = run(rt!, near1, (x, y, n) => rt!.x.logForward(x, y, n));
    const w1 = worst(near1, y1, Math.log);
    console.log(`# log: max error / max(1, |log x|) ${scaled.toExponential(2)}; on [0.5, 2] max abs error ${w1.abs.toExponential(2)}`);
    assert.ok(scaled <= 1.5e-7 && w1.abs <= 1.5e-7, `${scaled} ${JSON.stringify(w1)}`);
    const special = run(rt!, Float32Array.of(0, -1, -0, NaN), (x, y, n) => rt!.x.logForward(x, y, n));
    assert.deepEqual([...special], [-Infinity, NaN, -Infinity, NaN]);
  });

  it("minGRU's g (x + 0.5 for x ≥ 0, σ(x) below) and its derivative from the output", () => {
    const pts = grid(-10, 10, 1e-3);
    const g = (x: number) => (x >= 0 ? x + 0.5 : sigmoid(x));
    const ys = run(rt!, pts, (x, y, n) => rt!.x.actForward(MIN_G_CODE, 0, 0, Infinity, x, y, n));
    const w = worst(pts, ys, g);
    assert.ok(w.abs / 10.5 <= 3e-7 && w.abs <= 3e-6, JSON.stringify(w));
    const gy = Float32Array.from(pts, g);
    const ds = run(rt!, gy, (y, d, n) => rt!.x.actDerivative(MIN_G_CODE, 0, 0, -Infinity, Infinity, y, d, n));
    const wd = worst(gy, ds, (y) => (y >= 0.5 ? 1 : y * (1 - y)));
    assert.ok(wd.abs <= 1e-7, JSON.stringify(wd));
  });

  it("saturates cleanly far out: sigmoid(±100), tanh(±100), no NaN", () => {
    const far = Float32Array.of(-1e30, -100, -88, 88, 100, 1e30, Infinity, -Infinity);
    const s = run(rt!, far, (x, y, n) => rt!.x.actForward(ACT_CODE.Sigmoid!, 0, 0, Infinity, x, y, n));
    const t = run(rt!, far, (x, y, n) => rt!.x.actForward(ACT_CODE.Tanh!, 0, 0, Infinity, x, y, n));
    far.forEach((v, i) => {
      assert.ok(Math.abs(s[i]! - sigmoid(v)) <= 1e-30 + 1e-7 * sigmoid(v), `sigmoid(${v}) = ${s[i]}`);
      assert.equal(t[i], Math.sign(v), `tanh(${v}) = ${t[i]}`);
    });
  });

  const specs: ActivationSpec[] = [
    "Sigmoid", "Tanh", "Relu", { name: "HardSigmoid", alpha: 1 / 6, beta: 0.5 }, "HardSigmoid", { name: "Affine", alpha: 0.7, beta: -0.2 },
    "LeakyRelu", { name: "ThresholdedRelu", alpha: 0.3 }, { name: "ScaledTanh", alpha: 1.7, beta: 0.6 }, "Softsign", "Softplus", "Elu", { name: "Elu", alpha: 0.4 },
  ];
  for (const spec of specs) {
    const cfg = resolveActivation("test", spec);
    it(`${cfg.name}(${cfg.alpha}, ${cfg.beta}): forward and derivative-from-output, with and without a clip`, () => {
      const act = makeActivation(cfg), { code, a, b } = kernelActivation(cfg)!;
      // float32 arithmetic (αx + β rounds twice): |error| ≤ 3e−7·max(1, |y|)
      const scaled = (w: { abs: number }, ys: Float32Array) => w.abs / Math.max(1, ...Array.from(ys, Math.abs));
      const pts = grid(-6, 6, 1e-3);
      for (const clip of [Infinity, 2.5]) {
        const ys = run(rt!, pts, (x, y, n) => rt!.x.actForward(code, a, b, clip, x, y, n));
        const w = worst(pts, ys, (x) => act.f(Math.max(-clip, Math.min(clip, x))));
        assert.ok(scaled(w, ys) <= 3e-7, `${cfg.name} clip ${clip}: ${JSON.stringify(w)}`);
      }
      // the derivative from the saved output y (no clip: lo = −∞, hi = ∞)
      const ys = Float32Array.from(pts, (x) => act.f(x));
      const ds = run(rt!, ys, (y, d, n) => rt!.x.actDerivative(code, a, b, -Infinity, Infinity, y, d, n));
      const w = worst(ys, ds, act.df);
      assert.ok(scaled(w, ds) <= 3e-7, `${cfg.name} derivative: ${JSON.stringify(w)}`);
    });
  }
});
