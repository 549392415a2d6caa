/**
 * LiBRU, the light Bayesian recurrent unit (A. Bittar and P. N. Garner, "A Bayesian Interpretation
 * of the Light Gated Recurrent Unit", ICASSP 2021), in the four modes ("hidden_type") of the
 * authors' code (github.com/idiap/bayesian-recurrence, bayesian_recurrence/libru.py):
 *
 *   r = log(h + ε) in "probs", r = h otherwise   (ε = 1e-11, the authors' value)
 *   z = σ(W_z x + U_z r + b_z)
 *   c = f(W_c x + U_c r + b_c)    f = σ ("probs"), softplus ("logprobs", "geomean"), ReLU ("ligru")
 *   "logprobs" (default): h' = log(z ⊙ e^h + (1 − z) ⊙ e^c), as a log-sum-exp that never overflows:
 *        u = h + log z,  v = c + log(1 − z)  (log z = −softplus(−a_z), log(1 − z) = −softplus(a_z)),
 *        h' = max(u, v) + log1p(e^−|u − v|);  w_h = e^(u − h') = z·e^(h − h'), w_c = e^(v − h') (w_h + w_c = 1)
 *   "probs", "geomean", "ligru": h' = z ⊙ h + (1 − z) ⊙ c   (the "keep" update convention)
 * The paper's V, V_z are our U_c, U_z. "probs" and "logprobs" are the same unit with h a probability
 * or a log-probability; "geomean" and "ligru" are its approximations (ligru = LiGRU without norm).
 * "probs" needs h > −ε: σ-valued c keeps h in (0, 1) when h_0 ≥ 0, so an initial state must be ≥ 0
 * (the authors start from h_0 = 0, i.e. r = log ε); the cell cannot see h_0 and does not check it.
 *
 * Blocks (order z, c): W [2H, I], U [2H, H], b [2H] (absent with bias: false). The authors' code has
 * the bias on the input projections only (nn.Linear(bias=use_bias), default False) and none on U;
 * our b is that bias. Their optional batch/layer norm of W x is not part of this cell.
 * Parameters: 2H·(I + H + 1), or 2H·(I + H) without bias.
 *
 * Cache per row: [z (H) | c (H) | mode extra], extra = ℓ = log(h + ε) (H, "probs": read by the
 * recurrent product and dU), w_h, w_c (2H, "logprobs"), nothing otherwise. dRec is unused: both
 * blocks see x, so their pre-activation gradients dA live in dxp [N, 2H] and dU = Σ_t dAᵀ·r.
 *
 * Shape legend: B batch, N = T·B rows, I input, H hidden.
 */
import { sigmoid, softplus } from "../kernels/activations.js";
import type { LibruSpec, LightSpec, SequenceLoop, SequenceLoopBackward } from "../kernels/fused.js";
import type { DType, Kernels } from "../kernels/types.js";
import { OptionError } from "../errors/index.js";
import { optChoice, resolveCommon } from "./options.js";
import type { Cell, CommonCellOptions, ParamSpec, ParamViews, SequenceTape, StepBackward, StepForward } from "./types.js";

export type LiBruMode = "probs" | "logprobs" | "geomean" | "ligru";
export const LIBRU_MODES: readonly LiBruMode[] = ["probs", "logprobs", "geomean", "ligru"];

export interface LiBruOptions extends CommonCellOptions {
  /** How h is read and updated (default "logprobs"). */
  readonly mode?: LiBruMode;
  /** ε in log(h + ε), "probs" only (default 1e-11, as the authors). */
  readonly epsilon?: number;
}

const KEYS = ["mode", "epsilon"];

export function liBru(o: LiBruOptions, _dtype: DType): Cell {
  const where = "libru";
  const { inputSize: I, hiddenSize: H, bias } = resolveCommon(where, o, KEYS);
  const mode = optChoice(where, "mode", o.mode, LIBRU_MODES, "logprobs");
  if (o.epsilon !== undefined && mode !== "probs") {
    throw new OptionError(`${where}: epsilon is only used by mode "probs", got mode ${JSON.stringify(mode)}; hint: leave epsilon out`);
  }
  const eps = o.epsilon ?? 1e-11;
  if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) {
    throw new OptionError(`${where}: epsilon must be a positive finite number, got ${JSON.stringify(o.epsilon)}`);
  }
  const probs = mode === "probs", logprobs = mode === "logprobs";
  const ldc = (logprobs ? 4 : probs ? 3 : 2) * H; // cache row
  const H2 = 2 * H;
  // c = f(a_c) and f'(a_c) from the saved c
  const f = probs ? sigmoid : logprobs || mode === "geomean" ? softplus : (a: number) => (a > 0 ? a : 0);
  const df = probs ? (c: number) => c * (1 - c) : mode === "ligru" ? (c: number) => (c > 0 ? 1 : 0) : (c: number) => -Math.expm1(-c);

  const params: ParamSpec[] = [
    { name: "W", shape: [H2, I], init: "input", doc: "input weights, blocks z, c" },
    { name: "U", shape: [H2, H], init: "recurrent", doc: `recurrent weights (the paper's V), blocks z, c, applied to ${probs ? "log(h + ε)" : "h"}` },
  ];
  if (bias) params.push({ name: "b", shape: [H2], init: "bias", doc: "biases, blocks z, c" });

  // what a backend's fused step kernel needs to know (kernels/fused.ts): "ligru" and "geomean" are
  // two-block cells (LightSpec), "probs" and "logprobs" have their own (LibruSpec); this file's loops
  // are their reference
  const light: LightSpec | null = probs || logprobs ? null : {
    hidden: H, recurrent: true, bias, update: "keep", gateActivation: { name: "Sigmoid", alpha: 0, beta: 0 },
    candidateActivation: { name: mode === "ligru" ? "Relu" : "Softplus", alpha: 0, beta: 0 },
  };
  const own: LibruSpec | null = probs || logprobs ? { hidden: H, mode, bias, epsilon: eps } : null;
  const fusedForward = (k: Kernels, p: ParamViews, s: StepForward, loop?: SequenceLoop): boolean =>
    (light ? k.fused?.lightForward(light, p, s, loop) : k.fused?.libruForward(own!, p, s, loop)) ?? false;
  const fusedBackward = (k: Kernels, p: ParamViews, s: StepBackward, loop?: SequenceLoopBackward): boolean =>
    (light ? k.fused?.lightBackward(light, p, s, loop) : k.fused?.libruBackward(own!, p, s, loop)) ?? false;

  function forward(k: Kernels, p: ParamViews, s: StepForward): void {
    if (!s.hr && fusedForward(k, p, s)) return;
    const { B, xp, xpOff, cache, cacheOff, scratch } = s;
    const h = s.prev[0]!, hOff = s.prevOff, out = s.next[0]!, oOff = s.nextOff, b = p.b;
    if (probs) {
      // ℓ = log(h + ε), kept for backward and dU
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < H; j++) cache[cacheOff + i * ldc + H2 + j] = Math.log(h[hOff + i * H + j]! + eps);
      }
      k.matmulNT(scratch, 0, H2, cache, cacheOff + H2, ldc, p.U!, 0, H, B, H2, H, 0); // [B, 2H] = ℓ · Uᵀ
    } else {
      k.matmulNT(scratch, 0, H2, s.hr ?? h, s.hr ? s.hrOff! : hOff, H, p.U!, 0, H, B, H2, H, 0); // [B, 2H] = h (or m ⊙ h) · Uᵀ
    }
    for (let i = 0; i < B; i++) {
      const ci = cacheOff + i * ldc, xi = xpOff + i * H2;
      for (let j = 0; j < H; j++) {
        // z = σ(W_z x + U_z r + b_z),  c = f(W_c x + U_c r + b_c)
        const az = xp[xi + j]! + scratch[i * H2 + j]! + (b ? b[j]! : 0);
        const ac = xp[xi + H + j]! + scratch[i * H2 + H + j]! + (b ? b[H + j]! : 0);
        const z = sigmoid(az), c = f(ac), hv = h[hOff + i * H + j]!;
        cache[ci + j] = z;
        cache[ci + H + j] = c;
        if (logprobs) {
          // h' = log(z·e^h + (1 − z)·e^c) = logaddexp(h + log z, c + log(1 − z))
          const u = hv - softplus(-az), v = c - softplus(az);
          const hn = Math.max(u, v) + Math.log1p(Math.exp(-Math.abs(u - v)));
          out[oOff + i * H + j] = hn;
          cache[ci + H2 + j] = Math.exp(u - hn);
          cache[ci + 3 * H + j] = Math.exp(v - hn);
        } else {
          out[oOff + i * H + j] = z * hv + (1 - z) * c;
        }
      }
    }
  }

  function backward(k: Kernels, p: ParamViews, s: StepBackward): void {
    if (!s.hr && fusedBackward(k, p, s)) return;
    const { B, cache, cacheOff, dxp, dxpOff, scratch } = s;
    const h = s.prev[0]!, hOff = s.prevOff, dh = s.dNext[0]!, dPrev = s.dPrev[0]!;
    for (let i = 0; i < B; i++) {
      const ci = cacheOff + i * ldc, xi = dxpOff + i * H2;
      for (let j = 0; j < H; j++) {
        const d = dh[i * H + j]!, z = cache[ci + j]!, c = cache[ci + H + j]!;
        let dAz: number, dc: number;
        if (logprobs) {
          // h' = log(z·e^h + (1 − z)·e^c):  ∂h'/∂h = w_h, ∂h'/∂c = w_c,
          // ∂h'/∂a_z = z(1 − z)·(e^(h − h') − e^(c − h')) = (1 − z)·w_h − z·w_c
          const wh = cache[ci + H2 + j]!, wc = cache[ci + 3 * H + j]!;
          dAz = d * ((1 - z) * wh - z * wc);
          dc = d * wc;
          dPrev[i * H + j] += d * wh;
        } else {
          // h' = z ⊙ h + (1 − z) ⊙ c, then z = σ(a_z): σ' = z(1 − z)
          dAz = d * (h[hOff + i * H + j]! - c) * z * (1 - z);
          dc = d * (1 - z);
          dPrev[i * H + j] += d * z;
        }
        // c = f(a_c)
        dxp[xi + j] += dAz;
        dxp[xi + H + j] += dc * df(c);
      }
    }
    if (probs) {
      // a = W x + U ℓ + b:  dℓ = dA · U;  ℓ = log(h + ε):  dh += dℓ / (h + ε)
      k.matmul(scratch, 0, H, dxp, dxpOff, H2, p.U!, 0, H, B, H, H2, 0);
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < H; j++) dPrev[i * H + j] += scratch[i * H + j]! / (h[hOff + i * H + j]! + eps);
      }
    } else {
      // a = W x + U h + b:  dh += dA · U
      k.matmul(s.dhr ?? dPrev, 0, H, dxp, dxpOff, H2, p.U!, 0, H, B, H, H2, 1);
    }
  }

  function backwardWeights(k: Kernels, _p: ParamViews, g: ParamViews, seq: SequenceTape): void {
    const { N, dxp, cache } = seq;
    // dU = Σ_t dAᵀ · r_{t−1}  (r = ℓ from the cache in "probs", the previous states otherwise)
    if (probs) k.matmulTN(g.U!, 0, H, dxp, 0, H2, cache, H2, ldc, H2, H, N, 1);
    else k.matmulTN(g.U!, 0, H, dxp, 0, H2, seq.rec ?? seq.states[0]!, seq.rec ? seq.recOff! : seq.statesOff, H, H2, H, N, 1);
    // db = Σ_t dA
    if (bias) k.sumRows(g.b!, 0, dxp, 0, H2, N, H2);
  }

  return {
    kind: "libru",
    config: probs ? { mode, bias, epsilon: eps } : { mode, bias },
    inputSize: I, hiddenSize: H, params, xBlocks: 2, states: ["h"],
    // "probs" feeds log(h + ε) to the products: a dropped h would become log ε, not 0
    recurrentDropout: !probs,
    cacheWidth: ldc, scratchWidth: H2, dRecWidth: 0,
    gates: [{ name: "z", offset: 0 }, { name: "c", offset: H }],
    forward, backward, backwardWeights, forwardLoop: fusedForward, backwardLoop: fusedBackward,
  };
}
