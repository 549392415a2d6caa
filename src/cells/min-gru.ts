/** Placeholder: being written. */
import { OptionError } from "../errors/index.js";
import type { DType } from "../kernels/types.js";
import type { Cell, CommonCellOptions } from "./types.js";

export interface MinGruOptions extends CommonCellOptions {}

export function minGru(_o: MinGruOptions, _dtype: DType): Cell {
  throw new OptionError("minGru: not implemented yet");
}
