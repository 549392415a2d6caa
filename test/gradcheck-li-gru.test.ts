// LiGRU: float64 gradient checks over normalisation × options, the normalisation hooks alone (train
// and eval backward), a plain-loop reference of the forward pass (batch statistics over active
// positions only, running statistics by PyTorch's momentum rule, eval with running statistics),
// and invariance of everything to the input values past a row's length.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeCell } from "../src/cells/index.js";
import type { ParamViews } from "../src/cells/types.js";
import { GatedError } from "../src/errors/index.js";
import { reference64 } from "../src/kernels/reference.js";
import { Recurrent, type RecurrentOptions } from "../src/sequence/recurrent.js";
import { Rng } from "../src/util/random.js";
import { assertClose } from "./helpers/close.js";
import { gradCheck } from "./helpers/gradcheck.js";

type Norm = "batch" | "layer" | "none";
const NORMS: readonly Norm[] = ["batch", "layer", "none"];
const base = { cell: "ligru" as const, inputSize: 3, hiddenSize: 4 };

function rand(rng: Rng, n: number, lo = -1, hi = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.range(lo, hi);
  return a;
}

describe("gradient check: LiGRU (float64, every trainable parameter, input and h0)", () => {
  for (const normalisation of NORMS) {
    const o = { ...base, normalisation };
    it(`${normalisation}: defaults (Relu candidate, keep)`, () => void gradCheck({ options: o, T: 4, B: 3, initial: true }));
    it(`${normalisation}: update replace`, () => void gradCheck({ options: { ...o, update: "replace" }, T: 4, B: 2, initial: true }));
    it(`${normalisation}: candidate Tanh, gate HardSigmoid`, () => void gradCheck({
      options: { ...o, candidateActivation: "Tanh", gateActivation: { name: "HardSigmoid", alpha: 0.3, beta: 0.45 } }, T: 4, B: 2, initial: true,
    }));
    it(`${normalisation}: bias false`, () => void gradCheck({ options: { ...o, bias: false }, T: 3, B: 3, initial: true }));
    it(`${normalisation}: sequence lengths with short and empty rows`, () => void gradCheck({ options: o, T: 5, B: 3, lengths: [5, 2, 0], initial: true }));
    it(`${normalisation}: bidirectional, 2 layers, lengths`, () => void gradCheck({
      options: { ...o, direction: "bidirectional", layers: 2 }, T: 4, B: 3, lengths: [1, 4, 3], initial: true,
    }));
    it(`${normalisation}: reverse, batch-major, no initial state`, () => void gradCheck({
      options: { ...o, direction: "reverse", candidateActivation: "Softplus" }, T: 3, B: 3, layout: "batch-major",
    }));
  }
});

/** Cell hooks alone: prepare / prepareBackward against central differences, in both modes. */
function hookCheck(normalisation: "batch" | "layer", mode: "train" | "eval"): void {
  const H = 2, W2 = 2 * H, T = 3, B = 2, N = T * B, lengths = new Int32Array([3, 1]);
  const k = reference64, rng = new Rng(11);
  const cell = makeCell("ligru", { inputSize: 2, hiddenSize: H, normalisation }, "float64");
  const p: Record<string, Float64Array> = {}, g: Record<string, Float64Array> = {};
  for (const s of cell.params) { p[s.name] = rand(rng, W2, 0.5, 1.5); g[s.name] = new Float64Array(W2); }
  const raw = rand(rng, N * W2, -2, 2);
  const C = rand(rng, N * W2);
  // the driver's contract: no gradient reaches positions past a row's length
  for (let r = 0; r < N; r++) if (Math.floor(r / B) >= lengths[r % B]!) C.fill(0, r * W2, (r + 1) * W2);
  const seq = { T, B, lengths, mode };
  const work = new Float64Array(N * cell.prepareWidth!);
  const loss = (): number => {
    const xp = raw.slice();
    cell.prepare!(k, p as ParamViews, xp, seq, work);
    let s = 0;
    for (let i = 0; i < xp.length; i++) s += xp[i]! * C[i]!;
    return s;
  };
  loss();
  const dxp = C.slice();
  cell.prepareBackward!(k, p as ParamViews, g as ParamViews, dxp, seq, work);
  const eps = 1e-6;
  const check = (v: Float64Array, analytic: Float64Array, what: string): void => {
    for (let i = 0; i < v.length; i++) {
      const old = v[i]!;
      v[i] = old + eps; const lp = loss();
      v[i] = old - eps; const lm = loss();
      v[i] = old;
      const num = (lp - lm) / (2 * eps), a = analytic[i]!;
      const rel = Math.abs(a - num) / Math.max(Math.abs(a), Math.abs(num), 1e-2);
      assert.ok(rel <= 1e-6, `${what}[${i}]: analytic ${a}, numeric ${num}`);
    }
  };
  check(raw, dxp, "d raw xp");
  check(p.gamma!, g.gamma!, "dgamma");
  check(p.beta!, g.beta!, "dbeta");
  if (normalisation === "batch") {
    assert.ok(g.runningMean!.every((v) => v === 0) && g.runningVar!.every((v) => v === 0));
  }
}

describe("LiGRU normalisation hooks: backward against central differences", () => {
  it("batch, train mode (through the batch statistics, padded rows excluded)", () => hookCheck("batch", "train"));
  it("batch, eval mode (running statistics, the affine backward)", () => hookCheck("batch", "eval"));
  it("layer, train mode", () => hookCheck("layer", "train"));
  it("layer, eval mode", () => hookCheck("layer", "eval"));
});

// ---------------------------------------------------------------------------------------------
// An independent plain-loop LiGRU (one layer, forward direction, float64), from the equations.

interface RefParams { W: Float64Array; U: Float64Array; gamma?: Float64Array; beta?: Float64Array; b?: Float64Array; rm?: Float64Array; rv?: Float64Array }
interface RefCase {
  T: number; B: number; I: number; H: number; x: Float64Array; h0?: Float64Array; lengths?: number[];
  norm: Norm; mode: "train" | "eval"; update: "keep" | "replace"; cand: "Relu" | "Tanh"; eps: number; momentum: number;
}

function refLiGru(c: RefCase, P: RefParams) {
  const { T, B, I, H, norm } = c, W2 = 2 * H, N = T * B;
  const isActive = (t: number, b: number) => !c.lengths || t < c.lengths[b]!;
  const v = Array.from({ length: N }, (_, r) => Array.from({ length: W2 }, (_, j) => {
    let s = 0;
    for (let i = 0; i < I; i++) s += P.W[j * I + i]! * c.x[r * I + i]!;
    return s;
  }));
  const a = v.map((row) => row.slice());
  let rm = P.rm ? Array.from(P.rm) : [], rv = P.rv ? Array.from(P.rv) : [];
  const shift = (j: number) => (P.beta ? P.beta[j]! : 0);
  if (norm === "batch") {
    const rows: number[][] = [];
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (isActive(t, b)) rows.push(v[t * B + b]!);
    const M = rows.length;
    for (let j = 0; j < W2; j++) {
      let mean = rm[j]!, variance = rv[j]!;
      if (c.mode === "train") {
        mean = rows.reduce((s, row) => s + row[j]!, 0) / M;
        const ss = rows.reduce((s, row) => s + (row[j]! - mean) ** 2, 0);
        variance = ss / M;
        rm[j] = (1 - c.momentum) * rm[j]! + c.momentum * mean;
        rv[j] = (1 - c.momentum) * rv[j]! + c.momentum * (ss / (M - 1));
      }
      for (let r = 0; r < N; r++) a[r]![j] = P.gamma![j]! * (v[r]![j]! - mean) / Math.sqrt(variance + c.eps) + shift(j);
    }
  } else if (norm === "layer") {
    for (let r = 0; r < N; r++) {
      const mean = v[r]!.reduce((s, e) => s + e, 0) / W2;
      const variance = v[r]!.reduce((s, e) => s + (e - mean) ** 2, 0) / W2;
      for (let j = 0; j < W2; j++) a[r]![j] = P.gamma![j]! * (v[r]![j]! - mean) / Math.sqrt(variance + c.eps) + shift(j);
    }
  } else if (P.b) {
    for (let r = 0; r < N; r++) for (let j = 0; j < W2; j++) a[r]![j] = v[r]![j]! + P.b[j]!;
  }
  const sig = (u: number) => 1 / (1 + Math.exp(-u));
  const phi = (u: number) => (c.cand === "Relu" ? Math.max(0, u) : Math.tanh(u));
  let h = Array.from({ length: B }, (_, b) => Array.from({ length: H }, (_, j) => (c.h0 ? c.h0[b * H + j]! : 0)));
  const y = new Float64Array(N * H), z = new Float64Array(N * H), hHat = new Float64Array(N * H);
  for (let t = 0; t < T; t++) {
    h = h.map((hb, b) => {
      if (!isActive(t, b)) return hb;
      const r = t * B + b;
      return hb.map((hv, j) => {
        let rz = 0, rh = 0;
        for (let m = 0; m < H; m++) { rz += P.U[j * H + m]! * hb[m]!; rh += P.U[(H + j) * H + m]! * hb[m]!; }
        const zj = sig(a[r]![j]! + rz), nj = phi(a[r]![H + j]! + rh);
        z[r * H + j] = zj; hHat[r * H + j] = nj;
        const out = c.update === "keep" ? zj * hv + (1 - zj) * nj : (1 - zj) * hv + zj * nj;
        y[r * H + j] = out;
        return out;
      });
    });
  }
  return { y, hT: Float64Array.from(h.flat()), z, hHat, rm, rv };
}

function paramsOf(net: Recurrent, prefix = "layer0.forward"): RefParams {
  const get = (n: string) => (net.entries.some((e) => e.name === `${prefix}.${n}`) ? Float64Array.from(net.param(`${prefix}.${n}`)) : undefined);
  const out: Record<string, Float64Array | undefined> = {
    W: get("W"), U: get("U"), gamma: get("gamma"), beta: get("beta"), b: get("b"), rm: get("runningMean"), rv: get("runningVar"),
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as unknown as RefParams;
}

describe("LiGRU forward against a plain-loop reference", () => {
  const T = 4, B = 3, I = 3, H = 2;
  for (const norm of NORMS) {
    for (const mode of ["train", "eval"] as const) {
      it(`${norm}, ${mode}: outputs, final state, captured z and hHat (update replace, Tanh, lengths)`, () => {
        const net = new Recurrent({ cell: "ligru", inputSize: I, hiddenSize: H, normalisation: norm, update: "replace", candidateActivation: "Tanh", dtype: "float64", seed: 5 });
        const rng = new Rng(21);
        for (const n of ["gamma", "beta"]) if (norm !== "none") net.setParam(`layer0.forward.${n}`, rand(rng, 2 * H, 0.5, 1.5));
        if (norm === "batch") { net.setParam("layer0.forward.runningMean", rand(rng, 2 * H)); net.setParam("layer0.forward.runningVar", rand(rng, 2 * H, 0.3, 2)); }
        const x = rand(rng, T * B * I, -2, 2), h0 = rand(rng, B * H), lengths = [4, 2, 3];
        const P = paramsOf(net);
        const ref = refLiGru({ T, B, I, H, x, h0, lengths, norm, mode, update: "replace", cand: "Tanh", eps: 1e-5, momentum: 0.1 }, P);
        const r = net.forward({ data: x, shape: [T, B, I] }, { lengths, initialState: { data: h0, shape: [1, B, H] }, train: mode === "train", capture: true });
        const tol = { atol: 1e-13, rtol: 1e-12 };
        assertClose(r.output.data, ref.y, tol, "output");
        assertClose(r.finalState.data, ref.hT, tol, "final state");
        // captured gates: compare at active positions (padded ones are computed but not part of the model)
        for (const [name, want] of [["z", ref.z], ["hHat", ref.hHat]] as const) {
          const got = r.gates![`layer0.forward.${name}`]!.data;
          for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (t < lengths[b]!) {
            assertClose(got.subarray((t * B + b) * H, (t * B + b + 1) * H), want.subarray((t * B + b) * H, (t * B + b + 1) * H), tol, `${name}[t=${t}, b=${b}]`);
          }
        }
        if (norm === "batch") {
          assertClose(net.param("layer0.forward.runningMean"), ref.rm, tol, "runningMean");
          assertClose(net.param("layer0.forward.runningVar"), ref.rv, tol, "runningVar");
        }
      });
    }
  }
});

describe("LiGRU batch norm: running statistics and eval mode", () => {
  it("running stats follow running = (1 − m)·running + m·batch (unbiased variance) over several train forwards; eval uses them", () => {
    const T = 3, B = 2, I = 2, H = 2, W2 = 2 * H, m = 0.3, eps = 1e-3;
    const net = new Recurrent({ cell: "ligru", inputSize: I, hiddenSize: H, momentum: m, epsilon: eps, dtype: "float64", seed: 9 });
    const rng = new Rng(4);
    net.setParam("layer0.forward.gamma", rand(rng, W2, 0.5, 1.5));
    net.setParam("layer0.forward.beta", rand(rng, W2));
    const W = net.param("layer0.forward.W");
    // running stats computed here independently: mean and unbiased variance of W·x over active rows
    const rm = [0, 0, 0, 0], rv = [1, 1, 1, 1];
    const batches: { x: Float64Array; lengths?: number[] }[] = [
      { x: rand(rng, T * B * I, -2, 2) }, { x: rand(rng, T * B * I, 0, 3), lengths: [3, 1] }, { x: rand(rng, T * B * I, -1, 1), lengths: [2, 3] },
    ];
    for (const bt of batches) {
      net.forward({ data: bt.x, shape: [T, B, I] }, { train: true, ...(bt.lengths ? { lengths: bt.lengths } : {}) });
      for (let j = 0; j < W2; j++) {
        const vals: number[] = [];
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
          if (bt.lengths && t >= bt.lengths[b]!) continue;
          let s = 0;
          for (let i = 0; i < I; i++) s += W[j * I + i]! * bt.x[(t * B + b) * I + i]!;
          vals.push(s);
        }
        const mean = vals.reduce((s, e) => s + e, 0) / vals.length;
        const unbiased = vals.reduce((s, e) => s + (e - mean) ** 2, 0) / (vals.length - 1);
        rm[j] = (1 - m) * rm[j]! + m * mean;
        rv[j] = (1 - m) * rv[j]! + m * unbiased;
      }
      assertClose(net.param("layer0.forward.runningMean"), rm, { atol: 1e-14, rtol: 1e-13 }, "runningMean");
      assertClose(net.param("layer0.forward.runningVar"), rv, { atol: 1e-14, rtol: 1e-13 }, "runningVar");
    }
    // eval: a = γ (W x − runningMean) / √(runningVar + ε) + β, then the LiGRU step, by hand
    const x = rand(rng, T * B * I, -2, 2);
    const r = net.forward({ data: x, shape: [T, B, I] });
    const gamma = net.param("layer0.forward.gamma"), beta = net.param("layer0.forward.beta"), U = net.param("layer0.forward.U");
    const expected = new Float64Array(T * B * H);
    for (let b = 0; b < B; b++) {
      let h = [0, 0];
      for (let t = 0; t < T; t++) {
        const a: number[] = [];
        for (let j = 0; j < W2; j++) {
          let s = 0;
          for (let i = 0; i < I; i++) s += W[j * I + i]! * x[(t * B + b) * I + i]!;
          a.push(gamma[j]! * (s - rm[j]!) / Math.sqrt(rv[j]! + eps) + beta[j]!);
        }
        const next = [0, 0];
        for (let j = 0; j < H; j++) {
          const z = 1 / (1 + Math.exp(-(a[j]! + U[j * H]! * h[0]! + U[j * H + 1]! * h[1]!)));
          const n = Math.max(0, a[H + j]! + U[(H + j) * H]! * h[0]! + U[(H + j) * H + 1]! * h[1]!);
          next[j] = z * h[j]! + (1 - z) * n;
        }
        h = next;
        expected.set(h, (t * B + b) * H);
      }
    }
    assertClose(r.output.data, expected, { atol: 1e-13, rtol: 1e-12 }, "eval output");
    // eval leaves the running statistics alone
    assertClose(net.param("layer0.forward.runningMean"), rm, { atol: 0 }, "runningMean after eval");
    assertClose(net.param("layer0.forward.runningVar"), rv, { atol: 0 }, "runningVar after eval");
  });
});

describe("LiGRU: positions past a row's length change nothing", () => {
  for (const norm of NORMS) {
    it(`${norm}: outputs, final states, running stats and gradients are independent of padded inputs (bidirectional, 2 layers)`, () => {
      const T = 4, B = 3, I = 3, H = 3, lengths = [4, 1, 2];
      const opts: RecurrentOptions = { ...base, inputSize: I, hiddenSize: H, normalisation: norm, direction: "bidirectional", layers: 2, dtype: "float64", seed: 2 };
      const rng = new Rng(8);
      const x1 = rand(rng, T * B * I), dOut = rand(rng, T * B * 2 * H);
      const x2 = x1.slice(), x3 = x1.slice();
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (t >= lengths[b]!) for (let i = 0; i < I; i++) x2[(t * B + b) * I + i] = rng.range(5, 50);
      x3[(1 * B + 0) * I + 1] = x3[(1 * B + 0) * I + 1]! + 0.5; // an active position: must change the output
      const run = (x: Float64Array) => {
        const net = new Recurrent(opts);
        const r = net.forward({ data: x, shape: [T, B, I] }, { lengths, train: true });
        const g = net.backward(r.tape!, { data: dOut, shape: [T, B, 2 * H] });
        return { r, g, net };
      };
      const a = run(x1), b = run(x2), c = run(x3);
      assert.deepEqual(b.r.output.data, a.r.output.data);
      assert.deepEqual(b.r.finalState.data, a.r.finalState.data);
      assert.deepEqual(b.net.params, a.net.params); // includes the running statistics
      assert.deepEqual(b.g.dParams, a.g.dParams);
      assert.deepEqual(b.g.dInput.data, a.g.dInput.data);
      for (let t = 0; t < T; t++) for (let bb = 0; bb < B; bb++) if (t >= lengths[bb]!) {
        for (let i = 0; i < I; i++) assert.equal(a.g.dInput.data[(t * B + bb) * I + i], 0);
      }
      assert.ok(c.r.output.data.some((v, i) => v !== a.r.output.data[i]), "changing an active input must change the output");
    });
  }
});

describe("LiGRU parameters and options", () => {
  it("names, shapes, trainable flags and count: 2H·I + 2H·H + (batch 8H | layer 4H | none 2H), minus 2H without bias", () => {
    const I = 3, H = 4;
    const count = (norm: Norm, bias: boolean) => 2 * H * I + 2 * H * H + { batch: 8 * H, layer: 4 * H, none: 2 * H }[norm] - (bias ? 0 : 2 * H);
    for (const norm of NORMS) for (const bias of [true, false]) {
      const net = new Recurrent({ ...base, normalisation: norm, bias });
      assert.equal(net.paramCount, count(norm, bias), `${norm} bias=${bias}`);
    }
    const net = new Recurrent({ ...base, direction: "bidirectional", layers: 2 });
    assert.equal(net.paramCount, 2 * (2 * H * I + 2 * H * H + 8 * H) + 2 * (2 * H * 2 * H + 2 * H * H + 8 * H));
    const names = net.entries.filter((e) => e.name.startsWith("layer1.reverse.")).map((e) => [e.name.slice(15), e.shape, e.trainable]);
    assert.deepEqual(names, [["W", [8, 8], true], ["U", [8, 4], true], ["gamma", [8], true], ["beta", [8], true], ["runningMean", [8], false], ["runningVar", [8], false]]);
    assert.deepEqual(Array.from(net.param("layer0.forward.gamma")), [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(net.param("layer0.forward.runningVar")), [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(net.param("layer0.forward.runningMean")), [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(net.cells[0]!.config, {
      normalisation: "batch", update: "keep", bias: true, epsilon: 1e-5, momentum: 0.1,
      gateActivation: { name: "Sigmoid", alpha: 0, beta: 0 }, candidateActivation: { name: "Relu", alpha: 0, beta: 0 },
    });
  });

  it("rejects invalid options with typed errors", () => {
    const bad: Record<string, unknown>[] = [
      { normalisation: "group" }, { update: "swap" }, { momentum: 1.5 }, { epsilon: 0 },
      { normalisation: "layer", momentum: 0.2 }, { normalisation: "none", epsilon: 1e-3 }, { reset: "after" },
    ];
    for (const o of bad) {
      assert.throws(() => new Recurrent({ ...base, ...o } as RecurrentOptions), (e: unknown) => e instanceof GatedError && e.code === "option", JSON.stringify(o));
    }
  });

  it("batch norm in training needs more than one active position", () => {
    const net = new Recurrent({ ...base, dtype: "float64" });
    const x = { data: new Float64Array(3 * 2 * 3).fill(0.5), shape: [3, 2, 3] };
    assert.throws(() => net.forward(x, { train: true, lengths: [1, 0] }), (e: unknown) => e instanceof GatedError && e.code === "value");
    assert.equal(net.forward(x, { lengths: [1, 0] }).output.data.length, 3 * 2 * 4); // eval is fine
  });
});
