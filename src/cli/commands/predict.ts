/**
 * `gated predict MODEL`: forecast the next N steps of a series (with the history and forecast
 * drawn as a chart), generate text from a prompt at a temperature, or classify sequences.
 * Input comes from --input FILE or standard input; a word classifier trained on audio
 * (spoken-digits) also spots keywords in a WAV file with --wav (model/keywords.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { readWav } from "../../audio/wav.js";
import { loadCsv } from "../../data/index.js";
import { OptionError } from "../../errors/index.js";
import { KeywordSpotter, type KeywordHit, type SpotOptions } from "../../model/keywords.js";
import type { Model } from "../../model/model.js";
import type { Outputs } from "../../model/outputs.js";
import { loadModel } from "../../node/files.js";
import { forecastChart } from "../../report/svg/forecast-chart.js";
import { forecastSeries } from "../../train/forecast.js";
import { generateText } from "../../train/generate.js";
import { predictSet } from "../../train/predict.js";
import { checkInputSize } from "../../util/limits.js";
import { previewJson } from "../../util/preview.js";
import { Rng } from "../../util/random.js";
import { openData, savedDataArgs } from "../data.js";
import { isWordVocabulary, textsAsSequences } from "../texts.js";
import { UserError } from "../errors.js";
import { writeSideOutput } from "../reports.js";
import { isSeq2seqFile, seq2seqPredict } from "../seq2seq.js";

interface PredictArgs {
  /** forecast: sampled paths (model/sample-paths.ts) */
  samples?: string;
  steps?: string; input?: string; prompt?: string; text?: string; length: string; temperature: string; seed: string; chart?: string; json?: boolean;
}

export function registerPredict(program: Command): void {
  program.command("predict").description("forecast a series, generate text, or classify sequences with a trained model")
    .argument("<model>", "model file (.safetensors)")
    .option("--steps <n>", "forecast: steps ahead (default: the model's horizon)")
    .option("--input <file>", "forecast: a CSV of the history (default: the training data set); classify: a JSON array of sequences; '-' for stdin")
    .option("--chart <file.svg>", "forecast: draw the history and the forecast")
    .option("--prompt <text>", "text: the start of the text (default: read from --input or stdin)")
    .option("--text <sentence>", "classify with a word model (sentiment): one text to classify (--input also takes a JSON array of strings)")
    .option("--length <n>", "text: characters to generate", "200")
    .option("--temperature <t>", "text: sampling temperature (0 = most likely)", "0.8")
    .option("--seed <n>", "text, forecast --samples: seed of the sampling", "1")
    .option("--samples <n>", "forecast with a gaussian or student-t head: draw n recursive sampled paths (any --steps); the mean and the paths' 80%/95% bands")
    .option("--json", "print the result as JSON")
    .option("--beam <n>", "encoder–decoder: beam search of width n (default greedy)")
    .option("--attention <file.svg>", "encoder–decoder: draw the attention weights (target step × source character) of the first input")
    .option("--wav <file.wav>", "audio word classifier (spoken-digits): spot the words in a WAV file on-line and print each with its time and probability")
    .option("--threshold <dB>", "--wav: energy above the noise floor that counts as speech", "12")
    .option("--hangover <s>", "--wav: seconds of quiet that end a word", "0.25")
    .action(async (path: string, a: PredictArgs & WavArgs & { beam?: string; attention?: string }) => {
      // an encoder–decoder file: --input is the text (or a file of one source per line)
      if (isSeq2seqFile(path)) return seq2seqPredict(path, a);
      const model = loadModel(path);
      if (a.wav !== undefined) spot(model, a);
      else if (model.spec.data?.window) await forecast(model, a);
      else if (model.spec.data?.vocabulary && model.spec.task.perStep) text(model, a);
      else classify(model, a);
    });
}

interface WavArgs { wav?: string; threshold: string; hangover: string }

/**
 * Keywords in a WAV file: the file is decoded (and resampled to the model's rate), then fed in
 * 0.1 s chunks through a KeywordSpotter; each word is printed as soon as its segment ends.
 */
function spot(model: Model, a: WavArgs & { json?: boolean }): void {
  const o: SpotOptions = { threshold: number("--threshold", a.threshold), hangover: number("--hangover", a.hangover) };
  const spotter = new KeywordSpotter(model, o); // refuses a model without its audio front end
  if (!existsSync(a.wav!)) throw new UserError(`--wav: file not found: ${a.wav}`);
  const { samples } = readWav(new Uint8Array(readFileSync(a.wav!)), { sampleRate: spotter.sampleRate });
  const all: KeywordHit[] = [];
  const show = (hits: KeywordHit[]) => {
    all.push(...hits);
    if (!a.json) for (const h of hits) process.stdout.write(`${h.start.toFixed(2)}–${h.end.toFixed(2)} s\t${h.word}\t${h.probability.toFixed(3)}\n`);
  };
  const chunk = Math.round(spotter.sampleRate / 10);
  for (let at = 0; at < samples.length; at += chunk) show(spotter.push(samples.subarray(at, at + chunk)));
  show(spotter.flush());
  if (a.json) process.stdout.write(JSON.stringify(all.map(({ word, start, end, probability }) => ({ word, start, end, probability }))) + "\n");
  else if (all.length === 0) process.stdout.write(`no words heard in ${(samples.length / spotter.sampleRate).toFixed(2)} s (try a lower --threshold)\n`);
}

function number(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new UserError(`${name} must be a number, got "${v}"`);
  return n;
}

function readInput(file: string | undefined): string {
  if (file === undefined || file === "-") {
    if (process.stdin.isTTY) throw new UserError("no input: give --input FILE or pipe the input to standard input");
    return readFileSync(0, "utf8");
  }
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw new UserError(`input file not found or unreadable: ${file}`);
  }
}

async function forecast(model: Model, a: PredictArgs): Promise<void> {
  const d = model.spec.data!;
  const F = d.normalisation!.mean.length;
  let history: Float32Array, labels: readonly string[] | undefined;
  if (a.input) {
    const csv = loadCsv(readInput(a.input), { name: a.input, window: d.window!, horizon: 1, validation: 0, test: 0, ...(d.columns ? { columns: [...d.columns] } : {}), normalisation: "none" });
    history = csv.series!.values;
    labels = csv.series!.labels;
  } else {
    // the training data, opened with every data option saved with the model (CSV columns and target…)
    const { name, args } = savedDataArgs(model, {}, () => false, "predict");
    const data = await openData(name, args);
    history = data.series!.values;
    labels = data.series!.labels;
  }
  if (history.length / F < d.window!) throw new UserError(`the history has ${history.length / F} rows; the model needs at least ${d.window}`);
  const steps = a.steps ? Number(a.steps) : d.horizon!;
  if (!Number.isInteger(steps) || steps < 1) throw new UserError(`--steps must be a positive integer, got ${a.steps}`);
  // a distribution head's forecast carries its 80% and 95% intervals (at most its horizon ahead)
  const dates = knownDates(model, labels);
  const head = a.samples !== undefined ? sampledForecast(model, history, F, steps, a, dates) : model.spec.task.distribution ? forecastWithIntervals(model, history, F, steps, dates) : null;
  const values = head ? Float32Array.from(head.data) : dates.dates ? Float32Array.from(model.forecast({ data: history, shape: [history.length / F, F] }, steps, dates).data) : forecastSeries(model, history, steps), iv = head?.intervals;
  const C = d.targetColumns!.length, names = d.targetColumns!.map((c) => d.columns?.[c] ?? `column ${c}`);
  const first = (a: ArrayLike<number>) => Float32Array.from({ length: steps }, (_, i) => a[i * C]!);
  let chart = false;
  if (a.chart) {
    const L = history.length / F, keep = Math.min(L, Math.max(4 * (d.season ?? 12), 3 * steps));
    const col = d.targetColumns![0]!;
    const hist = Float32Array.from({ length: keep }, (_, i) => history[(L - keep + i) * F + col]!);
    // a side output: written atomically, a failure is a warning (the forecast is still printed)
    chart = writeSideOutput("the chart", a.chart, () => forecastChart({
      title: `${d.name ?? "series"}: forecast of ${names[0]}`, subtitle: `${steps} step(s) after the last of ${L} rows`,
      history: { y: hist, ...(labels ? { labels: labels.slice(L - keep) } : {}) },
      forecast: {
        start: keep, y: first(values),
        ...(iv ? { lower: first(iv.lower95), upper: first(iv.upper95), bandLabel: "95% interval", inner: { lower: first(iv.lower80), upper: first(iv.upper80), label: "80% interval" } } : {}),
      },
      yLabel: names[0]!,
    }));
  }
  const rowsOf = (v: ArrayLike<number>) => Array.from({ length: steps }, (_, i) => Array.from({ length: C }, (_, c) => v[i * C + c]!));
  if (a.json) {
    const intervals = iv ? { intervals: { distribution: iv.distribution, lower80: rowsOf(iv.lower80), upper80: rowsOf(iv.upper80), lower95: rowsOf(iv.lower95), upper95: rowsOf(iv.upper95) } } : {};
    process.stdout.write(JSON.stringify({ columns: names, steps, forecast: rowsOf(values), ...intervals }) + "\n");
    return;
  }
  process.stdout.write(`forecast of ${names.join(", ")} for the next ${steps} step(s)${iv ? ` (${iv.distribution === "pinball" ? "median" : "mean"} [80% interval] [95% interval])` : ""}:\n`);
  const cell = (i: number, c: number) => {
    const k = i * C + c, f = (v: number) => v.toFixed(3);
    return iv ? `${f(values[k]!)} [${f(iv.lower80[k]!)}, ${f(iv.upper80[k]!)}] [${f(iv.lower95[k]!)}, ${f(iv.upper95[k]!)}]` : f(values[k]!);
  };
  for (let i = 0; i < steps; i++) process.stdout.write(`  +${i + 1}\t${Array.from({ length: C }, (_, c) => cell(i, c)).join("\t")}\n`);
  if (chart) process.stdout.write(`chart: ${a.chart}\n`);
}

/** A covariate model's history dates (data/covariates.ts): the calendar follows from them; a holiday column's future is unknown here. */
function knownDates(model: Model, labels: readonly string[] | undefined): { dates?: readonly string[] } {
  const cov = model.spec.data?.covariates;
  if (!cov) return {};
  const holiday = cov.names.find((n) => n.startsWith("holiday:"));
  if (holiday) throw new UserError(`the model uses the covariate ${holiday}, whose values for the rows ahead the command line cannot know; forecast with the library (model.forecast(history, steps, { dates, holidays }))`);
  if (!labels) throw new UserError(`the model uses the covariates ${cov.names.join(", ")}, computed from dates; the history has no date labels (give a CSV with a date column)`);
  return { dates: labels };
}

/** --samples N: the mean of N sampled paths and their quantile bands (refusals name --samples). */
function sampledForecast(model: Model, history: Float32Array, F: number, steps: number, a: PredictArgs, dates: { dates?: readonly string[] }): Outputs {
  const n = Number(a.samples), seed = Number(a.seed);
  if (!(Number.isInteger(n) && n >= 2)) throw new UserError(`--samples must be an integer ≥ 2, got ${a.samples}`);
  if (!Number.isFinite(seed)) throw new UserError(`--seed must be a number, got ${a.seed}`);
  try {
    return model.forecast({ data: history, shape: [history.length / F, F] }, steps, { samples: n, seed, ...dates });
  } catch (e) {
    if (e instanceof OptionError) throw new UserError(`--samples: ${e.message}`);
    throw e;
  }
}

/** model.forecast of a distribution head's model (its intervals), refusing more steps than its horizon in the CLI's words. */
function forecastWithIntervals(model: Model, history: Float32Array, F: number, steps: number, dates: { dates?: readonly string[] }): Outputs {
  const H = model.spec.data!.horizon!;
  if (steps > H) throw new UserError(`--steps ${steps}: a model with a distribution head forecasts at most its horizon (${H}) directly; train with --horizon ${steps}, or draw sampled paths with --samples N`);
  return model.forecast({ data: history, shape: [history.length / F, F] }, steps, dates);
}

function text(model: Model, a: PredictArgs): void {
  const prompt = a.prompt ?? readInput(a.input);
  const length = Number(a.length), temperature = Number(a.temperature);
  if (!Number.isInteger(length) || length < 0) throw new UserError(`--length must be a whole number, got ${a.length}`);
  const out = generateText(model, prompt, length, temperature, new Rng(Number(a.seed)));
  if (a.json) process.stdout.write(JSON.stringify({ prompt, temperature, text: out }) + "\n");
  else process.stdout.write(prompt + out + "\n");
}

/** Sequences in, one result per sequence (or per step of each sequence, for a per-step model). */
function classify(model: Model, a: PredictArgs): void {
  // a word model (sentiment) also takes raw text: --text "…", or a JSON array of strings
  const words = isWordVocabulary(model.spec.data?.vocabulary) && model.spec.input.kind === "tokens";
  if (a.text !== undefined && !words) throw new UserError("--text: this model does not read words (it has no word vocabulary); give sequences with --input");
  const text = a.text !== undefined ? "" : readInput(a.input);
  let raw: unknown;
  if (a.text !== undefined) raw = [a.text];
  else try { raw = JSON.parse(text); } catch (e) { throw new UserError(`the input must be a JSON array of sequences (each an array of steps): ${(e as Error).message}`); }
  if (words) raw = textsAsSequences(raw, model.spec.data!.vocabulary!);
  const { x, lengths, count: S, steps: T, features: F } = readSequences(model, raw);
  const O = model.spec.task.outputs, perStep = model.spec.task.perStep;
  const inp = model.spec.input;
  const set = { x, count: S, steps: T, features: inp.kind === "features" ? F : inp.vocabularySize, lengths, y: new Float32Array(0), target: "regression" as const, perStep, outputs: O };
  const out = predictSet(model, set); // [S, O] or, per step, [S, T, O]
  const classes = model.spec.data?.classes;
  const result = (v: Float32Array) => {
    const logits = Array.from(v);
    if (model.spec.task.target !== "class") return { values: logits };
    const m = Math.max(...logits), e = logits.map((q) => Math.exp(q - m)), s = e.reduce((p, q) => p + q);
    const p = e.map((q) => q / s), best = p.indexOf(Math.max(...p));
    return { class: classes?.[best] ?? best, probabilities: p };
  };
  const rows = Array.from({ length: S }, (_, i) => perStep
    ? { steps: Array.from({ length: lengths[i]! }, (_, t) => result(out.subarray((i * T + t) * O, (i * T + t + 1) * O))) }
    : result(out.subarray(i * O, (i + 1) * O)));
  process.stdout.write(a.json ? JSON.stringify(rows) + "\n" : rows.map((r, i) => `${i}\t${JSON.stringify(r)}`).join("\n") + "\n");
}

/** The largest finite float32: a larger number would become Infinity in the model's input. */
const MAX_FLOAT32 = 3.4028234663852886e38;

/**
 * The classify input as a padded batch-major buffer [S, T, F] (token ids [S, T]) with each
 * sequence's length. Checked step by step without recursion (a 100,000-deep array is one bad step),
 * and refused before allocating when the padded buffers would exceed the memory limit.
 */
function readSequences(model: Model, raw: unknown): { x: Float32Array | Int32Array; lengths: Int32Array; count: number; steps: number; features: number } {
  const inp = model.spec.input, tokens = inp.kind === "tokens";
  if (!Array.isArray(raw) || raw.length === 0) throw new UserError(`the input must be a non-empty JSON array of sequences (each an array of steps), got ${previewJson(raw)}`);
  const S = raw.length, F = inp.kind === "features" ? inp.features : 1;
  let T = 0;
  for (let i = 0; i < S; i++) {
    const s: unknown = raw[i];
    if (!Array.isArray(s)) throw new UserError(`sequence ${i} is not an array of steps, got ${previewJson(s)}`);
    if (s.length > T) T = s.length;
  }
  if (T === 0) throw new UserError("every sequence is empty: give at least one step");
  const O = model.spec.task.outputs, perStep = model.spec.task.perStep;
  checkInputSize("the input", `${S} sequences padded to ${T} steps`, 4 * S * T * F + 4 * S * (perStep ? T : 1) * O,
    `${S} × ${T} × ${F} input value(s)${perStep ? ` and ${S} × ${T} × ${O} outputs` : ""} × 4 bytes`, "split the input into smaller files, or group sequences of similar length");
  const x = tokens ? new Int32Array(S * T) : new Float32Array(S * T * F);
  const lengths = new Int32Array(S);
  for (let i = 0; i < S; i++) {
    const seq = raw[i] as unknown[];
    lengths[i] = seq.length;
    for (let t = 0; t < seq.length; t++) {
      const step = seq[t];
      const v: unknown[] = Array.isArray(step) ? step : [step];
      const where = `sequence ${i}, step ${t}`;
      if (v.length !== F) throw new UserError(`${where} must hold ${F} number(s), got ${previewJson(step)}`);
      for (let f = 0; f < F; f++) {
        const n = v[f];
        if (typeof n !== "number" || !Number.isFinite(n)) throw new UserError(`${where} must hold ${F} number(s), got ${previewJson(step)}`);
        if (tokens && !(Number.isInteger(n) && n >= 0 && n < inp.vocabularySize)) throw new UserError(`${where}: token ids are integers from 0 to ${inp.vocabularySize - 1}, got ${previewJson(step)}`);
        if (Math.abs(n) > MAX_FLOAT32) throw new UserError(`${where}: ${n} is outside the float32 range (±3.4e38)`);
        x[(i * T + t) * F + f] = n;
      }
    }
  }
  return { x, lengths, count: S, steps: T, features: F };
}
