/**
 * The Scan bodies of the cells ONNX has no operator for: the GRU/MGU family beyond the plain GRU
 * (gate types 1–3, the tied MGU gate, the "replace" update), LiGRU, LiBRU and minGRU. Each
 * follows its cell file's equations (src/cells/*.ts) line by line; what does not depend on h (the
 * input projection x·Wᵀ, LiGRU's normalisation in eval mode, minGRU's gate and candidate) is
 * computed for the whole sequence before the loop, as gated's sequence driver does.
 *
 * Parameters are read from initializers that hold gated's blocks verbatim (named after them), so
 * the blocks and their transposes are graph values computed from those, outside the loop.
 *
 * The GRU/MGU family and the LSTM take their products (x · Wᵀ, and h · U_kᵀ in the loop) from a
 * StepProducts: float32 MatMul on those initializers, or gated's dynamic int8 (int8-product.ts)
 * on quantised ones, for a stack whose precision is "int8". The LSTM leaves as a Scan only then
 * (in float32 it is ONNX's LSTM operator, export-recurrent.ts).
 */
import type { Cell } from "../../cells/types.js";
import type { ActivationConfig } from "../../kernels/activations.js";
import type { GraphBuilder } from "./builder.js";
import { emitActivation } from "./emit-activation.js";
import { int8Block, int8Product, type Int8Matrix } from "./int8-product.js";
import { block, blockT } from "./pieces.js";
import type { ScanStep } from "./scan-export.js";

/** The initializer name of one of the cell's parameter blocks ("W", "U", "b", ...). */
export type ParamName = (block: string) => string;

/** The products of a step: the whole sequence's projection, and a · U_kᵀ inside the loop. */
export interface StepProducts {
  /** xp = x · Wᵀ [T, B, X·H], before the loop. */
  project(x: string): string;
  /**
   * Blocks ks of U (H rows each, consecutive), prepared outside the loop; given a [B, H] in body b, the
   * result gives a · U_ksⱼᵀ for j = 0, 1, … (emitted when first asked for).
   */
  recurrent(ks: readonly number[]): (b: GraphBuilder, a: string) => (j: number) => string;
}

/** Each value made once, when first asked for. */
function lazy(make: (j: number) => string): (j: number) => string {
  const made = new Map<number, string>();
  return (j) => {
    let v = made.get(j);
    if (v === undefined) { v = make(j); made.set(j, v); }
    return v;
  };
}

/** float32 MatMul on the initializers of W and U. */
export function floatProducts(g: GraphBuilder, p: ParamName, H: number): StepProducts {
  return {
    project: (x) => projection(g, x, p),
    recurrent(ks) {
      const uT = ks.map((k) => blockT(g, p("U"), k, H));
      return (b, a) => lazy((j) => b.op("MatMul", [a, uT[j]!]));
    },
  };
}

/**
 * gated's dynamic int8 (int8-product.ts) on W [XH, I] and U [G·H, H] quantised at export. The blocks
 * asked for together are one product (one MatMulInteger over their rows, then a slice each): every
 * output element is its own sum, so the same values as a product per block, with fewer operators.
 */
export function int8Products(g: GraphBuilder, W: Int8Matrix, U: Int8Matrix, XH: number, H: number): StepProducts {
  return {
    project: (x) => int8Product(g, x, int8Block(g, W, 0, XH)),
    recurrent(ks) {
      if (ks.length === 0) return () => () => { throw new Error("int8 products: no block asked for"); };
      if (ks.some((k, j) => k !== ks[0]! + j)) throw new Error(`int8 products: blocks ${ks.join(", ")} are not consecutive`);
      const blk = int8Block(g, U, ks[0]! * H, ks.length * H);
      return (b, a) => {
        let all: string | null = null;
        return lazy((j) => {
          all ??= int8Product(b, a, blk);
          return ks.length === 1 ? all : b.op("Slice", [all, b.ints("s", [j * H]), b.ints("e", [(j + 1) * H]), b.ints("ax", [-1])]);
        });
      };
    },
  };
}

type Cfg = Record<string, unknown>;

/** h' from the gate z, the old state h and the candidate n, by update convention. */
function interpolate(b: GraphBuilder, z: string, h: string, n: string, update: unknown): string {
  const oneMinusZ = b.op("Sub", [b.scalar(1), z]);
  return update === "replace"
    ? b.op("Add", [b.op("Mul", [oneMinusZ, h]), b.op("Mul", [z, n])]) // h' = (1 − z) ⊙ h + z ⊙ n
    : b.op("Add", [b.op("Mul", [z, h]), b.op("Mul", [oneMinusZ, n])]); // h' = z ⊙ h + (1 − z) ⊙ n
}

function sum(b: GraphBuilder, terms: readonly string[]): string {
  return terms.slice(1).reduce((acc, t) => b.op("Add", [acc, t]), terms[0]!);
}

/** xp = x · Wᵀ for the whole sequence, [T, B, X·H]. */
function projection(g: GraphBuilder, x: string, p: ParamName): string {
  return g.op("MatMul", [x, g.op("Transpose", [p("W")], { perm: [1, 0] })], {}, "xp");
}

/** GRU types 1–3, MGU family, and any "replace"-update or reset variant (gated-unit.ts). */
export function gatedUnitStep(g: GraphBuilder, cell: Cell, p: ParamName, x: string, products = floatProducts(g, p, cell.hiddenSize)): ScanStep {
  const c = cell.config as Cfg, H = cell.hiddenSize;
  const nG = cell.kind === "mgu" ? 1 : 2, gates = c.gates as string, bias = c.bias === true;
  const gx = gates === "full" ? nG : 0, gh = gates === "type3" ? 0 : nG, gb = bias && gates !== "type2" ? nG : 0;
  const clip = (c.clip as number | null) ?? null;
  const xp = products.project(x);
  const inputs = Array.from({ length: gx + 1 }, (_, k) => block(g, xp, k, H, 2));
  // the blocks h multiplies (the gates', and the candidate's with reset "after"), and U_h apart for (r ⊙ h)
  const after = c.reset === "after";
  const UH = products.recurrent(Array.from({ length: after ? gh + 1 : gh }, (_, k) => k));
  const UC = after ? null : products.recurrent([gh]);
  const bs = bias ? Array.from({ length: gb + 1 }, (_, k) => block(g, p("b"), k, H, 0)) : [];
  const hasC = bias && c.reset === "after";
  const cH = hasC ? p("c") : null;
  return {
    inputs,
    step(b, [h], xs) {
      const hU = UH(b, h!);
      // g = σ(W_g x + U_g h + b_g), with the terms the gate type keeps
      const gate = Array.from({ length: nG }, (_, k) => {
        const terms: string[] = [];
        if (gb > 0) terms.push(bs[k]!);
        if (gx > 0) terms.push(xs[k]!);
        if (gh > 0) terms.push(hU(k));
        return emitActivation(b, sum(b, terms), c.gateActivation as ActivationConfig, clip);
      });
      const z = gate[0]!, r = gate[nG - 1]!;
      const terms = [xs[gx]!, ...(bias ? [bs[gb]!] : [])];
      if (after) {
        // n = φ(W_h x + b_h + r ⊙ (U_h h + c_h))
        const uh = hU(gh);
        terms.push(b.op("Mul", [r, cH ? b.op("Add", [uh, cH]) : uh]));
      } else {
        // n = φ(W_h x + U_h (r ⊙ h) + b_h)
        terms.push(UC!(b, b.op("Mul", [r, h!]))(0));
      }
      const n = emitActivation(b, sum(b, terms), c.candidateActivation as ActivationConfig, clip);
      return [interpolate(b, z, h!, n, c.update)];
    },
  };
}

/** LiGRU (li-gru.ts), normalisation in eval mode (running statistics for "batch"). */
export function liGruStep(g: GraphBuilder, cell: Cell, p: ParamName, x: string): ScanStep {
  const c = cell.config as Cfg, H = cell.hiddenSize, bias = c.bias === true;
  let a = projection(g, x, p);
  if (c.normalisation === "none") {
    if (bias) a = g.op("Add", [a, p("b")]); // a = v + b
  } else if (c.normalisation === "layer") {
    // a = γ ⊙ (v − μ)/√(σ² + ε) + β over the row's 2H features
    a = g.op("LayerNormalization", bias ? [a, p("gamma"), p("beta")] : [a, p("gamma")], { axis: -1, epsilon: c.epsilon as number });
  } else {
    // a = γ ⊙ (v − runningMean)/√(runningVar + ε) + β
    const inv = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [p("runningVar"), g.scalar(c.epsilon as number)])])]);
    a = g.op("Mul", [g.op("Mul", [g.op("Sub", [a, p("runningMean")]), inv]), p("gamma")]);
    if (bias) a = g.op("Add", [a, p("beta")]);
  }
  const UT = [blockT(g, p("U"), 0, H), blockT(g, p("U"), 1, H)];
  return {
    inputs: [block(g, a, 0, H, 2), block(g, a, 1, H, 2)],
    step(b, [h], xs) {
      const z = emitActivation(b, b.op("Add", [xs[0]!, b.op("MatMul", [h!, UT[0]!])]), c.gateActivation as ActivationConfig); // z = σ(a_z + U_z h)
      const n = emitActivation(b, b.op("Add", [xs[1]!, b.op("MatMul", [h!, UT[1]!])]), c.candidateActivation as ActivationConfig); // ĥ = φ(a_h + U_h h)
      return [interpolate(b, z, h!, n, c.update)];
    },
  };
}

/** LiBRU (li-bru.ts), all four modes. */
export function liBruStep(g: GraphBuilder, cell: Cell, p: ParamName, x: string): ScanStep {
  const c = cell.config as Cfg, H = cell.hiddenSize, mode = c.mode as string;
  let a = projection(g, x, p);
  if (c.bias === true) a = g.op("Add", [a, p("b")]);
  const UT = [blockT(g, p("U"), 0, H), blockT(g, p("U"), 1, H)];
  return {
    inputs: [block(g, a, 0, H, 2), block(g, a, 1, H, 2)],
    step(b, [h0], xs) {
      const h = h0!;
      // r = log(h + ε) ("probs") or h
      const r = mode === "probs" ? b.op("Log", [b.op("Add", [h, b.scalar(c.epsilon as number)])]) : h;
      const az = b.op("Add", [xs[0]!, b.op("MatMul", [r, UT[0]!])]);
      const ac = b.op("Add", [xs[1]!, b.op("MatMul", [r, UT[1]!])]);
      // "probs" feeds σ into log at the next step, so σ is written as 1/(1 + e^−x): ONNX Runtime's
      // Sigmoid kernel clamps its input to ±18, which log(h + ε) would magnify
      const sig = (v: string) => (mode === "probs" ? b.op("Reciprocal", [b.op("Add", [b.scalar(1), b.op("Exp", [b.op("Neg", [v])])])]) : b.op("Sigmoid", [v]));
      const cand = mode === "probs" ? sig(ac) : b.op(mode === "ligru" ? "Relu" : "Softplus", [ac]);
      if (mode === "logprobs") {
        // u = h + log z = h − softplus(−a_z),  v = c + log(1 − z) = c − softplus(a_z)
        const u = b.op("Sub", [h, b.op("Softplus", [b.op("Neg", [az])])]);
        const v = b.op("Sub", [cand, b.op("Softplus", [az])]);
        // h' = max(u, v) + log1p(e^−|u − v|) = max(u, v) + softplus(−|u − v|)
        const d = b.op("Neg", [b.op("Abs", [b.op("Sub", [u, v])])]);
        return [b.op("Add", [b.op("Max", [u, v]), b.op("Softplus", [d])])];
      }
      // h' = z ⊙ h + (1 − z) ⊙ c, with 1 − z = σ(−a_z): gated keeps z unrounded here, and 1 − z taken
      // from a float32 z near 1 would lose its digits (which log(h + ε) in "probs" then magnifies)
      return [b.op("Add", [b.op("Mul", [sig(az), h]), b.op("Mul", [sig(b.op("Neg", [az])), cand])])];
    },
  };
}

/** minGRU (min-gru.ts): z and ĥ for the whole sequence before the loop, the body only interpolates. */
export function minGruStep(g: GraphBuilder, cell: Cell, p: ParamName, x: string): ScanStep {
  const c = cell.config as Cfg, H = cell.hiddenSize;
  let a = projection(g, x, p);
  if (c.bias === true) a = g.op("Add", [a, p("b")]);
  const z = g.op("Sigmoid", [block(g, a, 0, H, 2)]); // z = σ(W_z x + b_z)
  const v = block(g, a, 1, H, 2);
  // ĥ = g(v) = v + 0.5 (v ≥ 0), σ(v) (v < 0); or ĥ = v ("linear")
  const hHat = c.candidate === "linear" ? v
    : g.op("Where", [g.op("GreaterOrEqual", [v, g.scalar(0)]), g.op("Add", [v, g.scalar(0.5)]), g.op("Sigmoid", [v])]);
  return {
    inputs: [z, hHat],
    step: (b, [h], xs) => [interpolate(b, xs[0]!, h!, xs[1]!, c.update)],
  };
}

/**
 * LSTM (lstm.ts): the states h and c; a = x · Wᵀ + b before the loop, then per step
 *   i, f, o = σ(a_k + U_k h),  ĉ = g(a_c + U_c h),  c' = f ⊙ c + i ⊙ ĉ,  h' = o ⊙ h_act(c')
 * with the cell clip on the four pre-activations (bias included), as lstm.ts.
 */
export function lstmStep(g: GraphBuilder, cell: Cell, p: ParamName, x: string, products = floatProducts(g, p, cell.hiddenSize)): ScanStep {
  const c = cell.config as Cfg, H = cell.hiddenSize, clip = (c.clip as number | null) ?? null;
  let a = products.project(x);
  if (c.bias === true) a = g.op("Add", [a, p("b")]);
  const UH = products.recurrent([0, 1, 2, 3]);
  return {
    inputs: [0, 1, 2, 3].map((k) => block(g, a, k, H, 2)),
    step(b, [h, cPrev], xs) {
      const hU = UH(b, h!);
      const pre = (k: number) => b.op("Add", [xs[k]!, hU(k)]);
      const gate = (k: number) => emitActivation(b, pre(k), c.gateActivation as ActivationConfig, clip);
      const i = gate(0), f = gate(1), o = gate(3);
      const cHat = emitActivation(b, pre(2), c.candidateActivation as ActivationConfig, clip);
      const cNext = b.op("Add", [b.op("Mul", [f, cPrev!]), b.op("Mul", [i, cHat])]);
      return [b.op("Mul", [o, emitActivation(b, cNext, c.outputActivation as ActivationConfig)]), cNext];
    },
  };
}

/** The Scan step of a cell kind that has no ONNX operator (the GRU/MGU family, LiGRU, LiBRU, minGRU). */
export function scanStepFor(cell: Cell): ((g: GraphBuilder, cell: Cell, p: ParamName, x: string) => ScanStep) {
  switch (cell.kind) {
    case "gru": case "mgu": return gatedUnitStep;
    case "ligru": return liGruStep;
    case "libru": return liBruStep;
    case "mingru": return minGruStep;
    default: throw new Error(`scan export: no step for cell kind ${cell.kind}`);
  }
}
