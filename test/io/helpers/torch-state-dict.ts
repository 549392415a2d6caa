/**
 * PyTorch state dicts built in TypeScript from the documented layout (see
 * scripts/interchange/pytorch_to_safetensors.py), with seeded random weights, and an independent
 * float64 implementation of PyTorch's own equations (torch.nn.GRU / LSTM / RNN docs) with packed
 * sequences, to compare against. Nothing here calls gated code.
 */
import { encodeSafetensors } from "../../../src/io/safetensors.js";
import { values } from "./model.js";

export type TorchType = "GRU" | "LSTM" | "RNN";
export interface TorchCase {
  readonly type: TorchType;
  readonly I: number; readonly H: number; readonly layers: number; readonly bidirectional: boolean; readonly bias: boolean;
  readonly nonlinearity?: "tanh" | "relu";
  /** Embedding vocabulary (ids input) or none (features input). */
  readonly vocab?: number;
  /** Linear head [O] on the last step (h_n), or none (outputs every step). */
  readonly head?: { readonly O: number; readonly activation?: "Tanh" | "Relu" | "Sigmoid" };
  readonly seed: number;
}

const GATES = { GRU: 3, LSTM: 4, RNN: 1 };
export type SD = Map<string, { shape: number[]; data: Float32Array }>;

export function makeStateDict(c: TorchCase): SD {
  const sd: SD = new Map();
  let seed = c.seed;
  const t = (name: string, shape: number[], scale = 0.6) => sd.set(name, { shape, data: values(shape.reduce((a, b) => a * b, 1), seed++, scale) });
  const G = GATES[c.type], D = c.bidirectional ? 2 : 1;
  const In0 = c.vocab ? 4 : c.I;
  if (c.vocab) t("embedding.weight", [c.vocab, 4], 1);
  for (let k = 0; k < c.layers; k++) {
    for (const s of c.bidirectional ? ["", "_reverse"] : [""]) {
      const In = k === 0 ? In0 : D * c.H;
      t(`rnn.weight_ih_l${k}${s}`, [G * c.H, In]);
      t(`rnn.weight_hh_l${k}${s}`, [G * c.H, c.H]);
      if (c.bias) { t(`rnn.bias_ih_l${k}${s}`, [G * c.H]); t(`rnn.bias_hh_l${k}${s}`, [G * c.H]); }
    }
  }
  if (c.head) { t("fc.weight", [c.head.O, D * c.H]); t("fc.bias", [c.head.O]); }
  return sd;
}

export function specOf(c: TorchCase): Record<string, unknown> {
  const modules: Record<string, unknown>[] = [];
  if (c.vocab) modules.push({ name: "embedding", type: "Embedding" });
  modules.push(c.type === "RNN" ? { name: "rnn", type: c.type, nonlinearity: c.nonlinearity ?? "tanh" } : { name: "rnn", type: c.type });
  if (c.head) {
    modules.push({ name: "last", type: "LastStep" });
    modules.push(c.head.activation ? { name: "fc", type: "Linear", activation: c.head.activation } : { name: "fc", type: "Linear" });
  }
  return { modules };
}

export function encode(sd: SD, spec?: Record<string, unknown>): Uint8Array {
  return encodeSafetensors([...sd], spec ? { "gated.pytorch": JSON.stringify(spec) } : {});
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** x · Wᵀ + b for one row: W [R, C]. */
function affine(W: Float32Array, R: number, C: number, x: ArrayLike<number>, b?: Float32Array): number[] {
  const out = new Array<number>(R).fill(0);
  for (let r = 0; r < R; r++) { let s = b ? b[r]! : 0; for (let j = 0; j < C; j++) s += W[r * C + j]! * x[j]!; out[r] = s; }
  return out;
}

/**
 * The module's forward in float64, batch_first input [B, T, I] (or ids [B, T]), packed by
 * `lengths`: returns per-step outputs [B, T, D·H] (zeros past a row's length, as
 * pad_packed_sequence) and h_n per layer·direction, then the head on cat(h_n[-2], h_n[-1]).
 */
export function torchForward(c: TorchCase, sd: SD, x: ArrayLike<number>, B: number, T: number, lengths?: ArrayLike<number>): Float64Array {
  const G = GATES[c.type], H = c.H, D = c.bidirectional ? 2 : 1;
  let F = c.vocab ? 4 : c.I;
  let seq: number[][][] = []; // [B][T][F]
  for (let b = 0; b < B; b++) {
    seq.push([]);
    for (let t = 0; t < T; t++) {
      seq[b]!.push(c.vocab ? Array.from(sd.get("embedding.weight")!.data.slice(x[b * T + t]! * 4, x[b * T + t]! * 4 + 4)) : Array.from({ length: F }, (_, i) => x[(b * T + t) * F + i]!));
    }
  }
  const finals: number[][][] = [];
  for (let k = 0; k < c.layers; k++) {
    const out = seq.map((row) => row.map(() => new Array<number>(D * H).fill(0)));
    for (let d = 0; d < D; d++) {
      const s = d === 1 ? "_reverse" : "", g = (n: string) => sd.get(`rnn.${n}_l${k}${s}`)?.data;
      const Wi = g("weight_ih")!, Wh = g("weight_hh")!, bi = g("bias_ih"), bh = g("bias_hh");
      const hn: number[][] = [];
      for (let b = 0; b < B; b++) {
        const len = lengths ? lengths[b]! : T;
        let h = new Array<number>(H).fill(0), cst = new Array<number>(H).fill(0);
        for (let q = 0; q < len; q++) {
          const t = d === 0 ? q : len - 1 - q;
          const gi = affine(Wi, G * H, F, seq[b]![t]!, bi), gh = affine(Wh, G * H, H, h, bh);
          if (c.type === "GRU") {
            h = h.map((hv, j) => {
              const r = sig(gi[j]! + gh[j]!), z = sig(gi[H + j]! + gh[H + j]!), n = Math.tanh(gi[2 * H + j]! + r * gh[2 * H + j]!);
              return (1 - z) * n + z * hv;
            });
          } else if (c.type === "LSTM") {
            const nc = cst.map((cv, j) => sig(gi[H + j]! + gh[H + j]!) * cv + sig(gi[j]! + gh[j]!) * Math.tanh(gi[2 * H + j]! + gh[2 * H + j]!));
            h = nc.map((cv, j) => sig(gi[3 * H + j]! + gh[3 * H + j]!) * Math.tanh(cv));
            cst = nc;
          } else {
            h = h.map((_, j) => { const a = gi[j]! + gh[j]!; return c.nonlinearity === "relu" ? Math.max(0, a) : Math.tanh(a); });
          }
          for (let j = 0; j < H; j++) out[b]![t]![d * H + j] = h[j]!;
        }
        hn.push(h);
      }
      finals.push(hn);
    }
    seq = out;
    F = D * H;
  }
  if (!c.head) return Float64Array.from(seq.flat(2));
  const fc = sd.get("fc.weight")!.data, fb = sd.get("fc.bias")!.data, O = c.head.O;
  const res = new Float64Array(B * O);
  for (let b = 0; b < B; b++) {
    const feat = c.bidirectional ? [...finals[finals.length - 2]![b]!, ...finals[finals.length - 1]![b]!] : finals[finals.length - 1]![b]!;
    affine(fc, O, D * H, feat, fb).forEach((v, o) => {
      res[b * O + o] = c.head!.activation === "Tanh" ? Math.tanh(v) : c.head!.activation === "Relu" ? Math.max(0, v) : c.head!.activation === "Sigmoid" ? sig(v) : v;
    });
  }
  return res;
}
