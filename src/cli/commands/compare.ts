/**
 * `gated compare`: several cells trained on the same task and data with the same budget (epochs,
 * batch size, learning rate, seed, hidden size); a table of parameters, time per epoch and final
 * metric, and a chart of the learning curves. Default: row-wise MNIST with GRU, GRU types 1/2/3,
 * MGU, LiGRU, minGRU and LSTM — the comparison of Dey & Salem and of the MGU papers.
 */
import { Option, type Command } from "commander";
import { CELL_KINDS, type CellKind } from "../../cells/index.js";
import { OptionError } from "../../errors/index.js";
import { Model } from "../../model/model.js";
import { htmlReport } from "../../report/html.js";
import { lineChart } from "../../report/svg/line-chart.js";
import { fit, type EpochRecord } from "../../train/fit.js";
import { assess, baselineScores, type Assessment } from "../assess.js";
import { backtestBaselines, backtestModel, backtestPlans, backtestTable } from "../backtest-table.js";
import type { BacktestResult } from "../../train/backtest.js";
import { kindOf, openData, taskOf, withDataDefaults, type DataArgs } from "../data.js";
import { addDataOptions, addFitOptions, fitOptionsOf, specOf, type FitArgs, type ModelArgs } from "../model-options.js";
import { progress, progressMode } from "../progress.js";
import { UserError } from "../errors.js";
import { writeSideOutput } from "../reports.js";
import { isSeq2seqData } from "../seq2seq.js";
import { seq2seqCompare, type Seq2seqCompareArgs } from "../seq2seq-compare.js";

const DEFAULT_CELLS = "gru,gru1,gru2,gru3,mgu,ligru,mingru,lstm";

const positiveInt = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new OptionError(`--${name} must be a positive integer, got "${v}"`);
  return n;
};

interface CompareArgs extends FitArgs, DataArgs {
  data: string; cells: string; subset?: number; hidden?: number; out: string; json?: boolean; quiet?: boolean; baselines?: boolean;
  layers: number; direction: NonNullable<ModelArgs["direction"]>; dropout?: number; recurrentDropout?: number; normalisation?: string;
}

/** compare --backtest N (backtest-table.ts), and the cells' distribution head for its interval metrics. */
interface CompareArgs { backtest?: number; distribution?: ModelArgs["distribution"]; autoArima?: boolean }

interface Row { cell: CellKind | "none"; parameters: number; secondsPerEpoch: number; history: EpochRecord[]; score: Assessment }

export function registerCompare(program: Command): void {
  const c = program.command("compare").description("train several cells on the same task with the same budget and compare them");
  addDataOptions(c);
  addFitOptions(c);
  // row-wise MNIST by default (the papers' comparison), in the help as well as in the run
  c.options.find((o) => o.long === "--data")!.default("mnist");
  c.setOptionValueWithSource("data", "mnist", "default");
  c.option("--cells <list>", "cells to compare (comma-separated; none: the frame-wise baseline of per-step tasks)", DEFAULT_CELLS)
    .option("--subset <n>", "use at most n training (and n test) examples for a quick run", Number)
    .option("--hidden <n>", "hidden units of every cell (default per data set)", Number)
    .option("--layers <n>", "stacked recurrent layers of every cell", positiveInt("layers"), 1)
    .addOption(new Option("--direction <d>", "direction of every stack").choices(["forward", "reverse", "bidirectional"]).default("forward"))
    .option("--dropout <p>", "dropout after the recurrent stack", Number)
    .option("--recurrent-dropout <p>", "dropout on the recurrent connections (one mask per sequence) of every cell", Number)
    .addOption(new Option("--normalisation <n>", "LiGRU only: its input normalisation (default batch)").choices(["batch", "layer", "none"]))
    .option("--out <file.html>", "report with the learning curves", "compare.html")
    .option("--json", "print the table as JSON")
    .option("--quiet", "no progress output")
    .option("--baselines", "forecasting: add the classical forecasters (seasonal naive, Holt-Winters, SARIMA when the package arima is installed) to the table, scored like the cells")
    .option("--auto-arima", "forecasting: with --baselines or --backtest, also the arima package's auto-(S)ARIMA (an order search on every fit: slow)")
    .option("--backtest <n>", "forecasting: also score the cells and the classical forecasters over n rolling origins at the end of the series (mean ± sd of RMSE, MAE, MASE, interval coverage, pinball, CRPS)", positiveInt("backtest"))
    .addOption(new Option("--distribution <kind>", "forecasting: every cell predicts a distribution (its intervals are scored by --backtest)").choices(["gaussian", "student-t", "quantile"]))
    .option("--attention <list>", "encoder–decoder data (dates, cmudict): attention forms to compare (default none,luong,bahdanau)")
    .action(async (given: CompareArgs) => {
      // (source, target) pairs: encoder–decoders, each cell with each attention form (cli/seq2seq-compare.ts)
      if (isSeq2seqData(given.data)) return seq2seqCompare(given as unknown as Seq2seqCompareArgs);
      // a data set's own training settings for the options not given (catalog.ts `training`)
      const { args: a, note } = withDataDefaults(given.data, given);
      const cells = a.cells.split(",").map((s) => s.trim()) as (CellKind | "none")[];
      for (const cell of cells) if (cell !== "none" && !CELL_KINDS.includes(cell)) throw new OptionError(`--cells: unknown cell "${cell}"; valid cells: ${CELL_KINDS.join(", ")}, and none (the frame-wise baseline of per-step tasks)`);
      const data = await openData(a.data, { ...a, ...(a.subset ? { limit: a.subset } : {}) }, a.seed);
      // refused before any training, not after it
      if (a.baselines && !data.series) throw new UserError(`--baselines: the data set "${data.name}" is not a series; baselines are for forecasting data`);
      if (a.autoArima && !a.baselines && a.backtest === undefined) throw new UserError("--auto-arima: it adds auto-(S)ARIMA to the baselines; give --baselines or --backtest N");
      const plans = a.backtest !== undefined ? backtestPlans(data, a.backtest) : [], folds = plans.map((): BacktestResult[] => []);
      const kind = kindOf(data);
      const rows: Row[] = [];
      for (const cell of cells) {
        const margs: ModelArgs = {
          // none (the frame-wise baseline): --layers dense layers, no direction or recurrent dropout to give
          cell, layers: a.layers, direction: cell === "none" ? "forward" : a.direction, bias: true, ...(a.hidden ? { hidden: a.hidden } : {}), ...(data.train.x instanceof Int32Array ? { embedding: 32 } : {}),
          ...(a.dropout !== undefined ? { dropout: a.dropout } : {}), ...(a.recurrentDropout !== undefined && cell !== "none" ? { recurrentDropout: a.recurrentDropout } : {}),
          ...(a.normalisation !== undefined && cell === "ligru" ? { normalisation: a.normalisation } : {}),
          ...(a.distribution ? { distribution: a.distribution } : {}),
        };
        const model = new Model(specOf(margs, kind, taskOf(data)), { seed: a.seed });
        const fo = fitOptionsOf(a, kind, Math.ceil(data.train.count / (a.batchSize ?? 32)));
        const bar = progress(progressMode(a), Math.ceil(data.train.count / fo.batchSize) * fo.epochs, cell.padEnd(6));
        const t0 = Date.now();
        const r = await fit(model, data.train, { ...fo, ...(data.validation ? { validation: data.validation } : {}), onBatch: (b) => bar.batch(b), onEpoch: (e) => bar.epoch(e, "") });
        bar.stop();
        const seconds = (Date.now() - t0) / 1000;
        rows.push({ cell, parameters: model.net.trainableCount, secondsPerEpoch: seconds / r.history.length, history: [...r.history], score: assess(model, data, data.test ? "test" : "validation") });
        plans.forEach((p, i) => folds[i]!.push(backtestModel(model, p, cell)));
      }
      for (const [i, p] of plans.entries()) folds[i]!.push(...(await backtestBaselines(data, p, a.autoArima === true)));
      const baselines = a.baselines ? await baselineScores(data, data.test ? "test" : "validation", a.autoArima === true) : [];
      // the table is the result; the report beside it is written atomically, its failure a warning
      const wrote = writeSideOutput("the report", a.out, () => report(data.name, rows));
      if (a.json) {
        process.stdout.write(JSON.stringify({ data: data.name, report: wrote ? a.out : null, rows: rows.map(({ history, ...r }) => ({ ...r, validationLoss: history.map((h) => h.validation?.loss ?? null) })), ...(a.baselines ? { baselines } : {}), ...(plans.length ? { backtest: plans.map((p, i) => ({ column: p.column, results: folds[i] })) } : {}) }, null, 2) + "\n");
        return;
      }
      process.stdout.write((note ? `${note}\n` : "") + table(data.name, rows, baselines) + plans.map((p, i) => "\n" + backtestTable(data, p, folds[i]!)).join("") + (wrote ? `report: ${a.out}\n` : ""));
    });
}

function fmt(a: Assessment): string {
  return a.metric === "accuracy" ? `${(100 * a.value).toFixed(2)}%` : a.value.toFixed(4);
}

function table(name: string, rows: Row[], baselines: readonly { name: string; value: number }[] = []): string {
  const m = rows[0]!.score;
  // several target columns: each column's RMSE beside the pooled one (which mixes their units)
  const cols = m.columns?.names ?? [];
  const head = ["cell", "parameters", "s/epoch", `${m.split} ${m.metric}${cols.length ? ` (${cols.length} columns pooled)` : ""}`, ...cols];
  const colCells = (v: readonly number[] | undefined) => cols.map((_, i) => (v ? fmt({ ...m, value: v[i]! }) : "—"));
  const body = [
    ...rows.map((r) => [r.cell, r.parameters.toLocaleString("en"), r.secondsPerEpoch.toFixed(2), fmt(r.score), ...colCells(r.score.columns?.value)]),
    ...(m.columns ? [[m.baselineName, "—", "—", fmt({ ...m, value: m.baseline }), ...colCells(m.columns.baseline)]] : []),
    ...baselines.map((b) => [b.name, "—", "—", Number.isNaN(b.value) ? "fit failed" : fmt({ ...m, value: b.value }), ...colCells(undefined)]),
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
