/**
 * Worker side: the chosen task as a gated Dataset (co2, Mackey–Glass, a dropped CSV, the adding
 * problem through gated/data; sentiment through sentiment.ts) and the model spec for it
 * (createSpec: one recurrent stack, its last step, a dense head), with the data facts a model keeps.
 */
import { createSpec, type CellKind, type Dataset, type DataInfo, type ModelSpec } from "../../src/index.js";
import { loadCsv, loadDataset } from "../../src/data/browser.js";
import type { TaskConfig, TrainConfig } from "./protocol.js";
import { fetchSentences, sentimentData } from "./sentiment.js";

export async function loadTask(t: TaskConfig, seed: number): Promise<Dataset> {
  switch (t.name) {
    case "co2": return loadDataset("co2", { window: t.steps, relative: true });
    case "mackey-glass": return loadDataset("mackey-glass", { window: t.steps, length: 1500 });
    case "adding": return loadDataset("adding", { steps: t.steps, count: 1000, validationCount: 200, testCount: 200, seed });
    case "csv": {
      if (!t.csv) throw new Error("drop a CSV file first (a header row, then one row per time step)");
      return loadCsv(t.csv.text, { window: t.steps, name: t.csv.fileName });
    }
    case "sentiment": {
      const s = await fetchSentences(new URL("data/sentiment.json", self.location.href)); // beside worker.js
      if (typeof s === "string") throw new Error(s);
      return sentimentData(s, t.steps, seed);
    }
  }
}

/** The data facts the model keeps, so predictions and forecasts are in the data's units. */
function dataInfo(d: Dataset): DataInfo {
  const s = d.series;
  if (s && d.normalisation) {
    return {
      name: d.name, normalisation: d.normalisation, columns: s.columns, targetColumns: s.targetColumns, window: s.window,
      horizon: s.horizon, ...(s.relative ? { relative: true } : {}), ...(s.season ? { season: s.season } : {}),
    };
  }
  return { name: d.name, ...(d.vocabulary ? { vocabulary: d.vocabulary } : {}), ...(d.classes ? { classes: d.classes } : {}) };
}

export function specFor(d: Dataset, c: TrainConfig): ModelSpec {
  const tr = d.train;
  const input = tr.x instanceof Int32Array ? { kind: "tokens" as const, vocabularySize: tr.features } : { kind: "features" as const, features: tr.features };
  return createSpec({
    input, embedding: 16, cell: c.cell as CellKind, hiddenSize: c.units, layers: c.layers,
    task: { target: tr.target, perStep: tr.perStep, outputs: tr.outputs }, data: dataInfo(d),
  });
}
