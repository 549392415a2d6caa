// Distribution heads in trained models: a small GRU with each head on CO2 (bounded epochs), its
// intervals' coverage on the test split, predict/forecast intervals in the data's units, save/load.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadDataset } from "../../src/data/index.js";
import { OptionError } from "../../src/errors/index.js";
import { distributionHead, gru, sequentialSpec } from "../../src/model/builder.js";
import { createSpec, Model } from "../../src/model/model.js";
import type { DistributionOption } from "../../src/model/distribution.js";
import { evaluate } from "../../src/train/evaluate.js";
import { fit } from "../../src/train/fit.js";

const HEADS: [string, DistributionOption][] = [["gaussian", "gaussian"], ["student-t", "student-t"], ["quantile", { quantiles: [0.025, 0.1, 0.5, 0.9, 0.975] }]];

describe("distribution heads in trained models (CO2)", { timeout: 240_000 }, () => {
  for (const [name, distribution] of HEADS) {
    it(`${name}: trains, covers the test split, forecasts intervals in ppm, survives save/load`, async () => {
      const ds = await loadDataset("co2", { relative: true });
      const d = ds.series!;
      const spec = createSpec({
        input: { kind: "features", features: ds.train.features }, cell: "gru", hiddenSize: 16,
        task: { target: "regression", perStep: false, outputs: ds.train.outputs, distribution },
        data: { normalisation: ds.normalisation!, window: d.window, horizon: d.horizon, targetColumns: d.targetColumns, relative: d.relative === true },
      });
      assert.equal(spec.layers.at(-1)!.kind, `${name}-head`);
      const model = new Model(spec, { seed: 3 });
      await fit(model, ds.train, { epochs: 8, batchSize: 32, seed: 1, optimizer: { kind: "adam", lr: 0.01 }, ...(ds.validation ? { validation: ds.validation } : {}) });
      const m = evaluate(model, ds.test!);
      console.log(`${name}: test coverage80 ${m.coverage80!.toFixed(3)} coverage95 ${m.coverage95!.toFixed(3)} pinball ${m.pinball!.toFixed(4)} crps ${m.crps!.toFixed(4)} rmse ${m.rmse!.toFixed(4)} (normalised)`);
      assert.ok(m.coverage95! >= 0.6 && m.coverage95! <= 1, `coverage95 ${m.coverage95}`);
      assert.ok(m.coverage80! <= m.coverage95!);
      assert.ok(m.crps! > 0 && m.pinball! > 0 && m.crps! < m.mae! * 1.01 + 1e-9, `CRPS ${m.crps} ≤ MAE ${m.mae}`);

      // forecast: ppm, ordered ends, the point inside
      const hist = Array.from({ length: d.window + 5 }, (_, i) => d.values[i * d.features + d.targetColumns[0]!]!);
      const f = model.forecast(hist);
      const iv = f.intervals!;
      assert.ok(iv, "a head model's forecast carries intervals");
      for (let i = 0; i < f.data.length; i++) {
        assert.ok(iv.lower95[i]! <= iv.lower80[i]! && iv.lower80[i]! <= f.data[i]! && f.data[i]! <= iv.upper80[i]! && iv.upper80[i]! <= iv.upper95[i]!, `ordered at ${i}`);
        assert.ok(f.data[i]! > 300 && f.data[i]! < 450, `ppm ${f.data[i]}`);
      }
      // units "model" and "data": locations by std and mean, scales by std
      const x = [hist.slice(-d.window).map((v) => [v])];
      const { mean: [mu], std: [std] } = ds.normalisation! as { mean: number[]; std: number[] };
      const n = x[0]!.map(([v]) => (v! - mu!) / std!), xn = [n.map((v) => [v - n[n.length - 1]!])];
      const a = model.predict(x), b = model.predict(xn, { units: "model" });
      const w = (o: typeof a) => o.intervals!.upper95[0]! - o.intervals!.lower95[0]!;
      assert.ok(Math.abs(w(a) - std! * w(b)) <= 1e-3 * w(a), `width ${w(a)} vs ${std} × ${w(b)}`);

      const back = Model.fromBytes(model.toBytes());
      assert.deepEqual(back.spec.task.distribution, model.spec.task.distribution);
      const g = back.forecast(hist);
      assert.deepEqual(Array.from(g.intervals!.upper95), Array.from(iv.upper95));
    });
  }
});

describe("distribution heads in specs", () => {
  it("sequential ends with distributionHead; the task says its loss; refusals name what is wrong", () => {
    const spec = sequentialSpec({ input: { features: 2 } }, [gru({ units: 4, returnSequences: false }), distributionHead({ distribution: { quantiles: [0.1, 0.5, 0.9] }, targets: 3 })], { task: "regression" });
    assert.deepEqual(spec.task, { target: "regression", perStep: false, outputs: 3, loss: { name: "mae", delta: 1 }, distribution: { name: "pinball", quantiles: [0.1, 0.5, 0.9] } });
    assert.deepEqual(spec.layers.at(-1), { kind: "quantile-head", inputSize: 4, targets: 3, quantiles: [0.1, 0.5, 0.9] });
    const model = new Model(spec, { seed: 1 });
    const out = model.predict([[[0.1, 0.2], [0.3, -0.1]]]);
    assert.deepEqual(out.shape, [1, 3]);
    // levels without 0.025/0.975: no 95% interval (NaN), the 80% one from 0.1 and 0.9
    assert.ok(Number.isNaN(out.intervals!.lower95[0]!) && out.intervals!.lower80[0]! <= out.data[0]! && out.data[0]! <= out.intervals!.upper80[0]!);
    assert.throws(() => sequentialSpec({ input: { features: 2 } }, [gru({ units: 4 }), distributionHead({ distribution: "gaussian" })], { task: "regression", loss: "mse" }),
      (e: Error) => e instanceof OptionError && /distribution head trains its own loss \(gaussian-nll\)/.test(e.message));
    assert.throws(() => sequentialSpec({ input: { features: 2 } }, [gru({ units: 4 }), distributionHead({ distribution: "laplace" as never })], { task: "regression" }),
      /distribution: expected "gaussian", "student-t" or \{ quantiles: \[levels\] \}, got "laplace"/);
    assert.throws(() => new Model({ ...spec, task: { ...spec.task, distribution: { name: "gaussian-nll" } } }),
      /model: a gaussian-nll task ends with a gaussian-head layer, got quantile-head/);
    assert.throws(() => new Model({ ...spec, task: { ...spec.task, outputs: 2 } }), /the quantile-head gives 3 target\(s\), the task needs 2/);
    assert.throws(() => createSpec({ input: { kind: "features", features: 1 }, cell: "gru", hiddenSize: 4, task: { target: "class", perStep: false, outputs: 2, distribution: "gaussian" } }),
      /a distribution head forecasts values/);
  });
});
