// The native kernels (native/*.c through src/kernels/native/) against the float64 reference, on
// both instruction sets this CPU runs (AVX-512 and AVX2+FMA; the narrower forced with
// useNative({ isa: "avx2" })): every product orientation (NN, NT, TN), sizes around the tiles
// (12×32 and 6×16), the 96-row blocks and the 256-deep blocks of K, beta 0 and 1; a row of the
// output independent of the other rows; whole GRU-family and LSTM networks forward and backward (the
// native time loops, forward and backward; with a clip, WebAssembly's) against the float64 reference; and a failed load that leaves
// the WebAssembly kernels in charge.
//
// Tolerance, products: the float32 bound of a sum of K + 1 terms, |computed − exact| ≤ γ_{K+1} ·
// (beta·|out| + Σ_p |A[i,p]·B[p,j]|), γ_n = n·u/(1 − n·u), u = 2⁻²⁴ (gemm-check.ts), as the
// WebAssembly products; the native blocked sums (blocks of 256 products, fused multiply-adds) meet
// it. Networks: |native − float64| ≤ 2e-5 + 1e-4·|float64| on outputs, states and every gradient
// (float32 rounding through T steps and the polynomial exp of the gates, ≤ 3e-7 absolute each).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { after, describe, it } from "node:test";
import { nativeAddon, setNativeAddon, type NativeAddon } from "../../src/kernels/native/addon.js";
import { useNative } from "../../src/kernels/native/load-node.js";
import { autoBackendName, selectKernels } from "../../src/kernels/select.js";
import type { Kernels } from "../../src/kernels/types.js";
import { wasmKernels } from "../../src/kernels/wasm/kernels.js";
import { Recurrent } from "../../src/sequence/recurrent.js";
import { Rng } from "../../src/util/random.js";
import { check, rand, sweep } from "./gemm-check.js";

const loaded = useNative();
const isas = loaded ? (["avx512", "avx2"] as const).filter((i) => nativeAddon()!.setIsa(i)) : [];
if (loaded) nativeAddon()!.setIsa("auto");

/** Sizes around the native tiles and blocks: rows 12/6 and 96, columns 32/16, K 256. */
function tiles(k: Kernels, seed: number): number {
  const rng = new Rng(seed);
  let worst = 0;
  for (const orient of ["NN", "NT", "TN"] as const) {
    for (const [m, n, kk] of [[12, 32, 256], [13, 33, 257], [95, 64, 40], [97, 65, 513], [6, 16, 1], [200, 97, 31], [1, 513, 600]] as const) {
      for (const beta of [0, 1] as const) worst = Math.max(worst, check(k, { m, n, k: kk, beta, orient, pad: 1 }, rng));
    }
  }
  return worst;
}

interface Case { readonly name: string; readonly options: Record<string, unknown>; readonly T: number; readonly B: number; readonly lengths?: number[]; readonly wasmLoop?: true }
const CASES: readonly Case[] = [
  { name: "gru, reset after", options: { cell: "gru", hiddenSize: 13 }, T: 6, B: 3 },
  { name: "gru, reset before, replace, bidirectional, lengths", options: { cell: "gru", hiddenSize: 37, reset: "before", update: "replace", direction: "bidirectional" }, T: 7, B: 5, lengths: [7, 3, 0, 1, 6] },
  { name: "gru3, reverse, lengths", options: { cell: "gru3", hiddenSize: 8, direction: "reverse" }, T: 5, B: 4, lengths: [5, 2, 4, 1] },
  { name: "gru2, reset before, lengths", options: { cell: "gru2", hiddenSize: 19, reset: "before" }, T: 6, B: 4, lengths: [6, 1, 0, 4] },
  { name: "mgu, reset before, keep", options: { cell: "mgu", hiddenSize: 17, reset: "before", update: "keep" }, T: 5, B: 6 },
  { name: "mgu3, replace", options: { cell: "mgu3", hiddenSize: 12, update: "replace" }, T: 4, B: 3 },
  { name: "gru1, two layers", options: { cell: "gru1", hiddenSize: 40, layers: 2 }, T: 5, B: 14 },
  { name: "mgu, bidirectional, B = 1", options: { cell: "mgu", hiddenSize: 24, direction: "bidirectional" }, T: 9, B: 1 },
  { name: "gru, clip (the WebAssembly loop, projection native)", options: { cell: "gru", hiddenSize: 20, clip: 0.5 }, T: 5, B: 3, wasmLoop: true },
  { name: "ligru, batch normalisation, lengths", options: { cell: "ligru", hiddenSize: 21, normalisation: "batch" }, T: 6, B: 4, lengths: [6, 2, 5, 1] },
  { name: "ligru, layer normalisation, tanh, replace, bidirectional", options: { cell: "ligru", hiddenSize: 18, normalisation: "layer", candidateActivation: "Tanh", update: "replace", direction: "bidirectional" }, T: 5, B: 3 },
  { name: "ligru, no normalisation, two layers", options: { cell: "ligru", hiddenSize: 35, normalisation: "none", layers: 2 }, T: 4, B: 7 },
  { name: "libru, mode ligru, lengths", options: { cell: "libru", hiddenSize: 14, mode: "ligru" }, T: 5, B: 3, lengths: [5, 1, 3] },
  { name: "libru, mode geomean (the WebAssembly loop: softplus)", options: { cell: "libru", hiddenSize: 10, mode: "geomean" }, T: 4, B: 3, wasmLoop: true },
  { name: "lstm", options: { cell: "lstm", hiddenSize: 11 }, T: 6, B: 4 },
  { name: "lstm, bidirectional, two layers, lengths", options: { cell: "lstm", hiddenSize: 33, layers: 2, direction: "bidirectional" }, T: 7, B: 5, lengths: [7, 3, 0, 1, 6] },
  { name: "lstm, reverse, no bias, B = 1", options: { cell: "lstm", hiddenSize: 16, direction: "reverse", bias: false }, T: 5, B: 1 },
  { name: "lstm, clip (the WebAssembly loop, projection native)", options: { cell: "lstm", hiddenSize: 11, clip: 0.7 }, T: 6, B: 4, wasmLoop: true },
  { name: "rnn (tanh)", options: { cell: "rnn", hiddenSize: 23 }, T: 6, B: 4 },
  { name: "rnn, relu, bidirectional, two layers, lengths", options: { cell: "rnn", hiddenSize: 17, activation: "Relu", layers: 2, direction: "bidirectional" }, T: 7, B: 5, lengths: [7, 3, 0, 1, 6] },
  { name: "rnn, reverse, no bias, B = 1", options: { cell: "rnn", hiddenSize: 40, direction: "reverse", bias: false }, T: 5, B: 1 },
  { name: "rnn, clip (the WebAssembly loop, projection native)", options: { cell: "rnn", hiddenSize: 9, clip: 0.6 }, T: 5, B: 3, wasmLoop: true },
  { name: "rnn, softsign (the WebAssembly loop)", options: { cell: "rnn", hiddenSize: 9, activation: "Softsign" }, T: 5, B: 3, wasmLoop: true },
];

function run(net: Recurrent, c: Case, seed: number): Record<string, ArrayLike<number>> {
  const rng = new Rng(seed), I = net.inputSize, H = net.hiddenSize, LD = net.layers * net.numDirections;
  const two = net.cells[0]!.states.length === 2;
  const x = { data: rand(rng, c.T * c.B * I), shape: [c.T, c.B, I] };
  const st = () => ({ data: rand(rng, LD * c.B * H).map((v) => v * 0.5), shape: [LD, c.B, H] });
  const r = net.forward(x, { train: true, initialState: st(), ...(two ? { initialCell: st() } : {}), ...(c.lengths ? { lengths: c.lengths } : {}) });
  const dY = { data: rand(rng, c.T * c.B * net.numDirections * H), shape: [c.T, c.B, net.numDirections * H] };
  const g = net.backward(r.tape!, dY, { dFinalState: st(), ...(two ? { dFinalCell: st() } : {}) });
  return { output: r.output.data, finalState: r.finalState.data, dInput: g.dInput.data, dInitialState: g.dInitialState.data, dParams: g.dParams };
}

/**
 * A full garbage collection with its finalizers run, then every block the WebAssembly heap hands
 * out next filled with NaN (the blocks a finalizer freed come first): what a long training run
 * does by chance, here on purpose.
 */
async function collectAndScribble(): Promise<() => void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
  const other = wasmKernels()!, held: Float32Array[] = [];
  for (let i = 0; i < 64; i++) held.push((other.resident!.alloc(1 << (6 + (i % 10))) as Float32Array).fill(NaN));
  return () => { for (const v of held) other.resident!.release(v); };
}

/** Forward (train), a garbage collection with the heap scribbled over, then backward. */
async function runAcrossGc(net: Recurrent, c: Case, seed: number): Promise<Record<string, ArrayLike<number>>> {
  const rng = new Rng(seed), I = net.inputSize, H = net.hiddenSize, LD = net.layers * net.numDirections;
  const x = { data: rand(rng, c.T * c.B * I), shape: [c.T, c.B, I] };
  const st = () => ({ data: rand(rng, LD * c.B * H).map((v) => v * 0.5), shape: [LD, c.B, H] });
  const r = net.forward(x, { train: true, initialState: st(), ...(c.lengths ? { lengths: c.lengths } : {}) });
  const output = Float32Array.from(r.output.data), finalState = Float32Array.from(r.finalState.data);
  const dY = { data: rand(rng, c.T * c.B * net.numDirections * H), shape: [c.T, c.B, net.numDirections * H] };
  const dFinal = st();
  const release = await collectAndScribble();
  try {
    const g = net.backward(r.tape!, dY, { dFinalState: dFinal });
    return { output, finalState, dInput: Float32Array.from(g.dInput.data), dInitialState: Float32Array.from(g.dInitialState.data), dParams: Float32Array.from(g.dParams) };
  } finally {
    release();
  }
}

function close(got: Record<string, ArrayLike<number>>, ref: Record<string, ArrayLike<number>>, what: string): number {
  let worst = 0;
  for (const k of Object.keys(ref)) {
    const x = got[k]!, y = ref[k]!;
    assert.equal(x.length, y.length, `${what}: ${k} length`);
    for (let i = 0; i < x.length; i++) {
      const err = Math.abs(x[i]! - y[i]!), bound = 2e-5 + 1e-4 * Math.abs(y[i]!);
      if (!(err <= bound)) assert.fail(`${what}: ${k}[${i}] is ${x[i]}, float64 reference ${y[i]} (off by ${err}, bound ${bound})`);
      worst = Math.max(worst, err / bound);
    }
  }
  return worst;
}

describe("native kernels", { skip: !loaded && "the native kernels do not load here" }, () => {
  after(() => nativeAddon()?.setIsa("auto"));
  it("auto picks them once loaded", () => {
    assert.match(autoBackendName(), /^native-avx(512|2)$/);
    assert.match(selectKernels("t", "auto", "float32").name, /^native-/);
    assert.equal(selectKernels("t", "auto", "float64").name.startsWith("native"), false);
  });

  for (const isa of ["avx512", "avx2"] as const) {
    describe(isa, { skip: !isas.includes(isa) && `this CPU lacks ${isa}` }, () => {
      it("products: NN, NT, TN, odd sizes, offsets, strides, beta 0/1 within γ_{K+1}", () => {
        nativeAddon()!.setIsa(isa);
        const k = selectKernels("t", "native", "float32");
        assert.equal(k.name, `native-${isa}`);
        const worst = Math.max(sweep(k, 1), tiles(k, 2));
        console.log(`# ${isa}: worst error / float32 bound: ${worst.toFixed(3)}`);
      });

      it("a row of a product does not depend on the other rows (bit for bit)", () => {
        nativeAddon()!.setIsa(isa);
        const k = selectKernels("t", "native", "float32"), rng = new Rng(4);
        const [M, N, K] = [29, 70, 300];
        const a = rand(rng, M * K), b = rand(rng, N * K), all = new Float32Array(M * N), one = new Float32Array(N);
        k.matmulNT(all, 0, N, a, 0, K, b, 0, K, M, N, K, 0);
        for (const r of [0, 11, 12, 28]) {
          k.matmulNT(one, 0, N, a, r * K, K, b, 0, K, 1, N, K, 0);
          assert.deepEqual(one, all.subarray(r * N, (r + 1) * N), `row ${r}`);
        }
      });

      for (const c of CASES) {
        it(`${c.name}: forward and backward vs float64`, () => {
          nativeAddon()!.setIsa(isa);
          // the network's kernels on an addon that counts its time-loop calls
          const real = nativeAddon()!;
          let nativeLoops = 0, nativeBackLoops = 0;
          const counted: NativeAddon = {
            isa: () => real.isa(), setIsa: (n) => real.setIsa(n), int8: (a) => real.int8(a), threads: (n) => real.threads(n), gemm: (...a) => real.gemm(...a), sumRows: (...a) => real.sumRows(...a),
            gruForward: (...a) => { nativeLoops++; return real.gruForward(...a); },
            gruBackward: (...a) => { nativeBackLoops++; return real.gruBackward(...a); },
            lightForward: (...a) => { nativeLoops++; return real.lightForward(...a); },
            lightBackward: (...a) => { nativeBackLoops++; return real.lightBackward(...a); },
            lstmForward: (...a) => { nativeLoops++; return real.lstmForward(...a); },
            lstmBackward: (...a) => { nativeBackLoops++; return real.lstmBackward(...a); },
            rnnForward: (...a) => { nativeLoops++; return real.rnnForward(...a); },
            rnnBackward: (...a) => { nativeBackLoops++; return real.rnnBackward(...a); },
            packSlot: () => real.packSlot(),
          };
          setNativeAddon(counted);
          let net: Recurrent;
          try { net = new Recurrent({ inputSize: 5, seed: 11, backend: "native", ...c.options } as never); } finally { setNativeAddon(real); }
          const ran: boolean[] = [];
          for (const cell of net.cells) {
            const f = cell.forwardLoop!.bind(cell);
            Object.assign(cell, { forwardLoop: (...a: Parameters<typeof f>) => { const r = f(...a); ran.push(r); return r; } });
          }
          const got = run(net, c, 3);
          assert.ok(ran.length > 0 && ran.every(Boolean), `the native backend did not run every forward loop: ${ran}`);
          // the native time loop ran every forward loop, or (wasmLoop) none: WebAssembly's took them
          assert.equal(nativeLoops, c.wasmLoop ? 0 : ran.length, `native loops run: ${nativeLoops} of ${ran.length}`);
          // and the backward loops natively too
          assert.equal(nativeBackLoops, c.wasmLoop ? 0 : ran.length, `native backward loops run: ${nativeBackLoops} of ${ran.length}`);
          const ref = run(new Recurrent({ inputSize: 5, seed: 11, backend: "reference", dtype: "float64", ...c.options } as never), c, 3);
          const worst = close(got, ref, `${isa} ${c.name}`);
          console.log(`# ${isa} ${c.name}: worst error / bound ${worst.toFixed(3)}`);
        });
      }
    });
  }
});

// Regression: the native backend kept only parts of the WebAssembly backend inside it (resident
// memory, norm, fused), not the object, whose FinalizationRegistry then freed the resident
// workspaces (xp, states, cache) at the next garbage collection while they were in use; the heap
// handed them out again and training went nondeterministic (GRU with lengths) or NaN (LiGRU with
// batch normalisation). Each case runs twice on fresh networks, a collection and NaN scribbles
// between forward and backward: bit-identical, and as the WebAssembly backend within the network
// bound above.
const GC_CASES: readonly Case[] = [
  { name: "gru, lengths, H = 19", options: { cell: "gru", hiddenSize: 19 }, T: 7, B: 5, lengths: [7, 3, 0, 1, 6] },
  { name: "gru, reverse, lengths, H = 33", options: { cell: "gru", hiddenSize: 33, direction: "bidirectional" }, T: 11, B: 3, lengths: [11, 4, 9] },
  { name: "lstm, lengths, H = 23", options: { cell: "lstm", hiddenSize: 23 }, T: 7, B: 5, lengths: [7, 3, 0, 1, 6] },
  { name: "ligru, batch normalisation, lengths, H = 21", options: { cell: "ligru", hiddenSize: 21, normalisation: "batch" }, T: 6, B: 4, lengths: [6, 2, 5, 1] },
];

describe("native kernels across garbage collections", { skip: !loaded && "the native kernels do not load here" }, () => {
  for (const c of GC_CASES) {
    it(`${c.name}: the inner WebAssembly workspaces stay owned (bit-identical twice, as wasm)`, async () => {
      nativeAddon()!.setIsa("auto");
      const make = (backend: string) => new Recurrent({ inputSize: 5, seed: 11, backend, ...c.options } as never);
      const a = await runAcrossGc(make("native"), c, 3);
      const b = await runAcrossGc(make("native"), c, 3);
      for (const key of Object.keys(a)) assert.deepEqual(b[key], a[key], `${c.name}: ${key} differs between two identical native runs`);
      for (const key of Object.keys(a)) assert.ok(Array.from(a[key]!).every(Number.isFinite), `${c.name}: ${key} is not finite`);
      const w = await runAcrossGc(make("wasm"), c, 3);
      const worst = close(a, w, `${c.name} native vs wasm`);
      console.log(`# ${c.name}: worst native − wasm / bound ${worst.toFixed(3)}`);
    });
  }
});

// Two threads split every large product's column panels: each output element is summed in the same
// order as on one thread, so outputs and gradients are the same bits.
describe("native kernels on two threads", { skip: !loaded && "the native kernels do not load here" }, () => {
  for (const c of [
    { name: "gru, B 16, H 64, bidirectional, lengths", options: { cell: "gru", hiddenSize: 64, direction: "bidirectional" }, T: 9, B: 16, lengths: [9, 3, 9, 1, 5, 9, 9, 2, 8, 9, 9, 4, 9, 6, 9, 7] },
    { name: "lstm, B 24, H 80, two layers", options: { cell: "lstm", hiddenSize: 80, layers: 2 }, T: 7, B: 24 },
    { name: "ligru, B 32, H 48", options: { cell: "ligru", hiddenSize: 48, normalisation: "none" }, T: 6, B: 32 },
  ] as const) {
    it(`${c.name}: the same bits as one thread`, () => {
      const x = nativeAddon()!;
      const make = () => new Recurrent({ inputSize: 40, seed: 4, backend: "native", ...c.options } as never);
      try {
        x.threads(1);
        const one = run(make(), c as Case, 6);
        assert.equal(x.threads(2), 2);
        const two = run(make(), c as Case, 6);
        for (const k of Object.keys(one)) assert.deepEqual(Array.from(two[k]!), Array.from(one[k]!), `${k} differs on two threads`);
      } finally {
        x.threads(1);
      }
    });
  }
});

describe("a failed load", () => {
  it("leaves the WebAssembly kernels in charge and backend native says why", () => {
    const code = `
      const { useNative } = await import("./src/kernels/native/load-node.ts");
      const { selectKernels } = await import("./src/kernels/select.ts");
      const ok = useNative();
      let msg = "";
      try { selectKernels("layer", "native", "float32"); } catch (e) { msg = e.constructor.name + ": " + e.message; }
      console.log(JSON.stringify({ ok, auto: selectKernels("layer", "auto", "float32").name, msg }));`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      encoding: "utf8", env: { ...process.env, GATED_NATIVE_PATH: "/nonexistent/gated.node" },
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { ok: boolean; auto: string; msg: string };
    assert.equal(out.ok, false);
    assert.match(out.auto, /^wasm-/);
    assert.match(out.msg, /^OptionError: layer: backend "native" is not available: .*\/nonexistent\/gated\.node is missing/);
  });
});
