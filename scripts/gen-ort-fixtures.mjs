// Generates reference data for the ONNX GRU, LSTM and RNN operators from ONNX Runtime
// (onnxruntime-node, CPU execution provider) and writes it to
//   test/fixtures/ort/gru.json, test/fixtures/ort/lstm.json, test/fixtures/ort/rnn.json
//
// Usage: node scripts/gen-ort-fixtures.mjs
//
// Each model is built in memory (a ModelProto encoded by gated's src/io/onnx/proto.ts, loaded
// through tsx) with a single recurrent node whose inputs are all graph inputs fed at run time.
// Optional inputs a case does not use are left out of the node (empty name / trailing
// omission), so ORT's "absent" path is what is recorded.
// Input data comes from a seeded PRNG (mulberry32) and is rounded to float32 before it is
// stored and fed, so the JSON holds exactly the values ORT saw. Output is deterministic:
// running the script twice gives byte-identical files.
//
// Anything ORT refuses (e.g. layout=1) is not written as a case; it is listed in the file's
// "unsupportedByOrt" array together with ORT's error message.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ort from "onnxruntime-node";
import { tsImport } from "tsx/esm/api";
import { mulberry32 } from "./lib/mulberry32.mjs";

const SEED = 20240611;
const GENERATOR = "scripts/gen-ort-fixtures.mjs";
const OPSET = 14; // GRU/LSTM/RNN-14 introduced the `layout` attribute
const IR_VERSION = 7; // IR version that goes with opset 14 (ONNX 1.9)

const { AttributeType: AT, DataType: DT, encodeOnnx } = await tsImport("../src/io/onnx/proto.ts", import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = join(ROOT, "test", "fixtures", "ort");
const ORT_VERSION = ort.env.versions?.node ?? ort.env.versions?.common ?? "unknown";

// ---------------------------------------------------------------------------------------------
// Deterministic random numbers (mulberry32: ./lib/mulberry32.mjs)

// 32-bit FNV-1a of a string; mixes the case name into the seed so every case has its own
// stream and adding/removing a case does not change the data of the others.
function fnv1a(str) {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function caseSeed(op, name) {
  return (SEED ^ fnv1a(`${op}:${name}`)) >>> 0;
}

// n values uniform in [-scale, scale), rounded to float32
function uniform(rng, n, scale) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround((rng() * 2 - 1) * scale);
  return out;
}

// ---------------------------------------------------------------------------------------------
// ONNX model construction


const INT_ATTRS = new Set(["hidden_size", "linear_before_reset", "layout", "input_forget"]);
const FLOAT_ATTRS = new Set(["clip"]);
const STRING_ATTRS = new Set(["direction"]);
const FLOATS_ATTRS = new Set(["activation_alpha", "activation_beta"]);
const STRINGS_ATTRS = new Set(["activations"]);

function attributeProto(name, value) {
  if (INT_ATTRS.has(name)) return { name, type: AT.INT, i: value };
  if (FLOAT_ATTRS.has(name)) return { name, type: AT.FLOAT, f: value };
  if (STRING_ATTRS.has(name)) return { name, type: AT.STRING, s: Buffer.from(value, "utf8") };
  if (FLOATS_ATTRS.has(name)) return { name, type: AT.FLOATS, floats: value };
  if (STRINGS_ATTRS.has(name)) {
    return { name, type: AT.STRINGS, strings: value.map((s) => Buffer.from(s, "utf8")) };
  }
  throw new Error(`unknown attribute ${name}`);
}

function valueInfo(name, elemType, shape) {
  const tensorType = { elemType };
  if (shape) tensorType.shape = { dim: shape.map((d) => ({ dimValue: d })) };
  return { name, type: { tensorType } };
}

const INPUT_ORDER = {
  GRU: ["X", "W", "R", "B", "sequence_lens", "initial_h"],
  RNN: ["X", "W", "R", "B", "sequence_lens", "initial_h"],
  LSTM: ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c"],
};
const OUTPUT_NAMES = { GRU: ["Y", "Y_h"], RNN: ["Y", "Y_h"], LSTM: ["Y", "Y_h", "Y_c"] };

function buildModel(op, attributes, inputs) {
  // node inputs in operator order; absent optional inputs become "" and trailing ones are dropped
  const nodeInputs = INPUT_ORDER[op].map((n) => (inputs[n] ? n : ""));
  while (nodeInputs.length && nodeInputs[nodeInputs.length - 1] === "") nodeInputs.pop();
  const graphInputs = INPUT_ORDER[op]
    .filter((n) => inputs[n])
    .map((n) => valueInfo(n, n === "sequence_lens" ? DT.INT32 : DT.FLOAT, inputs[n].shape));
  const outputs = OUTPUT_NAMES[op];
  const model = {
    irVersion: IR_VERSION,
    producerName: "gated/gen-ort-fixtures",
    opsetImport: [{ domain: "", version: OPSET }],
    graph: {
      name: `${op}_fixture`,
      node: [
        {
          name: `${op}_node`,
          opType: op,
          input: nodeInputs,
          output: outputs,
          attribute: Object.keys(attributes).map((k) => attributeProto(k, attributes[k])),
        },
      ],
      input: graphInputs,
      output: outputs.map((n) => valueInfo(n, DT.FLOAT, null)),
    },
  };
  return encodeOnnx(model);
}

async function runOrt(op, attributes, inputs) {
  const session = await ort.InferenceSession.create(buildModel(op, attributes, inputs), {
    executionProviders: ["cpu"],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    logSeverityLevel: 4, // refusals are recorded in the JSON; keep ORT's own log quiet
  });
  try {
    const feeds = {};
    for (const [name, t] of Object.entries(inputs)) {
      feeds[name] =
        name === "sequence_lens"
          ? new ort.Tensor("int32", Int32Array.from(t.data), t.shape)
          : new ort.Tensor("float32", Float32Array.from(t.data), t.shape);
    }
    const res = await session.run(feeds);
    const outputs = {};
    for (const name of OUTPUT_NAMES[op]) {
      const t = res[name];
      const data = Array.from(t.data, Number);
      if (!data.every(Number.isFinite)) throw new Error(`non-finite value in ${name}`);
      outputs[name] = { shape: Array.from(t.dims, Number), data };
    }
    return outputs;
  } finally {
    await session.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Layout helpers: data is generated in layout 0 and transposed for layout 1.

// [A, B, ...rest] -> [B, A, ...rest]
function swap01(data, shape) {
  const [a, b] = shape;
  const inner = shape.slice(2).reduce((p, d) => p * d, 1);
  const out = new Array(data.length);
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      for (let k = 0; k < inner; k++) out[(j * a + i) * inner + k] = data[(i * b + j) * inner + k];
    }
  }
  return { shape: [b, a, ...shape.slice(2)], data: out };
}

// Y layout 0 [T, D, B, H] -> layout 1 [B, T, D, H]
function yToLayout1(y) {
  const [T, D, B, H] = y.shape;
  const out = new Array(y.data.length);
  for (let t = 0; t < T; t++)
    for (let d = 0; d < D; d++)
      for (let b = 0; b < B; b++)
        for (let h = 0; h < H; h++) out[((b * T + t) * D + d) * H + h] = y.data[((t * D + d) * B + b) * H + h];
  return { shape: [B, T, D, H], data: out };
}

function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// ---------------------------------------------------------------------------------------------
// Case construction

const GATES = { GRU: 3, LSTM: 4, RNN: 1 };

/**
 * spec: { name, op, T, B, I, H, direction, lbr?, clip?, activations?, alpha?, beta?, layout?,
 *         bias?: bool (default true), seq?: int[] | null, h0?: bool, c0?: bool,
 *         xScale?, wScale?, bScale?, hScale? }
 */
function makeCase(spec) {
  const { op, name, T, B, I, H } = spec;
  const D = spec.direction === "bidirectional" ? 2 : 1;
  const G = GATES[op];
  const layout = spec.layout ?? 0;
  const seed = caseSeed(op, name);
  const rng = mulberry32(seed);

  const attributes = { hidden_size: H, direction: spec.direction };
  if (op === "GRU") attributes.linear_before_reset = spec.lbr ?? 0;
  if (op === "LSTM") attributes.input_forget = 0;
  if (spec.clip !== undefined) attributes.clip = spec.clip;
  if (spec.activations) attributes.activations = spec.activations;
  if (spec.alpha) attributes.activation_alpha = spec.alpha;
  if (spec.beta) attributes.activation_beta = spec.beta;
  attributes.layout = layout;

  const xScale = spec.xScale ?? 1;
  const wScale = spec.wScale ?? 0.8;
  const bScale = spec.bScale ?? 0.5;
  const hScale = spec.hScale ?? 1;

  // generated in a fixed order, always in layout 0
  const inputs0 = {};
  inputs0.X = { shape: [T, B, I], data: uniform(rng, T * B * I, xScale) };
  inputs0.W = { shape: [D, G * H, I], data: uniform(rng, D * G * H * I, wScale) };
  inputs0.R = { shape: [D, G * H, H], data: uniform(rng, D * G * H * H, wScale) };
  if (spec.bias !== false) inputs0.B = { shape: [D, 2 * G * H], data: uniform(rng, D * 2 * G * H, bScale) };
  if (spec.seq) {
    if (spec.seq.length !== B || spec.seq.some((l) => l < 1 || l > T)) throw new Error(`${name}: bad seq`);
    inputs0.sequence_lens = { shape: [B], data: spec.seq.slice() };
  }
  if (spec.h0) inputs0.initial_h = { shape: [D, B, H], data: uniform(rng, D * B * H, hScale) };
  if (spec.c0) inputs0.initial_c = { shape: [D, B, H], data: uniform(rng, D * B * H, hScale) };

  let inputs = inputs0;
  if (layout === 1) {
    inputs = { ...inputs0 };
    inputs.X = swap01(inputs0.X.data, inputs0.X.shape);
    if (inputs0.initial_h) inputs.initial_h = swap01(inputs0.initial_h.data, inputs0.initial_h.shape);
    if (inputs0.initial_c) inputs.initial_c = swap01(inputs0.initial_c.data, inputs0.initial_c.shape);
  }
  return { name, op, seed, attributes, inputs, inputs0 };
}

function expectedShapes(c) {
  const { op, attributes, inputs } = c;
  const D = attributes.direction === "bidirectional" ? 2 : 1;
  const H = attributes.hidden_size;
  const [d0, d1] = inputs.X.shape;
  const shapes =
    attributes.layout === 1
      ? { Y: [d0, d1, D, H], Y_h: [d0, D, H] } // X [B, T, I]
      : { Y: [d0, D, d1, H], Y_h: [D, d1, H] }; // X [T, B, I]
  if (op === "LSTM") shapes.Y_c = shapes.Y_h;
  return shapes;
}

async function generate(op, specs) {
  const cases = [];
  const unsupported = [];
  const derived = [];
  for (const spec of specs) {
    const c = makeCase({ ...spec, op });
    let outputs;
    try {
      outputs = await runOrt(op, c.attributes, c.inputs);
    } catch (e) {
      const msg = String(e?.message ?? e).split("\n")[0];
      unsupported.push({ name: c.name, attributes: c.attributes, error: msg });
      if (c.attributes.layout === 1) {
        // ORT refuses layout=1: keep a batch-major case anyway, computed by ORT in layout 0 on the
        // same data and transposed, in a separate array so it is never mistaken for an ORT layout=1 run.
        const ref = await runOrt(op, { ...c.attributes, layout: 0 }, c.inputs0);
        const outputs1 = { Y: yToLayout1(ref.Y) };
        for (const k of ["Y_h", "Y_c"]) if (ref[k]) outputs1[k] = swap01(ref[k].data, ref[k].shape);
        derived.push({
          name: c.name, op, caseSeed: c.seed, attributes: c.attributes,
          derivedFrom: "ORT layout=0 run on the same data (attributes.layout=0), inputs and outputs transposed to layout 1",
          inputs: c.inputs, outputs: outputs1,
        });
      }
      continue;
    }
    const want = expectedShapes(c);
    for (const [k, shape] of Object.entries(want)) {
      if (JSON.stringify(outputs[k].shape) !== JSON.stringify(shape)) {
        throw new Error(`${op}/${c.name}: ORT returned ${k} shape ${outputs[k].shape}, expected ${shape}`);
      }
    }
    if (c.attributes.layout === 1) {
      // ORT accepted layout=1: make sure it really honours it (same result as layout 0, transposed)
      const ref = await runOrt(op, { ...c.attributes, layout: 0 }, c.inputs0);
      const refY = yToLayout1(ref.Y);
      let diff = maxAbsDiff(refY.data, outputs.Y.data);
      for (const k of ["Y_h", "Y_c"]) if (ref[k]) diff = Math.max(diff, maxAbsDiff(swap01(ref[k].data, ref[k].shape).data, outputs[k].data));
      if (!(diff <= 1e-6)) {
        unsupported.push({
          name: c.name,
          attributes: c.attributes,
          error: `accepted but result differs from the transposed layout=0 result (max abs diff ${diff})`,
        });
        continue;
      }
    }
    cases.push({ name: c.name, op, caseSeed: c.seed, attributes: c.attributes, inputs: c.inputs, outputs });
  }
  return { cases, unsupported, derived };
}

// ---------------------------------------------------------------------------------------------
// Case grids

const DIRS = ["forward", "reverse", "bidirectional"];
const DIR_TAG = { forward: "fwd", reverse: "rev", bidirectional: "bidi" };

function gruSpecs() {
  const s = [];
  for (const lbr of [0, 1]) {
    for (const direction of DIRS) {
      const p = `lbr${lbr}_${DIR_TAG[direction]}`;
      s.push({ name: `${p}_plain`, T: 5, B: 2, I: 3, H: 4, direction, lbr });
      s.push({ name: `${p}_initial_h`, T: 4, B: 3, I: 4, H: 3, direction, lbr, h0: true });
      s.push({ name: `${p}_seq_lens`, T: 5, B: 3, I: 3, H: 4, direction, lbr, seq: lbr ? [2, 5, 1] : [5, 1, 3] });
      s.push({ name: `${p}_no_bias`, T: 4, B: 2, I: 5, H: 2, direction, lbr, bias: false });
      s.push({ name: `${p}_seq_lens_initial_h`, T: 6, B: 3, I: 4, H: 3, direction, lbr, seq: [3, 6, 1], h0: true });
      // clip 0.5 with inputs/weights large enough that most pre-activations exceed it
      s.push({
        name: `${p}_clip`, T: 4, B: 2, I: 4, H: 3, direction, lbr, clip: 0.5,
        h0: direction !== "forward", xScale: 2, wScale: 1.2, bScale: 0.8,
      });
    }
  }
  s.push({ name: "lbr0_fwd_T1_B1", T: 1, B: 1, I: 2, H: 3, direction: "forward", lbr: 0 });
  s.push({ name: "lbr1_bidi_T1_B1_initial_h", T: 1, B: 1, I: 3, H: 2, direction: "bidirectional", lbr: 1, h0: true });
  s.push({
    name: "lbr1_bidi_clip_seq_lens_initial_h_no_bias", T: 5, B: 3, I: 3, H: 4, direction: "bidirectional", lbr: 1,
    clip: 0.5, seq: [5, 2, 1], h0: true, bias: false, xScale: 2, wScale: 1.2,
  });

  // non-default activations (alpha/beta go, in order, only to the activations that take them)
  const acts = [
    { tag: "hardsigmoid_tanh", activations: ["HardSigmoid", "Tanh"], alpha: [0.3], beta: [0.4] },
    { tag: "sigmoid_scaledtanh", activations: ["Sigmoid", "ScaledTanh"], alpha: [1.5], beta: [0.7] },
    { tag: "hardsigmoid_leakyrelu", activations: ["HardSigmoid", "LeakyRelu"], alpha: [0.25, 0.1], beta: [0.45] },
    { tag: "sigmoid_affine", activations: ["Sigmoid", "Affine"], alpha: [0.6], beta: [0.1] },
    { tag: "sigmoid_relu", activations: ["Sigmoid", "Relu"] },
    { tag: "sigmoid_elu", activations: ["Sigmoid", "Elu"], alpha: [0.8] },
    { tag: "sigmoid_softsign", activations: ["Sigmoid", "Softsign"] },
    { tag: "sigmoid_softplus", activations: ["Sigmoid", "Softplus"] },
    { tag: "sigmoid_thresholdedrelu", activations: ["Sigmoid", "ThresholdedRelu"], alpha: [0.2] },
    { tag: "tanh_sigmoid", activations: ["Tanh", "Sigmoid"] },
  ];
  acts.forEach((a, i) => {
    const lbr = i % 2;
    s.push({
      name: `act_lbr${lbr}_fwd_${a.tag}`, T: 4, B: 2, I: 3, H: 4, direction: "forward", lbr,
      activations: a.activations, alpha: a.alpha, beta: a.beta, h0: i % 3 === 0,
    });
  });
  // ONNX defaults for HardSigmoid (0.2, 0.5) and LeakyRelu (0.01) when no alpha/beta is given
  s.push({
    name: "act_lbr0_fwd_hardsigmoid_leakyrelu_default_alpha_beta", T: 4, B: 2, I: 3, H: 4, direction: "forward",
    lbr: 0, activations: ["HardSigmoid", "LeakyRelu"], xScale: 2,
  });
  s.push({
    name: "act_lbr0_bidi_hardsigmoid_leakyrelu_sigmoid_scaledtanh", T: 4, B: 2, I: 3, H: 3,
    direction: "bidirectional", lbr: 0,
    activations: ["HardSigmoid", "LeakyRelu", "Sigmoid", "ScaledTanh"], alpha: [0.3, 0.05, 1.2], beta: [0.45, 0.9],
  });
  s.push({
    name: "act_lbr1_bidi_sigmoid_elu_hardsigmoid_affine", T: 5, B: 2, I: 4, H: 3, direction: "bidirectional",
    lbr: 1, activations: ["Sigmoid", "Elu", "HardSigmoid", "Affine"], alpha: [0.7, 0.25, 0.5], beta: [0.55, -0.1],
    h0: true,
  });
  s.push({
    name: "act_lbr0_bidi_sigmoid_tanh_sigmoid_relu_seq_lens", T: 4, B: 3, I: 3, H: 4, direction: "bidirectional",
    lbr: 0, activations: ["Sigmoid", "Tanh", "Sigmoid", "Relu"], seq: [4, 1, 2],
  });

  // layout = 1 (batch-major)
  s.push({ name: "layout1_lbr0_fwd", T: 5, B: 2, I: 3, H: 4, direction: "forward", lbr: 0, layout: 1 });
  s.push({
    name: "layout1_lbr1_bidi_seq_lens_initial_h", T: 4, B: 3, I: 3, H: 2, direction: "bidirectional", lbr: 1,
    layout: 1, seq: [4, 1, 2], h0: true,
  });
  return s;
}

function lstmSpecs() {
  const s = [];
  for (const direction of DIRS) {
    const p = DIR_TAG[direction];
    s.push({ name: `${p}_plain`, T: 5, B: 2, I: 3, H: 4, direction });
    s.push({ name: `${p}_initial_h_c`, T: 4, B: 3, I: 4, H: 3, direction, h0: true, c0: true });
    s.push({ name: `${p}_seq_lens`, T: 5, B: 3, I: 3, H: 3, direction, seq: [5, 1, 3] });
  }
  s.push({ name: "fwd_no_bias", T: 4, B: 2, I: 5, H: 2, direction: "forward", bias: false });
  s.push({ name: "bidi_no_bias_initial_h_c", T: 3, B: 2, I: 3, H: 3, direction: "bidirectional", bias: false, h0: true, c0: true });
  s.push({ name: "fwd_initial_h_only", T: 4, B: 2, I: 3, H: 3, direction: "forward", h0: true });
  s.push({
    name: "rev_seq_lens_initial_h_c", T: 6, B: 3, I: 4, H: 4, direction: "reverse", seq: [2, 6, 1], h0: true, c0: true,
  });
  s.push({
    name: "bidi_clip", T: 4, B: 2, I: 4, H: 3, direction: "bidirectional", clip: 0.5, h0: true, c0: true,
    xScale: 2, wScale: 1.2, bScale: 0.8,
  });
  s.push({ name: "fwd_T1_B1", T: 1, B: 1, I: 2, H: 3, direction: "forward" });
  s.push({
    name: "act_fwd_hardsigmoid_scaledtanh_softsign", T: 4, B: 2, I: 3, H: 4, direction: "forward",
    activations: ["HardSigmoid", "ScaledTanh", "Softsign"], alpha: [0.3, 1.2], beta: [0.4, 0.8], h0: true, c0: true,
  });
  s.push({
    name: "act_bidi_sigmoid_tanh_tanh_hardsigmoid_leakyrelu_elu", T: 4, B: 2, I: 3, H: 3, direction: "bidirectional",
    activations: ["Sigmoid", "Tanh", "Tanh", "HardSigmoid", "LeakyRelu", "Elu"], alpha: [0.25, 0.1, 0.9], beta: [0.5],
    seq: [4, 2],
  });
  s.push({ name: "layout1_fwd", T: 5, B: 2, I: 3, H: 4, direction: "forward", layout: 1 });
  s.push({
    name: "layout1_bidi_seq_lens_initial_h_c", T: 4, B: 3, I: 3, H: 2, direction: "bidirectional", layout: 1,
    seq: [4, 1, 2], h0: true, c0: true,
  });
  return s;
}

function rnnSpecs() {
  return [
    { name: "tanh_fwd_default_activation", T: 5, B: 2, I: 3, H: 4, direction: "forward" },
    { name: "tanh_rev_default_activation", T: 5, B: 2, I: 3, H: 4, direction: "reverse" },
    { name: "tanh_bidi_default_activation", T: 4, B: 3, I: 4, H: 3, direction: "bidirectional" },
    { name: "tanh_fwd_explicit_initial_h", T: 4, B: 3, I: 4, H: 3, direction: "forward", activations: ["Tanh"], h0: true },
    { name: "relu_fwd", T: 5, B: 2, I: 3, H: 4, direction: "forward", activations: ["Relu"] },
    { name: "relu_tanh_bidi_initial_h", T: 4, B: 2, I: 3, H: 3, direction: "bidirectional", activations: ["Relu", "Tanh"], h0: true },
    { name: "tanh_fwd_seq_lens", T: 5, B: 3, I: 3, H: 4, direction: "forward", seq: [5, 1, 3] },
    { name: "tanh_rev_seq_lens_initial_h", T: 6, B: 3, I: 4, H: 3, direction: "reverse", seq: [2, 6, 1], h0: true },
    { name: "tanh_bidi_seq_lens_initial_h", T: 5, B: 3, I: 3, H: 4, direction: "bidirectional", seq: [3, 1, 5], h0: true },
    { name: "tanh_rev_no_bias", T: 4, B: 2, I: 5, H: 2, direction: "reverse", bias: false },
    { name: "tanh_fwd_clip", T: 4, B: 2, I: 4, H: 3, direction: "forward", clip: 0.5, h0: true, xScale: 2, wScale: 1.2, bScale: 0.8 },
    { name: "relu_bidi_clip", T: 4, B: 2, I: 4, H: 3, direction: "bidirectional", activations: ["Relu", "Relu"], clip: 0.5, xScale: 2, wScale: 1.2, bScale: 0.8 },
    { name: "leakyrelu_fwd", T: 4, B: 2, I: 3, H: 4, direction: "forward", activations: ["LeakyRelu"], alpha: [0.1] },
    { name: "tanh_fwd_T1_B1", T: 1, B: 1, I: 2, H: 3, direction: "forward" },
    { name: "relu_leakyrelu_bidi", T: 4, B: 2, I: 3, H: 3, direction: "bidirectional", activations: ["Relu", "LeakyRelu"], alpha: [0.1] },
    { name: "hardsigmoid_elu_bidi_initial_h", T: 4, B: 2, I: 3, H: 3, direction: "bidirectional", activations: ["HardSigmoid", "Elu"], alpha: [0.3, 0.7], beta: [0.2], h0: true },
    { name: "layout1_tanh_fwd", T: 5, B: 2, I: 3, H: 4, direction: "forward", layout: 1 },
    { name: "layout1_tanh_bidi_seq_lens_initial_h", T: 4, B: 3, I: 3, H: 2, direction: "bidirectional", layout: 1, seq: [4, 1, 2], h0: true },
  ];
}

// ---------------------------------------------------------------------------------------------
// Output: stable, compact JSON (arrays of numbers on one line)

function fmt(v, ind = "") {
  if (Array.isArray(v)) {
    const inline = `[${v.map((x) => JSON.stringify(x)).join(", ")}]`;
    const flat = v.every((x) => x === null || typeof x !== "object");
    if (flat && (v.every((x) => typeof x === "number") || inline.length <= 100)) return inline;
    if (v.length === 0) return "[]";
    return `[\n${v.map((x) => `${ind}  ${fmt(x, `${ind}  `)}`).join(",\n")}\n${ind}]`;
  }
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) return "{}";
    return `{\n${keys.map((k) => `${ind}  ${JSON.stringify(k)}: ${fmt(v[k], `${ind}  `)}`).join(",\n")}\n${ind}}`;
  }
  return JSON.stringify(v);
}

const NOTES = [
  "Generated by running ONNX Runtime (onnxruntime-node, CPU EP, 1 thread) on a single-node ONNX model (opset 14).",
  "All tensors are float32 values stored as JSON numbers, flattened row-major; sequence_lens is int32.",
  "Shapes follow ONNX for the case's layout: layout 0: X [T,B,I], Y [T,D,B,H], Y_h/Y_c [D,B,H], initial_h/initial_c [D,B,H]; layout 1: X [B,T,I], Y [B,T,D,H], Y_h/Y_c [B,D,H], initial_h/initial_c [B,D,H]. W [D,G*H,I], R [D,G*H,H], B [D,2*G*H] (G = 3 GRU, 4 LSTM, 1 RNN).",
  "Inputs absent from a case were absent from the ORT model too (not zero-filled).",
  "Each case's data comes from mulberry32(seed XOR fnv1a(op + ':' + name)); that per-case seed is stored as the case's 'caseSeed'.",
  "Cases ORT refused, or whose result was inconsistent, are not in 'cases' but listed in 'unsupportedByOrt' with the error.",
  "ORT's CPU kernels refuse layout=1 for GRU, LSTM and RNN; 'layout1Derived' holds batch-major cases computed by ORT in layout 0 on the same data and transposed (not an ORT layout=1 run).",
  "activation_alpha / activation_beta are consumed in order, only by the activations that take them (Affine a,b; LeakyRelu a; ThresholdedRelu a; ScaledTanh a,b; HardSigmoid a,b; Elu a).",
];

// Behaviour of ORT that differs from the ONNX text, found by hand against onnxruntime-node 1.30.0
// and deliberately kept out of the cases (a spec-following implementation would not match them).
const ORT_DEVIATIONS = {
  GRU: [
    "Affine, ThresholdedRelu and ScaledTanh with no activation_alpha/activation_beta left for them use alpha=0 and beta=0 in ORT (ONNX operator defaults: ThresholdedRelu alpha=1.0, Affine alpha=1.0); HardSigmoid (0.2, 0.5), LeakyRelu (0.01) and Elu (1.0) defaults match. Every case here gives alpha/beta explicitly except act_lbr0_fwd_hardsigmoid_leakyrelu_default_alpha_beta.",
    "Activation names are matched case-insensitively by ORT's GRU and LSTM kernels (e.g. 'sigmoid' is accepted); the RNN kernel is case-sensitive.",
  ],
  LSTM: [
    "Affine, ThresholdedRelu and ScaledTanh with no activation_alpha/activation_beta left for them use alpha=0 and beta=0 in ORT (shared helper with GRU); all cases here give alpha/beta explicitly.",
    "Activation names are matched case-insensitively by ORT's GRU and LSTM kernels.",
  ],
  RNN: ["Activation names are case-sensitive in ORT's RNN kernel ('relu' is refused, 'Relu' accepted)."],
};

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  const jobs = [
    ["GRU", "gru.json", gruSpecs()],
    ["LSTM", "lstm.json", lstmSpecs()],
    ["RNN", "rnn.json", rnnSpecs()],
  ];
  const summary = [];
  for (const [op, file, specs] of jobs) {
    const names = new Set();
    for (const sp of specs) {
      if (names.has(sp.name)) throw new Error(`duplicate case name ${op}/${sp.name}`);
      names.add(sp.name);
    }
    const { cases, unsupported, derived } = await generate(op, specs);
    const doc = {
      seed: SEED,
      generator: GENERATOR,
      ortVersion: ORT_VERSION,
      opset: OPSET,
      op,
      notes: NOTES,
      unsupportedByOrt: unsupported,
      ortDeviations: ORT_DEVIATIONS[op],
      cases,
      layout1Derived: derived,
    };
    const path = join(OUT_DIR, file);
    writeFileSync(path, `${fmt(doc)}\n`);
    summary.push(
      `${join("test", "fixtures", "ort", file)}: ${cases.length} cases` +
        (unsupported.length ? `, ${unsupported.length} refused by ORT (${unsupported.map((u) => u.name).join(", ")})` : "") +
        (derived.length ? `, ${derived.length} layout-1 cases derived from layout 0` : ""),
    );
  }
  for (const line of summary) console.log(line);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
