/** Placeholder: being written. */
import { OptionError } from "../errors/index.js";
import type { DType } from "../kernels/types.js";
import type { Cell, CommonCellOptions } from "./types.js";

export interface LiBruOptions extends CommonCellOptions {}

export function liBru(_o: LiBruOptions, _dtype: DType): Cell {
  throw new OptionError("liBru: not implemented yet");
}
