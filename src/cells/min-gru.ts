/**
 * minGRU (Feng, Tung, Ahmed, Bengio & Hajimirsadeghi 2024, "Were RNNs All We Needed?",
 * arXiv:2410.01201): a GRU whose gate and candidate see x only, so the new state is affine in h.
 *
 *   z = σ(W_z x + b_z)                       σ the logistic; no h in the gate
 *   candidate "g" (default):  ĥ = g(W_h x + b_h),  g(v) = v + 0.5 for v ≥ 0, σ(v) for v < 0
 *   candidate "linear":       ĥ = W_h x + b_h
 *   update "replace" (default, the paper): h' = (1 − z) ⊙ h + z ⊙ ĥ = a ⊙ h + u,  a = 1 − z, u = z ⊙ ĥ
 *   update "keep":                         h' = z ⊙ h + (1 − z) ⊙ ĥ = a ⊙ h + u,  a = z,     u = (1 − z) ⊙ ĥ
 *   (u is DESIGN.md's b_t, renamed so it does not clash with the bias b.)
 * "g" is the default because it is the candidate of the paper's log-space minGRU (Appendix B, log_g),
 * its numerically stable implementation; "linear" is the paper's plain form and allows ĥ < 0.
 *
 * Blocks (order z, h): W [2H, I], b [2H] (absent with bias: false). No recurrent weights.
 * Cache per row: [z (H) | ĥ (H)], captured as gates "z" and "hHat". dRec: none (dA lives in dxp).
 *
 * Option scan (forward only; backward always runs step by step over the cache):
 *   "sequential" (default)  the driver's step loop.
 *   "parallel"  a work-efficient (Blelloch / Brent–Kung) inclusive scan over time of the maps
 *               (a, u), with (a2, u2) ∘ (a1, u1) = (a2·a1, a2·u1 + u2), vectorised over the B·H
 *               lanes; element 0 is the constant map (0, h_0), so element t ends as h_t. Any signs.
 *   "log"       Heinsen's (2023) log-space scan, as in the paper: a*_t = Σ_{k≤t} log a_k and
 *               h_t = exp(a*_t + logcumsumexp(log h_0, log u_1 − a*_1, …, log u_t − a*_t)),
 *               log a and log u taken from the pre-activations (log σ(v) = −softplus(−v)), never
 *               from a rounded z. It needs u > 0, so candidate "g" only. h_0 = 0 enters as
 *               log 0 = −∞; a negative h_0 (outside the paper's domain) enters as the signed term
 *               h_0·exp(a*_t) beside the log-sum: the same value. (The paper's code also passes h_0
 *               through g; here h_0 is the state itself, as in its sequential equations.)
 * The scans themselves are in kernels/scan.ts; their elements are float64 whatever the dtype. Inactive rows (t ≥ len) are the identity
 * map (1, 0); afterwards their states are copied as the step loop copies them.
 *
 * Shape legend: B batch, T time, N = T·B rows, I input, H hidden, L = B·H lanes of a scan.
 */
import { sigmoid, softplus } from "../kernels/activations.js";
import type { LightSpec, SequenceLoop, SequenceLoopBackward } from "../kernels/fused.js";
import { affineScan, logScan } from "../kernels/scan.js";
import type { DType, Kernels, Vec } from "../kernels/types.js";
import { OptionError } from "../errors/index.js";
import type { UpdateConvention } from "./gated-unit.js";
import { checkKeys, optBool, optChoice, positiveInt } from "./options.js";
import type { Cell, CommonCellOptions, ParamSpec, ParamViews, ScanInfo, SequenceTape, StepBackward, StepForward } from "./types.js";

export type MinGruCandidate = "g" | "linear";
export type MinGruScan = "sequential" | "parallel" | "log";

export interface MinGruOptions extends CommonCellOptions {
  readonly candidate?: MinGruCandidate;
  readonly update?: UpdateConvention;
  readonly scan?: MinGruScan;
}

const KEYS = ["inputSize", "hiddenSize", "bias", "candidate", "update", "scan"];

/** g(v) = v + 0.5 (v ≥ 0), σ(v) (v < 0): continuous and positive. */
const g = (v: number): number => (v >= 0 ? v + 0.5 : sigmoid(v));
/** g'(v) from y = g(v): 1 where y ≥ 0.5 (v ≥ 0), y(1 − y) below. */
const dg = (y: number): number => (y >= 0.5 ? 1 : y * (1 - y));
const logG = (v: number): number => (v >= 0 ? Math.log(v + 0.5) : -softplus(-v));
export function minGru(o: MinGruOptions, _dtype: DType): Cell {
  const where = "mingru";
  checkKeys(where, o, KEYS);
  const inputSize = positiveInt(where, "inputSize", o.inputSize);
  const H = positiveInt(where, "hiddenSize", o.hiddenSize);
  const cfg = {
    candidate: optChoice(where, "candidate", o.candidate, ["g", "linear"] as const, "g"),
    update: optChoice(where, "update", o.update, ["replace", "keep"] as const, "replace"),
    bias: optBool(where, "bias", o.bias, true),
    scan: optChoice(where, "scan", o.scan, ["sequential", "parallel", "log"] as const, "sequential"),
  };
  if (cfg.scan === "log" && cfg.candidate === "linear") {
    throw new OptionError(
      `${where}: scan "log" takes the logarithm of u = z ⊙ ĥ, which needs ĥ > 0, but candidate "linear" can be ` +
        `negative; use candidate "g" (the paper's log-space form) or scan "parallel" (any signs)`,
    );
  }
  const replace = cfg.update === "replace";
  const cand = cfg.candidate === "g" ? g : (v: number) => v;
  const dCand = cfg.candidate === "g" ? dg : () => 1;
  const W2 = 2 * H; // row of xp, dxp and the cache

  const params: ParamSpec[] = [{ name: "W", shape: [W2, inputSize], init: "input", doc: "input weights, blocks z, h" }];
  if (cfg.bias) params.push({ name: "b", shape: [W2], init: "bias", doc: "biases, blocks z, h" });

  /** z = σ(W_z x + b_z), ĥ = cand(W_h x + b_h) for `rows` rows: xp [rows, 2H] → cache [rows, 2H]. */
  function gateRows(xp: Vec, xpOff: number, cache: Vec, cacheOff: number, rows: number, b: Vec | undefined): void {
    for (let r = 0; r < rows * W2; r += W2) {
      for (let j = 0; j < H; j++) {
        cache[cacheOff + r + j] = sigmoid(xp[xpOff + r + j]! + (b ? b[j]! : 0));
        cache[cacheOff + r + H + j] = cand(xp[xpOff + r + H + j]! + (b ? b[H + j]! : 0));
      }
    }
  }

  // what a backend's fused step kernel needs to know (kernels/fused.ts); this file's loops are its reference
  const fusedSpec: LightSpec = {
    hidden: H, recurrent: false, bias: cfg.bias, update: cfg.update, gateActivation: { name: "Sigmoid", alpha: 0, beta: 0 },
    candidateActivation: cfg.candidate === "g" ? "g" : { name: "Affine", alpha: 1, beta: 0 },
  };
  const forwardLoop = (k: Kernels, p: ParamViews, s: StepForward, loop: SequenceLoop): boolean => k.fused?.lightForward(fusedSpec, p, s, loop) ?? false;
  const backwardLoop = (k: Kernels, p: ParamViews, s: StepBackward, loop: SequenceLoopBackward): boolean => k.fused?.lightBackward(fusedSpec, p, s, loop) ?? false;

  function forward(k: Kernels, p: ParamViews, s: StepForward): void {
    if (k.fused?.lightForward(fusedSpec, p, s)) return;
    const { B, cache, cacheOff } = s;
    const h = s.prev[0]!, hOff = s.prevOff, out = s.next[0]!, oOff = s.nextOff;
    gateRows(s.xp, s.xpOff, cache, cacheOff, B, p.b);
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < H; j++) {
        const z = cache[cacheOff + i * W2 + j]!, n = cache[cacheOff + i * W2 + H + j]!, hv = h[hOff + i * H + j]!;
        out[oOff + i * H + j] = replace ? (1 - z) * hv + z * n : z * hv + (1 - z) * n;
      }
    }
  }

  function backward(k: Kernels, p: ParamViews, s: StepBackward): void {
    if (k.fused?.lightBackward(fusedSpec, p, s)) return;
    const { B, cache, cacheOff, dxp, dxpOff } = s;
    const h = s.prev[0]!, hOff = s.prevOff, dh = s.dNext[0]!, dPrev = s.dPrev[0]!;
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < H; j++) {
        const d = dh[i * H + j]!, hv = h[hOff + i * H + j]!;
        const z = cache[cacheOff + i * W2 + j]!, n = cache[cacheOff + i * W2 + H + j]!;
        let dz: number, dn: number;
        if (replace) {
          // h' = (1 − z) ⊙ h + z ⊙ ĥ
          dz = d * (n - hv); dn = d * z; dPrev[i * H + j] += d * (1 - z);
        } else {
          // h' = z ⊙ h + (1 − z) ⊙ ĥ
          dz = d * (hv - n); dn = d * (1 - z); dPrev[i * H + j] += d * z;
        }
        // z = σ(W_z x + b_z): σ' = z(1 − z)
        dxp[dxpOff + i * W2 + j] += dz * z * (1 - z);
        // ĥ = g(W_h x + b_h) (g' from ĥ) or W_h x + b_h
        dxp[dxpOff + i * W2 + H + j] += dn * dCand(n);
      }
    }
  }

  function backwardWeights(k: Kernels, _p: ParamViews, grads: ParamViews, seq: SequenceTape): void {
    // [z | ĥ] pre-activations = W x + b: db = Σ_t dA (dW and dx are the driver's products)
    if (cfg.bias) k.sumRows(grads.b!, 0, seq.dxp, 0, W2, seq.N, W2);
  }

  let work = new Float64Array(0); // [2, T + 1, B·H]: the scan's elements (a or log a, then u or log u)

  let spare: Vec[] = []; // [N, H] twice: a zero state and the discarded new state of fillGates

  /**
   * cache [rows, 2H] = [z | ĥ] for every row at once, by the code the step loop uses: the backend's
   * fused step (run on all rows, from a zero state whose update is thrown away) when it has one,
   * else gateRows. So the scans see the same gates, bit for bit, as the step loop.
   */
  function fillGates(k: Kernels, p: ParamViews, xp: Vec, cache: Vec, rows: number): void {
    if (k.fused && k.dtype === "float32") {
      if (spare.length === 0 || spare[0]!.length < rows * H) spare = [k.alloc(rows * H), k.alloc(rows * H)];
      const [zero, sink] = spare as [Vec, Vec];
      zero.fill(0, 0, rows * H);
      const step: StepForward = { B: rows, xp, xpOff: 0, prev: [zero], prevOff: 0, next: [sink], nextOff: 0, cache, cacheOff: 0, scratch: sink };
      if (k.fused.lightForward(fusedSpec, p, step)) return;
    }
    gateRows(xp, 0, cache, 0, rows, p.b);
  }

  function forwardScan(k: Kernels, p: ParamViews, s: ScanInfo): void {
    const { T, B, reverse, xp, cache, lengths } = s;
    const L = B * H, n = T + 1, h = s.states[0]!, h0 = (reverse ? T : 0) * L;
    if (work.length < 2 * n * L) work = new Float64Array(2 * n * L);
    const A = work.subarray(0, n * L); // [T + 1, L]  a, or log a then a*
    const U = work.subarray(n * L, 2 * n * L); // [T + 1, L]  u, or log u then the log-sum
    fillGates(k, p, xp, cache, T * B); // the cache, exactly as the step loop fills it
    const log = cfg.scan === "log";
    // element 0: the initial state, as the map (0, h_0); in log space a*_0 = 0 and log h_0 (−∞ at 0, and
    // a negative h_0 is added back at the end); element e ≥ 1: step t = e − 1 (reverse: T − e)
    for (let l = 0; l < L; l++) {
      const v = h[h0 + l]!;
      A[l] = 0;
      U[l] = !log ? v : v > 0 ? Math.log(v) : -Infinity;
    }
    for (let e = 1; e <= T; e++) {
      const t = reverse ? T - e : e - 1;
      for (let b = 0; b < B; b++) {
        const on = lengths === null || t < lengths[b]!;
        for (let j = 0; j < H; j++) {
          const at = e * L + b * H + j, r = (t * B + b) * W2 + j;
          if (!on) { A[at] = log ? 0 : 1; U[at] = log ? -Infinity : 0; continue; }
          if (!log) {
            const z = cache[r]!, c = cache[r + H]!;
            A[at] = replace ? 1 - z : z;
            U[at] = replace ? z * c : (1 - z) * c;
            continue;
          }
          // log σ(k) = −softplus(−k), log(1 − σ(k)) = −softplus(k)
          const kz = xp[r]! + (p.b ? p.b[j]! : 0), kh = xp[r + H]! + (p.b ? p.b[H + j]! : 0);
          const logZ = -softplus(-kz), log1mZ = -softplus(kz);
          A[at] = replace ? log1mZ : logZ;
          U[at] = (replace ? logZ : log1mZ) + logG(kh);
        }
      }
    }
    if (log) logScan(n, L, A, U); else affineScan(n, L, A, U);
    for (let e = 1; e <= T; e++) {
      const blk = (reverse ? T - e : e) * L;
      for (let l = 0; l < L; l++) {
        const at = e * L + l, v0 = h[h0 + l]!;
        h[blk + l] = !log ? U[at]! : Math.exp(A[at]! + U[at]!) + (v0 < 0 ? v0 * Math.exp(A[at]!) : 0);
      }
    }
    if (lengths !== null) keepInactive(T, B, reverse, h, lengths);
  }

  /** The step loop's rule for an inactive row (it keeps its state), in the loop's order. */
  function keepInactive(T: number, B: number, reverse: boolean, h: Vec, len: Int32Array): void {
    const L = B * H;
    for (let b = 0; b < B; b++) {
      const row = b * H;
      if (reverse) for (let t = T - 1; t >= len[b]!; t--) h.copyWithin(t * L + row, (t + 1) * L + row, (t + 1) * L + row + H);
      else for (let t = len[b]!; t < T; t++) h.copyWithin((t + 1) * L + row, t * L + row, t * L + row + H);
    }
  }

  return {
    kind: "mingru", config: { ...cfg }, inputSize, hiddenSize: H, params, xBlocks: 2, states: ["h"],
    cacheWidth: W2, scratchWidth: 0, dRecWidth: 0,
    gates: [{ name: "z", offset: 0 }, { name: "hHat", offset: H }],
    forward, backward, backwardWeights, forwardLoop, backwardLoop, useScan: cfg.scan !== "sequential", forwardScan,
  };
}
