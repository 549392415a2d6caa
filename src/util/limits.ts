/**
 * How much memory one input may ask for. An input whose buffers would exceed MAX_INPUT_BYTES is
 * refused before anything is allocated, with the estimate and how it was reached, instead of
 * crashing the process (or the machine) part way through.
 */
import { ValueError } from "../errors/index.js";

/** 1 GiB: the largest buffer set one input (a CSV, a JSON of sequences) may need. */
export const MAX_INPUT_BYTES = 2 ** 30;

/** `n` bytes in words: "512 B", "3.2 MB", "8.0 TB" (powers of 1000, like disk sizes). */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
  let i = 0, v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/**
 * Throws a ValueError when `bytes` exceed the limit: "<where>: <what> would take 8.0 TB of memory
 * (<how>), more than the 1.1 GB gated allows for one input (hint: …)".
 */
export function checkInputSize(where: string, what: string, bytes: number, how: string, hint: string): void {
  if (bytes <= MAX_INPUT_BYTES) return;
  throw new ValueError(`${where}: ${what} would take ${formatBytes(bytes)} of memory (${how}), more than the ${formatBytes(MAX_INPUT_BYTES)} gated allows for one input (hint: ${hint})`);
}
