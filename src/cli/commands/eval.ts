/**
 * `gated eval MODEL`: the model's metrics on a data set split, beside the naive baseline. The data
 * is the model's own, opened with every data option saved with the model (target, columns,
 * window, horizon, relative, limit, steps, seed); `--data` names other data, opened the same way.
 */
import { basename, extname } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import { loadModel } from "../../node/files.js";
import { evaluate } from "../../train/evaluate.js";
import { anomalyReports, describeAnomalies } from "../anomalies.js";
import { assess, backtestSeries, defaultSplit, describeAssessment, describeBacktest, splitOf } from "../assess.js";
import { conformToModel, openData, savedDataArgs, type GivenData } from "../data.js";
import { UserError } from "../errors.js";
import { addDataOptions } from "../model-options.js";
import { isSeq2seqFile, seq2seqEval } from "../seq2seq.js";

interface EvalArgs extends GivenData {
  split?: string; json?: boolean; backtest?: number; anomalies?: boolean; autoArima?: boolean;
}

export function registerEval(program: Command): void {
  const c = program.command("eval").description("metrics of a model on the data it was trained on (or --data …), with the data options saved with the model")
    .argument("<model>", "model file (.safetensors)");
  addDataOptions(c);
  c.addOption(new Option("--split <name>", "which part of the data (default: test, or validation where the data has no test part)").choices(["train", "validation", "test"]))
    .option("--json", "print the metrics as JSON")
    .option("--backtest <n>", "also backtest on n rolling origins at the end of the series (forecasting): each fold and the mean ± sd, beside the classical baselines", Number)
    .option("--auto-arima", "with --backtest: also the arima package's auto-(S)ARIMA (an order search on every fold: slow)")
    .option("--anomalies", "also detect the labelled anomalies (sensor-anomalies) from one-step forecast residuals: precision, recall and F1 on the test rows beside persistence's")
    .action(async (path: string, a: EvalArgs, cmd: Command) => {
      if (isSeq2seqFile(path)) return seq2seqEval(path, a);
      const model = loadModel(path);
      const { name, args, seed } = savedDataArgs(model, a, (k) => cmd.getOptionValueSource(k) === "cli", "eval");
      const data = conformToModel(await openData(name, args, seed), model);
      const split = a.split ?? defaultSplit(data);
      const m = evaluate(model, splitOf(data, split));
      const score = assess(model, data, split);
      if (a.backtest !== undefined && !(Number.isSafeInteger(a.backtest) && a.backtest >= 1)) throw new UserError(`--backtest: expected a positive integer number of folds, got ${a.backtest}`);
      if (a.autoArima && !a.backtest) throw new UserError("--auto-arima: it adds auto-(S)ARIMA to the backtest; give --backtest N");
      const folds = a.backtest ? await backtestSeries(model, data, a.backtest, a.autoArima === true) : undefined;
      const anomalies = a.anomalies ? anomalyReports(model, data) : undefined;
      if (a.json) {
        process.stdout.write(JSON.stringify({ model: path, data: data.name, split, metrics: m, assessment: score, ...(folds ? { backtest: folds } : {}), ...(anomalies ? { anomalies } : {}) }, null, 2) + "\n");
        return;
      }
      const lines = [`gated eval: ${basename(path, extname(path))} on ${data.name} (${split}, ${m.count} ${model.spec.task.loss.name === "ctc" ? "labels" : model.spec.task.perStep ? "steps" : "sequences"})`, `  loss ${m.loss.toFixed(4)}`];
      const pct = (k: string) => k === "accuracy" || k.startsWith("coverage");
      for (const [k, v] of Object.entries(m)) if (k !== "loss" && k !== "count" && v !== undefined) lines.push(`  ${k} ${Number.isNaN(v) ? "— (not given by this head)" : pct(k) ? `${(100 * v).toFixed(2)}%` : v.toFixed(4)}`);
      lines.push(`  ${describeAssessment(score)}`);
      if (folds) lines.push(describeBacktest(folds, score.unit));
      if (anomalies) lines.push(describeAnomalies(anomalies));
      process.stdout.write(lines.join("\n") + "\n");
    });
}
