/** Options shared by the generated data sets: how many sequences in each part, and the seed. */
import { checkKeys, optInt, optSeed } from "./options.js";

export interface GeneratedOptions {
  /** Training sequences (default 1000). */
  count?: number;
  /** Validation and test sequences (default 200 each; 0 leaves the part out). */
  validationCount?: number;
  testCount?: number;
  /** One Rng(seed) draws the train, then validation, then test sequences (default 0). */
  seed?: number;
}

export interface PartCounts {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
  readonly seed: number;
}

export function partCounts(where: string, options: GeneratedOptions, known: readonly string[]): PartCounts {
  checkKeys(where, options, known);
  return {
    train: optInt(where, "count", options.count, 1000),
    validation: optInt(where, "validationCount", options.validationCount, 200, 0),
    test: optInt(where, "testCount", options.testCount, 200, 0),
    seed: optSeed(where, options.seed),
  };
}
