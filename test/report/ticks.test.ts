// Nice ticks: 1-2-5 steps without float noise, widened domains, log decades, tick labels, scales.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatTick, logDomain, niceDomain, niceStep, niceTicks } from "../../src/report/svg/ticks.js";
import { linearScale, logScale } from "../../src/report/svg/scale.js";
import { ValueError } from "../../src/errors/index.js";

describe("niceStep", () => {
  it("is 1, 2 or 5 × 10^k", () => {
    assert.equal(niceStep(1, 5), 0.2);
    assert.equal(niceStep(100, 5), 20);
    assert.equal(niceStep(15.8, 5), 5);
    assert.equal(niceStep(0.74, 5), 0.2);
    assert.equal(niceStep(7, 7), 1);
    assert.equal(niceStep(3e-4, 3), 1e-4);
    assert.equal(niceStep(2.3e6, 5), 5e5);
  });
});

describe("niceTicks", () => {
  it("multiples of the step inside the range, exactly", () => {
    assert.deepEqual(niceTicks(0, 1).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 100).values, [0, 20, 40, 60, 80, 100]);
    assert.deepEqual(niceTicks(0.1, 0.3).values, [0.1, 0.15, 0.2, 0.25, 0.3]);
    assert.deepEqual(niceTicks(-0.35, 0.35).values, [-0.2, 0, 0.2]);
    assert.deepEqual(niceTicks(-0.35, 0.35, { target: 8 }).values, [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
  });
  it("keeps the domain as given", () => {
    const t = niceTicks(1, 20, { integer: true, target: 8 });
    assert.deepEqual([t.min, t.max, t.step], [1, 20, 5]);
    assert.deepEqual(t.values, [5, 10, 15, 20]);
  });
  it("integer axes never step below 1", () => {
    assert.deepEqual(niceTicks(0, 3, { integer: true, target: 10 }).values, [0, 1, 2, 3]);
    assert.deepEqual(niceTicks(0, 3, { target: 10 }).values, [0, 0.5, 1, 1.5, 2, 2.5, 3]);
  });
  it("rejects non-finite or reversed ranges", () => {
    assert.throws(() => niceTicks(0, NaN), ValueError);
    assert.throws(() => niceTicks(2, 1), (e: unknown) => e instanceof ValueError && /min ≤ max, got \[2, 1\]/.test(e.message));
  });
});

describe("niceDomain", () => {
  it("widens to multiples of the step", () => {
    assert.deepEqual(niceDomain(0.13, 0.87), { min: 0, max: 1, step: 0.2, values: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    assert.deepEqual(niceDomain(-3.7, 12.1), { min: -5, max: 15, step: 5, values: [-5, 0, 5, 10, 15] });
    assert.deepEqual(niceDomain(315.2, 336.9), { min: 315, max: 340, step: 5, values: [315, 320, 325, 330, 335, 340] });
  });
  it("gives a flat series room around its value", () => {
    const t = niceDomain(5, 5);
    assert.ok(t.min < 5 && t.max > 5 && t.values.includes(5), JSON.stringify(t));
    const z = niceDomain(0, 0);
    assert.ok(z.min < 0 && z.max > 0 && z.values.includes(0), JSON.stringify(z));
  });
});

describe("logDomain", () => {
  it("1-2-5 ticks over a few decades, inside a slightly padded range", () => {
    const t = logDomain(0.05, 2.3);
    assert.deepEqual(t.values, [0.05, 0.1, 0.2, 0.5, 1, 2]);
    assert.ok(t.min < 0.05 && t.min > 0.04 && t.max > 2.3 && t.max < 2.8, `${t.min} ${t.max}`);
  });
  it("finer ticks within a decade", () => {
    assert.deepEqual(logDomain(0.3, 0.9).values, [0.3, 0.5, 0.7]);
  });
  it("thinned powers of ten over many decades", () => {
    assert.deepEqual(logDomain(1e-6, 1e3).values, [1e-6, 1e-4, 0.01, 1, 100]);
  });
  it("needs positive values", () => {
    assert.throws(() => logDomain(0, 1), (e: unknown) => e instanceof ValueError && e.message.includes("positive"));
  });
});

describe("formatTick", () => {
  it("uses the decimals the step needs", () => {
    assert.equal(formatTick(0.2, 0.2), "0.2");
    assert.equal(formatTick(1, 0.2), "1.0");
    assert.equal(formatTick(0.25, 0.05), "0.25");
    assert.equal(formatTick(320, 5), "320");
    assert.equal(formatTick(0, 0.1), "0");
    assert.equal(formatTick(-0.5, 0.5), "-0.5");
  });
  it("exponent form for very large or small values", () => {
    assert.equal(formatTick(1e6, 5e5), "1e6");
    assert.equal(formatTick(1.5e6, 5e5), "1.5e6");
    assert.equal(formatTick(3e-5, 1e-5), "3e-5");
    assert.equal(formatTick(1e-6, 0), "1e-6");
    assert.equal(formatTick(0.01, 0), "0.01");
  });
});

describe("scales", () => {
  it("linear maps the domain ends onto the range ends, inverted for y", () => {
    const sy = linearScale([0, 10], [300, 100]);
    assert.deepEqual([sy(0), sy(10), sy(2.5)], [300, 100, 250]);
  });
  it("log maps each decade onto an equal length", () => {
    const s = logScale([0.01, 100], [0, 400]);
    assert.ok(Math.abs(s(0.1) - 100) < 1e-9 && Math.abs(s(1) - 200) < 1e-9 && Math.abs(s(100) - 400) < 1e-9);
  });
});

describe("logDomain on a narrow range", () => {
  it("has at least two ticks inside the domain, labelled with the decimals they need (a 1-epoch learning curve)", () => {
    const t = logDomain(0.00222, 0.00276);
    assert.ok(t.values.length >= 2, `ticks: ${t.values}`);
    for (const v of t.values) assert.ok(v >= t.min && v <= t.max, `${v} outside [${t.min}, ${t.max}]`);
    const labels = t.values.map((v) => formatTick(v, t.step));
    assert.equal(new Set(labels).size, labels.length, `distinct labels: ${labels}`);
  });
});
