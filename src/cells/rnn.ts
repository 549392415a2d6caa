/** Placeholder: being written. */
import { OptionError } from "../errors/index.js";
import type { DType } from "../kernels/types.js";
import type { Cell, CommonCellOptions } from "./types.js";

export interface RnnOptions extends CommonCellOptions {}

export function rnn(_o: RnnOptions, _dtype: DType): Cell {
  throw new OptionError("rnn: not implemented yet");
}
