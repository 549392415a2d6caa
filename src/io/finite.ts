/**
 * Non-finite weights (NaN, ±Infinity) in a file give NaN predictions with no error. Every reader
 * of weights refuses them at load with the tensor's name, the index and the value, unless the
 * caller asks otherwise (`allowNonFinite: true`, CLI `--allow-non-finite`) to inspect such a file.
 */
import { FormatError } from "../errors/index.js";

/** Index of the first NaN or ±Infinity in `data`, or −1 when every value is finite. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/**
 * Throws a FormatError naming the tensor (`what` "tensor", "parameter", "initializer"...), the
 * index and the value when `data` holds a NaN or an infinity.
 */
export function checkFinite(where: string, name: string, data: ArrayLike<number>, what = "tensor"): void {
  const i = firstNonFinite(data);
  if (i < 0) return;
  throw new FormatError(
    `${where}: ${what} ${JSON.stringify(name)} holds a non-finite value (${data[i]} at index ${i} of ${data.length}); ` +
      "the model would predict NaN. hint: allowNonFinite: true (CLI --allow-non-finite) loads it anyway, for debugging",
  );
}

/** The option every importer takes. */
export interface NonFiniteOption {
  /** Load NaN / ±Infinity weights instead of refusing the file (for debugging a damaged model). */
  readonly allowNonFinite?: boolean;
}
