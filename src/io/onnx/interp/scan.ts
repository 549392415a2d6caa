/**
 * The ONNX Scan operator (opset ≥ 9): N loop-carried states and M scan inputs sliced along axis 0,
 * forward or reverse per input; K scan outputs stacked along axis 0 (in reverse order when
 * scan_output_directions says 1). The body runs with the enclosing values visible.
 */
import { FormatError, ShapeError, fmtShape } from "../../../errors/index.js";
import { allocData, sizeOf, type OnnxTensor } from "../tensor.js";
import { checkSize, type OpFn } from "./context.js";

export const scan: OpFn = (ctx) => {
  const a = ctx.attrs, where = ctx.where;
  if (ctx.opset < 9) throw new FormatError(`${where}: Scan before opset 9 (with a batch axis) is not supported`);
  const body = a.graph("body");
  const M = a.int("num_scan_inputs");
  if (!body || M === undefined) throw new FormatError(`${where}: body and num_scan_inputs are required`);
  const inputs = ctx.inputs;
  const N = inputs.length - M;
  if (M < 1 || N < 0) throw new FormatError(`${where}: num_scan_inputs = ${M} does not fit ${inputs.length} inputs`);
  const inDirs = a.ints("scan_input_directions") ?? new Array<number>(M).fill(0);
  const bodyIn = (body.input ?? []).map((v) => v.name ?? ""), bodyOut = (body.output ?? []).map((v) => v.name ?? "");
  const K = bodyOut.length - N;
  const outDirs = a.ints("scan_output_directions") ?? new Array<number>(K).fill(0);
  for (const [name, v] of [["scan_input_axes", a.ints("scan_input_axes")], ["scan_output_axes", a.ints("scan_output_axes")]] as const) {
    if (v && v.some((x) => x !== 0)) throw new FormatError(`${where}: ${name} other than 0 is not supported, got [${v.join(", ")}]`);
  }
  a.checkAllUsed();
  if (bodyIn.length !== N + M || K < 0) throw new FormatError(`${where}: the body has ${bodyIn.length} inputs and ${bodyOut.length} outputs, expected ${N + M} inputs and at least ${N} outputs`);
  if (inDirs.length !== M || outDirs.length !== K) throw new FormatError(`${where}: scan_input_directions / scan_output_directions have the wrong length`);
  const xs = inputs.slice(N).map((t, k) => {
    if (!t || t.shape.length < 1) throw new ShapeError(`${where}: scan input ${k} must have rank ≥ 1`);
    return t;
  });
  const T = xs[0]!.shape[0]!;
  if (xs.some((t) => t.shape[0] !== T)) throw new ShapeError(`${where}: scan inputs disagree on the sequence length: ${xs.map((t) => fmtShape(t.shape)).join(", ")}`);
  let states = inputs.slice(0, N).map((t, k) => {
    if (!t) throw new FormatError(`${where}: state input ${k} is missing`);
    return t;
  });
  const outs: OnnxTensor[][] = Array.from({ length: K }, () => []);
  for (let t = 0; t < T; t++) {
    const feeds = new Map<string, OnnxTensor>();
    states.forEach((s, i) => feeds.set(bodyIn[i]!, s));
    xs.forEach((x, k) => feeds.set(bodyIn[N + k]!, step(x, inDirs[k] === 1 ? T - 1 - t : t)));
    const res = ctx.runSubgraph(body, feeds);
    states = bodyOut.slice(0, N).map((n) => res.get(n)!);
    bodyOut.slice(N).forEach((n, k) => outs[k]!.push(res.get(n)!));
  }
  return [...states, ...outs.map((list, k) => stack(where, list, outDirs[k] === 1))];
};

/** x[t] of a [T, ...] value. */
function step(x: OnnxTensor, t: number): OnnxTensor {
  const inner = sizeOf(x.shape.slice(1));
  return { dtype: x.dtype, shape: x.shape.slice(1), data: x.data.subarray(t * inner, (t + 1) * inner) };
}

function stack(where: string, list: OnnxTensor[], reverse: boolean): OnnxTensor {
  if (list.length === 0) throw new ShapeError(`${where}: a scan over 0 steps has no output shape`);
  const first = list[0]!, inner = first.data.length;
  for (const t of list) {
    if (t.dtype !== first.dtype || t.shape.length !== first.shape.length || t.shape.some((d, i) => d !== first.shape[i])) {
      throw new ShapeError(`${where}: scan outputs change shape between steps (${fmtShape(first.shape)} then ${fmtShape(t.shape)})`);
    }
  }
  const shape = [list.length, ...first.shape];
  checkSize(where, shape);
  const out = allocData(first.dtype, list.length * inner);
  list.forEach((t, i) => out.set(t.data, (reverse ? list.length - 1 - i : i) * inner));
  return { dtype: first.dtype, shape, data: out };
}
