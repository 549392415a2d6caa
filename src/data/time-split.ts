/**
 * Splitting a series by time into train | validation | test rows, and which windows belong to
 * each part.
 *
 * Rows [0, validationStart) are the training part, [validationStart, testStart) validation and
 * [testStart, length) test. A window starting at row s reads inputs s..s+W−1 and targets
 * s+W..s+W+H−1 (W window, H horizon); it belongs to the part holding its LAST target row, so no
 * training target lies in a later part (inputs may reach back into earlier parts: the past is known).
 */
import { ValueError } from "../errors/index.js";
import { partSize } from "./options.js";

export interface TimeSplit {
  readonly validationStart: number;
  readonly testStart: number;
}

/** A run of windows: starting rows first, first+1, …, first+count−1. */
export interface WindowRange {
  readonly first: number;
  readonly count: number;
}

/**
 * The part boundaries for `length` rows with the last `test` and, before them, `validation`
 * fractions held out (each at least one row when its fraction is not 0). Throws a ValueError
 * saying how many rows there are and how many are needed when the series is too short.
 */
export function splitByTime(where: string, length: number, window: number, horizon: number, validation: number, test: number): TimeSplit {
  const nTest = partSize(length, test);
  const nValidation = partSize(length, validation);
  const needed = window + horizon + nValidation + nTest;
  if (length < needed) {
    throw new ValueError(
      `${where}: the series has ${length} rows, too short: window ${window} + horizon ${horizon} = ${window + horizon} rows ` +
        `for one training window, plus ${nValidation} validation and ${nTest} test rows, needs ${needed}` +
        " (hint: a smaller window, or validation/test fractions of 0)",
    );
  }
  return { validationStart: length - nTest - nValidation, testStart: length - nTest };
}

/** The windows whose last target row lies in [partStart, partEnd). */
export function windowsEndingIn(partStart: number, partEnd: number, window: number, horizon: number): WindowRange {
  const span = window + horizon;
  const first = Math.max(0, partStart - span + 1);
  const last = partEnd - span; // the start whose last target is partEnd − 1
  return { first, count: Math.max(0, last - first + 1) };
}
