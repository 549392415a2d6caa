/**
 * The ONNX GRU, LSTM and RNN operators, executed by gated's Recurrent (recurrent-node.ts maps the
 * weights and attributes). Every attribute of the operators is read; anything gated cannot run
 * exactly (LSTM peepholes, input_forget = 1) is refused by recurrentFromOnnx with its name.
 *
 * Layout 0: X [T, B, I], Y [T, D, B, H], states [D, B, H]; layout 1: X [B, T, I], Y [B, T, D, H],
 * states [B, D, H]. gated computes time-major or batch-major directly, so layout 1 runs as well.
 */
import { ShapeError, fmtShape } from "../../../errors/index.js";
import { checkRecurrentAttributes, recurrentFromOnnx, type OnnxRecurrentAttributes, type OnnxRecurrentOp } from "../recurrent-node.js";
import type { Recurrent } from "../../../sequence/recurrent.js";
import type { Attrs } from "../proto.js";
import { tensor, type OnnxTensor } from "../tensor.js";
import { checkSize, expectType, need, type OpContext, type OpFn } from "./context.js";
import { transposeTensor } from "./shape-ops.js";

const GATES: Record<OnnxRecurrentOp, number> = { GRU: 3, LSTM: 4, RNN: 1 };

/** Every attribute of a GRU / LSTM / RNN node; an attribute the operator does not define is named in the error. */
export function readRecurrentAttributes(a: Attrs, where: string, op: OnnxRecurrentOp): OnnxRecurrentAttributes & { layout: number } {
  const out: Record<string, unknown> = { hidden_size: a.int("hidden_size"), layout: a.int("layout") ?? 0 };
  const put = (k: string, v: unknown) => { if (v !== undefined) out[k] = v; };
  put("direction", a.string("direction"));
  put("clip", a.float("clip"));
  put("activations", a.strings("activations"));
  put("activation_alpha", a.floats("activation_alpha"));
  put("activation_beta", a.floats("activation_beta"));
  if (op === "GRU") put("linear_before_reset", a.int("linear_before_reset"));
  if (op === "LSTM") put("input_forget", a.int("input_forget"));
  a.checkAllUsed();
  checkRecurrentAttributes(where, op, out as never);
  return out as never;
}

function expectDims(ctx: OpContext, name: string, t: OnnxTensor, dims: readonly number[]): void {
  if (t.shape.length !== dims.length || t.shape.some((d, i) => d !== dims[i])) {
    throw new ShapeError(`${ctx.where}: expected ${name} of shape ${fmtShape(dims)}, got ${fmtShape(t.shape)}`);
  }
}

/** The gated stack for this node and these weights (cached while the weights are the same tensors). */
function stackFor(ctx: OpContext, op: OnnxRecurrentOp, a: OnnxRecurrentAttributes, I: number, w: (OnnxTensor | undefined)[]): Recurrent {
  const key = `recurrent:${ctx.node.name ?? ""}:${ctx.node.output?.join(",")}`;
  const hit = ctx.cache.get(key) as { w: (OnnxTensor | undefined)[]; net: Recurrent } | undefined;
  if (hit && hit.w.every((t, i) => t === w[i])) return hit.net;
  const net = recurrentFromOnnx(op, I, a, { W: w[0]!.data, R: w[1]!.data, B: w[2]?.data, P: w[3]?.data }, "float32", ctx.where);
  ctx.cache.set(key, { w, net });
  return net;
}

function recurrentOp(op: OnnxRecurrentOp): OpFn {
  return (ctx) => {
    const a = readRecurrentAttributes(ctx.attrs, ctx.where, op);
    const X = need(ctx, 0, "X"), W = need(ctx, 1, "W"), R = need(ctx, 2, "R");
    const [Bt, seq, h0, c0, P] = [3, 4, 5, 6, 7].map((i) => ctx.inputs[i]);
    for (const [n, t] of [["X", X], ["W", W], ["R", R], ["B", Bt], ["initial_h", h0], ["initial_c", c0], ["P", P]] as const) {
      if (t) expectType(ctx.where, n, t, ["float32"]);
    }
    if (X.shape.length !== 3) throw new ShapeError(`${ctx.where}: expected X of rank 3, got ${fmtShape(X.shape)}`);
    const bm = a.layout === 1;
    const [T, B, I] = bm ? [X.shape[1]!, X.shape[0]!, X.shape[2]!] : (X.shape as [number, number, number]);
    const H = a.hidden_size, G = GATES[op], D = a.direction === "bidirectional" ? 2 : 1;
    checkSize(ctx.where, [D, G * H, Math.max(I, H)]);
    expectDims(ctx, "W", W, [D, G * H, I]);
    expectDims(ctx, "R", R, [D, G * H, H]);
    if (Bt) expectDims(ctx, "B", Bt, [D, 2 * G * H]);
    const net = stackFor(ctx, op, a, I, [W, R, Bt, P]);
    const state = (t: OnnxTensor | undefined, name: string) => {
      if (!t) return undefined;
      expectDims(ctx, name, t, bm ? [B, D, H] : [D, B, H]);
      return bm ? transposeTensor(ctx.where, t, [1, 0, 2]) : t;
    };
    const hInit = state(h0, "initial_h"), cInit = op === "LSTM" ? state(c0, "initial_c") : undefined;
    if (seq) {
      expectType(ctx.where, "sequence_lens", seq, ["int32", "int64"]);
      expectDims(ctx, "sequence_lens", seq, [B]);
    }
    const r = net.forward({ data: X.data as Float32Array, shape: X.shape }, {
      layout: bm ? "batch-major" : "time-major",
      ...(seq ? { lengths: seq.data } : {}),
      ...(hInit ? { initialState: { data: hInit.data as Float32Array, shape: hInit.shape } } : {}),
      ...(cInit ? { initialCell: { data: cInit.data as Float32Array, shape: cInit.shape } } : {}),
    });
    // ours [T, B, D·H] → ONNX [T, D, B, H]; batch-major [B, T, D·H] is already ONNX's [B, T, D, H]
    const Y = bm ? tensor("float32", [B, T, D, H], r.output.data)
      : transposeTensor(ctx.where, tensor("float32", [T, B, D, H], r.output.data), [0, 2, 1, 3]);
    const fin = (data: Float32Array | Float64Array) => {
      const t = tensor("float32", [D, B, H], data);
      return bm ? transposeTensor(ctx.where, t, [1, 0, 2]) : t;
    };
    return [Y, fin(r.finalState.data), r.finalCell ? fin(r.finalCell.data) : undefined];
  };
}

export const RECURRENT_OPS: Record<string, OpFn> = {
  GRU: recurrentOp("GRU"),
  LSTM: recurrentOp("LSTM"),
  RNN: recurrentOp("RNN"),
};
