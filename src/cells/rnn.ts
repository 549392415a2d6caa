/**
 * Elman RNN (Elman 1990): the ONNX `RNN` operator, PyTorch's nn.RNN, Keras's SimpleRNN.
 *
 *   h' = φ(W x + U h + b)        φ = activation, default "Tanh" (ONNX activations [f] = [φ])
 *
 * Cell clip (ONNX `clip`): the pre-activation W x + U h + b (bias included) is clamped to
 * [−clip, clip] before φ, as ONNX Runtime does (checked against test/fixtures/ort/rnn.json).
 *
 * Blocks: W [H, I], U [H, H], b [H] (absent with bias: false; ONNX B = Wb + Rb,
 * PyTorch bias_ih + bias_hh). One state, "h".
 *
 * Shape legend: B batch, H hidden, N = T·B rows.
 * Cache per row [H]: h' = φ(a) (backward takes φ' from it; captured as "h").
 * dRec: none — the only block sees x, so dA lives in dxp [B, H].
 */
import { makeActivation, withClip, type Activation, type ActivationConfig, type ActivationSpec } from "../kernels/activations.js";
import type { RnnSpec, SequenceLoop, SequenceLoopBackward } from "../kernels/fused.js";
import type { DType, Kernels } from "../kernels/types.js";
import { optActivation, optClip, resolveCommon } from "./options.js";
import type { Cell, CommonCellOptions, ParamSpec, ParamViews, SequenceTape, StepBackward, StepForward } from "./types.js";

export interface RnnOptions extends CommonCellOptions {
  /** φ (default "Tanh"). */
  readonly activation?: ActivationSpec | ActivationConfig;
  /** ONNX cell clip on the pre-activation; null for none. */
  readonly clip?: number | null;
}

const KEYS = ["activation", "clip"];

export function rnn(o: RnnOptions, dtype: DType): Cell {
  const where = "rnn";
  const { inputSize, hiddenSize: H, bias } = resolveCommon(where, o, KEYS);
  const cfg = {
    bias,
    activation: optActivation(where, "activation", o.activation, "Tanh"),
    clip: optClip(where, o.clip),
  };
  const act: Activation = withClip(makeActivation(cfg.activation), cfg.clip ?? Infinity, dtype);

  const params: ParamSpec[] = [
    { name: "W", shape: [H, inputSize], init: "input", doc: "input weights" },
    { name: "U", shape: [H, H], init: "recurrent", doc: "recurrent weights" },
  ];
  if (cfg.bias) params.push({ name: "b", shape: [H], init: "bias", doc: "bias (input and recurrent bias summed)" });

  // what a backend's fused step kernel needs to know (kernels/fused.ts); this file's loops are its reference
  const fusedSpec: RnnSpec = { hidden: H, ...cfg };

  const forwardLoop = (k: Kernels, p: ParamViews, s: StepForward, loop: SequenceLoop): boolean => k.fused?.rnnForward(fusedSpec, p, s, loop) ?? false;
  const backwardLoop = (k: Kernels, p: ParamViews, s: StepBackward, loop: SequenceLoopBackward): boolean => k.fused?.rnnBackward(fusedSpec, p, s, loop) ?? false;

  function forward(k: Kernels, p: ParamViews, s: StepForward): void {
    if (!s.hr && k.fused?.rnnForward(fusedSpec, p, s)) return;
    const { B, xp, xpOff, cache, cacheOff } = s;
    const out = s.next[0]!, nOff = s.nextOff, b = p.b;
    // cache [B, H] = h · Uᵀ, then h' = φ(W x + U h + b) in place
    k.matmulNT(cache, cacheOff, H, s.hr ?? s.prev[0]!, s.hr ? s.hrOff! : s.prevOff, H, p.U!, 0, H, B, H, H, 0);
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < H; j++) {
        const at = r * H + j;
        const y = act.f(cache[cacheOff + at]! + xp[xpOff + at]! + (b ? b[j]! : 0));
        cache[cacheOff + at] = y;
        out[nOff + at] = y;
      }
    }
  }

  function backward(k: Kernels, p: ParamViews, s: StepBackward): void {
    if (!s.hr && k.fused?.rnnBackward(fusedSpec, p, s)) return;
    const { B, cache, cacheOff, dxp, dxpOff } = s;
    const dh = s.dNext[0]!;
    // h' = φ(a): dA = dh' ⊙ φ'(h')
    for (let r = 0; r < B * H; r++) dxp[dxpOff + r] += dh[r]! * act.df(cache[cacheOff + r]!);
    // a = W x + U h + b: dh += dA · U
    k.matmul(s.dhr ?? s.dPrev[0]!, 0, H, dxp, dxpOff, H, p.U!, 0, H, B, H, H, 1);
  }

  function backwardWeights(k: Kernels, _p: ParamViews, g: ParamViews, seq: SequenceTape): void {
    // dU = Σ_t dAᵀ · h_{t−1};  db = Σ_t dA
    k.matmulTN(g.U!, 0, H, seq.dxp, 0, H, seq.rec ?? seq.states[0]!, seq.rec ? seq.recOff! : seq.statesOff, H, H, H, seq.N, 1);
    if (cfg.bias) k.sumRows(g.b!, 0, seq.dxp, 0, H, seq.N, H);
  }

  return {
    kind: "rnn", config: { ...cfg }, inputSize, hiddenSize: H, params, xBlocks: 1, states: ["h"], recurrentDropout: true,
    cacheWidth: H, scratchWidth: 0, dRecWidth: 0, gates: [{ name: "h", offset: 0 }],
    forward, backward, backwardWeights, forwardLoop, backwardLoop,
  };
}
