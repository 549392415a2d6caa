/**
 * LiGRU, the light GRU (Ravanelli, Brakel, Omologo & Bengio 2018, "Light Gated Recurrent Units for
 * Speech Recognition", IEEE TETCI, arXiv:1803.10225): no reset gate, ReLU candidate, normalised
 * input projections, no recurrent bias.
 *
 * Shape legend: B batch, T time, N = T·B rows (time-major), I input, H hidden; G = 2 blocks (z, h).
 *
 *   a = N(W x)                 the 2H-wide projection normalised as a whole, a = [a_z | a_h]
 *   z = σ(a_z + U_z h)
 *   ĥ = φ(a_h + U_h h)         φ = Relu by default
 *   update "keep" (the paper):  h' = z ⊙ h + (1 − z) ⊙ ĥ
 *   update "replace":           h' = (1 − z) ⊙ h + z ⊙ ĥ
 *
 * N, option `normalisation`, on each row v = (W x)_{t,b} [2H]:
 *   "batch" (the paper; SpeechBrain's BatchNorm1d(2H) over the B·T rows): per feature j,
 *     train: μ_j, σ²_j (biased) over the M active rows (t < len[b]) only; then, as PyTorch,
 *            runningMean ← (1 − m)·runningMean + m·μ,  runningVar ← (1 − m)·runningVar + m·σ²·M/(M − 1)
 *            (M = 1 is refused, as PyTorch does; M = 0, nothing active, uses and keeps the running ones)
 *     eval:  μ, σ² = runningMean, runningVar
 *     v̂ = (v − μ) / √(σ² + ε),  a = γ ⊙ v̂ + β
 *   "layer": per row, μ, σ² (biased) over its 2H features, a = γ ⊙ v̂ + β
 *   "none":  a = v + b
 *
 * Blocks z, h (as the GRU family; SpeechBrain stores h first). W [2H, I], U [2H, H]. batch: γ [2H]
 * (ones), β [2H] (zeros), runningMean [2H] (zeros) and runningVar [2H] (ones), the last two not
 * trainable; layer: γ, β; none: b [2H]. bias: false drops β (or b).
 * Cache per row: [z (H) | ĥ (H)]. prepare keeps per row: batch [v̂ (2H) | row 0 only: 1/√(σ² + ε) per
 * feature (2H)], layer [v̂ (2H) | 1/√(σ² + ε) of the row (1)]. No dRec: dA = [da_z | da_h] stays in dxp.
 */
import { makeActivation, type ActivationConfig, type ActivationSpec } from "../kernels/activations.js";
import type { LightSpec, SequenceLoop, SequenceLoopBackward } from "../kernels/fused.js";
import { layerNormBackward, layerNormForward, referenceNorm } from "../kernels/norm.js";
import type { DType, Kernels, Vec } from "../kernels/types.js";
import { OptionError, ValueError } from "../errors/index.js";
import type { UpdateConvention } from "./gated-unit.js";
import { checkKeys, optActivation, optBool, optChoice, positiveInt } from "./options.js";
import type { Cell, CommonCellOptions, ParamSpec, ParamViews, PrepareInfo, SequenceTape, StepBackward, StepForward } from "./types.js";

export type Normalisation = "batch" | "layer" | "none";

export interface LiGruOptions extends CommonCellOptions {
  readonly normalisation?: Normalisation;
  readonly update?: UpdateConvention;
  readonly gateActivation?: ActivationSpec | ActivationConfig;
  readonly candidateActivation?: ActivationSpec | ActivationConfig;
  /** Batch norm only: weight of the new batch statistics in the running ones (PyTorch's rule), default 0.1. */
  readonly momentum?: number;
  /** Batch and layer norm: added to the variance, default 1e-5. */
  readonly epsilon?: number;
}

const KEYS = ["inputSize", "hiddenSize", "bias", "normalisation", "update", "gateActivation", "candidateActivation", "momentum", "epsilon"];

function optNumber(where: string, name: string, v: unknown, dflt: number, ok: (x: number) => boolean, expected: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !ok(v)) throw new OptionError(`${where}: ${name} must be ${expected}, got ${JSON.stringify(v)}`);
  return v;
}

export function liGru(o: LiGruOptions, _dtype: DType): Cell {
  const where = "ligru";
  checkKeys(where, o, KEYS);
  const inputSize = positiveInt(where, "inputSize", o.inputSize);
  const H = positiveInt(where, "hiddenSize", o.hiddenSize), W2 = 2 * H;
  const norm = optChoice(where, "normalisation", o.normalisation, ["batch", "layer", "none"] as const, "batch");
  const update = optChoice(where, "update", o.update, ["keep", "replace"] as const, "keep");
  const bias = optBool(where, "bias", o.bias, true);
  const gateActivation = optActivation(where, "gateActivation", o.gateActivation, "Sigmoid");
  const candidateActivation = optActivation(where, "candidateActivation", o.candidateActivation, "Relu");
  if (o.momentum !== undefined && norm !== "batch") {
    throw new OptionError(`${where}: momentum applies to normalisation "batch" only, got normalisation "${norm}"`);
  }
  if (o.epsilon !== undefined && norm === "none") {
    throw new OptionError(`${where}: epsilon applies to normalisation "batch" or "layer", got normalisation "none"`);
  }
  const momentum = optNumber(where, "momentum", o.momentum, 0.1, (x) => x >= 0 && x <= 1, "a number in [0, 1]");
  const eps = optNumber(where, "epsilon", o.epsilon, 1e-5, (x) => x > 0 && Number.isFinite(x), "a positive finite number");
  const fg = makeActivation(gateActivation), fc = makeActivation(candidateActivation);
  const keep = update === "keep";

  const params: ParamSpec[] = [
    { name: "W", shape: [W2, inputSize], init: "input", doc: "input weights, blocks z, h" },
    { name: "U", shape: [W2, H], init: "recurrent", doc: "recurrent weights, blocks z, h" },
  ];
  if (norm === "none") {
    if (bias) params.push({ name: "b", shape: [W2], init: "bias", doc: "input-projection biases, blocks z, h" });
  } else {
    params.push({ name: "gamma", shape: [W2], init: "ones", doc: `${norm}-norm scale γ, blocks z, h` });
    if (bias) params.push({ name: "beta", shape: [W2], init: "zeros", doc: `${norm}-norm shift β, blocks z, h` });
  }
  if (norm === "batch") {
    params.push({ name: "runningMean", shape: [W2], init: "zeros", doc: "batch-norm running mean, blocks z, h", trainable: false });
    params.push({ name: "runningVar", shape: [W2], init: "ones", doc: "batch-norm running variance (unbiased), blocks z, h", trainable: false });
  }

  // what a backend's fused step kernel needs to know (kernels/fused.ts); this file's loops are its reference
  const fusedSpec: LightSpec = { hidden: H, recurrent: true, bias: false, update, gateActivation, candidateActivation };
  const forwardLoop = (k: Kernels, p: ParamViews, s: StepForward, loop: SequenceLoop): boolean => k.fused?.lightForward(fusedSpec, p, s, loop) ?? false;
  const backwardLoop = (k: Kernels, p: ParamViews, s: StepBackward, loop: SequenceLoopBackward): boolean => k.fused?.lightBackward(fusedSpec, p, s, loop) ?? false;

  function forward(k: Kernels, p: ParamViews, s: StepForward): void {
    if (!s.hr && k.fused?.lightForward(fusedSpec, p, s)) return;
    const { B, xp, xpOff, cache, cacheOff, scratch } = s;
    const h = s.prev[0]!, hOff = s.prevOff, out = s.next[0]!, oOff = s.nextOff;
    k.matmulNT(scratch, 0, W2, s.hr ?? h, s.hr ? s.hrOff! : hOff, H, p.U!, 0, H, B, W2, H, 0); // scratch [B, 2H] = h (or m ⊙ h) · Uᵀ
    for (let i = 0; i < B; i++) {
      const a = xpOff + i * W2, c = cacheOff + i * W2;
      for (let j = 0; j < H; j++) {
        const z = fg.f(xp[a + j]! + scratch[i * W2 + j]!); // z = σ(a_z + U_z h)
        const n = fc.f(xp[a + H + j]! + scratch[i * W2 + H + j]!); // ĥ = φ(a_h + U_h h)
        cache[c + j] = z;
        cache[c + H + j] = n;
        const hv = h[hOff + i * H + j]!;
        out[oOff + i * H + j] = keep ? z * hv + (1 - z) * n : (1 - z) * hv + z * n;
      }
    }
  }

  function backward(k: Kernels, p: ParamViews, s: StepBackward): void {
    if (!s.hr && k.fused?.lightBackward(fusedSpec, p, s)) return;
    const { B, cache, cacheOff, dxp, dxpOff } = s;
    const h = s.prev[0]!, hOff = s.prevOff, dh = s.dNext[0]!, dPrev = s.dPrev[0]!;
    for (let i = 0; i < B; i++) {
      const c = cacheOff + i * W2, da = dxpOff + i * W2;
      for (let j = 0; j < H; j++) {
        const d = dh[i * H + j]!, z = cache[c + j]!, n = cache[c + H + j]!, hv = h[hOff + i * H + j]!;
        let dz: number, dn: number;
        if (keep) {
          // h' = z ⊙ h + (1 − z) ⊙ ĥ
          dz = d * (hv - n); dn = d * (1 - z); dPrev[i * H + j] += d * z;
        } else {
          // h' = (1 − z) ⊙ h + z ⊙ ĥ
          dz = d * (n - hv); dn = d * z; dPrev[i * H + j] += d * (1 - z);
        }
        // z = σ(a_z + U_z h);  ĥ = φ(a_h + U_h h)
        dxp[da + j] += dz * fg.df(z);
        dxp[da + H + j] += dn * fc.df(n);
      }
    }
    // dh += [da_z | da_h] · U
    k.matmul(s.dhr ?? dPrev, 0, H, dxp, dxpOff, W2, p.U!, 0, H, B, H, W2, 1);
  }

  function backwardWeights(k: Kernels, _p: ParamViews, g: ParamViews, seq: SequenceTape): void {
    // dU = Σ_t [da_z | da_h]ᵀ · h_{t−1}   (dxp still holds the gradient w.r.t. the prepared a)
    k.matmulTN(g.U!, 0, H, seq.dxp, 0, W2, seq.rec ?? seq.states[0]!, seq.rec ? seq.recOff! : seq.statesOff, H, W2, H, seq.N, 1);
  }

  const activeCount = (s: PrepareInfo): number => (s.lengths === null ? s.T * s.B : s.lengths.reduce((m, l) => m + l, 0));
  const ldw = norm === "batch" ? 2 * W2 : W2 + 1; // work row: v̂, then 1/σ (kernels/norm.ts)

  // a = γ ⊙ v̂ + β,  v̂ = (v − μ)/√(σ² + ε) per feature over the active (t, b) positions (rows past
  // their length take no part), or from the running statistics in eval mode
  function prepareBatch(k: Kernels, p: ParamViews, xp: Vec, s: PrepareInfo, work: Vec): void {
    const M = activeCount(s);
    const useBatch = s.mode === "train" && M > 0;
    if (useBatch && M === 1) {
      throw new ValueError(`${where}: batch normalisation in training needs more than one active (t, b) position ` +
        `to estimate a variance, got 1; hint: use a longer batch, normalisation "layer", or eval mode`);
    }
    const stats = useBatch
      ? { runningMean: p.runningMean!, runningVar: p.runningVar!, momentum }
      : { mean: p.runningMean!, variance: p.runningVar! };
    (k.norm ?? referenceNorm).batchNormForward(xp, s.T * s.B, W2, s.B, s.lengths, M, p.gamma!, p.beta, eps, stats, work, ldw);
  }

  function prepareBackwardBatch(k: Kernels, p: ParamViews, g: ParamViews, dxp: Vec, s: PrepareInfo, work: Vec): void {
    const M = activeCount(s);
    (k.norm ?? referenceNorm).batchNormBackward(dxp, s.T * s.B, W2, s.B, s.lengths, M, s.mode === "train" && M > 1, p.gamma!, g.gamma!, g.beta, work, ldw);
  }

  // a = γ ⊙ v̂ + β,  v̂ = (v − μ)/√(σ² + ε) over the 2H features of each row
  const prepareLayer = (_k: Kernels, p: ParamViews, xp: Vec, s: PrepareInfo, work: Vec): void =>
    layerNormForward(xp, xp, s.T * s.B, W2, p.gamma!, p.beta, eps, work, ldw);
  const prepareBackwardLayer = (_k: Kernels, p: ParamViews, g: ParamViews, dxp: Vec, s: PrepareInfo, work: Vec): void =>
    layerNormBackward(dxp, dxp, s.T * s.B, W2, p.gamma!, g.gamma!, g.beta, work, ldw);

  // "none": a = v + b
  const prepareBias = (k: Kernels, p: ParamViews, xp: Vec, s: PrepareInfo): void =>
    k.addBias(xp, 0, W2, xp, 0, W2, p.b!, 0, s.T * s.B, W2);
  const prepareBackwardBias = (k: Kernels, _p: ParamViews, g: ParamViews, dxp: Vec, s: PrepareInfo): void =>
    k.sumRows(g.b!, 0, dxp, 0, W2, s.T * s.B, W2);

  const config: Record<string, unknown> = { normalisation: norm, update, bias, gateActivation, candidateActivation };
  if (norm !== "none") config.epsilon = eps;
  if (norm === "batch") config.momentum = momentum;
  const cell: Cell = {
    kind: "ligru", config, inputSize, hiddenSize: H, params, xBlocks: 2, states: ["h"], recurrentDropout: true,
    cacheWidth: W2, scratchWidth: W2, dRecWidth: 0,
    gates: [{ name: "z", offset: 0 }, { name: "hHat", offset: H }],
    forward, backward, backwardWeights, forwardLoop, backwardLoop,
  };
  if (norm === "batch") return { ...cell, prepareWidth: ldw, prepare: prepareBatch, prepareBackward: prepareBackwardBatch };
  if (norm === "layer") return { ...cell, prepareWidth: ldw, prepare: prepareLayer, prepareBackward: prepareBackwardLayer };
  return bias ? { ...cell, prepareWidth: 0, prepare: prepareBias, prepareBackward: prepareBackwardBias } : cell;
}
