// Distribution heads and their losses: exact gradients by float64 central differences, loss values
// by hand, quantiles that never cross.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Sequential, type LayerConfig } from "../../src/layers/sequential.js";
import { computeDistributionLoss, type DistributionLossSpec } from "../../src/train/losses.js";
import { Rng } from "../../src/util/random.js";
import { assertClose } from "../helpers/close.js";

const I = 3, K = 2, T = 2, B = 3;

function setup(head: LayerConfig, spec: DistributionLossSpec, seed = 1) {
  const net = new Sequential([head], { dtype: "float64", seed });
  const rng = new Rng(seed + 10);
  const x = Float64Array.from({ length: T * B * I }, () => rng.range(-1.5, 1.5));
  const target = new Float32Array(T * B * K).map(() => rng.range(-2, 2));
  const ctx = net.context(true, new Rng(0));
  const lengths = Int32Array.from([2, 1, 2]);
  const loss = (): number => {
    const y = net.forward({ data: x, T, B, F: I, lengths }, ctx);
    return computeDistributionLoss(spec, { y: y.data, T, B, O: y.F, target, lengths }, null).loss;
  };
  return { net, x, target, ctx, lengths, loss };
}

function check(head: LayerConfig, spec: DistributionLossSpec): void {
  const { net, x, target, ctx, lengths, loss } = setup(head, spec);
  const y = net.forward({ data: x, T, B, F: I, lengths }, ctx);
  const dy = new Float64Array(y.data.length);
  computeDistributionLoss(spec, { y: y.data, T, B, O: y.F, target, lengths }, dy);
  net.zeroGrads();
  const dx = net.layers[0]!.backward(dy, ctx)!;
  const h = 1e-6, numP = new Float64Array(net.params.length), numX = new Float64Array(x.length);
  for (const [buf, num] of [[net.params, numP], [x, numX]] as const) {
    for (let i = 0; i < buf.length; i++) {
      const v = buf[i]!;
      buf[i] = v + h; const lp = loss();
      buf[i] = v - h; const lm = loss();
      buf[i] = v;
      num[i] = (lp - lm) / (2 * h);
    }
  }
  assertClose(net.grads, numP, { atol: 1e-7, rtol: 1e-5 }, `${head.kind} parameter gradients`);
  assertClose(dx, numX, { atol: 1e-7, rtol: 1e-5 }, `${head.kind} input gradients`);
}

test("gaussian head + NLL: gradients match central differences (float64)", () => {
  check({ kind: "gaussian-head", inputSize: I, targets: K }, { name: "gaussian-nll" });
});

test("student-t head + NLL: gradients match central differences, ν included (float64)", () => {
  check({ kind: "student-t-head", inputSize: I, targets: K }, { name: "student-t-nll" });
});

test("quantile head + pinball: gradients match central differences (float64)", () => {
  const quantiles = [0.05, 0.3, 0.5, 0.8];
  check({ kind: "quantile-head", inputSize: I, targets: K, quantiles }, { name: "pinball", quantiles });
});

test("NLL and pinball values by hand", () => {
  const one = (spec: DistributionLossSpec, y: number[], t: number) =>
    computeDistributionLoss(spec, { y: Float64Array.from(y), T: 1, B: 1, O: y.length, target: Float32Array.of(t), lengths: null }, null).loss;
  // N(1, 2²) at 4: ½log 2π + log 2 + ½(3/2)² = 0.918939 + 0.693147 + 1.125
  assert.ok(Math.abs(one({ name: "gaussian-nll" }, [1, 2], 4) - 2.7370857137646) < 1e-9);
  // t with ν = 3, μ = 0, σ = 1 at 1: −log[Γ(2)/(Γ(1.5)√(3π)) · (1 + 1/3)^(−2)] = −log(0.2067483)
  assert.ok(Math.abs(one({ name: "student-t-nll" }, [0, 1, 3], 1) - -Math.log(0.20674833578317203)) < 1e-9);
  // pinball at τ = (0.1, 0.5, 0.9), q = (0, 1, 2), t = 1.5: (0.1·1.5 + 0.5·0.5 + 0.1·0.5)/3 = 0.15
  assert.ok(Math.abs(one({ name: "pinball", quantiles: [0.1, 0.5, 0.9] }, [0, 1, 2], 1.5) - 0.15) < 1e-12);
});

test("quantile head: quantiles never cross, whatever the weights", () => {
  const net = new Sequential([{ kind: "quantile-head", inputSize: 4, targets: 3, quantiles: [0.025, 0.1, 0.5, 0.9, 0.975] }], { dtype: "float64", seed: 3 });
  const rng = new Rng(5);
  for (let i = 0; i < net.params.length; i++) net.params[i] = rng.range(-20, 20);
  const x = Float64Array.from({ length: 50 * 4 }, () => rng.range(-10, 10));
  const y = net.forward({ data: x, T: 50, B: 1, F: 4, lengths: null }, net.context(false, rng)).data;
  for (let p = 0; p < 50 * 3; p++) for (let j = 1; j < 5; j++) assert.ok(y[p * 5 + j]! >= y[p * 5 + j - 1]!, `position ${p}: q${j} < q${j - 1}`);
});

test("heads are refused with where/expected/got", () => {
  assert.throws(() => new Sequential([{ kind: "quantile-head", inputSize: 2, targets: 1, quantiles: [0.5, 0.1] }]), /quantiles: expected an array of strictly increasing levels/);
  assert.throws(() => new Sequential([{ kind: "gaussian-head", inputSize: 2 }]), /targets/);
});
