/**
 * The arguments of the public stack API (Recurrent's constructor, forward, backward, createState,
 * step), checked before anything is allocated or run: each check is O(number of arguments), and
 * the working memory a call would need is estimated from the sizes and refused above the limit of
 * limits.ts. Tensors themselves are checked in tensor.ts (expectTensor, expectShape, expectFinite).
 *
 * Shape legend: T time, B batch, I input, H hidden, L layers, D directions.
 */
import type { Cell } from "../cells/types.js";
import { OptionError, ShapeError, checkOptions, show } from "../errors/index.js";
import type { DType, Vec } from "../kernels/types.js";
import { checkWorkBudget } from "./limits.js";

export const FORWARD_KEYS = ["layout", "lengths", "initialState", "initialCell", "train", "capture", "rng", "out"];
export const BACKWARD_KEYS = ["dFinalState", "dFinalCell", "into"];
export const STATE_KEYS = ["initialState", "initialCell"];
export const STEP_KEYS = ["out", "capture"];

/** The constructor's options must be an object; seed an integer; reverseOptions an object without the shared sizes. */
export function checkStackOptions(where: string, options: unknown): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new OptionError(`${where}: expected an options object {cell, inputSize, hiddenSize, ...}, got ${show(options)}`);
  }
  const { seed, reverseOptions } = options as { seed?: unknown; reverseOptions?: unknown };
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new OptionError(`${where}: seed must be an integer, got ${show(seed)}`);
  if (reverseOptions === undefined) return;
  if (reverseOptions === null || typeof reverseOptions !== "object" || Array.isArray(reverseOptions)) {
    throw new OptionError(`${where}: reverseOptions must be an object of cell options, got ${show(reverseOptions)}`);
  }
  for (const k of ["inputSize", "hiddenSize", "gates"]) {
    if (k in reverseOptions) throw new OptionError(`${where}: both directions share ${k}; it cannot differ in reverseOptions`);
  }
}

/** Checks forward's options object: known keys only, flags true/false, an rng that draws. */
export function checkForwardOptions(where: string, opts: unknown): void {
  checkOptions(where, opts, FORWARD_KEYS);
  const o = (opts ?? {}) as Record<string, unknown>;
  for (const k of ["train", "capture"]) {
    if (o[k] !== undefined && typeof o[k] !== "boolean") throw new OptionError(`${where}: ${k} must be true or false, got ${show(o[k])}`);
  }
  const rng = o.rng as { uniform?: unknown } | undefined;
  if (rng !== undefined && (rng === null || typeof rng.uniform !== "function")) {
    throw new OptionError(`${where}: rng must be a generator (new Rng(seed)), got ${show(rng)}`);
  }
}

/** The elements forward allocates for a workspace of this stack (the x copy, layer outputs, each direction's buffers). */
export function forwardElements(cells: readonly Cell[], T: number, B: number, I: number, L: number, D: number, H: number, keep: boolean): number {
  const N = T * B;
  let n = N * I + L * N * D * H;
  for (const c of cells) {
    n += N * c.xBlocks * H + c.states.length * (T + 1) * B * H + (keep ? N : B) * c.cacheWidth + N * (c.prepareWidth ?? 0) + B * c.scratchWidth;
  }
  return n;
}

/** Refuses a forward whose workspace would pass the limit, with the sizes that make it. */
export function checkForwardWork(where: string, cells: readonly Cell[], dtype: DType, T: number, B: number, I: number, L: number, D: number, H: number, keep: boolean): void {
  checkWorkBudget(where, forwardElements(cells, T, B, I, L, D, H, keep), dtype,
    `a call with T = ${T}, B = ${B} (inputSize ${I}, hiddenSize ${H}, ${L} layer(s) × ${D} direction(s)${keep ? ", keeping what backward needs" : ""})`,
    "split the sequence into shorter windows (or stream it with step()) or use smaller batches");
}

/** Refuses a streaming state for B rows whose buffers would pass the limit. */
export function checkStreamWork(where: string, cells: readonly Cell[], dtype: DType, B: number, I: number): void {
  let n = B * I;
  for (const c of cells) {
    const H = c.hiddenSize;
    n += B * (2 * c.states.length * H + c.xBlocks * H + c.cacheWidth + c.scratchWidth + (c.prepareWidth ?? 0));
  }
  checkWorkBudget(where, n, dtype, `a streaming state of B = ${B} rows`, "stream fewer rows at once");
}

/** Whether two typed arrays share any byte of memory. */
function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * forward's `out`: a typed array of the stack's dtype with exactly `n` elements, sharing no memory
 * with the initial states (which are read while the output is written).
 */
export function checkOutBuffer(where: string, out: unknown, n: number, dtype: "float32" | "float64", reads: readonly (ArrayBufferView | undefined)[]): Vec {
  const Want = dtype === "float32" ? Float32Array : Float64Array;
  if (!(out instanceof Want)) throw new OptionError(`${where}: out must be a ${Want.name} (the stack is ${dtype}), got ${show(out)}`);
  if (out.length !== n) throw new ShapeError(`${where}: out must have ${n} elements (T·B·D·H), got ${out.length}`);
  for (const r of reads) if (r && overlaps(out, r)) throw new OptionError(`${where}: out shares memory with an initial state, which forward reads while it writes the output; pass another buffer`);
  return out;
}
