/**
 * The encoder–decoder in the CLI, one branch of each command (the commands route here by the data
 * set's kind or the model file's format):
 *   gated train --data dates [--cell gru --hidden 64 --attention luong --epochs 3 --out m.safetensors]
 *   gated train --data cmudict [--limit 20000]   grapheme → phoneme (data/cmudict.ts)
 *   gated predict MODEL --input "3 janv. 2021" [--beam 4] [--attention map.svg]
 *   gated eval MODEL           exact match on the held-out days and the held-out locale (dates),
 *                              word and phoneme error rates on the held-out words (cmudict)
 *   gated inspect MODEL        options, vocabularies and parameters
 * Sources are characters; targets are characters (dates) or space-separated phonemes (cmudict),
 * with the vocabularies saved in the model file.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import { DATASETS, type DatasetName } from "../data/catalog.js";
import { phonemeErrors, type CmudictOptions, type CmudictPair } from "../data/cmudict.js";
import { exactMatch, loadDates, type DatePair, type DatesOptions } from "../data/dates.js";
import { loadCmudict } from "../data/node/cmudict.js";
import { readBytes, writeFileAtomic } from "../node/files.js";
import { heatmap } from "../report/svg/heatmap.js";
import { attentionGrid, attentionMap } from "../seq2seq/attention-map.js";
import { ATTENTION_KINDS, type AttentionKind } from "../seq2seq/attention.js";
import { beamDecode, greedyDecode } from "../seq2seq/decode.js";
import { SEQ2SEQ_FORMAT, decodeSeq2seq, encodeSeq2seq, type Seq2seqFile, type Seq2seqVocabularies } from "../seq2seq/file.js";
import { fitSeq2seq } from "../seq2seq/fit.js";
import { Seq2seq } from "../seq2seq/model.js";
import { UserError } from "./errors.js";
import { cellOptionsOf, type FitArgs, type ModelArgs } from "./model-options.js";
import { writeSideOutput } from "./reports.js";

/** Most target tokens a decoded output may have (eos included). */
const MAX_LENGTH = 64;

/** Whether `name` is a built-in set of (source, target) pairs (`gated train --data dates`). */
export function isSeq2seqData(name: string): boolean {
  return Object.hasOwn(DATASETS, name) && DATASETS[name as DatasetName].kind === "seq2seq";
}

/**
 * Whether `path` is an encoder–decoder file: a look at its safetensors header only. Anything
 * unreadable is false, so the command's usual loader reports it.
 */
export function isSeq2seqFile(path: string): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(path, "r");
    const head = Buffer.alloc(8);
    if (readSync(fd, head, 0, 8, 0) < 8) return false;
    const n = Number(head.readBigUInt64LE(0));
    if (n > Math.min(statSync(path).size - 8, 100_000_000)) return false;
    const header = Buffer.alloc(n);
    readSync(fd, header, 0, n, 8);
    const meta = (JSON.parse(header.toString("utf8")) as { __metadata__?: { format?: unknown } }).__metadata__;
    return meta?.format === SEQ2SEQ_FORMAT;
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export function loadSeq2seq(path: string, opts: { allowNonFinite?: boolean } = {}): Seq2seqFile {
  return decodeSeq2seq(readBytes(path, "model file"), path, opts.allowNonFinite ? { allowNonFinite: true } : {});
}

/** Characters → source ids; an unseen character becomes "<unk>" (refused when the vocabulary has none). */
function encodeSource(text: string, v: Seq2seqVocabularies): Int32Array {
  const index = new Map(v.source.map((c, i) => [c, i])), unk = index.get("<unk>");
  return Int32Array.from([...text], (c) => {
    const id = index.get(c) ?? unk;
    if (id === undefined) throw new UserError(`the character ${JSON.stringify(c)} of ${JSON.stringify(text)} is not in the model's source vocabulary`);
    return id;
  });
}

/** Target ids → tokens (without pad, bos, eos). */
function targetTokens(ids: ArrayLike<number>, v: Seq2seqVocabularies): string[] {
  return Array.from(ids, (i) => (i === v.pad || i === v.bos || i === v.eos ? "" : (v.target[i] ?? "?"))).filter((t) => t !== "");
}

/** Target ids → text: characters joined, or phonemes separated by spaces when a token is longer than one character. */
function decodeTarget(ids: ArrayLike<number>, v: Seq2seqVocabularies): string {
  const words = v.target.some((t, i) => i !== v.pad && i !== v.bos && i !== v.eos && [...t].length > 1);
  return targetTokens(ids, v).join(words ? " " : "");
}

/** Each source's best output ids (without eos): greedy, or the first of a beam of `beam`. */
function translate(f: Seq2seqFile, sources: readonly Int32Array[], beam: number): number[][] {
  const o = { bos: f.vocabularies.bos, eos: f.vocabularies.eos, maxLength: MAX_LENGTH };
  if (beam <= 1) return greedyDecode(f.model, sources, o);
  return sources.map((s) => {
    const best = beamDecode(f.model, s, { ...o, width: beam })[0]!;
    return best.finished ? best.tokens.slice(0, -1) : best.tokens;
  });
}

// ---- train --------------------------------------------------------------------------------

export interface Seq2seqTrainArgs extends ModelArgs, FitArgs {
  data: string; attention?: string; out?: string; force?: boolean; limit?: number; json?: boolean; quiet?: boolean;
}

function outputOf(a: Seq2seqTrainArgs): string {
  const out = a.out ?? `${a.data}-${a.cell}.safetensors`;
  if (existsSync(out) && !a.force) {
    if (a.out !== undefined) throw new UserError(`--out ${out}: the file exists; add --force to replace it, or name another file`);
    process.stderr.write(`gated: replacing ${out} (the default output; --out names another file)\n`);
  }
  return out;
}

/** Greedy exact match of a split, with the model's own vocabularies. */
function exactMatchOf(f: Seq2seqFile, pairs: readonly DatePair[]): number {
  if (pairs.length === 0) return 0;
  const outputs = translate(f, pairs.map((p) => encodeSource(p.text, f.vocabularies)), 1);
  return exactMatch(outputs.map((ids) => decodeTarget(ids, f.vocabularies)), pairs.map((p) => p.iso));
}

/** Greedy word and phoneme error rates of held-out words. */
function phonemeErrorsOf(f: Seq2seqFile, pairs: readonly CmudictPair[]): { wer: number; per: number } {
  if (pairs.length === 0) return { wer: 0, per: 0 };
  const outputs = translate(f, pairs.map((p) => p.source), 1);
  return phonemeErrors(outputs.map((ids) => targetTokens(ids, f.vocabularies)), pairs.map((p) => p.phonemes));
}

interface Score { readonly name: string; readonly count: number; readonly exactMatch?: number; readonly wer?: number; readonly per?: number }

/** The built-in pairs a model file names, with its scores on a split (train, validation or test). */
async function scoresOf(f: Seq2seqFile, name: string, options: object, split: string): Promise<Score[]> {
  if (name === "cmudict") {
    const d = await loadCmudict(options as CmudictOptions);
    const pairs = split === "test" ? d.test : split === "train" ? d.train : d.validation;
    return [{ name: `held-out words${split === "test" ? "" : ` (${split})`}`, count: pairs.length, ...phonemeErrorsOf(f, pairs) }];
  }
  const d = loadDates(options as DatesOptions);
  const sets: [string, readonly DatePair[]][] = split === "test" ? [["held-out days", d.test], ["held-out locale", d.heldOutLocale]] : [[split, split === "train" ? d.train : d.validation]];
  return sets.map(([n, pairs]) => ({ name: n, count: pairs.length, exactMatch: exactMatchOf(f, pairs) }));
}

function scoreLine(s: Score): string {
  if (s.wer !== undefined) return `word error rate ${s.wer.toFixed(3)}, phoneme error rate ${s.per!.toFixed(3)} on ${s.count} ${s.name}`;
  return `exact match ${s.exactMatch!.toFixed(3)} on ${s.count} ${s.name}`;
}

/** The training pairs and vocabularies of a built-in set; `options` is what the model file records. */
async function trainingSet(a: Seq2seqTrainArgs) {
  if (a.data === "cmudict") {
    // the split's seed stays 0 (a fixed list of held-out words); --seed seeds the model and the batches
    const options = { ...(a.limit !== undefined ? { count: a.limit } : {}), validationCount: 0 };
    return { options, d: await loadCmudict(options) };
  }
  if (a.data !== "dates") throw new UserError(`--data ${a.data}: not an encoder–decoder set; valid: dates, cmudict`);
  const options = { count: a.limit ?? 3000, validationCount: 0, testCount: 500, seed: a.seed };
  return { options, d: loadDates(options) };
}

/**
 * Defaults (3000 pairs, GRU encoder 32 × 2 directions, decoder 64, Luong attention, embedding 16,
 * 3 epochs of batch 32, Adam lr 0.005): ≈ 0.97 exact match on held-out days in under a minute.
 * cmudict takes all 111,487 training words by default (--limit fewer): with the same model, WER
 * 0.495 and PER 0.132 on the 6,194 held-out test words after 3 epochs, 135 s on 2 shared cores.
 */
export async function seq2seqTrain(a: Seq2seqTrainArgs): Promise<number> {
  const t0 = Date.now();
  const out = outputOf(a);
  const attention = (a.attention ?? "luong") as AttentionKind;
  if (!ATTENTION_KINDS.includes(attention)) throw new UserError(`--attention must be one of ${ATTENTION_KINDS.join(", ")}, got ${JSON.stringify(a.attention)}`);
  const H = a.hidden ?? 64, cell = cellOptionsOf(a), layers = a.layers ?? 1;
  const { options: dataOptions, d } = await trainingSet(a);
  // a bidirectional encoder of H/2 per direction gives memory width H: no bridge needed
  const encoder = H % 2 === 0 ? { cell: a.cell, hiddenSize: H / 2, direction: "bidirectional" as const } : { cell: a.cell, hiddenSize: H, direction: "forward" as const };
  const model = new Seq2seq({
    sourceVocabulary: d.sourceVocabulary.length, targetVocabulary: d.targetVocabulary.length, embeddingSize: a.embedding ?? 16,
    encoder: { ...cell, ...encoder, layers }, decoder: { ...cell, cell: a.cell, hiddenSize: H, layers }, attention, seed: a.seed,
    ...(a.backend ? { backend: a.backend } : {}),
  });
  const epochs = a.epochs ?? 3;
  const r = fitSeq2seq(model, d.train, {
    bos: d.bos, eos: d.eos, epochs, batchSize: a.batchSize ?? 32, optimizer: { kind: a.optimizer, lr: a.lr ?? 0.005 }, seed: a.seed,
    ...(a.clipNorm !== undefined ? { clipNorm: a.clipNorm } : {}),
    onEpoch: (e, loss) => { if (!a.quiet && !a.json) process.stderr.write(`epoch ${e + 1}/${epochs}: loss ${loss.toFixed(4)}\n`); },
  });
  const vocabularies = { source: d.sourceVocabulary, target: d.targetVocabulary, pad: d.pad, bos: d.bos, eos: d.eos };
  writeFileAtomic(out, encodeSeq2seq(model, vocabularies, { name: a.data, options: dataOptions }));
  const f = { model, vocabularies };
  const scores = await scoresOf(f, a.data, dataOptions, "test");
  const seconds = (Date.now() - t0) / 1000;
  if (a.json) {
    process.stdout.write(JSON.stringify({ model: out, seconds, epochs: r.epochs, steps: r.steps, parameters: model.paramCount, losses: r.losses, ...(a.data === "dates" ? { exactMatch: { heldOutDays: scores[0]!.exactMatch, heldOutLocale: scores[1]!.exactMatch } } : { scores }) }, null, 2) + "\n");
    return 0;
  }
  process.stdout.write([
    "",
    `gated train: ${a.data} · ${a.cell} encoder–decoder (encoder ${encoder.hiddenSize}${encoder.direction === "bidirectional" ? " × 2 directions" : ""}, decoder ${H}, attention ${attention}) · ${model.paramCount.toLocaleString("en")} parameters`,
    `  ${r.epochs} epochs, ${r.steps} steps in ${r.seconds.toFixed(1)} s; loss ${r.losses.map((l) => l.toFixed(3)).join(" → ")}`,
    ...scores.map((s) => `  ${scoreLine(s)}`),
    `  model:  ${out} (${seconds.toFixed(1)} s in all)`,
    "",
  ].join("\n"));
  return 0;
}

// ---- predict ------------------------------------------------------------------------------

export interface Seq2seqPredictArgs { input?: string; beam?: string; attention?: string; json?: boolean }

/** --input: a file (one source per line), "-" or nothing for standard input, else the text itself. */
function sourcesOf(input: string | undefined): string[] {
  let text: string;
  if (input === undefined || input === "-") {
    if (process.stdin.isTTY) throw new UserError('no input: give --input "text", --input FILE (one source per line) or pipe the sources to standard input');
    text = readFileSync(0, "utf8");
  } else if (existsSync(input) && statSync(input).isFile()) text = readFileSync(input, "utf8");
  else return [input];
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new UserError("no input: the input holds no non-empty line");
  return lines;
}

export function seq2seqPredict(path: string, a: Seq2seqPredictArgs): void {
  const f = loadSeq2seq(path), v = f.vocabularies;
  const beam = a.beam === undefined ? 1 : Number(a.beam);
  if (!(Number.isInteger(beam) && beam >= 1)) throw new UserError(`--beam must be a positive integer, got ${JSON.stringify(a.beam)}`);
  // CMUdict's spellings are lower case: "Hello" reads as "hello"
  const fold = (t: string) => (f.data?.name === "cmudict" ? t.toLowerCase() : t);
  const texts = sourcesOf(a.input), sources = texts.map((t) => encodeSource(fold(t), v));
  const outputs = translate(f, sources, beam), results = outputs.map((ids) => decodeTarget(ids, v));
  if (a.attention) {
    if (!f.model.attention) throw new UserError(`--attention: ${path} has no attention (it was trained with --attention none)`);
    if (texts.length > 1) process.stderr.write(`gated: the attention map shows the first of ${texts.length} inputs\n`);
    const map = attentionMap(f.model, sources.slice(0, 1), outputs.slice(0, 1), v), g = attentionGrid(map, 0);
    writeSideOutput("the attention map", a.attention, () => heatmap({
      title: `attention: ${JSON.stringify(texts[0])} → ${JSON.stringify(results[0])}`,
      subtitle: `${g.rows} target steps (the last emits eos) × ${g.cols} source characters; each row sums to 1`,
      values: g.values, rows: g.rows, cols: g.cols, rowLabel: "target step", colLabel: "source character", min: 0, max: 1, palette: "sequential", valueLabel: "α",
    }));
  }
  if (a.json) {
    process.stdout.write(JSON.stringify(texts.map((input, i) => ({ input, output: results[i] }))) + "\n");
    return;
  }
  process.stdout.write(results.map((r) => r + "\n").join(""));
}

// ---- eval ---------------------------------------------------------------------------------

export async function seq2seqEval(path: string, a: { split?: string; json?: boolean }): Promise<void> {
  const f = loadSeq2seq(path);
  if (f.data?.name !== "dates" && f.data?.name !== "cmudict") throw new UserError(`${path} records no built-in data set to evaluate on (it has ${JSON.stringify(f.data?.name ?? null)}); gated eval knows "dates" and "cmudict"`);
  const split = a.split ?? "test";
  const scores = await scoresOf(f, f.data.name, f.data.options, split);
  if (a.json) {
    process.stdout.write(JSON.stringify({ model: path, data: f.data.name, split, scores }, null, 2) + "\n");
    return;
  }
  const lines = [`gated eval: ${basename(path, extname(path))} on ${f.data.name} (${split})`];
  for (const s of scores) lines.push(`  ${scoreLine(s)}`);
  process.stdout.write(lines.join("\n") + "\n");
}

// ---- inspect ------------------------------------------------------------------------------

export function seq2seqInspect(path: string, a: { json?: boolean }): void {
  const f = loadSeq2seq(path), m = f.model, v = f.vocabularies;
  const { backend: _backend, ...options } = m.options;
  const parameters = m.entries.map((e) => ({ name: e.name, shape: e.shape, count: e.size }));
  if (a.json) {
    process.stdout.write(JSON.stringify({ file: path, bytes: statSync(path).size, format: SEQ2SEQ_FORMAT, options, vocabularies: v, data: f.data ?? null, parameters, total: m.paramCount }, null, 2) + "\n");
    return;
  }
  const w = Math.max(...parameters.map((p) => p.name.length));
  process.stdout.write([
    `model: ${path} (${(statSync(path).size / 1024).toFixed(1)} KB), an encoder–decoder (${SEQ2SEQ_FORMAT})`,
    `encoder: ${JSON.stringify(options.encoder)}`,
    `decoder: ${JSON.stringify(options.decoder)}`,
    `attention: ${options.attention ?? "additive"} · context ${options.context ?? "every-step"} · embedding ${options.embeddingSize ?? 32} · ${m.dtype}`,
    `vocabularies: source ${v.source.length}, target ${v.target.length} (pad ${v.pad}, bos ${v.bos}, eos ${v.eos})${f.data ? ` · data ${f.data.name} ${JSON.stringify(f.data.options)}` : ""}`,
    `parameters: ${m.paramCount.toLocaleString("en")}`,
    ...parameters.map((p) => `  ${p.name.padEnd(w)}  ${`[${p.shape.join(", ")}]`.padEnd(12)} ${String(p.count).padStart(9)}`),
    "",
  ].join("\n"));
}
