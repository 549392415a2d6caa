/**
 * torch.onnx's dynamo exporter (torch 2.13) has no ONNX RNN node for nn.RNN: it unrolls the
 * recurrence over the example's T steps. This file finds that pattern and folds it back into one
 * ONNX RNN node, so the ONNX → gated model walk (to-model.ts) reads it like any RNN node.
 *
 * The pattern, for one layer, one direction (X time-major [T, B, I], after a Transpose if batch_first):
 *   P   = Add(MatMul(X, Wᵀ [I, H]), b_ih [H])                        all steps' input terms
 *   x_k = Squeeze(Slice(P, [k], [k + 1], axes [0]), [0])            k = 0 … T − 1, in order
 *   r_0 = C [1, B, H] (h0 = 0 folded by the exporter: every row of C must equal b_hh)
 *         or Add(MatMul(h0, Uᵀ), b_hh) (dynamic shapes; h0 zeros, checked by the walk)
 *   r_k = Add(MatMul(h_{k−1}, Uᵀ [H, H]), b_hh [H])                  one Uᵀ, one b_hh for all steps
 *   h_k = f(Add(r_k, x_k)), f = Tanh or Relu;   Y = Concat(h_0 … h_{T−1}, axis 0)   [T, B, H]
 * Folded: Y = Squeeze(RNN(X, W, R, B = [b_ih, b_hh], initial_h = h0, activations [f]), axes [1]),
 * the same sums in the same math (exact up to float rounding order). Every value inside the pattern
 * must be read only inside it, or nothing is folded. Stacked layers fold one by one; the reverse
 * direction of a bidirectional nn.RNN is not recognised (the walk then refuses, with a hint).
 */
import { attr, Attrs, type NodeProto } from "./proto.js";
import { tensor, type OnnxTensor } from "./tensor.js";
import { q } from "./quote.js";

type Konst = (name: string) => OnnxTensor | undefined;

interface Match {
  readonly X: string; readonly h0: string | null; readonly act: "Tanh" | "Relu";
  readonly Wt: OnnxTensor; readonly Ut: OnnxTensor; readonly bih: OnnxTensor; readonly bhh: OnnxTensor;
  readonly nodes: readonly NodeProto[];
}

export interface Folded {
  readonly nodes: NodeProto[];
  /** New constants (the RNN node's W, R, B and a Squeeze's axes), by name. */
  readonly consts: Map<string, OnnxTensor>;
  readonly notes: string[];
}

/** Integers of a constant input or attribute (Squeeze/Slice axes across opsets). */
function ints(k: Konst, node: NodeProto, input: number, attrName?: string): number[] | undefined {
  const name = node.input?.[input];
  if (name) { const t = k(name); return t ? Array.from(t.data) : undefined; }
  return attrName ? new Attrs("", node).ints(attrName) : undefined;
}

function matchAll(cat: NodeProto, prod: Map<string, NodeProto>, k: Konst): Match | null {
  const hs = cat.input ?? [];
  if (cat.opType !== "Concat" || (new Attrs("", cat).int("axis") ?? -1) !== 0 || hs.length < 2) return null;
  const nodes: NodeProto[] = [cat];
  const use = (n: NodeProto | undefined, op: string): NodeProto | null => (n && n.opType === op ? (nodes.push(n), n) : null);
  const act = prod.get(hs[0]!)?.opType;
  if (act !== "Tanh" && act !== "Relu") return null;
  let P: string | null = null, Ut: string | null = null, bhh: string | null = null, h0: string | null = null, C: OnnxTensor | null = null;
  for (let t = 0; t < hs.length; t++) {
    const f = use(prod.get(hs[t]!), act), add = f && use(prod.get(f.input![0]!), "Add");
    if (!add) return null;
    // one operand is the step's input slice x_t, the other the recurrent term r_t
    const step = (name: string) => {
      const sq = prod.get(name), sl = sq?.opType === "Squeeze" ? prod.get(sq.input![0]!) : undefined;
      if (!sq || sl?.opType !== "Slice" || ints(k, sq, 1, "axes")?.join() !== "0") return null;
      const [s, e, ax, st] = [ints(k, sl, 1), ints(k, sl, 2), ints(k, sl, 3) ?? [0], ints(k, sl, 4) ?? [1]];
      return s?.[0] === t && e?.[0] === t + 1 && ax.join() === "0" && st.join() === "1" ? { sq, sl, P: sl.input![0]! } : null;
    };
    const [a, b] = add.input as string[];
    const xs = step(b!) ?? step(a!), r = xs && (step(b!) ? a! : b!);
    if (!xs || !r || (P !== null && xs.P !== P)) return null;
    P = xs.P;
    nodes.push(xs.sq, xs.sl);
    if (t === 0 && k(r)) { C = k(r)!; continue; }
    const radd = use(prod.get(r), "Add");
    if (!radd) return null;
    const [m0, m1] = radd.input as string[];
    const mm = use(prod.get(k(m0!) ? m1! : m0!), "MatMul"), bias = k(m0!) ? m0! : m1!;
    if (!mm || !k(bias) || !k(mm.input![1]!)) return null;
    if ((Ut !== null && mm.input![1] !== Ut) || (bhh !== null && bias !== bhh)) return null;
    Ut = mm.input![1]!; bhh = bias;
    const hPrev = mm.input![0]!;
    if (t > 0 && hPrev !== hs[t - 1]) return null;
    if (t === 0) h0 = hPrev;
  }
  const padd = use(prod.get(P!), "Add");
  const [p0, p1] = (padd?.input ?? []) as string[];
  const pmm = padd && use(prod.get(k(p0!) ? p1! : p0!), "MatMul"), bih = padd && k(k(p0!) ? p0! : p1!);
  const Wt = pmm && k(pmm.input![1]!);
  if (!pmm || !bih || !Wt || !Ut || !bhh) return null;
  const U = k(Ut)!, bh = k(bhh)!, H = U.shape[0]!;
  if (Wt.shape.length !== 2 || Wt.shape[1] !== H || U.shape.join() !== `${H},${H}` || bih.data.length !== H || bh.data.length !== H) return null;
  // the exporter folded r_0 = 0 · Uᵀ + b_hh into a constant: exact only if every row is b_hh
  if (C && (C.data.length % H !== 0 || !Array.from(C.data).every((v, i) => v === bh.data[i % H]))) return null;
  return { X: pmm.input![0]!, h0: C ? null : h0, act, Wt, Ut: U, bih, bhh: bh, nodes };
}

/** xᵀ of a row-major [R, C] matrix as ONNX's [1, C, R]. */
function transposed(m: OnnxTensor): OnnxTensor {
  const [R, C] = m.shape as [number, number], out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = m.data[r * C + c]!;
  return tensor("float32", [1, C, R], out);
}

/** Folds every unrolled nn.RNN layer in `nodes` (graph order) into an RNN node. */
export function foldUnrolledRnns(nodes: readonly NodeProto[], k: Konst, graphOutputs: readonly string[]): Folded {
  const prod = new Map<string, NodeProto>(), readers = new Map<string, NodeProto[]>();
  for (const n of nodes) {
    for (const o of n.output ?? []) prod.set(o, n);
    for (const i of n.input ?? []) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
  }
  const out: Folded = { nodes: [...nodes], consts: new Map(), notes: [] };
  for (const cat of nodes) {
    const m = cat.opType === "Concat" ? matchAll(cat, prod, k) : null;
    if (!m) continue;
    const inside = new Set(m.nodes), y = cat.output![0]!;
    const leaks = m.nodes.some((n) => (n.output ?? []).some((o) => o !== y && (graphOutputs.includes(o) || (readers.get(o) ?? []).some((r) => !inside.has(r)))));
    if (leaks) continue;
    const pre = `${cat.name || y}.folded_rnn`, H = m.Ut.shape[0]!;
    const B = tensor("float32", [1, 2 * H], [...Array.from(m.bih.data), ...Array.from(m.bhh.data)]);
    for (const [n, t] of [["W", transposed(m.Wt)], ["R", transposed(m.Ut)], ["B", B], ["axes", tensor("int64", [1], [1])]] as const) out.consts.set(`${pre}.${n}`, t);
    const rnn: NodeProto = {
      opType: "RNN", name: pre, input: [m.X, `${pre}.W`, `${pre}.R`, `${pre}.B`, "", m.h0 ?? ""], output: [`${pre}.Y`],
      attribute: [attr("hidden_size", H), attr("activations", [m.act])],
    };
    const squeeze: NodeProto = { opType: "Squeeze", name: `${pre}.squeeze`, input: [`${pre}.Y`, `${pre}.axes`], output: [y] };
    const at = out.nodes.indexOf(cat);
    out.nodes.splice(at, 1, rnn, squeeze);
    const drop = new Set(m.nodes.filter((n) => n !== cat));
    for (let i = out.nodes.length - 1; i >= 0; i--) if (drop.has(out.nodes[i]!)) out.nodes.splice(i, 1);
    out.notes.push(`the ${m.nodes.filter((n) => n.opType === m.act).length} unrolled steps ending in ${q(y)} (torch.onnx's dynamo form of nn.RNN, ${m.act}) were read as one RNN layer`);
  }
  return out;
}

/** True when a constant weight feeds several MatMul nodes: the signature of an unrolled recurrence. */
export function looksUnrolled(nodes: readonly NodeProto[], k: Konst): boolean {
  const count = new Map<string, number>();
  for (const n of nodes) if (n.opType === "MatMul" && n.input?.[1] && k(n.input[1])) count.set(n.input[1], (count.get(n.input[1]) ?? 0) + 1);
  return [...count.values()].some((c) => c >= 2);
}
