/**
 * `gated compare`: several cells trained on the same task and data with the same budget (epochs,
 * batch size, learning rate, seed, hidden size); a table of parameters, time per epoch and final
 * metric, and a chart of the learning curves. Default: row-wise MNIST with GRU, GRU types 1/2/3,
 * MGU, LiGRU, minGRU and LSTM — the comparison of Dey & Salem and of the MGU papers.
 */
import type { Command } from "commander";
import { CELL_KINDS, type CellKind } from "../../cells/index.js";
import { OptionError } from "../../errors/index.js";
import { createSpec, Model } from "../../model/model.js";
import { htmlReport } from "../../report/html.js";
import { lineChart } from "../../report/svg/line-chart.js";
import { fit, type EpochRecord } from "../../train/fit.js";
import { assess, baselineScores, type Assessment } from "../assess.js";
import { kindOf, openData, taskOf, type DataArgs } from "../data.js";
import { addDataOptions, addFitOptions, createOptionsOf, fitOptionsOf, type FitArgs, type ModelArgs } from "../model-options.js";
import { progress, progressMode } from "../progress.js";
import { UserError } from "../errors.js";
import { writeSideOutput } from "../reports.js";

const DEFAULT_CELLS = "gru,gru1,gru2,gru3,mgu,ligru,mingru,lstm";

interface CompareArgs extends FitArgs, DataArgs {
  data: string; cells: string; subset?: number; hidden?: number; out: string; json?: boolean; quiet?: boolean; baselines?: boolean;
}

interface Row { cell: CellKind; parameters: number; secondsPerEpoch: number; history: EpochRecord[]; score: Assessment }

export function registerCompare(program: Command): void {
  const c = program.command("compare").description("train several cells on the same task with the same budget and compare them");
  addDataOptions(c);
  addFitOptions(c);
  // row-wise MNIST by default (the papers' comparison), in the help as well as in the run
  c.options.find((o) => o.long === "--data")!.default("mnist");
  c.setOptionValueWithSource("data", "mnist", "default");
  c.option("--cells <list>", "cells to compare (comma-separated)", DEFAULT_CELLS)
    .option("--subset <n>", "use at most n training (and n test) examples for a quick run", Number)
    .option("--hidden <n>", "hidden units of every cell (default per data set)", Number)
    .option("--out <file.html>", "report with the learning curves", "compare.html")
    .option("--json", "print the table as JSON")
    .option("--quiet", "no progress output")
    .option("--baselines", "forecasting: add the classical forecasters (seasonal naive, Holt-Winters, SARIMA when the package arima is installed) to the table, scored like the cells")
    .action(async (a: CompareArgs) => {
      const cells = a.cells.split(",").map((s) => s.trim()) as CellKind[];
      for (const cell of cells) if (!CELL_KINDS.includes(cell)) throw new OptionError(`--cells: unknown cell "${cell}"; valid cells: ${CELL_KINDS.join(", ")}`);
      const data = await openData(a.data, { ...a, ...(a.subset ? { limit: a.subset } : {}) }, a.seed);
      // refused before any training, not after it
      if (a.baselines && !data.series) throw new UserError(`--baselines: the data set "${data.name}" is not a series; baselines are for forecasting data`);
      const kind = kindOf(data);
      const rows: Row[] = [];
      for (const cell of cells) {
        const margs: ModelArgs = { cell, layers: 1, direction: "forward", bias: true, ...(a.hidden ? { hidden: a.hidden } : {}), ...(data.train.x instanceof Int32Array ? { embedding: 32 } : {}) };
        const model = new Model(createSpec(createOptionsOf(margs, kind, taskOf(data))), { seed: a.seed });
        const fo = fitOptionsOf(a, kind, Math.ceil(data.train.count / (a.batchSize ?? 32)));
        const bar = progress(progressMode(a), Math.ceil(data.train.count / fo.batchSize) * fo.epochs, cell.padEnd(6));
        const t0 = Date.now();
        const r = await fit(model, data.train, { ...fo, ...(data.validation ? { validation: data.validation } : {}), onBatch: (b) => bar.batch(b), onEpoch: (e) => bar.epoch(e, "") });
        bar.stop();
        const seconds = (Date.now() - t0) / 1000;
        rows.push({ cell, parameters: model.net.trainableCount, secondsPerEpoch: seconds / r.history.length, history: [...r.history], score: assess(model, data, data.test ? "test" : "validation") });
      }
      const baselines = a.baselines ? await baselineScores(data, data.test ? "test" : "validation") : [];
      // the table is the result; the report beside it is written atomically, its failure a warning
      const wrote = writeSideOutput("the report", a.out, () => report(data.name, rows));
      if (a.json) {
        process.stdout.write(JSON.stringify({ data: data.name, report: wrote ? a.out : null, rows: rows.map(({ history, ...r }) => ({ ...r, validationLoss: history.map((h) => h.validation?.loss ?? null) })), ...(a.baselines ? { baselines } : {}) }, null, 2) + "\n");
        return;
      }
      process.stdout.write(table(data.name, rows, baselines) + (wrote ? `report: ${a.out}\n` : ""));
    });
}

function fmt(a: Assessment): string {
  return a.metric === "accuracy" ? `${(100 * a.value).toFixed(2)}%` : a.value.toFixed(4);
}

function table(name: string, rows: Row[], baselines: readonly { name: string; value: number }[] = []): string {
  const m = rows[0]!.score;
  const head = ["cell", "parameters", "s/epoch", `${m.split} ${m.metric}`];
  const body = [
    ...rows.map((r) => [r.cell, r.parameters.toLocaleString("en"), r.secondsPerEpoch.toFixed(2), fmt(r.score)]),
    ...baselines.map((b) => [b.name, "—", "—", Number.isNaN(b.value) ? "fit failed" : fmt({ ...m, value: b.value })]),
  ];
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
  return [`gated compare on ${name} (${m.baselineName}: ${fmt({ ...m, value: m.baseline })})`, line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line), ""].join("\n");
}

function report(name: string, rows: Row[]): string {
  const curve = lineChart({
    title: `Validation loss per epoch on ${name}`, xLabel: "epoch", yLabel: "validation loss",
    series: rows.map((r) => ({ name: r.cell, y: r.history.map((h) => h.validation?.loss ?? h.train.loss) })),
  });
  const m = rows[0]!.score;
  return htmlReport({
    title: `gated compare: ${name}`,
    sections: [
      { heading: "Results", table: { columns: ["cell", "parameters", "seconds per epoch", `${m.split} ${m.metric}`], rows: rows.map((r) => [r.cell, String(r.parameters), r.secondsPerEpoch.toFixed(2), fmt(r.score)]) } },
      { heading: "Learning curves", svg: [curve] },
    ],
  });
}
