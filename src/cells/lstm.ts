/**
 * LSTM with a forget gate (Hochreiter & Schmidhuber 1997; Gers, Schmidhuber & Cummins 1999), no
 * peepholes: the ONNX `LSTM` operator with input_forget = 0, PyTorch's nn.LSTM, Keras's LSTM.
 *
 * Equations (σ = gateActivation, g = candidateActivation, h_act = outputActivation):
 *   i  = σ(W_i x + U_i h + b_i)          input gate
 *   f  = σ(W_f x + U_f h + b_f)          forget gate
 *   ĉ  = g(W_c x + U_c h + b_c)          candidate ("cHat")
 *   o  = σ(W_o x + U_o h + b_o)          output gate
 *   c' = f ⊙ c + i ⊙ ĉ
 *   h' = o ⊙ h_act(c')
 * Defaults σ = Sigmoid, g = Tanh, h_act = Tanh (ONNX activations [f, g, h] = [σ, g, h_act]).
 *
 * Cell clip (ONNX `clip`): clamps the four pre-activations a_i, a_f, a_c, a_o (bias included) to
 * [−clip, clip] before σ / g. The cell state is NOT clipped: h_act sees c' as it is. This is what
 * ONNX Runtime does (uni_directional_lstm.cc: clip_with_bias_ptr_ before each gate activation,
 * then activation_h_.func(C_t, ..., o) whose "clipped C" argument is unused), and it was checked
 * against the ORT case test/fixtures/ort/lstm.json "bidi_clip", where clipping c' as well would
 * change the outputs.
 *
 * Blocks, gate order i, f, c, o (Keras/TF.js; PyTorch's i, f, g, o is the same; ONNX is i, o, f, c):
 *   W [4H, I]   U [4H, H]   b [4H] (one bias per gate; absent with bias: false; ONNX B = Wb + Rb)
 * States ["h", "c"]; "h" is the output.
 *
 * Shape legend: B batch, H hidden, N = T·B rows.
 * Cache per row [5H]: i | f | ĉ | o | y = h_act(c')  (c is read from the state buffer; c' is not needed).
 * Captured gates: "i", "f", "cHat", "o", "cAct" (= y). The cell state c itself is not cached.
 * dRec: none — every gate sees x, so dA of all four gates lives in dxp [B, 4H].
 */
import { makeActivation, withClip, type Activation, type ActivationConfig, type ActivationSpec } from "../kernels/activations.js";
import type { LstmSpec, SequenceLoop, SequenceLoopBackward } from "../kernels/fused.js";
import type { DType, Kernels } from "../kernels/types.js";
import { optActivation, optClip, resolveCommon } from "./options.js";
import type { Cell, CommonCellOptions, GateView, ParamSpec, ParamViews, SequenceTape, StepBackward, StepForward } from "./types.js";

export interface LstmOptions extends CommonCellOptions {
  /** σ of the gates i, f, o (default "Sigmoid"). */
  readonly gateActivation?: ActivationSpec | ActivationConfig;
  /** g of the candidate ĉ (default "Tanh"). */
  readonly candidateActivation?: ActivationSpec | ActivationConfig;
  /** h_act applied to the cell state in h' = o ⊙ h_act(c') (default "Tanh"). */
  readonly outputActivation?: ActivationSpec | ActivationConfig;
  /** ONNX cell clip on the gate and candidate pre-activations; null for none. */
  readonly clip?: number | null;
}

const KEYS = ["gateActivation", "candidateActivation", "outputActivation", "clip"];
const F_ = 1, C_ = 2, O_ = 3, Y_ = 4; // blocks (×H) of the cache and of dxp: i = 0, f, ĉ, o, y

export function lstm(o: LstmOptions, dtype: DType): Cell {
  const where = "lstm";
  const { inputSize, hiddenSize: H, bias } = resolveCommon(where, o, KEYS);
  const cfg = {
    bias,
    gateActivation: optActivation(where, "gateActivation", o.gateActivation, "Sigmoid"),
    candidateActivation: optActivation(where, "candidateActivation", o.candidateActivation, "Tanh"),
    outputActivation: optActivation(where, "outputActivation", o.outputActivation, "Tanh"),
    clip: optClip(where, o.clip),
  };
  const clip = cfg.clip ?? Infinity;
  const fg: Activation = withClip(makeActivation(cfg.gateActivation), clip, dtype);
  const fc: Activation = withClip(makeActivation(cfg.candidateActivation), clip, dtype);
  const fh: Activation = makeActivation(cfg.outputActivation); // never clipped (as ONNX Runtime)
  const G = 4 * H;
  const ldc = 5 * H; // cache row

  const params: ParamSpec[] = [
    { name: "W", shape: [G, inputSize], init: "input", doc: "input weights, gates i, f, c, o" },
    { name: "U", shape: [G, H], init: "recurrent", doc: "recurrent weights, gates i, f, c, o" },
  ];
  if (cfg.bias) params.push({ name: "b", shape: [G], init: "bias", doc: "biases, gates i, f, c, o (input and recurrent bias summed)" });
  const gates: GateView[] = [
    { name: "i", offset: 0 }, { name: "f", offset: H }, { name: "cHat", offset: 2 * H }, { name: "o", offset: 3 * H },
    { name: "cAct", offset: 4 * H },
  ];

  // what a backend's fused step kernel needs to know (kernels/fused.ts); this file's loops are its reference
  const fusedSpec: LstmSpec = { hidden: H, ...cfg };

  const forwardLoop = (k: Kernels, p: ParamViews, s: StepForward, loop: SequenceLoop): boolean => k.fused?.lstmForward(fusedSpec, p, s, loop) ?? false;
  const backwardLoop = (k: Kernels, p: ParamViews, s: StepBackward, loop: SequenceLoopBackward): boolean => k.fused?.lstmBackward(fusedSpec, p, s, loop) ?? false;

  function forward(k: Kernels, p: ParamViews, s: StepForward): void {
    if (!s.hr && k.fused?.lstmForward(fusedSpec, p, s)) return;
    const { B, xp, xpOff, cache, cacheOff, scratch } = s;
    const h = s.prev[0]!, c = s.prev[1]!, pOff = s.prevOff;
    const hOut = s.next[0]!, cOut = s.next[1]!, nOff = s.nextOff;
    const b = p.b;
    // scratch [B, 4H] = h · Uᵀ
    k.matmulNT(scratch, 0, G, s.hr ?? h, s.hr ? s.hrOff! : pOff, H, p.U!, 0, H, B, G, H, 0); // h (or m ⊙ h) · Uᵀ
    for (let r = 0; r < B; r++) {
      const ci = cacheOff + r * ldc, xi = xpOff + r * G, si = r * G, sr = r * H;
      // a_g = W_g x + U_g h + b_g;  i, f, o = σ(a);  ĉ = g(a_c)
      for (let blk = 0; blk < 4; blk++) {
        const act = blk === C_ ? fc : fg;
        for (let gj = blk * H; gj < (blk + 1) * H; gj++) {
          cache[ci + gj] = act.f(xp[xi + gj]! + scratch[si + gj]! + (b ? b[gj]! : 0));
        }
      }
      for (let j = 0; j < H; j++) {
        // c' = f ⊙ c + i ⊙ ĉ;  h' = o ⊙ h_act(c')
        const cn = cache[ci + F_ * H + j]! * c[pOff + sr + j]! + cache[ci + j]! * cache[ci + C_ * H + j]!;
        const y = fh.f(cn);
        cache[ci + Y_ * H + j] = y;
        cOut[nOff + sr + j] = cn;
        hOut[nOff + sr + j] = cache[ci + O_ * H + j]! * y;
      }
    }
  }

  function backward(k: Kernels, p: ParamViews, s: StepBackward): void {
    if (!s.hr && k.fused?.lstmBackward(fusedSpec, p, s)) return;
    const { B, cache, cacheOff, dxp, dxpOff } = s;
    const c = s.prev[1]!, pOff = s.prevOff;
    const dh = s.dNext[0]!, dc = s.dNext[1]!, dhPrev = s.dPrev[0]!, dcPrev = s.dPrev[1]!;
    for (let r = 0; r < B; r++) {
      const ci = cacheOff + r * ldc, di = dxpOff + r * G, sr = r * H;
      for (let j = 0; j < H; j++) {
        const i = cache[ci + j]!, f = cache[ci + F_ * H + j]!, cHat = cache[ci + C_ * H + j]!;
        const og = cache[ci + O_ * H + j]!, y = cache[ci + Y_ * H + j]!;
        const dhj = dh[sr + j]!;
        // h' = o ⊙ h_act(c'): do = dh' ⊙ y, dc' += dh' ⊙ o ⊙ h_act'(y)
        const dO = dhj * y;
        const dcn = dc[sr + j]! + dhj * og * fh.df(y);
        // c' = f ⊙ c + i ⊙ ĉ
        const dI = dcn * cHat, dF = dcn * c[pOff + sr + j]!, dCHat = dcn * i;
        dcPrev[sr + j] += dcn * f;
        // i, f, o = σ(a), ĉ = g(a_c): dA = d(gate) ⊙ σ'(gate), from the saved outputs
        dxp[di + j] += dI * fg.df(i);
        dxp[di + F_ * H + j] += dF * fg.df(f);
        dxp[di + C_ * H + j] += dCHat * fc.df(cHat);
        dxp[di + O_ * H + j] += dO * fg.df(og);
      }
    }
    // a = W x + U h + b: dh += dA · U
    k.matmul(s.dhr ?? dhPrev, 0, H, dxp, dxpOff, G, p.U!, 0, H, B, H, G, 1);
  }

  function backwardWeights(k: Kernels, _p: ParamViews, g: ParamViews, seq: SequenceTape): void {
    const { N, dxp } = seq;
    // dU = Σ_t dAᵀ · h_{t−1};  db = Σ_t dA
    k.matmulTN(g.U!, 0, H, dxp, 0, G, seq.rec ?? seq.states[0]!, seq.rec ? seq.recOff! : seq.statesOff, H, G, H, N, 1);
    if (cfg.bias) k.sumRows(g.b!, 0, dxp, 0, G, N, G);
  }

  return {
    kind: "lstm", config: { ...cfg }, inputSize, hiddenSize: H, params, xBlocks: 4, states: ["h", "c"], recurrentDropout: true,
    cacheWidth: ldc, scratchWidth: G, dRecWidth: 0, gates, forward, backward, backwardWeights, forwardLoop, backwardLoop,
  };
}
