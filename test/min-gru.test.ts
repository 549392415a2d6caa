// minGRU (src/cells/min-gru.ts): float64 gradient checks over its options and scans; the parallel and
// log-space scans equal the step loop on long sequences; a plain loop written from the paper's
// equations (not calling the cell) equals Recurrent's output; option validation.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OptionError } from "../src/errors/index.js";
import { Recurrent, type Direction, type RecurrentOptions } from "../src/sequence/recurrent.js";
import type { Tensor } from "../src/sequence/tensor.js";
import { Rng } from "../src/util/random.js";
import { assertClose, type Tolerance } from "./helpers/close.js";
import { gradCheck } from "./helpers/gradcheck.js";

type Candidate = "g" | "linear";
type Update = "replace" | "keep";
type Scan = "sequential" | "parallel" | "log";
type DType = "float32" | "float64";

const base = { cell: "mingru", inputSize: 3, hiddenSize: 4 } as const;
/** "log" needs a positive candidate: candidate "g" only. */
const scansFor = (candidate: Candidate): Scan[] => (candidate === "g" ? ["sequential", "parallel", "log"] : ["sequential", "parallel"]);

describe("gradient check: minGRU (float64, every parameter, input and h0)", () => {
  for (const candidate of ["linear", "g"] as const) {
    for (const update of ["replace", "keep"] as const) {
      for (const scan of scansFor(candidate)) {
        it(`candidate=${candidate} update=${update} scan=${scan}`, () => {
          assert.ok(gradCheck({ options: { ...base, candidate, update, scan }, T: 4, B: 2, initial: true }) <= 1e-6);
        });
      }
    }
  }
  for (const candidate of ["g", "linear"] as const) {
    for (const scan of scansFor(candidate)) {
      const o = { ...base, candidate, scan };
      it(`${candidate}, ${scan}: bias false`, () => void gradCheck({ options: { ...o, bias: false }, T: 4, B: 2, initial: true }));
      it(`${candidate}, ${scan}: sequence lengths [5, 2, 0]`, () => void gradCheck({ options: o, T: 5, B: 3, lengths: [5, 2, 0], initial: true }));
      it(`${candidate}, ${scan}: reverse, keep, lengths [3, 0], batch-major`, () => void
        gradCheck({ options: { ...o, update: "keep", direction: "reverse" }, T: 4, B: 2, lengths: [3, 0], layout: "batch-major", initial: true }));
      it(`${candidate}, ${scan}: bidirectional, 2 layers, lengths [1, 4, 3]`, () => void
        gradCheck({ options: { ...o, direction: "bidirectional", layers: 2 }, T: 4, B: 3, lengths: [1, 4, 3], initial: true }));
      it(`${candidate}, ${scan}: zero initial state${scan === "log" ? " (log h_0 = −∞)" : ""}, 3 layers`, () => void gradCheck({ options: { ...o, layers: 3 }, T: 3, B: 2 }));
    }
  }
});

function randTensor(rng: Rng, dtype: DType, shape: number[], lo: number, hi: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.range(lo, hi);
  return { data, shape };
}

interface ScanCase {
  dtype: DType;
  direction: Direction;
  scan: Exclude<Scan, "sequential">;
  candidate: Candidate;
  update: Update;
  h0: "signed" | "positive" | "zero";
  /** Parameters uniform in [−scale, scale] (saturated gates at 3); the layer's own initialisation when absent. */
  scale?: number;
  T?: number;
  lengths?: number[];
}

/** State tolerances: float64 to 1e-12 relative, float32 to 1e-5. */
const TOL: Record<DType, Tolerance> = { float64: { atol: 1e-12, rtol: 1e-12 }, float32: { atol: 1e-5, rtol: 1e-5 } };

/** Runs the same stack with the step loop and with a scan; outputs, final states and gates must agree. */
function compareScan(c: ScanCase): void {
  const T = c.T ?? 200, B = 3, H = 5, I = 4;
  const make = (scan: Scan) => new Recurrent({
    cell: "mingru", inputSize: I, hiddenSize: H, direction: c.direction, dtype: c.dtype, candidate: c.candidate, update: c.update, scan,
  });
  const loop = make("sequential"), scanned = make(c.scan);
  const rng = new Rng(29);
  if (c.scale !== undefined) for (let i = 0; i < loop.params.length; i++) loop.params[i] = rng.range(-c.scale, c.scale);
  scanned.params.set(loop.params);
  const S = loop.numDirections;
  const x = randTensor(rng, c.dtype, [T, B, I], -2, 2);
  const h0 = randTensor(rng, c.dtype, [S, B, H], c.h0 === "positive" ? 0.01 : -1, 1);
  if (c.h0 === "zero") h0.data.fill(0); // log h_0 = −∞ in the log scan
  const opts = { lengths: c.lengths ?? [T, Math.floor(T * 0.7), 0], initialState: h0, capture: true, train: true };
  const a = loop.forward(x, opts), b = scanned.forward(x, opts);
  const what = `${c.dtype} ${c.direction} ${c.scan} ${c.candidate} ${c.update} h0=${c.h0}`;
  assertClose(b.output.data, a.output.data, TOL[c.dtype], `${what}: output`);
  assertClose(b.finalState.data, a.finalState.data, TOL[c.dtype], `${what}: final state`);
  // the cache is filled by the same code either way: bit for bit
  for (const name of Object.keys(a.gates!)) assert.deepEqual(b.gates![name]!.data, a.gates![name]!.data, `${what}: gate ${name}`);
  // rows past their length keep their state exactly, so the final state is the state at the last valid step
  const len = opts.lengths, at = (t: number, row: number) => (t * B + row) * S * H;
  for (let row = 0; row < B; row++) {
    if (c.direction !== "forward" || len[row]! === 0) continue;
    const last = b.output.data.subarray(at(len[row]! - 1, row), at(len[row]! - 1, row) + H);
    assert.deepEqual(b.finalState.data.subarray(row * H, (row + 1) * H), last, `${what}: final state of row ${row}`);
  }
  // eval mode (no tape, no capture) runs the scan too
  assertClose(scanned.forward(x, { lengths: opts.lengths, initialState: h0 }).output.data, a.output.data, TOL[c.dtype], `${what}: eval output`);
}

describe("invariant: parallel and log scans equal the step loop (T = 200, B = 3, H = 5, lengths [200, 140, 0])", () => {
  for (const dtype of ["float64", "float32"] as const) {
    for (const direction of ["forward", "reverse", "bidirectional"] as const) {
      const cases: Omit<ScanCase, "dtype" | "direction">[] = [
        { scan: "parallel", candidate: "linear", update: "replace", h0: "signed" },
        { scan: "parallel", candidate: "linear", update: "keep", h0: "signed", scale: 3 },
        { scan: "parallel", candidate: "g", update: "keep", h0: "signed" },
        { scan: "log", candidate: "g", update: "replace", h0: "positive" },
        { scan: "log", candidate: "g", update: "replace", h0: "zero", scale: 3 },
        { scan: "log", candidate: "g", update: "keep", h0: "signed" },
        { scan: "log", candidate: "g", update: "keep", h0: "positive", scale: 3 },
      ];
      for (const k of cases) {
        it(`${dtype} ${direction}: ${k.scan}, ${k.candidate}, ${k.update}, h0 ${k.h0}${k.scale ? `, params ±${k.scale}` : ""}`, () => {
          compareScan({ dtype, direction, ...k });
        });
      }
    }
  }
  it("every sequence length from 1 to 17 and 64, 65 (scan trees of every shape), float64", () => {
    for (const T of [...Array.from({ length: 17 }, (_, i) => i + 1), 64, 65]) {
      for (const direction of ["forward", "reverse"] as const) {
        const lengths = [T, Math.floor(T / 2), 0];
        compareScan({ dtype: "float64", direction, scan: "parallel", candidate: "linear", update: "replace", h0: "signed", T, lengths });
        compareScan({ dtype: "float64", direction, scan: "log", candidate: "g", update: "replace", h0: "positive", T, lengths });
      }
    }
  });
  it("gradients after a scanned forward equal those after the step loop (float64, bidirectional, 2 layers)", () => {
    for (const scan of ["parallel", "log"] as const) {
      const T = 50, B = 3, H = 5, I = 4;
      const make = (s: Scan) => new Recurrent({ cell: "mingru", inputSize: I, hiddenSize: H, direction: "bidirectional", layers: 2, dtype: "float64", scan: s });
      const loop = make("sequential"), scanned = make(scan);
      const rng = new Rng(5);
      const x = randTensor(rng, "float64", [T, B, I], -2, 2), h0 = randTensor(rng, "float64", [4, B, H], 0, 1);
      const dOut = randTensor(rng, "float64", [T, B, 2 * H], -1, 1), dFinal = randTensor(rng, "float64", [4, B, H], -1, 1);
      const grads = (net: Recurrent) => {
        const r = net.forward(x, { lengths: [T, 31, 0], initialState: h0, train: true });
        return net.backward(r.tape!, dOut, { dFinalState: dFinal });
      };
      const ga = grads(loop), gb = grads(scanned);
      const tol = TOL.float64; // backward reads the same cache and states equal to 1e-12
      assertClose(gb.dParams, ga.dParams, tol, `${scan}: dParams`);
      assertClose(gb.dInput.data, ga.dInput.data, tol, `${scan}: dInput`);
      assertClose(gb.dInitialState.data, ga.dInitialState.data, tol, `${scan}: dInitialState`);
    }
  });
});

/**
 * The paper's equations as a plain loop over one direction (no cell, no driver):
 *   z = σ(W_z x + b_z); ĥ = g(W_h x + b_h) or W_h x + b_h; h' = (1 − z)h + zĥ ("replace") or zh + (1 − z)ĥ ("keep");
 * a row past its length keeps its state and outputs 0.
 */
function plainMinGru(
  W: Float64Array, b: Float64Array, x: Float64Array, h0: Float64Array, T: number, B: number, I: number, H: number,
  c: { candidate: Candidate; update: Update; reverse: boolean; lengths: number[] },
): { out: Float64Array; final: Float64Array; preActivations: number[] } {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const out = new Float64Array(T * B * H), h = Float64Array.from(h0), pre: number[] = [];
  for (let s = 0; s < T; s++) {
    const t = c.reverse ? T - 1 - s : s;
    for (let r = 0; r < B; r++) {
      if (t >= c.lengths[r]!) continue;
      for (let j = 0; j < H; j++) {
        let kz = b[j]!, kh = b[H + j]!;
        for (let i = 0; i < I; i++) {
          kz += W[j * I + i]! * x[(t * B + r) * I + i]!;
          kh += W[(H + j) * I + i]! * x[(t * B + r) * I + i]!;
        }
        pre.push(kh);
        const z = sig(kz), hHat = c.candidate === "linear" ? kh : kh >= 0 ? kh + 0.5 : sig(kh);
        const prev = h[r * H + j]!;
        h[r * H + j] = c.update === "replace" ? (1 - z) * prev + z * hHat : z * prev + (1 - z) * hHat;
        out[(t * B + r) * H + j] = h[r * H + j]!;
      }
    }
  }
  return { out, final: h, preActivations: pre };
}

describe("reference: a plain loop from the equations equals Recurrent (float64, T = 6, B = 3)", () => {
  const T = 6, B = 3, I = 3, H = 4;
  for (const candidate of ["g", "linear"] as const) {
    for (const update of ["replace", "keep"] as const) {
      for (const direction of ["forward", "reverse"] as const) {
        for (const scan of scansFor(candidate)) {
          it(`${candidate} ${update} ${direction} ${scan}`, () => {
            const rng = new Rng(17);
            const net = new Recurrent({ cell: "mingru", inputSize: I, hiddenSize: H, direction, dtype: "float64", candidate, update, scan });
            const W = randTensor(rng, "float64", [2 * H, I], -1.5, 1.5).data as Float64Array;
            const bias = randTensor(rng, "float64", [2 * H], -0.5, 0.5).data as Float64Array;
            net.setParam(`layer0.${direction}.W`, W);
            net.setParam(`layer0.${direction}.b`, bias);
            const x = randTensor(rng, "float64", [T, B, I], -1, 1), h0 = randTensor(rng, "float64", [1, B, H], 0.05, 0.9);
            const lengths = [6, 4, 0];
            const ref = plainMinGru(W, bias, x.data as Float64Array, h0.data as Float64Array, T, B, I, H, { candidate, update, reverse: direction === "reverse", lengths });
            // both branches of g are exercised
            assert.ok(ref.preActivations.some((v) => v >= 0) && ref.preActivations.some((v) => v < 0));
            const r = net.forward(x, { lengths, initialState: h0 });
            const tol = { atol: 1e-14, rtol: 1e-12 };
            assertClose(r.output.data, ref.out, tol, "output");
            assertClose(r.finalState.data, ref.final, tol, "final state");
          });
        }
      }
    }
  }
  it("captures the gates z and hHat", () => {
    const net = new Recurrent({ cell: "mingru", inputSize: 2, hiddenSize: 3, dtype: "float64", candidate: "linear" });
    net.setParam("layer0.forward.W", [1, 0, 0, 1, 1, 1, 2, 0, 0, 2, -1, -1]);
    net.setParam("layer0.forward.b", [0, 0, 0, 0.5, 0.5, 0.5]);
    const r = net.forward({ data: Float64Array.from([0.3, -0.7]), shape: [1, 1, 2] }, { capture: true });
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    assertClose(r.gates!["layer0.forward.z"]!.data, [s(0.3), s(-0.7), s(-0.4)], { atol: 1e-15 }, "z");
    assertClose(r.gates!["layer0.forward.hHat"]!.data, [1.1, -0.9, 0.9], { atol: 1e-15 }, "hHat");
    // h_0 = 0, update "replace": h_1 = z ⊙ ĥ
    assertClose(r.output.data, [s(0.3) * 1.1, s(-0.7) * -0.9, s(-0.4) * 0.9], { atol: 1e-15 }, "h_1");
  });
});

describe("minGRU options", () => {
  it("defaults: candidate g, update replace, bias, scan sequential (the step loop)", () => {
    const net = new Recurrent({ cell: "mingru", inputSize: 3, hiddenSize: 4 });
    assert.deepEqual(net.cells[0]!.config, { candidate: "g", update: "replace", bias: true, scan: "sequential" });
    assert.equal(net.cells[0]!.useScan, false);
    assert.equal(new Recurrent({ cell: "mingru", inputSize: 3, hiddenSize: 4, scan: "log" }).cells[0]!.useScan, true);
  });
  it("parameter count is 2H(I + 1) per cell (2H·I without bias): no recurrent weights", () => {
    const I = 3, H = 4;
    assert.equal(new Recurrent({ cell: "mingru", inputSize: I, hiddenSize: H }).paramCount, 2 * H * (I + 1));
    assert.equal(new Recurrent({ cell: "mingru", inputSize: I, hiddenSize: H, bias: false }).paramCount, 2 * H * I);
    const stack = new Recurrent({ cell: "mingru", inputSize: I, hiddenSize: H, layers: 2, direction: "bidirectional" });
    assert.equal(stack.paramCount, 2 * 2 * H * (I + 1) + 2 * 2 * H * (2 * H + 1));
    assert.deepEqual(stack.entries.slice(0, 2).map((e) => [e.name, e.shape]), [["layer0.forward.W", [2 * H, I]], ["layer0.forward.b", [2 * H]]]);
  });
  it('scan "log" with candidate "linear" is refused with the reason', () => {
    assert.throws(
      () => new Recurrent({ cell: "mingru", inputSize: 3, hiddenSize: 4, candidate: "linear", scan: "log" }),
      (e: unknown) => e instanceof OptionError && e.code === "option" && /ĥ > 0/.test(e.message) && /scan "parallel"/.test(e.message),
    );
  });
  it("unknown choices and keys list the valid ones", () => {
    const bad: Record<string, unknown>[] = [{ scan: "blelloch" }, { candidate: "tanh" }, { update: "swap" }, { reset: "after" }];
    const hints = [/"sequential", "parallel", "log"/, /"g", "linear"/, /"replace", "keep"/, /valid options: .*scan/];
    bad.forEach((o, i) => {
      assert.throws(
        () => new Recurrent({ cell: "mingru", inputSize: 3, hiddenSize: 4, ...o } as unknown as RecurrentOptions),
        (e: unknown) => e instanceof OptionError && hints[i]!.test(e.message),
      );
    });
  });
});
