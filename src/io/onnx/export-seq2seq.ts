/**
 * gated encoder–decoder → two ONNX graphs, so another runtime can run the decoding loop:
 *
 * encoder.onnx
 *   inputs   source   int64 [S, B]        source ids (padding anything past a row's length)
 *            lengths  int32 [B]           source lengths (≥ 1)
 *   outputs  memory   float [S, B, C]     encoder outputs m (0 past a row's length)
 *            keys     float [S, B, K]     attention keys: W_k m_s (additive, bahdanau) or W_a m_s (luong); [S, B, 1] zeros without attention
 *            mask     bool  [S, B]        s < lengths[b]
 *            summary  float [B, C]        z = the last encoder layer's final states
 *            state_h  float [Ld, B, H]    s_0 (tanh(W_br z + b_br), or z in every layer)
 *            state_c  float [Ld, B, H]    zeros (LSTM decoders only)
 * decoder-step.onnx
 *   inputs   token    int64 [B]           the previous token y_{t−1} (bos first)
 *            state_h, state_c (LSTM)      the state after the previous step
 *            memory, keys, mask, summary  as the encoder gave them
 *   outputs  logits   float [B, V]        o_t
 *            new_state_h, new_state_c (LSTM)   the state after this step (the next call's state_h, state_c)
 *            attention float [B, S]       α_t (models with attention)
 * The step is model.ts's equations for one t: attention on the decoder output h_t ("additive",
 * "luong") or on the previous state s_{t−1} feeding the input ("bahdanau"); softmax over the source
 * with padding set to −∞ (weight exactly 0). The loop (greedy: argmax of logits, stop at eos) is the
 * caller's; docs/seq2seq.md has one in JavaScript. Metadata "gated.seq2seq" holds the vocabularies,
 * tokens and the pad / bos / eos ids (JSON, as in the model file). float32 only.
 */
import { OptionError } from "../../errors/index.js";
import type { Dense } from "../../layers/dense.js";
import type { Seq2seqVocabularies } from "../../seq2seq/file.js";
import type { Seq2seq } from "../../seq2seq/model.js";
import type { ActivationConfig } from "../../kernels/activations.js";
import { GraphBuilder } from "./builder.js";
import { emitActivation } from "./emit-activation.js";
import { emitRecurrent } from "./export-recurrent.js";
import { encodeOnnx, IR_VERSION, OPSET } from "./proto.js";

export interface Seq2seqOnnx {
  readonly encoder: Uint8Array;
  readonly decoderStep: Uint8Array;
}

/** Both graphs of a float32 encoder–decoder. */
export function seq2seqToOnnx(m: Seq2seq, vocabularies: Seq2seqVocabularies): Seq2seqOnnx {
  if (m.dtype !== "float32") throw new OptionError(`onnx export: this encoder–decoder is ${m.dtype}; the ONNX graphs are float32 (retrain or convert the model to float32 first)`);
  const meta = { "gated.seq2seq": JSON.stringify({ ...vocabularies, attention: m.options.attention ?? "additive" }) };
  return { encoder: finish(encoderGraph(m), "gated_seq2seq_encoder", meta), decoderStep: finish(decoderGraph(m), "gated_seq2seq_decoder_step", meta) };
}

function finish(g: GraphBuilder, name: string, metadata: Record<string, string>): Uint8Array {
  return encodeOnnx({
    irVersion: IR_VERSION, producerName: "gated", opsetImport: [{ domain: "", version: OPSET }], graph: g.graph(name),
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
}

/** An initializer holding model entry `name` (gated's layout, its own name). */
function param(g: GraphBuilder, m: Seq2seq, name: string): string {
  const e = m.entries.find((x) => x.name === name);
  if (!e) throw new OptionError(`onnx export: the encoder–decoder has no parameter "${name}"`);
  return g.constant(name, "float32", e.shape, m.params.subarray(e.offset, e.offset + e.size), true);
}

/** x [..., I] · Wᵀ + b with W [O, I] (a Dense's "W", "b"), then its activation. */
function dense(g: GraphBuilder, m: Seq2seq, layer: Dense, prefix: string, x: string): string {
  const a = g.op("Add", [g.op("MatMul", [x, g.op("Transpose", [param(g, m, `${prefix}.W`)], { perm: [1, 0] })]), param(g, m, `${prefix}.b`)], {}, prefix);
  return emitActivation(g, a, layer.config.activation as ActivationConfig);
}

/** Width K of the attention keys: A (additive, bahdanau), Q (luong), 1 (none). */
function keyWidth(m: Seq2seq): number {
  if (!m.attention) return 1;
  return m.entries.find((e) => e.name === (m.attention!.kind === "luong" ? "attention.Wa" : "attention.Wk"))!.shape[0]!;
}

function encoderGraph(m: Seq2seq): GraphBuilder {
  const g = new GraphBuilder();
  const C = m.memorySize, H = m.decoder.hiddenSize, Ld = m.decoder.layers, De = m.encoder.numDirections, Le = m.encoder.layers;
  const source = g.addInput("source", "int64", ["S", "B"]), lengths = g.addInput("lengths", "int32", ["B"]);
  // x_s = E_src[a_s];  m, h_S = encoder(x; lengths)
  const x = g.op("Gather", [param(g, m, "source.table"), source], { axis: 0 }, "source_embedding");
  const enc = emitRecurrent(g, m.encoder, { x, lengths, initialH: null, initialC: null }, "encoder.");
  // z = [h_S^fwd ; h_S^rev] of the last layer: rows (Le − 1)·De … of [Le·De, B, He]
  const last = g.op("Slice", [enc.finalH, g.ints("s", [(Le - 1) * De]), g.ints("e", [Le * De]), g.ints("ax", [0])]);
  const summary = De === 1 ? g.op("Squeeze", [last, g.ints("axes0_i", [0])]) : g.op("Concat", Array.from({ length: De }, (_, d) =>
    g.op("Squeeze", [g.op("Slice", [last, g.ints("s", [d]), g.ints("e", [d + 1]), g.ints("ax", [0])]), g.ints("axes0_i", [0])])), { axis: 1 });
  // s_0 = tanh(W_br z + b_br) as [B, Ld·H] → [Ld, B, H]; without a bridge z in every layer
  const init = m.bridge
    ? g.op("Transpose", [g.op("Reshape", [dense(g, m, m.bridge, "bridge", summary), g.ints("shape_bl", [0, Ld, H])])], { perm: [1, 0, 2] })
    : Ld === 1 ? g.op("Unsqueeze", [summary, g.ints("axes0_i", [0])]) : g.op("Concat", Array.from({ length: Ld }, () => g.op("Unsqueeze", [summary, g.ints("axes0_i", [0])])), { axis: 0 });
  // the mask [S, B]: s < lengths[b]
  const steps = g.op("Gather", [g.op("Shape", [source]), g.constant("zero_i", "int64", [], [0])], { axis: 0 });
  const range = g.op("Range", [g.constant("start_i", "int64", [], [0]), steps, g.constant("delta_i", "int64", [], [1])]);
  const mask = g.op("Less", [g.op("Unsqueeze", [range, g.ints("axes1_i", [1])]), g.op("Unsqueeze", [g.op("Cast", [lengths], { to: 7 }), g.ints("axes0_i", [0])])]);
  // keys: additive/bahdanau k_s = W_k m_s [S, B, A]; luong k_s = W_a m_s [S, B, Q]; none: zeros [S, B, 1]
  let keys: string;
  if (m.attention?.kind === "luong") keys = g.op("MatMul", [enc.y, g.op("Transpose", [param(g, m, "attention.Wa")], { perm: [1, 0] })]);
  else if (m.attention) keys = g.op("MatMul", [enc.y, g.op("Transpose", [param(g, m, "attention.Wk")], { perm: [1, 0] })]);
  else keys = g.op("Mul", [g.op("Slice", [enc.y, g.ints("s", [0]), g.ints("e", [1]), g.ints("ax", [2])]), g.scalar(0)]);
  const K = keyWidth(m);
  g.addOutput("memory", enc.y, "float32", ["S", "B", C]);
  g.addOutput("keys", keys, "float32", ["S", "B", K]);
  g.addOutput("mask", mask, "bool", ["S", "B"]);
  g.addOutput("summary", summary, "float32", ["B", C]);
  g.addOutput("state_h", init, "float32", [Ld, "B", H]);
  if (m.decoder.cells[0]!.states.length > 1) g.addOutput("state_c", g.op("Mul", [init, g.scalar(0)]), "float32", [Ld, "B", H]);
  return g;
}

/** c = Σ_s α_s m_s with α = softmax over the source of the scores of query q [B, Q]; returns [c [B, C], α [S, B]]. */
function attend(g: GraphBuilder, m: Seq2seq, q: string, memory: string, keys: string, mask: string): [string, string] {
  let e: string;
  if (m.attention!.kind === "luong") {
    // e_s = qᵀ k_s
    e = g.op("ReduceSum", [g.op("Mul", [g.op("Unsqueeze", [q, g.ints("axes0_i", [0])]), keys]), g.ints("axes2_i", [2])], { keepdims: 0 }, "score");
  } else {
    // e_s = vᵀ tanh(W_q q + k_s + b)
    const qp = g.op("MatMul", [q, g.op("Transpose", [param(g, m, "attention.Wq")], { perm: [1, 0] })]);
    const u = g.op("Tanh", [g.op("Add", [g.op("Add", [g.op("Unsqueeze", [qp, g.ints("axes0_i", [0])]), keys]), param(g, m, "attention.b")])]);
    e = g.op("ReduceSum", [g.op("Mul", [u, param(g, m, "attention.v")]), g.ints("axes2_i", [2])], { keepdims: 0 }, "score");
  }
  // α = softmax over s of e, −∞ at padding
  const alpha = g.op("Softmax", [g.op("Where", [mask, e, g.scalar(-Infinity)])], { axis: 0 }, "alpha");
  const c = g.op("ReduceSum", [g.op("Mul", [g.op("Unsqueeze", [alpha, g.ints("axes2_i", [2])]), memory]), g.ints("axes0_i", [0])], { keepdims: 0 }, "context");
  return [c, alpha];
}

function decoderGraph(m: Seq2seq): GraphBuilder {
  const g = new GraphBuilder();
  const C = m.memorySize, H = m.decoder.hiddenSize, Ld = m.decoder.layers, V = m.output.outputFeatures, lstm = m.decoder.cells[0]!.states.length > 1;
  const K = keyWidth(m);
  const token = g.addInput("token", "int64", ["B"]);
  const stateH = g.addInput("state_h", "float32", [Ld, "B", H]);
  const stateC = lstm ? g.addInput("state_c", "float32", [Ld, "B", H]) : null;
  const memory = g.addInput("memory", "float32", ["S", "B", C]);
  const keys = g.addInput("keys", "float32", ["S", "B", K]);
  const mask = g.addInput("mask", "bool", ["S", "B"]);
  const summary = g.addInput("summary", "float32", ["B", C]);
  // e_t = E_tgt[y_{t−1}]
  const emb = g.op("Gather", [param(g, m, "target.table"), token], { axis: 0 }, "target_embedding");
  const parts = [emb];
  if (m.contextFeed) parts.push(summary);
  let context: string | null = null, alpha: string | null = null;
  if (m.feedsInput) {
    // bahdanau: c_t from s_{t−1}, the top layer's state
    const q = g.op("Squeeze", [g.op("Slice", [stateH, g.ints("s", [Ld - 1]), g.ints("e", [Ld]), g.ints("ax", [0])]), g.ints("axes0_i", [0])]);
    [context, alpha] = attend(g, m, q, memory, keys, mask);
    parts.push(context);
  }
  const x = g.op("Unsqueeze", [parts.length === 1 ? parts[0]! : g.op("Concat", parts, { axis: 1 }), g.ints("axes0_i", [0])]);
  // s_t = decoder(d_t, s_{t−1})
  const dec = emitRecurrent(g, m.decoder, { x, lengths: null, initialH: stateH, initialC: stateC }, "decoder.");
  const h = g.op("Squeeze", [dec.y, g.ints("axes0_i", [0])]);
  let top = h;
  if (m.attention && m.combine) {
    if (!m.feedsInput) [context, alpha] = attend(g, m, h, memory, keys, mask);
    // h̃_t = tanh(W_c [c_t ; h_t (; e_t)] + b_c)
    top = dense(g, m, m.combine, "combine", g.op("Concat", [context!, h, ...(m.feedsInput ? [emb] : [])], { axis: 1 }));
  }
  g.addOutput("logits", dense(g, m, m.output, "output", top), "float32", ["B", V]);
  g.addOutput("new_state_h", dec.finalH, "float32", [Ld, "B", H]);
  if (dec.finalC) g.addOutput("new_state_c", dec.finalC, "float32", [Ld, "B", H]);
  if (alpha) g.addOutput("attention", g.op("Transpose", [alpha], { perm: [1, 0] }), "float32", ["B", "S"]);
  return g;
}
