/**
 * Worker side: what one training worker holds (its model, the task's data, the run's checkpoint,
 * the sequences the gate view reads). Plain data, no DOM: the Node tests import the worker's
 * gate code, which reads it.
 */
import type { Checkpoint, Dataset, Model, SequenceSet } from "../../src/index.js";
import type { TrainConfig } from "./protocol.js";

export interface Session {
  model: Model | null;
  /** The task's data (null for a loaded model without one). */
  data: Dataset | null;
  config: TrainConfig | null;
  checkpoint: Checkpoint | null;
  /** Sequences the gate view reads, and where they come from. */
  sequences: SequenceSet | null;
  sequenceSource: string;
  source: string;
  notes: string[];
  epochsTarget: number;
  stop: boolean;
  running: boolean;
}

export const session: Session = {
  model: null, data: null, config: null, checkpoint: null, sequences: null, sequenceSource: "", source: "", notes: [],
  epochsTarget: 0, stop: false, running: false,
};

