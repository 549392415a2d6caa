/**
 * What a data set hands to training: sequences in batch-major arrays, with targets.
 *
 * Shape legend: S sequences, T steps, F features per step, O outputs (regression width or number
 * of classes).
 */
import type { AudioFrontEnd } from "../audio/front-end.js";

/** One split (train, validation or test) of sequences. */
export interface SequenceSet {
  /**
   * Inputs, batch-major. Float32Array: feature values [S, T, F]. Int32Array: token ids [S, T]
   * (each in 0..F−1, F = vocabulary size), for an embedding or one-hot input.
   */
  readonly x: Float32Array | Int32Array;
  readonly count: number;          // S
  readonly steps: number;          // T
  readonly features: number;       // F
  /** Per-sequence valid lengths [S] (each 1..T) when sequences are padded at the end. */
  readonly lengths?: Int32Array;
  /**
   * Targets. "regression": Float32Array [S, O] (or [S, T, O] per step). "class": Int32Array class
   * ids [S] (or [S, T] per step) in 0..O−1.
   */
  readonly y: Float32Array | Int32Array;
  readonly target: "regression" | "class";
  /** true when there is one target per step (sequence → sequence), false for one per sequence. */
  readonly perStep: boolean;
  readonly outputs: number;        // O
  /**
   * Label sequences (CTC: phonemes of an utterance, characters of a line), for a per-step "class"
   * set whose labels do not line up with its steps. With them, y is an Int32Array [S, L] of class
   * ids, row s holding labelLengths[s] labels (0..L, none equal to `blank`) and then padding (any
   * valid id; never read); the model scores O classes at every step, the blank among them.
   */
  readonly labelLengths?: Int32Array;
  /** The class id that means "no label" (CTC's blank), with labelLengths (required with them). */
  readonly blank?: number;
}

/** Per-feature affine normalisation: x_norm = (x − mean) / std. Saved into the model. */
export interface Normalisation {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** A univariate or multivariate series and how its windows were made (forecasting data sets). */
export interface SeriesInfo {
  /** The whole series in original units [length, F], row-major. */
  readonly values: Float32Array;
  readonly length: number;
  readonly features: number;
  /** Names of the columns, and optionally a label per row (e.g. a date). */
  readonly columns: readonly string[];
  readonly labels?: readonly string[];
  /** Input window and forecast horizon in steps; the target column(s). */
  readonly window: number;
  readonly horizon: number;
  readonly targetColumns: readonly number[];
  /** Season length in steps for the seasonal-naive baseline (12 for monthly data, 7 for daily). */
  readonly season?: number;
  /** Row index where the validation and test parts begin (split by time). */
  readonly validationStart: number;
  readonly testStart: number;
  /** Windows are relative to their last input row (add it back for levels). */
  readonly relative?: boolean;
  /** Known-future covariates (covariates.ts): which, the dates' frequency, and their values [length, K]. */
  readonly covariates?: { readonly names: readonly string[]; readonly frequency: "daily" | "monthly"; readonly table: Float64Array };
  /** Labelled anomalies of the rows (sensor-anomalies), for forecast-residual anomaly detection. */
  readonly anomalies?: AnomalyLabels;
}

/** One injected anomaly: rows [start, end) of one column. */
export interface AnomalyEvent {
  readonly column: number;
  readonly start: number;
  readonly end: number;
  readonly kind: string;
}

/**
 * Which cells of a series are anomalous, and why. The labels are per cell (row, column): a row is
 * anomalous when any of its cells is.
 */
export interface AnomalyLabels {
  /** The kinds of anomaly, in code order. */
  readonly kinds: readonly string[];
  /** Row-major [length, F]: 0 normal, k ≥ 1 altered by an anomaly of kind kinds[k − 1]. */
  readonly cells: Uint8Array;
  /** The injected events, sorted by start row. */
  readonly events: readonly AnomalyEvent[];
  /** Row-major [length, F]: 1 where the reading was missing and filled in (not an anomaly), else 0. */
  readonly filled?: Uint8Array;
}

export interface Dataset {
  readonly name: string;
  readonly description: string;
  /** Where the data comes from and its licence, for the README and reports. */
  readonly source: string;
  readonly license: string;
  readonly train: SequenceSet;
  readonly validation?: SequenceSet;
  readonly test?: SequenceSet;
  /** Input normalisation applied to x (forecasting); targets use the same statistics for their columns. */
  readonly normalisation?: Normalisation;
  /** Token strings for id inputs (text), index = id. */
  readonly vocabulary?: readonly string[];
  /** Class names for classification targets. */
  readonly classes?: readonly string[];
  readonly series?: SeriesInfo;
  /** Audio data: the front end that makes x from raw audio (saved with a model, for spotKeywords). */
  readonly audio?: AudioFrontEnd;
}
