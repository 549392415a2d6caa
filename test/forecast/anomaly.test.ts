// Forecast-residual anomaly detection: the metrics on hand-made cases with known answers, the
// threshold search, and detection on the generated sensor set (persistence against the injected
// spikes; a forecaster that knows the clean readings beats persistence).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANOMALY_KINDS, sensorAnomaliesDataset } from "../../src/data/sensor-anomalies.js";
import type { SequenceSet } from "../../src/data/types.js";
import { OptionError } from "../../src/errors/index.js";
import { bestThreshold, detectAnomalies, eventMetrics, eventPeaks, persistenceSource, pointMetrics, type ResidualSource } from "../../src/train/anomaly.js";

describe("anomaly metrics", () => {
  it("point-wise precision, recall and F1 of a hand-made case", () => {
    //          flags  1 1 0 0 1 0 1 0
    //          labels 1 0 0 1 1 0 0 0   → TP 2, FP 2, FN 1
    const m = pointMetrics([1, 1, 0, 0, 1, 0, 1, 0], [1, 0, 0, 2, 3, 0, 0, 0]);
    assert.deepEqual(m.counts, { tp: 2, fp: 2, fn: 1 });
    assert.equal(m.precision, 0.5);
    assert.equal(m.recall, 2 / 3);
    assert.equal(m.f1, (2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3));
    const none = pointMetrics([0, 0], [0, 1]);
    assert.ok(Number.isNaN(none.precision));
    assert.equal(none.recall, 0);
  });

  it("event-wise: recall over events (found by any flagged cell), precision over flagged cells", () => {
    // rows 10..19 (N 10), two target columns = series columns 3 and 5
    //   row      10 11 12 13 14 15 16 17 18 19
    //   col 3    .  E  E  E  .  .  .  .  .  .     event A rows [11, 14)
    //   flags    .  .  F  F  F  .  .  F  .  .     A found; 2 of the 4 flagged cells labelled
    //   col 5    .  .  .  .  .  .  E  .  .  E     event B [16, 17), event C [19, 22) (reaches past the rows)
    //   flags    .  .  .  .  .  .  .  .  .  .     B, C missed
    // event D in column 4 (not a target) is ignored, event E [2, 5) lies before the rows
    const N = 10, C = 2, flags = new Uint8Array(N * C), labels = new Uint8Array(N * C), scores = new Float64Array(N * C);
    for (const r of [12, 13, 14, 17]) flags[(r - 10) * C] = 1;
    for (const r of [11, 12, 13]) labels[(r - 10) * C] = 1;
    labels[(16 - 10) * C + 1] = 1;
    labels[(19 - 10) * C + 1] = 1;
    const events = [
      { column: 3, start: 11, end: 14, kind: "level-shift" }, { column: 5, start: 16, end: 17, kind: "spike" },
      { column: 5, start: 19, end: 22, kind: "drift" }, { column: 4, start: 12, end: 13, kind: "spike" }, { column: 3, start: 2, end: 5, kind: "spike" },
    ];
    const m = eventMetrics(flags, labels, N, [3, 5], events, 10);
    assert.deepEqual(m.counts, { found: 1, events: 3, tp: 2, flagged: 4 });
    assert.equal(m.precision, 0.5);
    assert.equal(m.recall, 1 / 3);
    assert.equal(m.f1, 0.4);
    // each event's peak score: A over rows 11–13 of column 0, B row 16 and C row 19 of column 1
    scores[(12 - 10) * C] = 4; scores[(13 - 10) * C] = 7; scores[(16 - 10) * C + 1] = 2; scores[(19 - 10) * C + 1] = 3;
    assert.deepEqual([...eventPeaks(scores, N, [3, 5], events, 10)], [7, 2, 3]);
  });

  it("the threshold maximises the event-wise F1; none can be chosen without events", () => {
    // scores 9 8 7 6 5, labels 1 0 1 1 0, events A (cells of 9 and 7, peak 9) and B (the cell of 6):
    // flag {9}: P 1, R ½ → 0.667; {9,8,7}: ⅔, ½ → 0.571; {9,8,7,6}: ¾, 1 → 0.857 (best); all: ⅗, 1 → 0.75
    assert.equal(bestThreshold([9, 8, 7, 6, 5], [1, 0, 1, 1, 0], [9, 6]), 5.5);
    // ties flag together: scores 3 3 1, labels 1 0 0, one event of peak 3 → flag both (F1 ⅔), τ 2
    assert.equal(bestThreshold([3, 1, 3], [1, 0, 0], [3]), 2);
    assert.throws(() => bestThreshold([1, 2], [0, 0], []), (e: unknown) => e instanceof OptionError && /no labelled anomaly/.test(e.message));
  });
});

describe("sensor-anomalies and detection", () => {
  const d = sensorAnomaliesDataset({ days: 3, motes: 2, rate: 4, seed: 5 });
  const sr = d.series!, a = sr.anomalies!, F = sr.features;

  it("the generated series: columns, labels per cell matching the events, filled gaps, determinism", () => {
    assert.equal(F, 8);
    assert.equal(sr.length, Math.floor((3 * 86400) / 31));
    assert.deepEqual(sr.columns.slice(0, 4), ["m1 temperature", "m1 humidity", "m1 light", "m1 voltage"]);
    assert.equal(sr.labels![1], "2004-02-28T00:00:31Z");
    assert.deepEqual(a.kinds, ANOMALY_KINDS);
    let labelled = 0;
    for (const v of a.cells) if (v) labelled++;
    assert.equal(labelled, a.events.reduce((s, e) => s + e.end - e.start, 0));
    for (const e of a.events) for (let r = e.start; r < e.end; r++) assert.equal(a.kinds[a.cells[r * F + e.column]! - 1], e.kind);
    assert.ok(a.events.length >= 0.9 * 4 * 3 * F, `${a.events.length} events`);
    assert.ok(a.filled!.some((v) => v === 1));
    assert.deepEqual(sensorAnomaliesDataset({ days: 3, motes: 2, rate: 4, seed: 5 }).series!.values, sr.values);
    assert.match(d.description, /GENERATED/);
  });

  it("persistence finds most injected spikes (event-wise) on the test rows", () => {
    const many = sensorAnomaliesDataset({ days: 4, motes: 2, rate: 12, seed: 5 }), ms = many.series!;
    // the threshold tuned on the validation rows' spikes, recall counted over the test rows' spikes
    const spikes = ms.anomalies!.events.filter((e) => e.kind === "spike"), inTest = spikes.filter((e) => e.start >= ms.testStart).length;
    const r = detectAnomalies({ ...many, series: { ...ms, anomalies: { ...ms.anomalies!, events: spikes } } }, persistenceSource(ms.targetColumns));
    assert.ok(inTest >= 10, `${inTest} spikes`);
    assert.equal(r.test.event.counts.events, inTest);
    assert.ok(r.test.event.recall >= 0.8, `spike recall ${r.test.event.recall}`);
  });

  it("a forecaster that knows the clean readings beats persistence on point-wise and event-wise F1", () => {
    // the oracle forecasts each row as the same series without its anomalies (rate 0: same readings and gaps)
    const clean = sensorAnomaliesDataset({ days: 3, motes: 2, rate: 0, seed: 5 }).series!.values, norm = d.normalisation!;
    const firstRow = new Map<SequenceSet, number>([[d.validation!, sr.validationStart], [d.test!, sr.testStart]]);
    const oracle: ResidualSource = {
      name: "oracle",
      forecast: (set) => {
        const r0 = firstRow.get(set)!, point = new Float32Array(set.count * F);
        for (let s = 0; s < set.count; s++) for (let c = 0; c < F; c++) point[s * F + c] = (clean[(r0 + s) * F + c]! - norm.mean[c]!) / norm.std[c]!;
        return { point };
      },
    };
    const o = detectAnomalies(d, oracle), p = detectAnomalies(d, persistenceSource(sr.targetColumns));
    // the events of each kind add up to the test rows' events, and so do the found ones
    for (const r of [o, p]) {
      const kinds = Object.values(r.byKind);
      assert.deepEqual(Object.keys(r.byKind), [...ANOMALY_KINDS]);
      assert.equal(kinds.reduce((n, k) => n + k.events, 0), r.test.event.counts.events);
      assert.equal(kinds.reduce((n, k) => n + k.found, 0), r.test.event.counts.found);
    }
    assert.ok(o.test.point.f1 > p.test.point.f1, `oracle ${o.test.point.f1} vs persistence ${p.test.point.f1}`);
    assert.ok(o.test.event.f1 > p.test.event.f1, `oracle ${o.test.event.f1} vs persistence ${p.test.event.f1}`);
  });

  it("a predicted scale divides the residual: twice the scale, half the threshold, the same flags", () => {
    const persistence = persistenceSource(sr.targetColumns);
    const withScale = (k: number): ResidualSource => ({ name: `scale ${k}`, forecast: (set) => ({ point: persistence.forecast(set).point, scale: new Float64Array(set.count * set.outputs).fill(k) }) });
    const one = detectAnomalies(d, withScale(1)), two = detectAnomalies(d, withScale(2));
    assert.equal(one.scoring, "predicted scale");
    assert.ok(Math.abs(two.threshold - one.threshold / 2) < 1e-12 * one.threshold);
    assert.deepEqual(two.test, one.test);
  });

  it("a set without labels, or an unknown option, is refused", () => {
    const { series: _s, ...rest } = d;
    assert.throws(() => detectAnomalies({ ...rest, series: { ...sr, anomalies: undefined as never } }, persistenceSource([0])), (e: unknown) => e instanceof OptionError && /no anomaly labels/.test(e.message));
    assert.throws(() => sensorAnomaliesDataset({ mote: 2 } as never), (e: unknown) => e instanceof OptionError && /"mote"/.test(e.message));
  });
});
