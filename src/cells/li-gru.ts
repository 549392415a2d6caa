/** Placeholder: being written. */
import { OptionError } from "../errors/index.js";
import type { DType } from "../kernels/types.js";
import type { Cell, CommonCellOptions } from "./types.js";

export interface LiGruOptions extends CommonCellOptions {}

export function liGru(_o: LiGruOptions, _dtype: DType): Cell {
  throw new OptionError("liGru: not implemented yet");
}
