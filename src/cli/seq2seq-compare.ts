/**
 * `gated compare --data dates|cmudict --cells gru,lstm,mgu [--attention none,luong,bahdanau]`: every
 * cell × attention form trained with the same budget as `gated train` (cli/seq2seq.ts), a table of
 * parameters, seconds per epoch and exact match (dates: held-out days and locale) or WER / PER
 * (cmudict), and an HTML report with the loss curves and one attention map per cell (the first
 * held-out source).
 */
import type { CellKind } from "../cells/index.js";
import type { CmudictOptions } from "../data/cmudict.js";
import { loadDates, type DatesOptions } from "../data/dates.js";
import { loadCmudict } from "../data/node/cmudict.js";
import { htmlReport } from "../report/html.js";
import { lineChart } from "../report/svg/line-chart.js";
import type { AttentionKind } from "../seq2seq/attention.js";
import type { FitArgs } from "./model-options.js";
import { UserError } from "./errors.js";
import { writeSideOutput } from "./reports.js";
import { attentionOf, attentionSvg, cellOf, decodeTarget, encodeSource, scoresOf, trainingSet, trainOne, translate, type Score, type Seq2seqTrainArgs } from "./seq2seq.js";

export interface Seq2seqCompareArgs extends FitArgs {
  data: string; cells: string; attention?: string; subset?: number; hidden?: number; layers?: number; out: string; json?: boolean; quiet?: boolean;
}

interface CompareRow { cell: CellKind; attention: AttentionKind; parameters: number; secondsPerEpoch: number; losses: readonly number[]; scores: Score[]; map: string | null }

export async function seq2seqCompare(a: Seq2seqCompareArgs): Promise<void> {
  const other = a as unknown as Record<string, unknown>;
  const unused = (["dropout", "recurrentDropout", "normalisation", "baselines", "backtest", "distribution"] as const).filter((k) => other[k] !== undefined);
  if (other.direction !== undefined && other.direction !== "forward") unused.push("direction" as never);
  if (unused.length) throw new UserError(`${unused.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}: not for an encoder–decoder (its encoder is bidirectional, --hidden/2 per direction); compare takes --cells, --attention, --subset, --hidden, --layers and the training options`);
  const cells = a.cells.split(",").map((s) => cellOf(s.trim(), "--cells"));
  const forms = (a.attention ?? "none,luong,bahdanau").split(",").map((s) => attentionOf(s.trim(), "--attention"));
  const targs: Seq2seqTrainArgs = { ...a, cell: cells[0]!, layers: a.layers ?? 1, direction: "forward", bias: true, ...(a.subset !== undefined ? { limit: a.subset } : {}) } as Seq2seqTrainArgs;
  const set = await trainingSet(targs), rows: CompareRow[] = [];
  const sample = await sampleSource(a.data, set.options);
  for (const cell of cells) {
    let drawn = false;
    for (const attention of forms) {
      const { model, r } = trainOne({ ...targs, cell }, cell, attention, set, !a.quiet && !a.json);
      const f = { model, vocabularies: set.vocabularies };
      const scores = await scoresOf(f, a.data, set.options, "test");
      let map: string | null = null;
      if (model.attention && !drawn) {
        const src = encodeSource(sample, f.vocabularies), out = translate(f, [src], 1)[0]!;
        map = attentionSvg(f, sample, src, out, decodeTarget(out, f.vocabularies));
        drawn = true;
      }
      rows.push({ cell, attention, parameters: model.paramCount, secondsPerEpoch: r.seconds / r.epochs, losses: r.losses, scores, map });
    }
  }
  const wrote = writeSideOutput("the report", a.out, () => compareReport(a.data, rows));
  if (a.json) {
    process.stdout.write(JSON.stringify({ data: a.data, report: wrote ? a.out : null, rows: rows.map(({ map: _map, ...r }) => r) }, null, 2) + "\n");
    return;
  }
  process.stdout.write(compareTable(a.data, rows) + (wrote ? `report: ${a.out}\n` : ""));
}

/** The first held-out source of a built-in set, as text (the input of the report's attention maps). */
async function sampleSource(name: string, options: object): Promise<string> {
  if (name === "cmudict") return (await loadCmudict({ ...(options as CmudictOptions), testCount: 1 })).test[0]!.word;
  return loadDates(options as DatesOptions).test[0]!.text;
}

function compareColumns(rows: readonly CompareRow[]): { head: string[]; body: string[][] } {
  const names = rows[0]!.scores.map((s) => s.name);
  const cmu = rows[0]!.scores[0]!.wer !== undefined;
  const head = ["cell", "attention", "parameters", "s/epoch", ...(cmu ? ["WER", "PER"] : names.map((n) => `exact match, ${n}`))];
  const body = rows.map((r) => [r.cell, r.attention, r.parameters.toLocaleString("en"), r.secondsPerEpoch.toFixed(1),
    ...(cmu ? [r.scores[0]!.wer!.toFixed(3), r.scores[0]!.per!.toFixed(3)] : r.scores.map((s) => s.exactMatch!.toFixed(3)))]);
  return { head, body };
}

function compareTable(name: string, rows: readonly CompareRow[]): string {
  const { head, body } = compareColumns(rows);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
  const counts = rows[0]!.scores.map((s) => `${s.count} ${s.name}`).join(", ");
  return [`gated compare on ${name} (${counts})`, line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line), ""].join("\n");
}

function compareReport(name: string, rows: readonly CompareRow[]): string {
  const { head, body } = compareColumns(rows);
  const curve = lineChart({
    title: `Training loss per epoch on ${name}`, xLabel: "epoch", yLabel: "mean token cross-entropy",
    series: rows.map((r) => ({ name: `${r.cell} ${r.attention}`, y: [...r.losses] })),
  });
  const maps = rows.filter((r) => r.map !== null);
  return htmlReport({
    title: `gated compare: ${name} (encoder–decoder)`,
    sections: [
      { heading: "Results", table: { columns: head, rows: body } },
      { heading: "Learning curves", svg: [curve] },
      ...(maps.length ? [{ heading: "Attention maps", text: `One per cell: ${maps.map((r) => `${r.cell} with ${r.attention} attention`).join(", ")}.`, svg: maps.map((r) => r.map!) }] : []),
    ],
  });
}
