/**
 * Block-mean downsampling of a row-major grid, for heat maps with more cells than pixels or than an
 * SVG should hold. Each output cell is the mean of the finite input values in its block (NaN when
 * there are none); edge blocks may be partial and average what they hold. When the block sizes divide
 * the grid, the mean of the output equals the mean of the input.
 */
import type { Numbers } from "./check.js";

export interface Grid {
  values: Float64Array; // [rows × cols], row-major
  rows: number;
  cols: number;
}

export interface Factors {
  rows: number;
  cols: number;
}

export interface GridLimits {
  maxRows: number;
  maxCols: number;
  maxCells: number;
}

/**
 * Block sizes that bring the grid within the limits. Rows are averaged first: in a gate heat map
 * they are time steps, and a mean over neighbouring steps is a smoothing, while a mean over
 * neighbouring units mixes unrelated channels. Columns are averaged only when they alone exceed the
 * pixels or the cell budget.
 */
export function downsampleFactors(rows: number, cols: number, limits: GridLimits): Factors {
  const maxCells = Math.max(1, Math.floor(limits.maxCells));
  let fc = Math.max(1, Math.ceil(cols / Math.max(1, limits.maxCols)));
  if (Math.ceil(cols / fc) > maxCells) fc = Math.ceil(cols / maxCells);
  const rowsAllowed = Math.min(Math.max(1, Math.floor(limits.maxRows)), Math.floor(maxCells / Math.ceil(cols / fc)));
  return { rows: Math.max(1, Math.ceil(rows / rowsAllowed)), cols: fc };
}

export function blockMean(values: Numbers, rows: number, cols: number, f: Factors): Grid {
  const outRows = Math.ceil(rows / f.rows), outCols = Math.ceil(cols / f.cols);
  const sum = new Float64Array(outRows * outCols); // [outRows × outCols]
  const count = new Float64Array(outRows * outCols); // [outRows × outCols]
  for (let r = 0; r < rows; r++) {
    const base = Math.floor(r / f.rows) * outCols;
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c]!;
      if (!Number.isFinite(v)) continue;
      const k = base + Math.floor(c / f.cols);
      sum[k]! += v;
      count[k]! += 1;
    }
  }
  for (let k = 0; k < sum.length; k++) sum[k] = count[k]! > 0 ? sum[k]! / count[k]! : NaN;
  return { values: sum, rows: outRows, cols: outCols };
}
