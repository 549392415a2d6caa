// Generates test/fixtures/tfjs/recurrent.json: reference forward outputs and gradients
// computed by @tensorflow/tfjs's own recurrent layers (tf.layers.gru / lstm / simpleRNN),
// on the default cpu backend, with explicit weights drawn from a seeded PRNG.
//
//   node scripts/gen-tfjs-fixtures.mjs               # (re)write the fixture file
//   node scripts/gen-tfjs-fixtures.mjs --self-check  # also verify it (plain-JS recompute,
//                                                    # finite differences), nothing extra written
//
// Output is deterministic: two runs give byte-identical JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "./lib/mulberry32.mjs";

// TF.js prints a "use tfjs-node" hint on first use; it is noise here.
const origWarn = console.warn;
const origLog = console.log;
const quiet = (f) => (...a) => { if (!String(a[0] ?? "").includes("tfjs-node")) f(...a); };
console.warn = quiet(origWarn);
console.log = quiet(origLog);

const tf = await import("@tensorflow/tfjs");

export const SEED = 20240611;
const GENERATOR = "scripts/gen-tfjs-fixtures.mjs";
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT_FILE = join(ROOT, "test", "fixtures", "tfjs", "recurrent.json");

// ---------------------------------------------------------------- PRNG (mulberry32: ./lib/mulberry32.mjs)
const rand = mulberry32(SEED);
/** n float32 values uniform in [-1, 1). */
function uniform(n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(2 * rand() - 1);
  return out;
}
const prod = (shape) => shape.reduce((a, b) => a * b, 1);
const arr = (shape, data) => ({ shape: [...shape], data: Array.from(data, Number) });
const fromTensor = (t) => arr(t.shape, t.dataSync());

// ---------------------------------------------------------------- case definitions
const GATES = { gru: 3, lstm: 4, simpleRNN: 1 };
const GATE_ORDER = { gru: "z,r,h", lstm: "i,f,c,o", simpleRNN: "h" };
const NUM_STATES = { gru: 1, lstm: 2, simpleRNN: 1 };

const CASE_SPECS = [
  { name: "gru_default", layer: "gru", B: 2, T: 5, I: 3, H: 4, opts: {} },
  { name: "gru_sigmoid", layer: "gru", B: 2, T: 4, I: 3, H: 3, opts: { recurrentActivation: "sigmoid" } },
  { name: "gru_go_backwards", layer: "gru", B: 2, T: 5, I: 3, H: 4, opts: { goBackwards: true } },
  { name: "gru_no_bias", layer: "gru", B: 2, T: 4, I: 4, H: 3, opts: { useBias: false } },
  { name: "gru_initial_state", layer: "gru", B: 3, T: 4, I: 2, H: 4, opts: {}, initialState: true },
  { name: "gru_masked", layer: "gru", B: 3, T: 6, I: 3, H: 4, opts: {}, lengths: [6, 4, 2] },
  { name: "gru_masked_go_backwards", layer: "gru", B: 3, T: 6, I: 3, H: 4, opts: { goBackwards: true }, lengths: [6, 3, 1] },
  { name: "gru_batch1", layer: "gru", B: 1, T: 6, I: 4, H: 4, opts: {} },
  // x drawn in [-3, 3) so that many hardSigmoid pre-activations leave [-2.5, 2.5] (clip and zero gradient exercised).
  { name: "gru_saturated", layer: "gru", B: 2, T: 5, I: 4, H: 3, opts: {}, xScale: 3 },
  { name: "lstm_default", layer: "lstm", B: 2, T: 5, I: 3, H: 4, opts: {} },
  { name: "lstm_go_backwards", layer: "lstm", B: 2, T: 5, I: 3, H: 3, opts: { goBackwards: true } },
  { name: "lstm_initial_state", layer: "lstm", B: 2, T: 4, I: 3, H: 4, opts: {}, initialState: true },
  { name: "lstm_masked", layer: "lstm", B: 3, T: 5, I: 2, H: 3, opts: {}, lengths: [5, 3, 1] },
  { name: "simple_rnn_tanh", layer: "simpleRNN", B: 2, T: 5, I: 3, H: 4, opts: { activation: "tanh" } },
];

function makeLayer(spec, extra = {}) {
  const args = { units: spec.H, returnSequences: true, returnState: true, name: spec.name, ...spec.opts, ...extra };
  return tf.layers[spec.layer](args);
}

// Runs the layer eagerly: returns [sequence, ...finalStates].
function runLayer(layer, x, mask, initialState) {
  const kwargs = {};
  if (mask) kwargs.mask = mask;
  if (initialState) kwargs.initialState = initialState;
  return layer.call(x, kwargs);
}

function buildCase(spec) {
  const { B, T, I, H, layer: kind } = spec;
  const G = GATES[kind];
  // Draw order (fixed): x, kernel, recurrentKernel, bias, initial states, cotangent.
  const xData = uniform(B * T * I).map((v) => Math.fround(v * (spec.xScale ?? 1)));
  let maskData = null;
  if (spec.lengths) {
    maskData = [];
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        const valid = t < spec.lengths[b];
        maskData.push(valid ? 1 : 0);
        if (!valid) for (let i = 0; i < I; i++) xData[(b * T + t) * I + i] = 0; // zero padding at the end
      }
  }
  const kernel = uniform(I * G * H);
  const recurrentKernel = uniform(H * G * H);
  const useBias = spec.opts.useBias !== false;
  const bias = useBias ? uniform(G * H) : null;
  const initialStates = spec.initialState ? Array.from({ length: NUM_STATES[kind] }, () => uniform(B * H)) : null;
  const cotangent = uniform(B * T * H);

  const layer = makeLayer(spec);
  layer.build([B, T, I]);
  const w = [tf.tensor(kernel, [I, G * H]), tf.tensor(recurrentKernel, [H, G * H])];
  if (useBias) w.push(tf.tensor(bias, [G * H]));
  layer.setWeights(w);
  tf.dispose(w);

  const x = tf.variable(tf.tensor(xData, [B, T, I]), true, `${spec.name}__x`);
  const h0 = initialStates ? initialStates.map((d, k) => tf.variable(tf.tensor(d, [B, H]), true, `${spec.name}__state${k}`)) : null;
  let mask = null;
  if (maskData) {
    // The mask TF.js's own Masking layer (maskValue 0) computes for this input; must equal maskData.
    const masking = tf.layers.masking({ maskValue: 0, name: `${spec.name}__masking` });
    mask = masking.computeMask(x);
    const got = Array.from(mask.dataSync(), Number);
    if (got.join() !== maskData.join()) throw new Error(`${spec.name}: Masking.computeMask disagrees with lengths`);
  }
  const C = tf.tensor(cotangent, [B, T, H]);

  const outs = runLayer(layer, x, mask, h0);
  const [seq, ...finals] = outs;

  const [vk, vrk, vb] = layer.weights.map((lv) => lv.val);
  const varList = [x, vk, vrk, ...(useBias ? [vb] : []), ...(h0 ?? [])];
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(runLayer(layer, x, mask, h0)[0], C)), varList);
  const g = (v) => fromTensor(grads[v.name]);

  const config = layer.getConfig();
  const c = {
    name: spec.name,
    layer: kind,
    config,
    gateOrder: GATE_ORDER[kind],
    x: arr([B, T, I], xData),
  };
  if (spec.xScale) c.xScale = spec.xScale;
  if (maskData) c.mask = { shape: [B, T], data: maskData, lengths: [...spec.lengths] };
  if (initialStates) c.initialState = initialStates.map((d) => arr([B, H], d));
  c.weights = { kernel: arr([I, G * H], kernel), recurrentKernel: arr([H, G * H], recurrentKernel) };
  if (useBias) c.weights.bias = arr([G * H], bias);
  c.outputs = { sequence: fromTensor(seq), finalStates: finals.map(fromTensor) };
  c.cotangent = arr([B, T, H], cotangent);
  c.loss = value.dataSync()[0];
  c.grads = { x: g(x), kernel: g(vk), recurrentKernel: g(vrk) };
  if (useBias) c.grads.bias = g(vb);
  if (h0) c.grads.initialState = h0.map(g);

  const handles = { layer, x, h0, mask, C, useBias };
  tf.dispose([...outs, value, ...Object.values(grads)]);
  return { c, handles };
}

const NOTES = [
  "Reference values computed with @tensorflow/tfjs layers (cpu backend, float32). All arrays are flattened row-major; x, outputs.sequence and cotangent are batch-major [B, T, ...] as in Keras.",
  "Inputs and weights are mulberry32(seed) draws, 2*u-1 rounded with Math.fround, drawn per case in the order x, kernel, recurrentKernel, bias, initial states, cotangent. A case with xScale has x multiplied by xScale (then Math.fround), to drive hardSigmoid into its clipped region.",
  "Layers built with returnSequences: true, returnState: true and called eagerly via layer.call(x, {mask?, initialState?}); weights set with layer.setWeights([kernel [I,G*H], recurrentKernel [H,G*H], bias [G*H]]). config is layer.getConfig() verbatim.",
  "Gate order along the G*H axis: GRU z,r,h (update, reset, candidate); LSTM i,f,c,o; SimpleRNN single block.",
  "TF.js hardSigmoid(x) = clip(0.2*x + 0.5, 0, 1) (tfjs-layers backend/tfjs_backend.js: clipByValue(add(.5, mul(.2, x)), 0, 1)); its gradient is 0.2 on the closed interval [-2.5, 2.5] and 0 outside (clipByValue passes the gradient where min <= y <= max). sigmoid = 1/(1+exp(-x)).",
  "Defaults: GRU and LSTM activation 'tanh', recurrentActivation 'hardSigmoid' (not sigmoid as in Keras 2+/PyTorch); SimpleRNN activation 'tanh'. useBias defaults true.",
  "GRU is reset-before only (TF.js throws if resetAfter: true; getConfig reports resetAfter: false). With x_t [B,I], h [B,H], W = kernel, U = recurrentKernel, b = bias split in (z,r,h) column blocks: z = ra(x W_z + h U_z + b_z); r = ra(x W_r + h U_r + b_r); hh = act(x W_h + (r*h) U_h + b_h); h' = z*h + (1-z)*hh. Output y_t = h'.",
  "LSTM: i = ra(.), f = ra(.), g = act(.), o = ra(.) with pre-activations x W + h U + b in blocks (i,f,c,o); c' = f*c + i*g; h' = o*act(c'); y_t = h'. finalStates = [h, c]; initialState = [h0, c0]. unitForgetBias only affects the bias initializer and is irrelevant here (weights set explicitly); note TF.js leaves it undefined by default (so it is absent from config), unlike Keras where it defaults to true.",
  "SimpleRNN: h' = act(x W + h U + b); finalStates = [h].",
  "Initial state defaults to zeros when not given.",
  "goBackwards: the time axis of x (and of the mask) is reversed before the scan, and outputs.sequence is NOT re-reversed: sequence[:, k] is the output after processing x[:, T-1-k]. finalStates are the states after the last processed step (x[:, 0]).",
  "Masking: mask [B,T] (1 = valid, 0 = padded) is exactly what tf.layers.masking({maskValue: 0}).computeMask(x) gives (any feature != 0); padded steps of x are all-zero. At a masked step TF.js computes the cell anyway, then per row sets output = previous state[0] (the previous h, i.e. the previous output; the initial state if nothing valid came before) and every state = previous state (LSTM carries both h and c). So outputs.sequence at padded steps repeats the last valid output (NOT zero), and finalStates equal the state at the last valid step. With goBackwards + trailing padding, the padded steps are processed first, so their outputs are the initial state (zeros here).",
  "Gradients: L = sum(outputs.sequence * cotangent) (final states do not enter L); grads are dL/d(x, kernel, recurrentKernel, bias, initial states) from tf.variableGrads through the layer. Under masking, gradients flow through the mask blend: grads.x at padded steps is exactly 0 and cotangent at padded steps flows back to the last valid step's h.",
  "loss is L as computed by TF.js (float32).",
].join("\n");

function generate() {
  const cases = [];
  const handles = [];
  for (const spec of CASE_SPECS) {
    const { c, handles: h } = buildCase(spec);
    cases.push(c);
    handles.push({ spec, ...h });
  }
  const doc = { seed: SEED, generator: GENERATOR, tfjsVersion: tf.version.tfjs, backend: tf.getBackend(), notes: NOTES, cases };
  return { doc, handles };
}

// ---------------------------------------------------------------- self-check helpers (plain JS, float64)
const hardSigmoid = (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5));
const ACT = { tanh: Math.tanh, sigmoid: (v) => 1 / (1 + Math.exp(-v)), hardSigmoid, linear: (v) => v, relu: (v) => Math.max(0, v) };

/** Plain-JS forward of one case (GRU reset-before / LSTM / SimpleRNN) following the notes. Returns {seq, states}. */
function refForward(c, over = {}) {
  const [B, T, I] = c.x.shape;
  const H = c.config.units;
  const G = GATES[c.layer];
  const x = over.x ?? c.x.data;
  const W = over.kernel ?? c.weights.kernel.data;
  const U = over.recurrentKernel ?? c.weights.recurrentKernel.data;
  const bias = over.bias ?? c.weights.bias?.data ?? new Array(G * H).fill(0);
  const ra = ACT[c.config.recurrentActivation] ?? null;
  const act = ACT[c.config.activation];
  const nS = NUM_STATES[c.layer];
  const init = over.initialState ?? c.initialState?.map((s) => s.data);
  const states = Array.from({ length: nS }, (_, k) => (init ? [...init[k]] : new Array(B * H).fill(0)));
  const seq = new Array(B * T * H).fill(0);
  const sat = { n: 0, clipped: 0 };
  const raCount = (v) => { sat.n++; if (Math.abs(v) > 2.5) sat.clipped++; return ra(v); };
  for (let k = 0; k < T; k++) {
    const t = c.config.goBackwards ? T - 1 - k : k;
    for (let b = 0; b < B; b++) {
      const h = states[0].slice(b * H, b * H + H);
      const xa = new Array(G * H).fill(0); // x W + b
      const ha = new Array(G * H).fill(0); // h U (for GRU only z,r blocks are used from here)
      for (let j = 0; j < G * H; j++) {
        let s = bias[j];
        for (let i = 0; i < I; i++) s += x[(b * T + t) * I + i] * W[i * G * H + j];
        xa[j] = s;
        let r = 0;
        for (let i = 0; i < H; i++) r += h[i] * U[i * G * H + j];
        ha[j] = r;
      }
      let hNew, cNew;
      if (c.layer === "gru") {
        const z = [], rr = [];
        for (let j = 0; j < H; j++) { z[j] = raCount(xa[j] + ha[j]); rr[j] = raCount(xa[H + j] + ha[H + j]); }
        hNew = [];
        for (let j = 0; j < H; j++) {
          let s = xa[2 * H + j];
          for (let i = 0; i < H; i++) s += rr[i] * h[i] * U[i * G * H + 2 * H + j];
          const hh = act(s);
          hNew[j] = z[j] * h[j] + (1 - z[j]) * hh;
        }
      } else if (c.layer === "lstm") {
        const cPrev = states[1].slice(b * H, b * H + H);
        hNew = []; cNew = [];
        for (let j = 0; j < H; j++) {
          const ig = raCount(xa[j] + ha[j]);
          const fg = raCount(xa[H + j] + ha[H + j]);
          const gg = act(xa[2 * H + j] + ha[2 * H + j]);
          const og = raCount(xa[3 * H + j] + ha[3 * H + j]);
          cNew[j] = fg * cPrev[j] + ig * gg;
          hNew[j] = og * act(cNew[j]);
        }
      } else {
        hNew = [];
        for (let j = 0; j < H; j++) hNew[j] = act(xa[j] + ha[j]);
      }
      const valid = c.mask ? c.mask.data[b * T + t] === 1 : true;
      // masked step: output = previous h, states carried
      for (let j = 0; j < H; j++) {
        seq[(b * T + k) * H + j] = valid ? hNew[j] : h[j];
        if (valid) {
          states[0][b * H + j] = hNew[j];
          if (nS === 2) states[1][b * H + j] = cNew[j];
        }
      }
    }
  }
  return { seq, states, sat };
}

const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);

function selfCheck(doc, handles) {
  const lines = [];
  const byName = Object.fromEntries(doc.cases.map((c) => [c.name, c]));

  // 1. One GRU step at t=0 from the reset-before equations (explicit, independent of refForward).
  {
    const c = byName.gru_default;
    const [B, T, I] = c.x.shape, H = c.config.units, W = c.weights.kernel.data, U = c.weights.recurrentKernel.data, bb = c.weights.bias.data;
    let md = 0;
    for (let b = 0; b < B; b++) {
      const h = new Array(H).fill(0);
      const xt = c.x.data.slice(b * T * I, b * T * I + I);
      const col = (M, rows, v, j) => v.reduce((s, vi, i) => s + vi * M[i * 3 * H + j], 0);
      for (let j = 0; j < H; j++) {
        const z = hardSigmoid(col(W, I, xt, j) + col(U, H, h, j) + bb[j]);
        const rv = [];
        for (let q = 0; q < H; q++) rv[q] = hardSigmoid(col(W, I, xt, H + q) + col(U, H, h, H + q) + bb[H + q]);
        const rh = rv.map((r, q) => r * h[q]);
        const hh = Math.tanh(col(W, I, xt, 2 * H + j) + col(U, H, rh, 2 * H + j) + bb[2 * H + j]);
        const hNew = z * h[j] + (1 - z) * hh;
        md = Math.max(md, Math.abs(hNew - c.outputs.sequence.data[(b * T + 0) * H + j]));
      }
    }
    lines.push(`gru_default t=0 step, plain JS (reset-before, hardSigmoid=clip(0.2x+0.5,0,1)) vs TF.js: max |diff| = ${md.toExponential(2)}`);
  }

  // 2. Full forward of every case in plain JS float64 (masking / goBackwards semantics as in the notes).
  for (const c of doc.cases) {
    const { seq, states, sat } = refForward(c);
    const dSeq = maxAbsDiff(seq, c.outputs.sequence.data);
    const dSt = Math.max(...states.map((s, k) => maxAbsDiff(s, c.outputs.finalStates[k].data)));
    const satTxt = c.config.recurrentActivation === "hardSigmoid" ? ` (hardSigmoid clipped ${sat.clipped}/${sat.n} gate evals)` : "";
    lines.push(`forward ${c.name}: plain JS vs TF.js max |diff| seq ${dSeq.toExponential(2)}, final states ${dSt.toExponential(2)}${satTxt}`);
  }

  // 3. Masked-case facts.
  for (const name of ["gru_masked", "gru_masked_go_backwards", "lstm_masked"]) {
    const c = byName[name];
    const [B, T, I] = c.x.shape;
    let gx = 0;
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) if (!c.mask.data[b * T + t])
      for (let i = 0; i < I; i++) gx = Math.max(gx, Math.abs(c.grads.x.data[(b * T + t) * I + i]));
    lines.push(`${name}: max |grads.x| at padded steps = ${gx}`);
  }

  // 4. Masking layer in a model (symbolic mask propagation) gives the same sequence as passing the mask.
  for (const name of ["gru_masked", "lstm_masked"]) {
    const c = byName[name];
    const h = handles.find((q) => q.spec.name === name);
    const [B, T, I] = c.x.shape;
    const model = tf.sequential();
    model.add(tf.layers.masking({ maskValue: 0, inputShape: [T, I] }));
    const l = tf.layers[c.layer]({ units: c.config.units, returnSequences: true, ...h.spec.opts });
    model.add(l);
    l.setWeights(h.layer.getWeights());
    const y = model.predict(tf.tensor(c.x.data, c.x.shape));
    lines.push(`${name}: Sequential[masking(0), ${c.layer}].predict vs layer.call(x,{mask}) max |diff| = ${maxAbsDiff(Array.from(y.dataSync()), c.outputs.sequence.data).toExponential(2)}`);
  }

  // 5. Gradients by central finite differences.
  //  (a) float64 plain-JS loss, every parameter of several cases, vs TF.js grads.
  for (const name of ["gru_default", "gru_initial_state", "gru_masked", "gru_masked_go_backwards", "gru_saturated", "lstm_initial_state", "lstm_masked", "simple_rnn_tanh"]) {
    const c = byName[name];
    const C = c.cotangent.data;
    const eps = 1e-6;
    const params = { x: c.x.data, kernel: c.weights.kernel.data, recurrentKernel: c.weights.recurrentKernel.data };
    if (c.weights.bias) params.bias = c.weights.bias.data;
    const parts = [];
    let worst = 0;
    for (const [p, base] of Object.entries(params)) {
      const fd = base.map((_, i) => {
        const plus = [...base], minus = [...base];
        plus[i] += eps; minus[i] -= eps;
        return (dot(refForward(c, { [p]: plus }).seq, C) - dot(refForward(c, { [p]: minus }).seq, C)) / (2 * eps);
      });
      const d = maxAbsDiff(fd, c.grads[p].data);
      worst = Math.max(worst, d);
      parts.push(`${p} ${d.toExponential(1)}`);
    }
    if (c.initialState) {
      c.initialState.forEach((s, k) => {
        const fd = s.data.map((_, i) => {
          const mk = (sgn) => c.initialState.map((q, kk) => { const a = [...q.data]; if (kk === k) a[i] += sgn * eps; return a; });
          return (dot(refForward(c, { initialState: mk(1) }).seq, C) - dot(refForward(c, { initialState: mk(-1) }).seq, C)) / (2 * eps);
        });
        const d = maxAbsDiff(fd, c.grads.initialState[k].data);
        worst = Math.max(worst, d);
        parts.push(`state${k} ${d.toExponential(1)}`);
      });
    }
    lines.push(`grads ${name}: float64 central FD (eps 1e-6, all entries) vs TF.js max |diff|: ${parts.join(", ")}`);
  }
  //  (b) float32 finite differences through TF.js itself, a few entries of gru_default.
  {
    const h = handles.find((q) => q.spec.name === "gru_default");
    const c = byName.gru_default;
    const eps = 1e-2;
    const lossWith = (wts, xd) => tf.tidy(() => {
      h.layer.setWeights(wts.map((d, k) => tf.tensor(d, [c.weights.kernel, c.weights.recurrentKernel, c.weights.bias][k].shape)));
      return tf.sum(tf.mul(runLayer(h.layer, tf.tensor(xd, c.x.shape), null, null)[0], h.C)).dataSync()[0];
    });
    const base = [c.weights.kernel.data, c.weights.recurrentKernel.data, c.weights.bias.data];
    let worst = 0, n = 0;
    const probe = (which, i) => {
      const mod = (sgn) => {
        if (which === "x") { const a = [...c.x.data]; a[i] += sgn * eps; return lossWith(base, a); }
        const k = ["kernel", "recurrentKernel", "bias"].indexOf(which);
        const w = base.map((d) => [...d]); w[k][i] += sgn * eps; return lossWith(w, c.x.data);
      };
      const fd = (mod(1) - mod(-1)) / (2 * eps);
      worst = Math.max(worst, Math.abs(fd - c.grads[which].data[i])); n++;
    };
    for (const which of ["x", "kernel", "recurrentKernel", "bias"]) {
      const len = (which === "x" ? c.x : c.weights[which]).data.length;
      for (let i = 0; i < len; i += 3) probe(which, i);
    }
    lossWith(base, c.x.data); // restore weights
    lines.push(`grads gru_default: float32 central FD through TF.js (eps 1e-2, ${n} entries) vs tf.variableGrads max |diff| = ${worst.toExponential(2)}`);
  }

  // 6. Determinism: regenerate nothing here; the caller compares two serialisations.
  return lines;
}

/** JSON with 1-space indentation, but arrays of numbers kept on one line. */
function serialize(v, ind = "") {
  if (Array.isArray(v)) {
    if (v.every((e) => typeof e === "number")) return JSON.stringify(v);
    if (v.length === 0) return "[]";
    const inner = ind + " ";
    return "[\n" + v.map((e) => inner + serialize(e, inner)).join(",\n") + "\n" + ind + "]";
  }
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) return "{}";
    const inner = ind + " ";
    return "{\n" + keys.map((k) => inner + JSON.stringify(k) + ": " + serialize(v[k], inner)).join(",\n") + "\n" + ind + "}";
  }
  return JSON.stringify(v);
}

// ---------------------------------------------------------------- main
await tf.ready();
const { doc, handles } = generate();
const json = serialize(doc) + "\n";
mkdirSync(dirname(OUT_FILE), { recursive: true });
writeFileSync(OUT_FILE, json);
console.log(`wrote ${OUT_FILE} (${doc.cases.length} cases, tfjs ${doc.tfjsVersion}, backend ${doc.backend}, ${json.length} bytes)`);

if (process.argv.includes("--self-check")) {
  for (const l of selfCheck(doc, handles)) console.log(l);
}
