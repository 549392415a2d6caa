/**
 * Memory limits checked at the public boundary, before anything is allocated: a size typed by
 * mistake (hiddenSize 1e5, a batch of a million rows) is refused with the estimate, instead of a
 * raw RangeError from the engine or a process that grows to many gigabytes.
 *
 *   parameters: at most 2^28 values per model or stack (1 GiB as float32, 2 GiB as float64; the
 *     gradients and the optimiser state mirror them, so training holds three to four times that);
 *   working memory of one forward call or one streaming state: at most 4 GiB.
 */
import { OptionError, ShapeError } from "../errors/index.js";
import type { DType } from "../kernels/types.js";

export const MAX_PARAMETERS = 2 ** 28;
export const MAX_WORK_BYTES = 4 * 2 ** 30;

/** "1.5 GiB", "12 MiB": a byte count in words. */
export function fmtBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n < 10 && i > 0 ? Number(n.toFixed(1)) : Math.round(n).toLocaleString("en-US")} ${units[i]}`;
}

const bytesOf = (dtype: DType): number => (dtype === "float64" ? 8 : 4);

/** Refuses a parameter count above MAX_PARAMETERS; `what` says where the count comes from. */
export function checkParameterBudget(where: string, count: number, dtype: DType, what: string): void {
  if (count <= MAX_PARAMETERS) return;
  throw new OptionError(
    `${where}: ${what} needs ${count.toLocaleString("en-US")} parameters (${fmtBytes(count * bytesOf(dtype))} as ${dtype}); ` +
      `the limit is ${MAX_PARAMETERS.toLocaleString("en-US")} (2^28) values: use smaller sizes`,
  );
}

/** Refuses (ShapeError: the sizes of a call) working memory of `elements` values above MAX_WORK_BYTES; `what` says what needs it and `hint` how to need less. */
export function checkWorkBudget(where: string, elements: number, dtype: DType, what: string, hint: string): void {
  const bytes = elements * bytesOf(dtype);
  if (bytes <= MAX_WORK_BYTES) return;
  throw new ShapeError(`${where}: ${what} needs about ${fmtBytes(bytes)} of working memory (${dtype}); the limit is ${fmtBytes(MAX_WORK_BYTES)}: ${hint}`);
}
