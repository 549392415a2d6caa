/**
 * Worker side: the gate view's numbers for one input sequence. Every gate value comes from gated's
 * captureGates (the `capture: true` forward of each recurrent stack); h, the state each stack
 * outputs, comes from running the model's layers in the same order (as captureGates does).
 * Grids are time × units, cut to the sequence's length.
 *
 * A loaded model without a task gets made-up inputs (Rng-seeded waves for features, random ids
 * for tokens), and the page says so.
 */
import {
  Rng, RecurrentLayer, captureGates, gatherBatch,
  type Act, type Model, type SequenceSet,
} from "../../src/index.js";
import type { FromWorker, Grid } from "./protocol.js";
import type { Session } from "./session.js";

/** 8 sequences of 32 steps the model can read: sines of several periods per feature, or token ids. */
export function madeUpSequences(model: Model): SequenceSet {
  const S = 8, T = 32, rng = new Rng(1), input = model.spec.input;
  if (input.kind === "tokens") {
    const V = input.vocabularySize, x = Int32Array.from({ length: S * T }, () => rng.int(V));
    return { x, y: new Int32Array(S), count: S, steps: T, features: V, target: "class", perStep: false, outputs: 1 };
  }
  const F = input.features, x = new Float32Array(S * T * F);
  for (let s = 0; s < S; s++) for (let f = 0; f < F; f++) {
    const period = 6 + 4 * s + f, phase = rng.range(0, 2 * Math.PI);
    for (let t = 0; t < T; t++) x[(s * T + t) * F + f] = Math.sin((2 * Math.PI * t) / period + phase);
  }
  return { x, y: new Float32Array(S), count: S, steps: T, features: F, target: "regression", perStep: false, outputs: 1 };
}

/** Rows 0 … len−1 of a [T, 1, W] slice starting at column c0 of width W of a [T, 1, Wall] tensor. */
function grid(name: string, data: ArrayLike<number>, len: number, all: number, c0: number, w: number): Grid {
  const values = new Float32Array(len * w);
  for (let t = 0; t < len; t++) for (let j = 0; j < w; j++) values[t * w + j] = data[t * all + c0 + j]!;
  return { name, values, rows: len, cols: w };
}

interface State { readonly data: Float32Array; readonly width: number; readonly directions: number; readonly top: number }

/** The state h each recurrent layer outputs ([T, 1, D·H], its top layer's), and the model's output for the row. */
function run(model: Model, input: Act): { states: State[]; output: Float32Array } {
  const net = model.net, ctx = net.context(false, new Rng(0)), states: State[] = [];
  let a = input;
  net.setCarry(false);
  for (const layer of net.layers) {
    a = layer.forward(a, ctx);
    if (layer instanceof RecurrentLayer) {
      states.push({ data: Float32Array.from(a.data.subarray(0, a.T * a.B * a.F)), width: a.F, directions: layer.rnn.numDirections, top: layer.rnn.layers - 1 });
    }
  }
  return { states, output: Float32Array.from(a.data.subarray(0, a.T * a.B * a.F)) };
}

const show = (a: ArrayLike<number>) => Array.from(a, (x) => x.toPrecision(4)).join(", ");

function outputLine(model: Model, set: SequenceSet, k: number, y: Float32Array): string {
  const classes = model.spec.data?.classes;
  if (model.spec.task.target === "class" && classes) {
    const logits = Array.from(y), top = logits.indexOf(Math.max(...logits));
    return `the model says: ${classes[top] ?? top} (logits ${show(y)}); the label is ${classes[set.y[k]!] ?? set.y[k]}`;
  }
  const target = set.y.subarray(k * set.outputs, (k + 1) * set.outputs);
  const units = model.spec.data?.normalisation ? " (normalised units)" : "";
  return `model output${units}: ${show(y.subarray(0, 6))}${y.length > 6 ? " …" : ""}; target ${show(target.subarray(0, 6))}`;
}

export function gates(s: Session, k: number): Extract<FromWorker, { type: "gates" }> {
  const model = s.model, set = s.sequences;
  if (!model || !set) throw new Error("no model yet: train one or drop a model file");
  if (!(k >= 0 && k < set.count)) throw new Error(`sequence ${k} is not there: ${set.count} sequences (0 … ${set.count - 1})`);
  const batch = gatherBatch(model.net.kernels, set, [k]);
  const len = set.lengths ? set.lengths[k]! : set.steps;
  const captured = captureGates(model, batch.input);
  const { states, output } = run(model, batch.input);
  const layers = captured.map((c, i) => {
    const grids: Grid[] = [];
    for (const [key, t] of Object.entries(c.gates)) {
      const H = t.shape[2]!;
      grids.push(grid(`${key}`, t.data, len, H, 0, H));
    }
    const h = states[i];
    if (h) {
      const H = h.width / h.directions;
      for (let d = 0; d < h.directions; d++) grids.push(grid(`layer${h.top}.${d === 0 ? "forward" : "reverse"}.h`, h.data, len, h.width, d * H, H));
    }
    return { title: `layer ${c.index}: ${c.cell}`, grids };
  });
  const ids = batch.input.ids;
  const input: Grid = ids
    ? { name: "token id", values: Float32Array.from(ids.subarray(0, len)), rows: len, cols: 1 }
    : grid("input x (as the model reads it)", batch.input.data, len, set.features, 0, set.features);
  const vocab = model.spec.data?.vocabulary;
  const inputLabels = ids && vocab ? Array.from(ids.subarray(0, len), (i) => vocab[i] ?? String(i)) : null;
  return { type: "gates", sequence: k, input, inputLabels, layers, output: outputLine(model, set, k, output) };
}
