/**
 * The messages between the page (main.ts) and a training worker (worker.ts). Every number array
 * crosses as a Float32Array (transferred, not copied, where the sender no longer needs it).
 *
 * page → worker: init, train, stop, resume, gates, load, download, predict
 * worker → page: ready, progress, epoch, trained, gates, loaded, file, failed
 */

/** The tasks a person can pick. "csv" carries the dropped file's text. */
export type TaskName = "co2" | "mackey-glass" | "csv" | "sentiment" | "adding";

export interface TaskConfig {
  readonly name: TaskName;
  /** Input steps per window (forecasts) or per sequence (adding); longest sentence kept (sentiment). */
  readonly steps: number;
  /** The dropped CSV's text and file name, for "csv". */
  readonly csv?: { readonly text: string; readonly fileName: string };
}

export interface TrainConfig {
  readonly task: TaskConfig;
  readonly cell: string;
  readonly units: number;
  readonly layers: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
}

/** A grid of values, row-major: rows = time steps, cols = units (or features). */
export interface Grid {
  readonly name: string;
  readonly values: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** What the page shows about the current model. */
export interface ModelInfo {
  readonly source: string;          // "trained: gru on co2", "loaded: model.onnx"
  readonly cells: readonly string[]; // cell kind of each recurrent layer
  readonly parameters: number;       // learned parameters
  readonly summary: string;          // formatSummary text
  readonly notes: readonly string[];
  /** The input the gate view can use: a task's sequences, or made-up ones for a loaded model. */
  readonly sequences: number;
  readonly sequenceSource: string;
}

/** One-step-ahead forecasts of the held-out part against the truth, in the series' units. */
export interface ForecastView {
  readonly title: string;
  readonly yLabel: string;
  readonly history: Float32Array;
  readonly labels?: readonly string[];
  readonly actual: Float32Array;
  readonly forecast: Float32Array;
  readonly metric: string;
}

export interface EpochView {
  readonly epoch: number;
  readonly train: number;
  readonly validation: number | null;
  readonly seconds: number;
  readonly accuracy: number | null;
}

export type ToWorker =
  | { readonly type: "init"; readonly threads: boolean }
  | { readonly type: "train"; readonly config: TrainConfig }
  | { readonly type: "stop" }
  | { readonly type: "resume"; readonly epochs: number }
  | { readonly type: "gates"; readonly sequence: number }
  | { readonly type: "load"; readonly files: readonly { readonly name: string; readonly bytes: Uint8Array }[] }
  | { readonly type: "download"; readonly format: "gated" | "onnx" };

export type FromWorker =
  | { readonly type: "ready"; readonly backend: string; readonly threads: string }
  | { readonly type: "progress"; readonly epoch: number; readonly epochs: number; readonly batch: number; readonly batches: number; readonly loss: number }
  | { readonly type: "epoch"; readonly record: EpochView }
  | { readonly type: "trained"; readonly interrupted: boolean; readonly model: ModelInfo; readonly forecast: ForecastView | null; readonly test: string }
  | { readonly type: "model"; readonly model: ModelInfo }
  | { readonly type: "gates"; readonly sequence: number; readonly input: Grid; readonly inputLabels: readonly string[] | null; readonly layers: readonly { readonly title: string; readonly grids: readonly Grid[] }[]; readonly output: string }
  | { readonly type: "loaded"; readonly model: ModelInfo }
  | { readonly type: "file"; readonly name: string; readonly bytes: Uint8Array }
  | { readonly type: "failed"; readonly during: string; readonly message: string };
