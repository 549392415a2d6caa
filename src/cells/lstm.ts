/** Placeholder: being written. */
import { OptionError } from "../errors/index.js";
import type { DType } from "../kernels/types.js";
import type { Cell, CommonCellOptions } from "./types.js";

export interface LstmOptions extends CommonCellOptions {}

export function lstm(_o: LstmOptions, _dtype: DType): Cell {
  throw new OptionError("lstm: not implemented yet");
}
