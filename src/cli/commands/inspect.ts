/**
 * `gated inspect MODEL`: the configuration with every convention spelled out, parameter counts by
 * tensor, and with --input the per-step gate values of each recurrent layer drawn as heat maps
 * (time × unit) for z, r and the candidate (or the cell's own gates), in SVG files and one HTML page.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import type { AudioFrontEnd } from "../../audio/front-end.js";
import type { Command } from "commander";
import { RecurrentLayer } from "../../layers/recurrent.js";
import { captureGates } from "../../model/inspect.js";
import type { Model } from "../../model/model.js";
import { loadModel, makeFolder, writeFileAtomic } from "../../node/files.js";
import { htmlReport } from "../../report/html.js";
import { heatmap } from "../../report/svg/heatmap.js";
import { gatherBatch } from "../../train/batches.js";
import { defaultSplit, splitOf } from "../assess.js";
import { conformToModel, openData, savedDataArgs, type GivenData } from "../data.js";
import { UserError } from "../errors.js";
import { isSeq2seqFile, seq2seqInspect } from "../seq2seq.js";

interface InspectArgs extends GivenData { input?: string; split?: string; sequence: string; out?: string; json?: boolean; attention?: string }

const int = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--${name} must be a positive integer, got "${v}"`);
  return n;
};
const list = (v: string): string[] => v.split(",").map((s) => s.trim()).filter(Boolean);

export function registerInspect(program: Command): void {
  program.command("inspect").description("show a model's configuration, parameters and, with --input, its gates over time")
    .argument("<model>", "model file (.safetensors)")
    .option("--input <data>", "a data set name or CSV file: draw the gates on one of its sequences")
    .option("--split <name>", "which part of the data (default: test, or validation where the data has no test part)")
    .option("--sequence <k>", "which sequence of that part", "0")
    .option("--window <n>", "forecasting: input steps per window (default: the model's)", int("window"))
    .option("--horizon <n>", "forecasting: steps ahead (default: the model's)", int("horizon"))
    .option("--absolute", "forecasting: absolute windows (default: as the model was trained)")
    .option("--columns <names>", "CSV: input columns (default: the model's)", list)
    .option("--target <names>", "CSV: target columns (default: the model's)", list)
    .option("--steps <n>", "text: characters per sequence (default: the model's)", int("steps"))
    .option("--limit <n>", "use at most n examples / characters (default: as the model was trained)", int("limit"))
    .option("--out <dir>", "where to write the heat maps (default <model>-gates)")
    .option("--attention <text>", "encoder–decoder: translate this input and draw its attention map (target step × source unit) to --out (default <model>-attention.svg)")
    .option("--json", "print the description as JSON")
    .action(async (path: string, a: InspectArgs, cmd: Command) => {
      if (isSeq2seqFile(path)) return seq2seqInspect(path, a);
      const model = loadModel(path);
      const desc = describe(model, path);
      let written: string[] = [];
      if (a.input) written = await drawGates(model, path, a, (k) => cmd.getOptionValueSource(k === "data" ? "input" : k) === "cli");
      if (a.json) {
        process.stdout.write(JSON.stringify({ ...desc, gateFiles: written }, null, 2) + "\n");
        return;
      }
      process.stdout.write(formatDescription(desc) + (written.length ? `\ngate heat maps:\n${written.map((f) => `  ${f}`).join("\n")}\n` : ""));
    });
}

interface Description {
  file: string; bytes: number; input: unknown; task: unknown; data: Record<string, unknown>;
  origin?: { format: string; facts: readonly string[] };
  layers: { index: number; kind: string; config: Record<string, unknown> }[];
  parameters: { name: string; shape: readonly number[]; count: number; trainable: boolean; doc: string }[];
  total: number; trainable: number;
}

function describe(model: Model, file: string): Description {
  const net = model.net;
  const { vocabulary, ...data } = model.spec.data ?? {};
  return {
    file, bytes: statSync(file).size, input: model.spec.input, task: model.spec.task,
    data: { ...data, ...(vocabulary ? { vocabularySize: vocabulary.length } : {}) },
    ...(model.spec.origin ? { origin: model.spec.origin } : {}),
    layers: net.layers.map((l, index) => ({
      index, kind: l.kind,
      // recurrent layers: the cell's resolved options, every convention explicit
      config: l instanceof RecurrentLayer ? { ...l.config, ...l.rnn.cells[0]!.config } : { ...l.config },
    })),
    parameters: net.entries.map((e) => ({ name: e.name, shape: e.shape, count: e.size, trainable: e.trainable, doc: e.doc })),
    total: net.paramCount, trainable: net.trainableCount,
  };
}

function show(v: unknown): string {
  if (v && typeof v === "object" && "name" in v) {
    const a = v as { name: string; alpha?: number; beta?: number };
    return a.alpha || a.beta ? `${a.name}(α ${a.alpha}, β ${a.beta})` : a.name;
  }
  return Array.isArray(v) ? v.join(",") : String(v);
}

function formatDescription(d: Description): string {
  const lines = [`model: ${d.file} (${(d.bytes / 1024).toFixed(1)} KB)`, `input: ${JSON.stringify(d.input)}`, `task: ${JSON.stringify(d.task)}`];
  if (d.origin) lines.push(`imported from: ${d.origin.format}`, ...d.origin.facts.map((f) => `  ${f}`));
  if (Object.keys(d.data).length) lines.push(`data: ${Object.entries(d.data).map(([k, v]) => `${k} ${k === "normalisation" ? "saved" : k === "audio" ? audioText(v as AudioFrontEnd) : show(v)}`).join(" · ")}`);
  lines.push("layers:");
  for (const l of d.layers) {
    const { kind: _k, ...c } = l.config;
    lines.push(`  ${l.index} ${l.kind.padEnd(10)} ${Object.entries(c).map(([k, v]) => `${k} ${show(v)}`).join(" · ")}`);
  }
  lines.push(`parameters: ${d.total.toLocaleString("en")} (${d.trainable.toLocaleString("en")} trainable)`);
  const w = Math.max(...d.parameters.map((p) => p.name.length));
  for (const p of d.parameters) {
    lines.push(`  ${p.name.padEnd(w)}  ${`[${p.shape.join(", ")}]`.padEnd(12)} ${String(p.count).padStart(9)}  ${p.trainable ? "" : "(saved statistic) "}${p.doc}`);
  }
  return lines.join("\n") + "\n";
}

async function drawGates(model: Model, path: string, a: InspectArgs, given: (option: string) => boolean): Promise<string[]> {
  const { name, args, seed } = savedDataArgs(model, { ...a, data: a.input! }, given, "inspect");
  const data = conformToModel(await openData(name, args, seed), model);
  const split = a.split ?? defaultSplit(data);
  const set = splitOf(data, split);
  const k = Number(a.sequence);
  if (!Number.isInteger(k) || k < 0 || k >= set.count) throw new UserError(`--sequence must be in 0..${set.count - 1}, got ${a.sequence}`);
  const batch = gatherBatch(model.net.kernels, set, [k]);
  const layers = captureGates(model, batch.input);
  const dir = a.out ?? path.replace(/\.safetensors$/, "") + "-gates";
  makeFolder(dir);
  const files: string[] = [], svgs: string[] = [];
  for (const l of layers) {
    for (const [name, t] of Object.entries(l.gates)) {
      const [T, , H] = t.shape as [number, number, number];
      const gate = name.split(".").pop()!;
      const svg = heatmap({
        title: `layer ${l.index} ${l.cell}: ${name}`, values: t.data, rows: T, cols: H, rowLabel: "time step", colLabel: "unit",
        ...(isUnitInterval(gate, l.cell) ? { min: 0, max: 1 } : {}), palette: "sequential",
      });
      const file = join(dir, `${name}.svg`);
      writeFileAtomic(file, svg);
      files.push(file);
      svgs.push(svg);
    }
  }
  const html = join(dir, "gates.html");
  writeFileAtomic(html, htmlReport({
    title: `gates of ${path}`,
    sections: [{ heading: `${a.input} (${split}, sequence ${k})`, text: "Each map shows one gate's value for every time step (rows) and unit (columns).", svg: svgs }],
  }));
  files.push(html);
  return files;
}

/** Gates that live in [0, 1] get a fixed colour scale, so maps compare across layers. */
function isUnitInterval(gate: string, cell: string): boolean {
  return ["z", "r", "f", "i", "o"].includes(gate) && cell !== "rnn";
}

/** An audio model's front end in a few words: "mfcc 13 @ 16000 Hz, hop 160, Δ 0, standardised, int8". */
function audioText(a: AudioFrontEnd): string {
  const f = a.features;
  return `${f.kind} ${f.kind === "mfcc" ? f.nMfcc : f.nMels} @ ${f.sampleRate} Hz, window ${f.winLength}, hop ${f.hop}, deltas ${a.deltas}, standardised${a.quantise ? ", quantised" : ""}`;
}
