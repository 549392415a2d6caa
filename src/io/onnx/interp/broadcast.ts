/**
 * Numpy-style (multidirectional) broadcasting for the elementwise ops.
 */
import { ShapeError, fmtShape } from "../../../errors/index.js";
import { allocData, type OnnxDType, type OnnxTensor } from "../tensor.js";
import { checkSize, stridesOf } from "./context.js";

export function broadcastShape(where: string, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i, d = s[i]!;
      if (d === out[o]) continue;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1) throw new ShapeError(`${where}: shapes ${shapes.map(fmtShape).join(" and ")} do not broadcast`);
    }
  }
  return out;
}

/** For each output index, the flat index into `shape` broadcast to `out`. */
function indexMap(shape: readonly number[], out: readonly number[]): Int32Array | null {
  const n = out.reduce((a, b) => a * b, 1);
  if (shape.length === out.length && shape.every((d, i) => d === out[i])) return null; // identity
  const rank = out.length, st = stridesOf(shape), s = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) s[rank - shape.length + i] = shape[i] === 1 ? 0 : st[i]!;
  const map = new Int32Array(n), idx = new Array<number>(rank).fill(0);
  let flat = 0;
  for (let k = 0; k < n; k++) {
    map[k] = flat;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      flat += s[d]!;
      if (idx[d]! < out[d]!) break;
      flat -= s[d]! * out[d]!;
      idx[d] = 0;
    }
  }
  return map;
}

/** out[i] = f(a[i], b[i], ...) over the broadcast shape, stored as `dtype`. */
export function mapN(where: string, ts: readonly OnnxTensor[], dtype: OnnxDType, f: (v: number[]) => number): OnnxTensor {
  const shape = broadcastShape(where, ts.map((t) => t.shape));
  checkSize(where, shape);
  const n = shape.reduce((a, b) => a * b, 1);
  const maps = ts.map((t) => indexMap(t.shape, shape));
  const out = allocData(dtype, n), v = new Array<number>(ts.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < ts.length; k++) v[k] = ts[k]!.data[maps[k] ? maps[k]![i]! : i]!;
    out[i] = f(v);
  }
  return { dtype, shape, data: out };
}

export function map2(where: string, a: OnnxTensor, b: OnnxTensor, dtype: OnnxDType, f: (x: number, y: number) => number): OnnxTensor {
  const shape = broadcastShape(where, [a.shape, b.shape]);
  checkSize(where, shape);
  const n = shape.reduce((p, q) => p * q, 1);
  const ma = indexMap(a.shape, shape), mb = indexMap(b.shape, shape);
  const out = allocData(dtype, n), ad = a.data, bd = b.data;
  for (let i = 0; i < n; i++) out[i] = f(ad[ma ? ma[i]! : i]!, bd[mb ? mb[i]! : i]!);
  return { dtype, shape, data: out };
}
