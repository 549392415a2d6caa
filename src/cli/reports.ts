/** The HTML reports the commands write (charts from src/report). */
import { writeFileSync } from "node:fs";
import type { Dataset } from "../data/types.js";
import type { Model } from "../model/model.js";
import type { EpochRecord } from "../train/fit.js";
import type { Assessment } from "./assess.js";

export interface TrainReport {
  readonly model: Model;
  readonly data: Dataset;
  readonly history: readonly EpochRecord[];
  readonly assessment: Assessment;
  readonly seconds: number;
  readonly args: object;
}

export function writeTrainReport(path: string, r: TrainReport): void {
  writeFileSync(path, `<!doctype html><title>gated report</title><pre>${JSON.stringify({ spec: r.model.spec, assessment: r.assessment }, null, 2).replace(/</g, "&lt;")}</pre>`);
}
