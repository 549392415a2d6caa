// Each optimiser against its update equations, written out independently here on a tiny problem,
// plus clipping and learning-rate schedules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clipByGlobalNorm, clipByValue, Optimizer, type OptimizerOptions } from "../../src/train/optimizers.js";
import { makeSchedule } from "../../src/train/schedules.js";
import { assertClose } from "../helpers/close.js";

const p0 = [0.5, -1.2, 2.0, 0.3];
const grads = [[0.1, -0.4, 0.8, 0.05], [-0.3, 0.2, 0.5, 0.0], [0.7, 0.1, -0.2, -0.6]];
const mask = Uint8Array.from([1, 1, 1, 0]); // the last value is a saved statistic: never updated

function run(o: OptimizerOptions): Float64Array {
  const p = Float64Array.from(p0);
  const opt = new Optimizer(p.length, o);
  for (const g of grads) opt.step(p, Float64Array.from(g), mask);
  return p;
}

/** The expected trajectory of one value, by the equations in their usual published form. */
function expected(update: (p: number, g: number, t: number, s: Record<string, number>) => number): number[] {
  return p0.map((v, i) => {
    if (!mask[i]) return v;
    const s: Record<string, number> = {};
    let p = v;
    grads.forEach((g, t) => { p = update(p, g[i]!, t + 1, s); });
    return p;
  });
}

describe("optimisers follow their equations", () => {
  it("SGD", () => void assertClose(run({ kind: "sgd", lr: 0.1 }), expected((p, g) => p - 0.1 * g), { atol: 1e-15 }));
  it("SGD with momentum and weight decay (PyTorch form)", () => void assertClose(run({ kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 0.01 }), expected((p, g, _t, s) => {
    const gi = g + 0.01 * p;
    s.v = 0.9 * (s.v ?? 0) + gi;
    return p - 0.1 * s.v;
  }), { atol: 1e-15 }));
  it("SGD with Nesterov momentum", () => void assertClose(run({ kind: "sgd", lr: 0.05, momentum: 0.8, nesterov: true }), expected((p, g, _t, s) => {
    s.v = 0.8 * (s.v ?? 0) + g;
    return p - 0.05 * (g + 0.8 * s.v);
  }), { atol: 1e-15 }));
  it("Adam (Kingma & Ba, with bias correction)", () => void assertClose(run({ kind: "adam", lr: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 }), expected((p, g, t, s) => {
    s.m = 0.8 * (s.m ?? 0) + 0.2 * g;
    s.v = 0.95 * (s.v ?? 0) + 0.05 * g * g;
    return p - (0.01 * (s.m / (1 - 0.8 ** t))) / (Math.sqrt(s.v / (1 - 0.95 ** t)) + 1e-6);
  }), { atol: 1e-15 }));
  it("Adam with L2 weight decay in the gradient", () => void assertClose(run({ kind: "adam", lr: 0.01, weightDecay: 0.1 }), expected((p, g, t, s) => {
    const gi = g + 0.1 * p;
    s.m = 0.9 * (s.m ?? 0) + 0.1 * gi;
    s.v = 0.999 * (s.v ?? 0) + 0.001 * gi * gi;
    return p - (0.01 * (s.m / (1 - 0.9 ** t))) / (Math.sqrt(s.v / (1 - 0.999 ** t)) + 1e-8);
  }), { atol: 1e-15 }));
  it("AdamW (decoupled weight decay, Loshchilov & Hutter)", () => void assertClose(run({ kind: "adamw", lr: 0.01, weightDecay: 0.1 }), expected((p, g, t, s) => {
    const decayed = p - 0.01 * 0.1 * p;
    s.m = 0.9 * (s.m ?? 0) + 0.1 * g;
    s.v = 0.999 * (s.v ?? 0) + 0.001 * g * g;
    return decayed - (0.01 * (s.m / (1 - 0.9 ** t))) / (Math.sqrt(s.v / (1 - 0.999 ** t)) + 1e-8);
  }), { atol: 1e-15 }));
  it("RMSprop", () => void assertClose(run({ kind: "rmsprop", lr: 0.01, rho: 0.9, epsilon: 1e-8 }), expected((p, g, _t, s) => {
    s.s = 0.9 * (s.s ?? 0) + 0.1 * g * g;
    return p - (0.01 * g) / (Math.sqrt(s.s) + 1e-8);
  }), { atol: 1e-15 }));
  it("RMSprop with momentum", () => void assertClose(run({ kind: "rmsprop", lr: 0.01, rho: 0.9, momentum: 0.5 }), expected((p, g, _t, s) => {
    s.s = 0.9 * (s.s ?? 0) + 0.1 * g * g;
    s.b = 0.5 * (s.b ?? 0) + g / (Math.sqrt(s.s) + 1e-8);
    return p - 0.01 * s.b;
  }), { atol: 1e-15 }));
  it("state saves and restores exactly", () => {
    const a = new Optimizer(4, { kind: "adam", lr: 0.01 }), pa = Float64Array.from(p0);
    a.step(pa, Float64Array.from(grads[0]!), mask);
    const b = new Optimizer(4, { kind: "adam", lr: 0.01 }), pb = pa.slice();
    b.load(structuredClone(a.state()));
    a.step(pa, Float64Array.from(grads[1]!), mask);
    b.step(pb, Float64Array.from(grads[1]!), mask);
    assertClose(pb, pa, { atol: 0 });
  });
  it("bad options are refused", () => {
    assert.throws(() => new Optimizer(1, { kind: "adagrad" as never }), /"sgd", "adam", "adamw", "rmsprop"/);
    assert.throws(() => new Optimizer(1, { kind: "sgd", nesterov: true }), /nesterov needs a momentum/);
    assert.throws(() => new Optimizer(1, { kind: "adam", lr: -1 }), /lr must be positive/);
  });
});

describe("clipping and schedules", () => {
  it("global-norm clipping scales to the limit and reports the norm", () => {
    const g = Float64Array.from([3, 4, 0, 12]);
    const norm = clipByGlobalNorm(g, Uint8Array.from([1, 1, 1, 0]), 1);
    assert.equal(norm, 5);
    assertClose(g.subarray(0, 3), [0.6, 0.8, 0], { atol: 1e-15 });
  });
  it("value clipping", () => {
    const g = Float64Array.from([-3, 0.2, 9]);
    clipByValue(g, 1);
    assertClose(g, [-1, 0.2, 1], { atol: 0 });
  });
  it("step, cosine and warm-up", () => {
    const step = makeSchedule(0.1, { kind: "step", every: 10, gamma: 0.5 });
    assertClose([step(0), step(9), step(10), step(25)], [0.1, 0.1, 0.05, 0.025], { atol: 1e-15 });
    const cos = makeSchedule(1, { kind: "cosine", total: 100, min: 0.1 });
    assertClose([cos(0), cos(50), cos(100), cos(200)], [1, 0.55, 0.1, 0.1], { atol: 1e-15 });
    const warm = makeSchedule(1, { kind: "constant", warmup: 4 });
    assertClose([warm(0), warm(1), warm(3), warm(4)], [0.25, 0.5, 1, 1], { atol: 1e-15 });
  });
});
