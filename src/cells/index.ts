/**
 * The cell table: every variant by name. Adding a variant is one file in this folder plus one line
 * here. Aliases fix one option (e.g. "gru2" is a GRU with gates: "type2").
 */
import { OptionError, checkObject } from "../errors/index.js";
import type { DType } from "../kernels/types.js";
import { gru, type GruOptions } from "./gru.js";
import { liBru, type LiBruOptions } from "./li-bru.js";
import { liGru, type LiGruOptions } from "./li-gru.js";
import { lstm, type LstmOptions } from "./lstm.js";
import { mgu, type MguOptions } from "./mgu.js";
import { minGru, type MinGruOptions } from "./min-gru.js";
import { rnn, type RnnOptions } from "./rnn.js";
import type { Cell } from "./types.js";

/** The options each cell kind accepts. */
export interface CellOptionsByKind {
  gru: GruOptions;
  gru1: Omit<GruOptions, "gates">;
  gru2: Omit<GruOptions, "gates">;
  gru3: Omit<GruOptions, "gates">;
  mgu: MguOptions;
  mgu1: Omit<MguOptions, "gates">;
  mgu2: Omit<MguOptions, "gates">;
  mgu3: Omit<MguOptions, "gates">;
  ligru: LiGruOptions;
  libru: LiBruOptions;
  mingru: MinGruOptions;
  lstm: LstmOptions;
  rnn: RnnOptions;
}
export type CellKind = keyof CellOptionsByKind;

type Factory = (options: never, dtype: DType) => Cell;

const CELLS: Record<CellKind, Factory> = {
  gru,
  gru1: (o: GruOptions, d: DType) => gru({ ...o, gates: "type1" }, d),
  gru2: (o: GruOptions, d: DType) => gru({ ...o, gates: "type2" }, d),
  gru3: (o: GruOptions, d: DType) => gru({ ...o, gates: "type3" }, d),
  mgu,
  mgu1: (o: MguOptions, d: DType) => mgu({ ...o, gates: "type1" }, d),
  mgu2: (o: MguOptions, d: DType) => mgu({ ...o, gates: "type2" }, d),
  mgu3: (o: MguOptions, d: DType) => mgu({ ...o, gates: "type3" }, d),
  ligru: liGru,
  libru: liBru,
  mingru: minGru,
  lstm,
  rnn,
};

export const CELL_KINDS = Object.keys(CELLS) as CellKind[];

/** Builds a cell by name; unknown names list the valid ones. */
export function makeCell<K extends CellKind>(kind: K, options: CellOptionsByKind[K], dtype: DType = "float32"): Cell {
  const factory = (CELLS as Record<string, Factory | undefined>)[kind as string];
  if (!factory) throw new OptionError(`cell: unknown kind ${JSON.stringify(kind)}; valid kinds: ${CELL_KINDS.join(", ")}`);
  checkObject(`${kind} cell`, options);
  return (factory as (o: CellOptionsByKind[K], d: DType) => Cell)(options, dtype);
}

/** The number of learnable values of one cell of this kind, e.g. parameterCount("gru", {inputSize: 64, hiddenSize: 128}). */
export function parameterCount<K extends CellKind>(kind: K, options: CellOptionsByKind[K]): number {
  const cell = makeCell(kind, options, "float64");
  return cell.params.filter((p) => p.trainable !== false).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}
