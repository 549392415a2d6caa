/**
 * One PyTorch nn.GRU / nn.LSTM / nn.RNN module's state dict ↔ a gated Recurrent stack.
 *
 * PyTorch names per layer k and direction (suffix "" or "_reverse"):
 *   weight_ih_l{k}{s} [G·H, I_k], weight_hh_l{k}{s} [G·H, H], bias_ih_l{k}{s} [G·H], bias_hh_l{k}{s} [G·H]
 *   (I_0 = input size, I_k = D·H above; no bias tensors with bias=False).
 *   GRU  gate order r, z, n:  r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise,
 *        n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 *        → gated GRU reset "after", update "keep": W, U blocks z, r, h = PyTorch blocks 1, 0, 2;
 *          b_z = b_iz + b_hz, b_r = b_ir + b_hr, b_h = b_in, c = b_hn (inside r ⊙ (·)).
 *   LSTM gate order i, f, g, o = gated i, f, c, o; b = b_ih + b_hh. proj_size (weight_hr) is refused.
 *   RNN  nonlinearity tanh or relu; b = b_ih + b_hh.
 * Export writes b into bias_ih and 0 into bias_hh (GRU: bias_hh_n = c), so the sums are exact.
 * Refused on export, with the reason: a GRU with reset "before" or update "replace" (nn.GRU is
 * reset-after, keep-update only), other gate or candidate activations, a cell clip, a reverse-only
 * stack, and the cells PyTorch has no module for.
 */
import { FormatError, OptionError, fmtShape } from "../../errors/index.js";
import type { ActivationConfig } from "../../kernels/activations.js";
import { Recurrent } from "../../sequence/recurrent.js";
import { reorderBlocks } from "../blocks.js";

export type TorchRecurrent = "GRU" | "LSTM" | "RNN";
export interface TorchTensor { readonly shape: readonly number[]; readonly data: Float32Array }

const GATES: Record<TorchRecurrent, number> = { GRU: 3, LSTM: 4, RNN: 1 };
/** gated block g is PyTorch block FROM[g] (and back again: the GRU permutation is its own inverse). */
const FROM: Record<TorchRecurrent, number[]> = { GRU: [1, 0, 2], LSTM: [0, 1, 2, 3], RNN: [0] };

const name = (prefix: string, what: string, k: number, rev: boolean) => `${prefix}${what}_l${k}${rev ? "_reverse" : ""}`;

/** Reads the module `prefix` ("gru.") out of a state dict. */
export function recurrentFromTorch(
  where: string, type: TorchRecurrent, prefix: string, sd: ReadonlyMap<string, TorchTensor>, nonlinearity?: "tanh" | "relu",
): Recurrent {
  if (type === "RNN" && nonlinearity !== "tanh" && nonlinearity !== "relu") throw new OptionError(`${where}: nn.RNN's nonlinearity must be given ("tanh" or "relu"); a state dict does not store it`);
  const get = (n: string) => sd.get(n);
  const w0 = get(name(prefix, "weight_ih", 0, false));
  if (!w0 || w0.shape.length !== 2) throw new FormatError(`${where}: missing tensor "${name(prefix, "weight_ih", 0, false)}" [G·H, I]`);
  if ([...sd.keys()].some((k) => k.startsWith(`${prefix}weight_hr_l`))) throw new OptionError(`${where}: "${prefix}weight_hr_l0" (LSTM proj_size) has no gated counterpart`);
  const G = GATES[type], H = w0.shape[0]! / G, I = w0.shape[1]!;
  if (!Number.isInteger(H) || H < 1) throw new FormatError(`${where}: "${name(prefix, "weight_ih", 0, false)}" has ${w0.shape[0]} rows, not a multiple of ${G} (${type})`);
  let L = 0;
  while (get(name(prefix, "weight_ih", L, false))) L++;
  const bidi = get(name(prefix, "weight_ih", 0, true)) !== undefined, D = bidi ? 2 : 1;
  const bias = get(name(prefix, "bias_ih", 0, false)) !== undefined;
  const cell = type.toLowerCase() as "gru" | "lstm" | "rnn";
  const opts: Record<string, unknown> = { cell, inputSize: I, hiddenSize: H, layers: L, direction: bidi ? "bidirectional" : "forward", bias, init: "none" };
  if (type === "GRU") Object.assign(opts, { reset: "after", update: "keep" });
  if (type === "RNN") opts.activation = nonlinearity === "relu" ? "Relu" : "Tanh";
  const net = new Recurrent(opts as never);
  const known = new Set<string>();
  for (let k = 0; k < L; k++) {
    for (let d = 0; d < D; d++) {
      const rev = d === 1, In = k === 0 ? I : D * H, pre = `layer${k}.${bidi ? (rev ? "reverse" : "forward") : "forward"}`;
      const t = (what: string, shape: number[]) => {
        const n = name(prefix, what, k, rev), v = get(n);
        known.add(n);
        if (!v) throw new FormatError(`${where}: missing tensor "${n}" ${fmtShape(shape)}`);
        if (v.data.length !== shape.reduce((a, b) => a * b, 1) || v.shape.length !== shape.length) {
          throw new FormatError(`${where}: tensor "${n}" has shape ${fmtShape(v.shape)}, expected ${fmtShape(shape)}`);
        }
        return v.data;
      };
      net.setParam(`${pre}.W`, reorderBlocks(t("weight_ih", [G * H, In]), H * In, FROM[type]));
      net.setParam(`${pre}.U`, reorderBlocks(t("weight_hh", [G * H, H]), H * H, FROM[type]));
      if (!bias) continue;
      const bi = reorderBlocks(t("bias_ih", [G * H]), H, FROM[type]), bh = reorderBlocks(t("bias_hh", [G * H]), H, FROM[type]);
      const b = new Float32Array(G * H);
      for (let j = 0; j < G * H; j++) b[j] = type === "GRU" && j >= 2 * H ? bi[j]! : bi[j]! + bh[j]!;
      net.setParam(`${pre}.b`, b);
      if (type === "GRU") net.setParam(`${pre}.c`, bh.subarray(2 * H));
    }
  }
  for (const k of sd.keys()) {
    if (k.startsWith(prefix) && !known.has(k)) throw new FormatError(`${where}: unexpected tensor "${k}" in module "${prefix.slice(0, -1)}" (${L} layer(s), ${bidi ? "bidirectional" : "unidirectional"}, bias=${bias ? "True" : "False"})`);
  }
  return net;
}

const isAct = (a: unknown, n: string) => (a as ActivationConfig | undefined)?.name === n;

/** The PyTorch module type of a stack, or an OptionError saying why there is none. */
export function torchTypeOf(where: string, net: Recurrent): { type: TorchRecurrent; nonlinearity?: "tanh" | "relu" } {
  const c = net.cells[0]!.config;
  if (net.direction === "reverse") throw new OptionError(`${where}: PyTorch recurrent modules have no reverse-only direction (only bidirectional=True)`);
  if (net.direction === "bidirectional" && JSON.stringify(net.cells[1]!.config) !== JSON.stringify(c)) {
    throw new OptionError(`${where}: the reverse direction has its own options, which a PyTorch module cannot hold`);
  }
  if (c.clip !== null && c.clip !== undefined) throw new OptionError(`${where}: cell clip ${c.clip} has no PyTorch counterpart`);
  const kind = net.cells[0]!.kind;
  if (kind === "gru") {
    if (c.gates !== "full") throw new OptionError(`${where}: GRU gates "${c.gates}" have no PyTorch layer (nn.GRU gates see x, h and a bias)`);
    if (c.reset !== "after") throw new OptionError(`${where}: reset "before" cannot be expressed by nn.GRU, which is reset-after only (r ⊙ (W_hn h + b_hn))`);
    if (c.update !== "keep") throw new OptionError(`${where}: update "replace" cannot be expressed by nn.GRU (h' = (1 − z) ⊙ n + z ⊙ h)`);
    if (!isAct(c.gateActivation, "Sigmoid") || !isAct(c.candidateActivation, "Tanh")) throw new OptionError(`${where}: nn.GRU uses sigmoid gates and a tanh candidate; this GRU uses ${JSON.stringify(c.gateActivation)} and ${JSON.stringify(c.candidateActivation)}`);
    return { type: "GRU" };
  }
  if (kind === "lstm") {
    if (!isAct(c.gateActivation, "Sigmoid") || !isAct(c.candidateActivation, "Tanh") || !isAct(c.outputActivation, "Tanh")) throw new OptionError(`${where}: nn.LSTM uses sigmoid gates and tanh; this LSTM has other activations`);
    return { type: "LSTM" };
  }
  if (kind === "rnn") {
    if (isAct(c.activation, "Tanh")) return { type: "RNN", nonlinearity: "tanh" };
    if (isAct(c.activation, "Relu")) return { type: "RNN", nonlinearity: "relu" };
    throw new OptionError(`${where}: nn.RNN's nonlinearity is tanh or relu, got ${JSON.stringify(c.activation)}`);
  }
  throw new OptionError(`${where}: PyTorch has no layer for the "${kind}" cell (nn.GRU, nn.LSTM and nn.RNN only); hint: export it as ONNX, where it becomes a Scan`);
}

/** The stack's tensors under PyTorch's names, prefixed. */
export function recurrentToTorch(where: string, net: Recurrent, prefix: string): [string, TorchTensor][] {
  const { type } = torchTypeOf(where, net);
  const G = GATES[type], H = net.hiddenSize, D = net.numDirections, out: [string, TorchTensor][] = [];
  const bias = net.cells[0]!.config.bias === true;
  for (let k = 0; k < net.layers; k++) {
    for (let d = 0; d < D; d++) {
      const rev = d === 1, pre = `layer${k}.${net.direction === "bidirectional" ? (rev ? "reverse" : "forward") : "forward"}`;
      const In = net.cells[k * D + d]!.inputSize;
      out.push([name(prefix, "weight_ih", k, rev), { shape: [G * H, In], data: reorderBlocks(net.param(`${pre}.W`), H * In, FROM[type]) as Float32Array }]);
      out.push([name(prefix, "weight_hh", k, rev), { shape: [G * H, H], data: reorderBlocks(net.param(`${pre}.U`), H * H, FROM[type]) as Float32Array }]);
      if (!bias) continue;
      out.push([name(prefix, "bias_ih", k, rev), { shape: [G * H], data: reorderBlocks(net.param(`${pre}.b`), H, FROM[type]) as Float32Array }]);
      const hh = new Float32Array(G * H);
      if (type === "GRU") hh.set(net.param(`${pre}.c`), 2 * H); // b_hn = c; b_hr = b_hz = 0
      out.push([name(prefix, "bias_hh", k, rev), { shape: [G * H], data: hh }]);
    }
  }
  return out;
}
