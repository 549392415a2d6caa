// LiBRU (light Bayesian recurrent unit): float64 gradient checks for every mode, a plain-loop
// reference written from the equations, and the overflow-free log-sum-exp of mode "logprobs".
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OptionError } from "../src/errors/index.js";
import type { Vec } from "../src/kernels/types.js";
import { Recurrent, type RecurrentOptions } from "../src/sequence/recurrent.js";
import { Rng } from "../src/util/random.js";
import { assertClose } from "./helpers/close.js";
import { gradCheck } from "./helpers/gradcheck.js";

type Mode = "probs" | "logprobs" | "geomean" | "ligru";
const MODES: readonly Mode[] = ["probs", "logprobs", "geomean", "ligru"];
const base = { cell: "libru", inputSize: 3, hiddenSize: 4 } as const;

function draw(rng: Rng, n: number, lo: number, hi: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.range(lo, hi));
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * The gradient check of helpers/gradcheck.ts (same loss, same central differences, same 1e-6
 * relative bound) with the initial state drawn in [0.05, 0.95): mode "probs" reads log(h + ε),
 * so h_0 must stay ≥ 0 (the shared helper draws it in [−0.8, 0.8)).
 */
function gradCheckPositiveH0(c: { options: RecurrentOptions; T: number; B: number; lengths?: number[] }): number {
  const rng = new Rng(7);
  const net = new Recurrent({ ...c.options, dtype: "float64", seed: 3 } as RecurrentOptions);
  const { T, B } = c;
  const I = net.inputSize, H = net.hiddenSize, S = net.layers * net.numDirections, DH = net.numDirections * H;
  const x = { data: draw(rng, T * B * I, -1, 1), shape: [T, B, I] };
  const h0 = { data: draw(rng, S * B * H, 0.05, 0.95), shape: [S, B, H] };
  const C = draw(rng, T * B * DH, -1, 1), Cf = draw(rng, S * B * H, -1, 1);
  const fwd = { initialState: h0, train: true, ...(c.lengths ? { lengths: c.lengths } : {}) };
  const loss = (): number => {
    const r = net.forward(x, fwd);
    return dot(r.output.data, C) + dot(r.finalState.data, Cf);
  };
  const r = net.forward(x, fwd);
  const g = net.backward(r.tape!, { data: C, shape: r.output.shape }, { dFinalState: { data: Cf, shape: [S, B, H] } });
  let worst = 0;
  const check = (values: Vec, analytic: ArrayLike<number>, what: string): void => {
    for (let i = 0; i < values.length; i++) {
      const old = values[i]!;
      values[i] = old + 1e-6;
      const lp = loss();
      values[i] = old - 1e-6;
      const lm = loss();
      values[i] = old;
      const num = (lp - lm) / 2e-6, a = analytic[i]!;
      const rel = Math.abs(a - num) / Math.max(Math.abs(a), Math.abs(num), 1e-2);
      if (!(rel <= 1e-6)) assert.fail(`${what}[${i}]: analytic ${a}, numeric ${num}, relative error ${rel.toExponential(2)}`);
      worst = Math.max(worst, rel);
    }
  };
  for (const e of net.entries) check(net.params.subarray(e.offset, e.offset + e.size), g.dParams.subarray(e.offset, e.offset + e.size), `d${e.name}`);
  check(x.data, g.dInput.data, "dInput");
  check(h0.data, g.dInitialState.data, "dInitialState");
  return worst;
}

describe("gradient check: LiBRU, every mode (float64, every parameter, input and h0)", () => {
  for (const mode of MODES) {
    // "probs" needs h_0 ≥ 0: its checks draw h_0 in [0.05, 0.95)
    const run = (options: RecurrentOptions, T: number, B: number, lengths?: number[]) =>
      mode === "probs"
        ? gradCheckPositiveH0({ options, T, B, ...(lengths ? { lengths } : {}) })
        : gradCheck({ options, T, B, initial: true, ...(lengths ? { lengths } : {}) });
    it(`${mode}: defaults`, () => void run({ ...base, mode }, 4, 2));
    it(`${mode}: bias false`, () => void run({ ...base, mode, bias: false }, 4, 2));
    it(`${mode}: sequence lengths`, () => void run({ ...base, mode }, 5, 3, [5, 2, 0]));
    it(`${mode}: bidirectional, 2 layers, sequence lengths`, () =>
      void run({ ...base, mode, direction: "bidirectional", layers: 2 }, 4, 3, [1, 4, 3]));
  }
  it("probs: no initial state (h_0 = 0, the authors' start: r = log ε)", () =>
    void gradCheck({ options: { ...base, mode: "probs" }, T: 4, B: 2 }));
  it("probs: epsilon 1e-3", () => void gradCheckPositiveH0({ options: { ...base, mode: "probs", epsilon: 1e-3 }, T: 4, B: 2 }));
  it("logprobs: larger weights (h and c far apart)", () =>
    void gradCheck({ options: { ...base, mode: "logprobs" }, T: 4, B: 2, initial: true, paramScale: 2 }));
  it("reverse, batch-major", () =>
    void gradCheck({ options: { ...base, direction: "reverse" }, T: 4, B: 2, layout: "batch-major", initial: true }));
});

/** One LiBRU step written straight from the equations (naive exp/log, no log-sum-exp), for the reference test. */
function referenceStep(mode: Mode, eps: number, x: number[], h: number[], W: Vec, U: Vec, b: Vec): { z: number[]; c: number[]; h: number[] } {
  const H = h.length, I = x.length;
  const r = h.map((v) => (mode === "probs" ? Math.log(v + eps) : v));
  const pre = (row: number): number => {
    let a = b[row]!;
    for (let k = 0; k < I; k++) a += W[row * I + k]! * x[k]!;
    for (let m = 0; m < H; m++) a += U[row * H + m]! * r[m]!;
    return a;
  };
  const z: number[] = [], c: number[] = [], hn: number[] = [];
  for (let j = 0; j < H; j++) {
    const zj = 1 / (1 + Math.exp(-pre(j))), ac = pre(H + j);
    const cj = mode === "probs" ? 1 / (1 + Math.exp(-ac)) : mode === "ligru" ? Math.max(0, ac) : Math.log(1 + Math.exp(ac));
    z.push(zj);
    c.push(cj);
    hn.push(mode === "logprobs" ? Math.log(zj * Math.exp(h[j]!) + (1 - zj) * Math.exp(cj)) : zj * h[j]! + (1 - zj) * cj);
  }
  return { z, c, h: hn };
}

describe("LiBRU against a plain loop written from the equations", () => {
  const T = 3, B = 2, I = 2, H = 3;
  for (const mode of MODES) {
    it(`${mode}: outputs, final state and captured z, c`, () => {
      const rng = new Rng(11);
      const eps = 1e-11;
      const net = new Recurrent({ cell: "libru", inputSize: I, hiddenSize: H, mode, dtype: "float64" });
      const W = draw(rng, 2 * H * I, -0.8, 0.8), U = draw(rng, 2 * H * H, -0.8, 0.8), b = draw(rng, 2 * H, -0.8, 0.8);
      net.setParam("layer0.forward.W", W);
      net.setParam("layer0.forward.U", U);
      net.setParam("layer0.forward.b", b);
      const x = draw(rng, T * B * I, -1, 1);
      const h0 = mode === "probs" ? draw(rng, B * H, 0.05, 0.95) : draw(rng, B * H, -0.8, 0.8);
      const r = net.forward({ data: x, shape: [T, B, I] }, { initialState: { data: h0, shape: [1, B, H] }, capture: true });
      const ys: number[] = [], zs: number[] = [], cs: number[] = [];
      const hs = Array.from({ length: B }, (_, bi) => Array.from(h0.subarray(bi * H, (bi + 1) * H)));
      for (let t = 0; t < T; t++) {
        for (let bi = 0; bi < B; bi++) {
          const s = referenceStep(mode, eps, Array.from(x.subarray((t * B + bi) * I, (t * B + bi + 1) * I)), hs[bi]!, W, U, b);
          hs[bi] = s.h;
          ys.push(...s.h);
          zs.push(...s.z);
          cs.push(...s.c);
        }
      }
      const tol = { atol: 1e-12, rtol: 1e-12 };
      assertClose(r.output.data, ys, tol, `${mode} output`);
      assertClose(r.finalState.data, hs.flat(), tol, `${mode} final state`);
      assertClose(r.gates!["layer0.forward.z"]!.data, zs, tol, `${mode} z`);
      assertClose(r.gates!["layer0.forward.c"]!.data, cs, tol, `${mode} c`);
    });
  }
});

describe("LiBRU parameters and options", () => {
  it("blocks z, c: W [2H, I], U [2H, H], b [2H]; 2H·(I + H + 1) values, 2H·(I + H) without bias", () => {
    for (const bias of [true, false]) {
      const net = new Recurrent({ ...base, inputSize: 5, hiddenSize: 7, bias });
      const shapes = net.entries.map((e) => [e.name, e.shape]);
      const expected: [string, number[]][] = [["layer0.forward.W", [14, 5]], ["layer0.forward.U", [14, 7]]];
      if (bias) expected.push(["layer0.forward.b", [14]]);
      assert.deepEqual(shapes, expected);
      assert.equal(net.paramCount, 2 * 7 * (5 + 7 + (bias ? 1 : 0)));
    }
  });
  it("resolved config: mode logprobs by default, epsilon 1e-11 in probs only", () => {
    assert.deepEqual(new Recurrent({ ...base }).cells[0]!.config, { mode: "logprobs", bias: true });
    assert.deepEqual(new Recurrent({ ...base, mode: "probs" }).cells[0]!.config, { mode: "probs", bias: true, epsilon: 1e-11 });
  });
  const rejects = (o: object, ...words: string[]) =>
    assert.throws(() => new Recurrent({ ...base, ...o } as RecurrentOptions), (e: unknown) =>
      e instanceof OptionError && words.every((w) => e.message.includes(w)));
  it("unknown mode lists the valid ones", () => rejects({ mode: "log" }, "mode", '"probs", "logprobs", "geomean", "ligru"', '"log"'));
  it("epsilon must be positive", () => rejects({ mode: "probs", epsilon: 0 }, "epsilon", "positive"));
  it("epsilon outside probs is refused", () => rejects({ mode: "geomean", epsilon: 1e-6 }, "epsilon", "probs"));
  it("unknown option names the valid ones", () => rejects({ normalization: "batchnorm" }, "normalization", "mode, epsilon"));
});

describe("LiBRU logprobs: no overflow where e^h, e^c overflow", () => {
  // H = I = 1, B = 2, T = 2. Row 0 starts at h_0 = 0 and gets c_1 = 795 (c ≫ h), row 1 starts at
  // h_0 = 760 and gets c_1 = 760 (c = h); step 2 has c_2 ≈ 0 ≪ h_1 (h ≫ c). e^710 overflows float64,
  // so log(z e^h + (1 − z) e^c) written directly gives Infinity; in each regime the exact value is
  //   c ≫ h: h' = c + log(1 − z),  w_h = 0, w_c = 1
  //   c = h: h' = h,               w_h = z, w_c = 1 − z
  //   h ≫ c: h' = h + log z,       w_h = 1, w_c = 0
  // with ∂h'/∂h = w_h, ∂h'/∂c = w_c, ∂h'/∂a_z = (1 − z)·w_h − z·w_c (all exact to float64 here).
  const [wz, wc, uz, uc, bz, bc] = [0.25, 512, 0.001953125, -0.5, 0.125, -5]; // exact in float32 too
  const x0 = [1.5625, 1145 / 512], x1 = 0.25, h0 = [0, 760];
  const C1 = [0.7, -1.3], C2 = [1.1, 0.6]; // dL/dy_t
  const sig = (a: number) => 1 / (1 + Math.exp(-a));

  function expected() {
    const y: number[] = [0, 0, 0, 0], dx: number[] = [0, 0, 0, 0], dh0: number[] = [0, 0];
    const dW = [0, 0], dU = [0, 0], db = [0, 0];
    for (let r = 0; r < 2; r++) {
      const az1 = wz * x0[r]! + uz * h0[r]! + bz, ac1 = wc * x0[r]! + uc * h0[r]! + bc;
      const z1 = sig(az1), c1 = ac1; // softplus(a) = a to float64 precision for a ≥ 40
      assert.ok(Math.exp(c1) === Infinity, "the regime is the one where e^c overflows");
      const h1 = r === 0 ? c1 + Math.log(1 - z1) : h0[r]!;
      assert.ok(r === 0 ? c1 - h0[r]! > 745 : c1 === h0[r]);
      const az2 = wz * x1 + uz * h1 + bz, ac2 = wc * x1 + uc * h1 + bc;
      assert.ok(ac2 < -70, "c_2 ≈ 0 ≪ h_1");
      const z2 = sig(az2), h2 = h1 + Math.log(z2);
      y[r] = h1;
      y[2 + r] = h2;
      // step 2 (h ≫ c): w_h = 1, w_c = 0
      const g2 = C2[r]!, dAz2 = g2 * (1 - z2), dAc2 = 0;
      const g1 = C1[r]! + g2 + dAz2 * uz + dAc2 * uc;
      // step 1: c ≫ h (row 0) or c = h (row 1); softplus'(a_c1) = σ(a_c1) = 1
      const [wh1, wc1] = r === 0 ? [0, 1] : [z1, 1 - z1];
      const dAz1 = g1 * ((1 - z1) * wh1 - z1 * wc1), dAc1 = g1 * wc1;
      dh0[r] = g1 * wh1 + dAz1 * uz + dAc1 * uc;
      dx[r] = dAz1 * wz + dAc1 * wc;
      dx[2 + r] = dAz2 * wz + dAc2 * wc;
      dW[0] += dAz1 * x0[r]! + dAz2 * x1;
      dW[1] += dAc1 * x0[r]! + dAc2 * x1;
      dU[0] += dAz1 * h0[r]! + dAz2 * h1;
      dU[1] += dAc1 * h0[r]! + dAc2 * h1;
      db[0] += dAz1 + dAz2;
      db[1] += dAc1 + dAc2;
    }
    return { y, dx, dh0, dW, dU, db };
  }

  for (const [dtype, tol] of [["float64", { atol: 1e-10, rtol: 1e-12 }], ["float32", { atol: 1e-4, rtol: 2e-5 }]] as const) {
    it(`${dtype}: outputs and every gradient are finite and equal the exact values`, () => {
      const net = new Recurrent({ cell: "libru", inputSize: 1, hiddenSize: 1, dtype });
      net.setParam("layer0.forward.W", [wz, wc]);
      net.setParam("layer0.forward.U", [uz, uc]);
      net.setParam("layer0.forward.b", [bz, bc]);
      const alloc = (v: number[]) => (dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v));
      const x = { data: alloc([x0[0]!, x0[1]!, x1, x1]), shape: [2, 2, 1] };
      const r = net.forward(x, { initialState: { data: alloc(h0), shape: [1, 2, 1] }, train: true });
      const g = net.backward(r.tape!, { data: alloc([C1[0]!, C1[1]!, C2[0]!, C2[1]!]), shape: [2, 2, 1] });
      const e = expected();
      assertClose(r.output.data, e.y, tol, "h_t");
      assertClose(g.dInput.data, e.dx, tol, "dx");
      assertClose(g.dInitialState.data, e.dh0, tol, "dh_0");
      assertClose(net.gradView(g.dParams, "layer0.forward.W"), e.dW, tol, "dW");
      assertClose(net.gradView(g.dParams, "layer0.forward.U"), e.dU, tol, "dU");
      assertClose(net.gradView(g.dParams, "layer0.forward.b"), e.db, tol, "db");
    });
  }
});
