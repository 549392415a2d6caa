// Recursive sampled paths (model/sample-paths.ts) on models whose one-step distribution is known
// exactly: a float64 minGRU (linear candidate, gate bias 40 so z = 1 exactly and h_T = φ·x_T) under a
// Gaussian head reading μ = h_T and a constant σ is the AR(1) process n' = φ·n + σ·ε in normalised
// units, so the k-step-ahead distribution is N(φ^k n_T, σ²(1 − φ^{2k})/(1 − φ²)), then mapped to
// the data's units by x = n·std + mean. Seeded draws: the checks are deterministic.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OptionError } from "../../src/errors/index.js";
import { distributionHead, mingru, sequentialSpec } from "../../src/model/builder.js";
import type { DistributionOption } from "../../src/model/distribution.js";
import { Model } from "../../src/model/model.js";
import { samplePaths } from "../../src/model/sample-paths.js";
import { normalQuantile, studentTQuantile } from "../../src/train/distributions.js";

const PHI = 0.8, MEAN = 10, STD = 2;
const softplusInverse = (v: number) => Math.log(Math.expm1(v));

/**
 * The AR(1) model: μ = φ·n_T, σ (and ν) from the head's biases; returns it and its σ, ν as the head
 * gives them. On relative windows the last input is n_T − n_T = 0, so μ = 0 and the next value is
 * n_T + σε: a random walk.
 */
function ar1(distribution: DistributionOption, sigma: number, nu = 0, horizon = 1, relative = false): { model: Model; sigma: number; nu: number } {
  const spec = sequentialSpec({ input: { features: 1 } }, [mingru({ units: 1, candidate: "linear", returnSequences: false }), distributionHead({ distribution, targets: horizon })], {
    task: "regression", data: { normalisation: { mean: [MEAN], std: [STD] }, window: 3, horizon, targetColumns: [0], relative },
  });
  const model = new Model(spec, { dtype: "float64", seed: 1 }), net = model.net;
  net.view("0.recurrent.layer0.forward.W").set([0, PHI]);   // W_z = 0, W_h = φ
  net.view("0.recurrent.layer0.forward.b").set([40, 0]);    // z = σ(40) = 1 in float64
  const head = model.spec.layers.at(-1)!.kind, P = head === "student-t-head" ? 3 : 2;
  const W = net.view(`2.${head}.W`), b = net.view(`2.${head}.b`);
  W.fill(0); b.fill(0);
  for (let h = 0; h < horizon; h++) {
    W[h * P] = 1; // μ = h_T (every horizon step the same: only the first is used)
    b[h * P + 1] = softplusInverse(sigma - 1e-4);
    if (P === 3) b[h * P + 2] = softplusInverse(nu - 2);
  }
  net.markChanged();
  // σ and ν exactly as the head computes them
  const p = model.predict([[[MEAN], [MEAN], [MEAN]]], { units: "model" }).intervals!.parameters;
  return { model, sigma: p[1]!, nu: P === 3 ? p[2]! : 0 };
}

const history = [12, 9, 16]; // n_T = (16 − 10) / 2 = 3

describe("recursive sampled paths", { timeout: 120_000 }, () => {
  it("Gaussian AR(1): the path mean and spread match the analytic k-step distribution; the band widens with the step", () => {
    const { model, sigma } = ar1("gaussian", 0.5);
    const N = 20_000, K = 12;
    const f = samplePaths(model, history, { steps: K, samples: N, seed: 7 });
    assert.equal(f.mean.length, K);
    const nT = (history[2]! - MEAN) / STD;
    for (let k = 1; k <= K; k++) {
      const mu = MEAN + STD * PHI ** k * nT, sd = STD * sigma * Math.sqrt((1 - PHI ** (2 * k)) / (1 - PHI * PHI));
      const se = sd / Math.sqrt(N); // standard error of the path mean
      assert.ok(Math.abs(f.mean[k - 1]! - mu) <= 4 * se, `step ${k}: path mean ${f.mean[k - 1]} vs analytic ${mu} (4 SE = ${4 * se})`);
      // the 95% band against the analytic quantiles: the empirical 2.5/97.5% quantiles of N draws have
      // a standard error of √(p(1−p)/N)/φ(z)·sd ≈ 0.0189·sd at N = 20,000; 4 of them
      const tol = 4 * (Math.sqrt(0.025 * 0.975 / N) / (Math.exp(-0.5 * 1.959964 ** 2) / Math.sqrt(2 * Math.PI))) * sd;
      assert.ok(Math.abs(f.upper95[k - 1]! - (mu + normalQuantile(0.975) * sd)) <= tol, `step ${k}: upper95 ${f.upper95[k - 1]} vs ${mu + normalQuantile(0.975) * sd} ± ${tol}`);
      assert.ok(Math.abs(f.lower95[k - 1]! - (mu - normalQuantile(0.975) * sd)) <= tol, `step ${k}: lower95`);
      assert.ok(f.lower95[k - 1]! < f.lower80[k - 1]! && f.lower80[k - 1]! < f.median[k - 1]! && f.median[k - 1]! < f.upper80[k - 1]! && f.upper80[k - 1]! < f.upper95[k - 1]!, `ordered at step ${k}`);
    }
    // the band widens: step by step while the analytic width still grows by more than 3%, and overall
    const width = (k: number) => f.upper95[k]! - f.lower95[k]!;
    for (let k = 1; k < 5; k++) assert.ok(width(k) > width(k - 1), `95% band at step ${k + 1} (${width(k)}) wider than at step ${k} (${width(k - 1)})`);
    assert.ok(width(K - 1) > 1.5 * width(0), `${width(K - 1)} vs ${width(0)}`);
  });

  it("relative windows: a random walk, mean x_T and standard deviation σ·std·√k", () => {
    const { model, sigma } = ar1("gaussian", 0.3, 0, 1, true);
    const N = 20_000, K = 9, f = samplePaths(model, history, { steps: K, samples: N, seed: 21 });
    for (let k = 1; k <= K; k++) {
      const sd = STD * sigma * Math.sqrt(k), z = normalQuantile(0.975);
      assert.ok(Math.abs(f.mean[k - 1]! - history[2]!) <= 4 * sd / Math.sqrt(N), `step ${k}: mean ${f.mean[k - 1]} vs ${history[2]}`);
      const tol = 4 * (Math.sqrt(0.025 * 0.975 / N) / (Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI))) * sd;
      assert.ok(Math.abs(f.upper95[k - 1]! - (history[2]! + z * sd)) <= tol, `step ${k}: upper95 ${f.upper95[k - 1]} vs ${history[2]! + z * sd} ± ${tol}`);
    }
  });

  it("is reproducible by seed, and other seeds give other paths", () => {
    const { model } = ar1("gaussian", 0.5);
    const a = samplePaths(model, history, { steps: 3, samples: 50, seed: 3, keepPaths: true });
    const b = samplePaths(model, history, { steps: 3, samples: 50, seed: 3, keepPaths: true });
    const c = samplePaths(model, history, { steps: 3, samples: 50, seed: 4, keepPaths: true });
    assert.deepEqual(Array.from(a.paths!), Array.from(b.paths!));
    assert.notDeepEqual(Array.from(a.paths!), Array.from(c.paths!));
    assert.equal(a.paths!.length, 50 * 3);
  });

  it("Student-t: the first step's band is the head's own t interval", () => {
    const { model, sigma, nu } = ar1("student-t", 0.5, 4);
    const N = 40_000, f = samplePaths(model, history, { steps: 1, samples: N, seed: 11 });
    const mu = MEAN + STD * PHI * ((history[2]! - MEAN) / STD);
    for (const [p, got] of [[0.975, f.upper95[0]!], [0.9, f.upper80[0]!], [0.1, f.lower80[0]!], [0.025, f.lower95[0]!]] as const) {
      const want = mu + STD * sigma * studentTQuantile(p, nu);
      // 4 standard errors of the empirical 2.5% quantile (the widest of the four): √(p(1−p)/N) / pdf at it, pdf of t₄ = 0.375·(1 + x²/4)^(−5/2)
      const pdf = Math.exp(-2.5 * Math.log(1 + studentTQuantile(0.975, nu) ** 2 / nu)) * 0.375, se = Math.sqrt(0.025 * 0.975 / N) / pdf * STD * sigma;
      assert.ok(Math.abs(got - want) <= 4 * se, `level ${p}: ${got} vs ${want} ± ${4 * se}`);
    }
  });

  it("model.forecast with samples goes past the horizon; without, it refuses and names the option", () => {
    const { model } = ar1("gaussian", 0.5, 0, 2);
    assert.throws(() => model.forecast(history, 5), (e: unknown) => e instanceof OptionError && /samples option/.test(e.message));
    const f = model.forecast(history, 5, { samples: 500, seed: 2 });
    assert.deepEqual(f.shape, [5, 1]);
    assert.equal(f.intervals!.lower95.length, 5);
    assert.match(f.intervals!.distribution, /500 sampled paths/);
    const direct = samplePaths(model, history, { steps: 5, samples: 500, seed: 2 });
    assert.deepEqual(Array.from(f.data), Array.from(direct.mean));
  });

  it("refuses a quantile head, a model without a head, and bad counts", () => {
    const q = ar1("gaussian", 0.5).model;
    assert.throws(() => samplePaths(q, history, { steps: 2, samples: 1 }), /samples: expected an integer ≥ 2/);
    assert.throws(() => samplePaths(q, history, { steps: 0 }), /steps: expected a positive integer/);
    assert.throws(() => samplePaths(q, [1, 2], { steps: 2 }), /windows of 3 rows/);
    const spec = sequentialSpec({ input: { features: 1 } }, [mingru({ units: 1, returnSequences: false }), distributionHead({ distribution: { quantiles: [0.1, 0.5, 0.9] } })], {
      task: "regression", data: { normalisation: { mean: [0], std: [1] }, window: 3, horizon: 1, targetColumns: [0], relative: false },
    });
    assert.throws(() => samplePaths(new Model(spec), history, { steps: 2 }), /quantile head/);
  });
});
