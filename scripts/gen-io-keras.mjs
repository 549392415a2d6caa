// Generates the Keras / TensorFlow.js interchange fixtures under test/fixtures/io/:
//
//   tfjs/<case>/model.json + weights.bin + expected.json
//       Built with @tensorflow/tfjs's own layers (cpu backend), weights set from a seeded PRNG,
//       saved with TF.js's memory IOHandler, outputs from model.predict (the reference).
//   tfjs/gru_reset_after/…   model.json written by hand in the Keras layout (GRU reset_after: true,
//       bias (2, 3H) = [input row; recurrent row]): TF.js cannot build or load it. Reference: the
//       independent float64 Keras implementation below.
//   keras/<case>.keras + <case>.json
//       Keras 3 archives without Python: config.json in Keras 3's serialisation, metadata.json,
//       and model.weights.h5 written with h5wasm in the layout of keras/src/saving/saving_lib.py
//       (H5IOStore): "layers/<snake_case class>[_<n>]/vars/<i>", recurrent layers under ".../cell/vars",
//       Bidirectional under ".../forward_layer/cell/vars" and ".../backward_layer/cell/vars".
//       Reference: the independent float64 Keras implementation (hard_sigmoid = x/6 + 0.5 in Keras 3).
//
// The independent implementation is checked here against TF.js on every TF.js case before
// anything is written (it must agree to 1e-5), so it is trusted where TF.js cannot go.
//
// Usage: node scripts/gen-io-keras.mjs
// Deterministic values every run; the .keras bytes differ between runs only in the object
// timestamps the HDF5 library writes into model.weights.h5.
import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync, strToU8 } from "fflate";
import h5wasm from "h5wasm";
import { mulberry32 } from "./lib/mulberry32.mjs";

const quiet = (f) => (...a) => { if (!String(a[0] ?? "").includes("tfjs-node")) f(...a); };
console.warn = quiet(console.warn);
console.log = quiet(console.log);
const tf = await import("@tensorflow/tfjs");

const SEED = 20240611;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "test", "fixtures", "io");

const rand = mulberry32(SEED);
const uniform = (n, s = 0.7) => Array.from({ length: n }, () => Math.fround((2 * rand() - 1) * s));
const prod = (s) => s.reduce((a, b) => a * b, 1);

// ------------------------------------------------------------------ independent Keras forward (float64)
const ACT = {
  tanh: Math.tanh, sigmoid: (v) => 1 / (1 + Math.exp(-v)), relu: (v) => Math.max(0, v), linear: (v) => v,
  hard_sigmoid_tfjs: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)), hard_sigmoid_keras3: (v) => Math.min(1, Math.max(0, v / 6 + 0.5)),
  softsign: (v) => v / (1 + Math.abs(v)), softplus: (v) => Math.log1p(Math.exp(v)), elu: (v) => (v >= 0 ? v : Math.expm1(v)),
};
const act = (name, source) => (name === "hard_sigmoid" || name === "hardSigmoid" ? ACT[`hard_sigmoid_${source}`] : ACT[name]);

/** x [T][F] · kernel [F, C] → [T][C] style helpers */
const matvec = (W, rows, cols, v) => Array.from({ length: cols }, (_, c) => { let s = 0; for (let r = 0; r < rows; r++) s += v[r] * W[r * cols + c]; return s; });

/** One RNN layer over one row: xs [T][I], mask [T] (1 valid) → outputs [T][H] (Keras: masked steps repeat), final h */
function rnnRow(cls, cfg, w, xs, mask, source, back) {
  const H = cfg.units, I = xs[0].length, G = { GRU: 3, LSTM: 4, SimpleRNN: 1 }[cls];
  const f = act(cfg.activation ?? "tanh", source), g = act(cfg.recurrent_activation ?? (source === "keras3" ? "sigmoid" : "hard_sigmoid"), source);
  const resetAfter = cls === "GRU" && (cfg.reset_after ?? source === "keras3");
  const bias = w.bias ?? new Array(G * H * (resetAfter ? 2 : 1)).fill(0);
  let h = new Array(H).fill(0), c = new Array(H).fill(0);
  const T = xs.length, order = back ? [...Array(T).keys()].reverse() : [...Array(T).keys()];
  const outs = [];
  for (const t of order) {
    if (!mask[t]) { outs.push(h.slice()); continue; }
    const xw = matvec(w.kernel, I, G * H, xs[t]);
    const hu = matvec(w.recurrent_kernel, H, G * H, h);
    if (cls === "GRU") {
      const bi = bias.slice(0, 3 * H), br = resetAfter ? bias.slice(3 * H) : new Array(3 * H).fill(0);
      const z = [], r = [];
      for (let j = 0; j < H; j++) { z.push(g(xw[j] + bi[j] + hu[j] + br[j])); r.push(g(xw[H + j] + bi[H + j] + hu[H + j] + br[H + j])); }
      let rec;
      if (resetAfter) rec = Array.from({ length: H }, (_, j) => r[j] * (hu[2 * H + j] + br[2 * H + j]));
      else { const rh = h.map((v, j) => v * r[j]); rec = matvec(w.recurrent_kernel.filter((_, k) => k % (3 * H) >= 2 * H), H, H, rh); }
      h = h.map((hv, j) => { const n = f(xw[2 * H + j] + bi[2 * H + j] + rec[j]); return z[j] * hv + (1 - z[j]) * n; });
    } else if (cls === "LSTM") {
      const a = xw.map((v, k) => v + hu[k] + bias[k]);
      const nc = c.map((cv, j) => g(a[H + j]) * cv + g(a[j]) * f(a[2 * H + j]));
      h = nc.map((cv, j) => g(a[3 * H + j]) * f(cv));
      c = nc;
    } else {
      h = h.map((_, j) => f(xw[j] + hu[j] + bias[j]));
    }
    outs.push(h.slice());
  }
  return { outs, final: h }; // outs in processing order (Keras does not re-reverse go_backwards)
}

/** Runs a Keras Sequential (our case description) on x [B][T][F] or ids [B][T]. */
function kerasForward(layers, weights, x, source) {
  let seq = x, mask = x.map((row) => row.map(() => 1));
  let perStep = true;
  for (const L of layers) {
    const { cls, cfg } = L, w = weights[L.name];
    if (cls === "Masking") { mask = seq.map((row) => row.map((v) => (v.some((u) => u !== (cfg.mask_value ?? 0)) ? 1 : 0))); continue; }
    if (cls === "Embedding") {
      if (cfg.mask_zero) mask = seq.map((row) => row.map((id) => (id !== 0 ? 1 : 0)));
      seq = seq.map((row) => row.map((id) => w.embeddings.slice(id * cfg.output_dim, (id + 1) * cfg.output_dim)));
      continue;
    }
    if (cls === "Dropout") continue;
    if (cls === "GRU" || cls === "LSTM" || cls === "SimpleRNN" || cls === "Bidirectional") {
      const inner = cls === "Bidirectional" ? cfg.layer : { class_name: cls, config: cfg };
      const rs = inner.config.return_sequences === true;
      seq = seq.map((row, b) => {
        if (cls !== "Bidirectional") {
          const r = rnnRow(cls, cfg, w, row, mask[b], source, cfg.go_backwards === true);
          return rs ? r.outs : r.final;
        }
        const fw = rnnRow(inner.class_name, inner.config, w.forward, row, mask[b], source, false);
        const bw = rnnRow(inner.class_name, inner.config, w.backward, row, mask[b], source, true);
        if (!rs) return [...fw.final, ...bw.final];
        const bwt = bw.outs.slice().reverse(); // Bidirectional re-reverses the backward outputs
        return fw.outs.map((o, t) => [...o, ...bwt[t]]);
      });
      perStep = rs;
      continue;
    }
    const apply = (v) => {
      if (cls === "Dense") {
        const I = v.length, O = cfg.units, y = matvec(w.kernel, I, O, v).map((u, o) => u + (w.bias ? w.bias[o] : 0));
        if (cfg.activation === "softmax") { const m = Math.max(...y), e = y.map((u) => Math.exp(u - m)), s = e.reduce((a, b) => a + b, 0); return e.map((u) => u / s); }
        return y.map(act(cfg.activation ?? "linear", source));
      }
      if (cls === "LayerNormalization") {
        const F = v.length, mu = v.reduce((a, b) => a + b, 0) / F, va = v.reduce((a, b) => a + (b - mu) ** 2, 0) / F;
        return v.map((u, j) => ((u - mu) / Math.sqrt(va + (cfg.epsilon ?? 1e-3))) * w.gamma[j] + w.beta[j]);
      }
      throw new Error(`no reference for ${cls}`);
    };
    seq = perStep ? seq.map((row) => row.map(apply)) : seq.map(apply);
  }
  return seq;
}

// ------------------------------------------------------------------ TF.js cases
const save = async (model) => {
  let art;
  await model.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }; }));
  return art;
};

function trailingPadded(B, T, F, lengths, scale = 1) {
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (t < lengths[b] ? uniform(F, scale) : new Array(F).fill(0))));
}

const TFJS_CASES = [
  { name: "gru_hardsigmoid_last", B: 2, T: 5, F: 3, build: () => [tf.layers.gru({ units: 4, inputShape: [null, 3] }), tf.layers.dense({ units: 3, activation: "softmax" })] },
  { name: "gru_sigmoid_sequence_dense_tanh", B: 2, T: 4, F: 3, build: () => [tf.layers.gru({ units: 3, recurrentActivation: "sigmoid", returnSequences: true, inputShape: [null, 3] }), tf.layers.dense({ units: 2, activation: "tanh" })] },
  { name: "lstm_stack", B: 3, T: 4, F: 2, build: () => [tf.layers.lstm({ units: 3, returnSequences: true, inputShape: [null, 2] }), tf.layers.lstm({ units: 2 }), tf.layers.dense({ units: 1 })] },
  { name: "simple_rnn_relu_go_backwards", B: 2, T: 5, F: 3, build: () => [tf.layers.simpleRNN({ units: 4, activation: "relu", goBackwards: true, inputShape: [null, 3] }), tf.layers.dense({ units: 2 })] },
  { name: "embedding_mask_bidi_gru", B: 3, T: 6, tokens: 10, lengths: [6, 4, 2], build: () => [tf.layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true, inputShape: [null] }), tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3 }), mergeMode: "concat" }), tf.layers.dropout({ rate: 0.3 }), tf.layers.dense({ units: 2, activation: "softmax" })] },
  { name: "masking_lstm", B: 3, T: 5, F: 2, lengths: [5, 3, 1], build: () => [tf.layers.masking({ maskValue: 0, inputShape: [null, 2] }), tf.layers.lstm({ units: 3 }), tf.layers.dense({ units: 2 })] },
  { name: "gru_layer_norm", B: 2, T: 4, F: 3, build: () => [tf.layers.gru({ units: 4, returnSequences: true, inputShape: [null, 3] }), tf.layers.layerNormalization({ epsilon: 1e-3 }), tf.layers.dense({ units: 2 })] },
  { name: "bidi_lstm_stack", B: 2, T: 4, F: 3, build: () => [tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, returnSequences: true }), inputShape: [null, 3] }), tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3 }) }), tf.layers.dense({ units: 2 })] },
];

/** weights by layer name from a TF.js model, in the reference's shape */
function weightsByLayer(model) {
  const out = {};
  for (const l of model.layers) {
    const vals = Object.fromEntries(l.weights.map((v) => [v.originalName ?? v.name, Array.from(v.read().dataSync())]));
    const pick = (prefix) => Object.fromEntries(Object.entries(vals).filter(([k]) => prefix === null || k.includes(prefix)).map(([k, v]) => [k.split("/").pop(), v]));
    out[l.name] = l.getClassName() === "Bidirectional" ? { forward: pick("/forward_"), backward: pick("/backward_") } : pick(null);
  }
  return out;
}

function describeLayers(model) {
  return model.layers.map((l) => {
    const cfg = JSON.parse(JSON.stringify(l.getConfig()));
    const snake = (o) => (Array.isArray(o) ? o.map(snake) : o && typeof o === "object" ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`), snake(v)])) : o);
    const c = snake(cfg);
    if (l.getClassName() === "Bidirectional") c.layer = { class_name: c.layer.class_name ?? c.layer.className, config: snake(c.layer.config) };
    return { cls: l.getClassName(), name: l.name, cfg: c };
  });
}

function maxDiff(a, b) {
  const fa = a.flat(3), fb = b.flat(3);
  let m = 0;
  for (let i = 0; i < fa.length; i++) m = Math.max(m, Math.abs(fa[i] - fb[i]));
  return fa.length === fb.length ? m : Infinity;
}

function writeTfjs(name, art, expected) {
  const dir = join(OUT, "tfjs", name);
  mkdirSync(dir, { recursive: true });
  const modelJson = {
    format: "layers-model", generatedBy: art.generatedBy ?? "gen-io-keras.mjs", convertedBy: null,
    modelTopology: art.modelTopology, weightsManifest: [{ paths: ["weights.bin"], weights: art.weightSpecs }],
  };
  writeFileSync(join(dir, "model.json"), JSON.stringify(modelJson, null, 1) + "\n");
  writeFileSync(join(dir, "weights.bin"), new Uint8Array(art.weightData));
  writeFileSync(join(dir, "expected.json"), JSON.stringify(expected) + "\n");
}

async function tfjsCase(c) {
  const model = tf.sequential({ layers: c.build() });
  const W = model.getWeights().map((v) => tf.tensor(uniform(prod(v.shape)), v.shape));
  model.setWeights(W);
  const x = c.tokens
    ? Array.from({ length: c.B }, (_, b) => Array.from({ length: c.T }, (_, t) => (t < c.lengths[b] ? 1 + Math.floor(rand() * (c.tokens - 1)) : 0)))
    : c.lengths ? trailingPadded(c.B, c.T, c.F, c.lengths) : trailingPadded(c.B, c.T, c.F, new Array(c.B).fill(c.T));
  const y = model.predict(tf.tensor(x, c.tokens ? [c.B, c.T] : [c.B, c.T, c.F]));
  const out = y.arraySync();
  const ref = kerasForward(describeLayers(model), weightsByLayer(model), x, "tfjs");
  const d = maxDiff(out, ref);
  if (!(d <= 1e-5)) throw new Error(`${c.name}: the independent Keras implementation disagrees with TF.js by ${d}`);
  writeTfjs(c.name, await save(model), { input: x, lengths: c.lengths ?? null, output: out, source: "tfjs.predict", selfCheck: d });
  return d;
}

// ------------------------------------------------------------------ hand-written: GRU reset_after (TF.js cannot)
function resetAfterCase() {
  const B = 2, T = 5, F = 3, H = 4;
  const weights = { gru: { kernel: uniform(F * 3 * H), recurrent_kernel: uniform(H * 3 * H), bias: uniform(2 * 3 * H) }, dense: { kernel: uniform(H * 2), bias: uniform(2) } };
  const gruCfg = { name: "gru", units: H, activation: "tanh", recurrent_activation: "sigmoid", use_bias: true, reset_after: true, return_sequences: false, go_backwards: false, stateful: false, unroll: false, batch_input_shape: [null, null, F] };
  const denseCfg = { name: "dense", units: 2, activation: "linear", use_bias: true };
  const topology = { class_name: "Sequential", config: { name: "sequential", layers: [{ class_name: "GRU", config: gruCfg }, { class_name: "Dense", config: denseCfg }] }, keras_version: "2.15.0", backend: "tensorflow" };
  const specs = [
    { name: "gru/gru_cell/kernel", shape: [F, 3 * H], dtype: "float32" }, { name: "gru/gru_cell/recurrent_kernel", shape: [H, 3 * H], dtype: "float32" },
    { name: "gru/gru_cell/bias", shape: [2, 3 * H], dtype: "float32" }, { name: "dense/kernel", shape: [H, 2], dtype: "float32" }, { name: "dense/bias", shape: [2], dtype: "float32" },
  ];
  const data = new Float32Array([...weights.gru.kernel, ...weights.gru.recurrent_kernel, ...weights.gru.bias, ...weights.dense.kernel, ...weights.dense.bias]);
  const x = trailingPadded(B, T, F, [T, T]);
  const ref = kerasForward([{ cls: "GRU", name: "gru", cfg: gruCfg }, { cls: "Dense", name: "dense", cfg: denseCfg }], weights, x, "keras2");
  writeTfjs("gru_reset_after", { modelTopology: topology, weightSpecs: specs, weightData: data.buffer, generatedBy: "keras v2.15.0 (written by gen-io-keras.mjs)" },
    { input: x, lengths: null, output: ref, source: "independent float64 Keras implementation (TF.js cannot load reset_after: true)" });
}

// ------------------------------------------------------------------ Keras 3 archives
const { FS } = await h5wasm.ready;

function snakeCase(name) {
  return name.replace(/(.)([A-Z][a-z]+)/g, "$1_$2").replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

function k3layer(cls, config, extra = {}) {
  return { module: "keras.layers", class_name: cls, config: { trainable: true, dtype: { module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null }, ...config }, registered_name: null, ...extra };
}

/** Writes model.weights.h5 as H5IOStore does; returns its bytes. */
function weightsH5(layers, weights) {
  const path = `/k3-${rand().toString(36).slice(2)}.h5`;
  const f = new h5wasm.File(path, "w");
  const group = (p) => { let g = f; for (const part of p.split("/")) g = g.get(part) ?? g.create_group(part); return g; };
  const vars = (p, list) => { const g = group(`${p}/vars`); list.forEach((v, i) => g.create_dataset({ name: String(i), data: new Float32Array(v.data), shape: v.shape })); };
  group("vars"); // the model's own (empty) variables
  const used = {};
  for (const L of layers) {
    if (L.cls === "InputLayer") continue;
    const base = snakeCase(L.cls);
    const name = used[base] === undefined ? base : `${base}_${used[base] + 1}`;
    used[base] = (used[base] ?? -1) + 1;
    const w = weights[L.name], p = `layers/${name}`;
    const rnn = (q, ww) => { vars(q, []); vars(`${q}/cell`, ["kernel", "recurrent_kernel", "bias"].filter((k) => ww[k]).map((k) => ww[k])); };
    if (L.cls === "Bidirectional") { vars(p, []); rnn(`${p}/forward_layer`, w.forward); rnn(`${p}/backward_layer`, w.backward); }
    else if (["GRU", "LSTM", "SimpleRNN"].includes(L.cls)) rnn(p, w);
    else if (L.cls === "Dense") vars(p, [w.kernel, ...(w.bias ? [w.bias] : [])]);
    else if (L.cls === "Embedding") vars(p, [w.embeddings]);
    else vars(p, []);
  }
  f.close();
  const bytes = FS.readFile(path);
  FS.unlink(path);
  return bytes;
}

const t = (shape) => ({ shape, data: uniform(prod(shape)) });
const flat = (w) => Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.data ? v.data : flat(v)]));

const KERAS_CASES = [
  {
    name: "gru_reset_after_softmax", B: 2, T: 5, F: 3,
    layers: [
      { cls: "InputLayer", name: "input_layer", cfg: { batch_shape: [null, null, 3], dtype: "float32", sparse: false, name: "input_layer" } },
      { cls: "GRU", name: "gru", cfg: { name: "gru", units: 4, activation: "tanh", recurrent_activation: "sigmoid", use_bias: true, reset_after: true, return_sequences: false, go_backwards: false, stateful: false, unroll: false, dropout: 0.0, recurrent_dropout: 0.0 } },
      { cls: "Dense", name: "dense", cfg: { name: "dense", units: 3, activation: "softmax", use_bias: true } },
    ],
    weights: { gru: { kernel: t([3, 12]), recurrent_kernel: t([4, 12]), bias: t([2, 12]) }, dense: { kernel: t([4, 3]), bias: t([3]) } },
  },
  {
    name: "bidi_gru_hard_sigmoid_sequence", B: 2, T: 4, F: 2,
    layers: [
      { cls: "InputLayer", name: "input_layer", cfg: { batch_shape: [null, 4, 2], dtype: "float32", sparse: false, name: "input_layer" } },
      { cls: "Bidirectional", name: "bidirectional", cfg: { name: "bidirectional", merge_mode: "concat", layer: k3layer("GRU", { name: "forward_gru", units: 3, activation: "tanh", recurrent_activation: "hard_sigmoid", use_bias: true, reset_after: true, return_sequences: true, go_backwards: false }), backward_layer: k3layer("GRU", { name: "backward_gru", units: 3, activation: "tanh", recurrent_activation: "hard_sigmoid", use_bias: true, reset_after: true, return_sequences: true, go_backwards: true }) } },
      { cls: "Dense", name: "dense", cfg: { name: "dense", units: 2, activation: "linear", use_bias: true } },
    ],
    weights: { bidirectional: { forward: { kernel: t([2, 9]), recurrent_kernel: t([3, 9]), bias: t([2, 9]) }, backward: { kernel: t([2, 9]), recurrent_kernel: t([3, 9]), bias: t([2, 9]) } }, dense: { kernel: t([6, 2]), bias: t([2]) } },
  },
  {
    name: "embedding_lstm_simple_rnn", B: 3, T: 5, tokens: 8, lengths: [5, 3, 2],
    layers: [
      { cls: "InputLayer", name: "input_layer", cfg: { batch_shape: [null, null], dtype: "int32", sparse: false, name: "input_layer" } },
      { cls: "Embedding", name: "embedding", cfg: { name: "embedding", input_dim: 8, output_dim: 3, mask_zero: true } },
      { cls: "LSTM", name: "lstm", cfg: { name: "lstm", units: 3, activation: "tanh", recurrent_activation: "sigmoid", use_bias: true, return_sequences: true, go_backwards: false, unit_forget_bias: true } },
      { cls: "SimpleRNN", name: "simple_rnn", cfg: { name: "simple_rnn", units: 2, activation: "tanh", use_bias: true, return_sequences: false, go_backwards: false } },
      { cls: "Dense", name: "dense", cfg: { name: "dense", units: 2, activation: "linear", use_bias: true } },
    ],
    weights: { embedding: { embeddings: t([8, 3]) }, lstm: { kernel: t([3, 12]), recurrent_kernel: t([3, 12]), bias: t([12]) }, simple_rnn: { kernel: t([3, 2]), recurrent_kernel: t([2, 2]), bias: t([2]) }, dense: { kernel: t([2, 2]), bias: t([2]) } },
  },
];

function kerasArchive(c) {
  const config = {
    module: "keras", class_name: "Sequential",
    config: { name: "sequential", trainable: true, dtype: { module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null }, layers: c.layers.map((L) => k3layer(L.cls, L.cfg)) },
    registered_name: null, build_config: { input_shape: c.layers[0].cfg.batch_shape }, compile_config: null,
  };
  const metadata = { keras_version: "3.6.0", date_saved: "2024-06-11@00:00:00" };
  const zip = zipSync({ "metadata.json": strToU8(JSON.stringify(metadata)), "config.json": strToU8(JSON.stringify(config)), "model.weights.h5": weightsH5(c.layers, c.weights) }, { mtime: new Date("2024-06-11T00:00:00Z") });
  const x = c.tokens
    ? Array.from({ length: c.B }, (_, b) => Array.from({ length: c.T }, (_, tt) => (tt < c.lengths[b] ? 1 + Math.floor(rand() * (c.tokens - 1)) : 0)))
    : trailingPadded(c.B, c.T, c.F, new Array(c.B).fill(c.T));
  const ref = kerasForward(c.layers.filter((L) => L.cls !== "InputLayer"), flat(c.weights), x, "keras3");
  mkdirSync(join(OUT, "keras"), { recursive: true });
  writeFileSync(join(OUT, "keras", `${c.name}.keras`), zip);
  writeFileSync(join(OUT, "keras", `${c.name}.json`), JSON.stringify({ input: x, lengths: c.lengths ?? null, output: ref, source: "independent float64 Keras 3 implementation" }) + "\n");
}

rmSync(join(OUT, "tfjs"), { recursive: true, force: true });
rmSync(join(OUT, "keras"), { recursive: true, force: true });
let worst = 0;
for (const c of TFJS_CASES) worst = Math.max(worst, await tfjsCase(c));
resetAfterCase();
for (const c of KERAS_CASES) kerasArchive(c);
writeFileSync(join(OUT, "README.md"), `Generated by scripts/gen-io-keras.mjs (seed ${SEED}, @tensorflow/tfjs ${tf.version.tfjs}). Do not edit.\nThe independent Keras implementation agreed with TF.js to ${worst.toExponential(2)} on the TF.js cases.\n`);
console.log(`wrote ${TFJS_CASES.length + 1} TF.js models and ${KERAS_CASES.length} Keras 3 archives; independent implementation vs TF.js: ${worst.toExponential(2)}`);
