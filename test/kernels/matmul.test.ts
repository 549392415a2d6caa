// The WebAssembly matrix multiply against the float64 reference: every orientation (NN, NT, TN),
// odd sizes, offsets and leading dimensions, beta 0 and 1, operands copied in or used in place,
// parameter blocks packed once per version, both memory kinds; and its defining property: a row of
// the output does not depend on the other rows (bit for bit).
//
// Tolerance: the standard bound of a float32 sum of K + 1 terms (beta·out, then the K products),
// |computed − exact| ≤ γ_{K+1} · (beta·|out| + Σ_p |A[i,p]·B[p,j]|), γ_n = n·u/(1 − n·u), u = 2⁻²⁴,
// which the kernels' blocked sums (blocks of KC = 256 products, then block by block into out) meet
// with room: their own bound is γ_{min(K, KC) + ⌈K/KC⌉}, checked on long sums below. The float64
// reference stands in for the exact value (its own error is ~2⁻⁵³ relative, far below).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { reference64 } from "../../src/kernels/reference.js";
import { wasmKernels, wasmKernelsOn } from "../../src/kernels/wasm/kernels.js";
import { createRuntime, wasmRuntime } from "../../src/kernels/wasm/runtime.js";
import { Rng } from "../../src/util/random.js";
import { check, rand, sweep } from "./gemm-check.js";

const wasm = wasmKernels();

describe("wasm matrix multiply vs the float64 reference", { skip: wasm === null && "no WebAssembly SIMD here" }, () => {
  it("NN, NT, TN: odd sizes, offsets, strides, beta 0/1, operands copied in", () => {
    const worst = sweep(wasm!, 1);
    console.log(`# worst error / float32 bound γ_{K+1}·(beta·|out| + Σ|a·b|): ${worst.toFixed(3)}`);
  });

  it("operands resident in the module's memory (used in place)", { skip: !wasm?.resident && "no shared memory" }, () => {
    const mem = wasm!.resident!;
    const place = (v: Float32Array) => { const r = mem.alloc(v.length); r.set(v); return r; };
    sweep(wasm!, 2, place);
  });

  it("the unshared-memory build (ordinary browser pages), memory growing between calls", () => {
    const rt = createRuntime("simd");
    assert.ok(rt, "the plain SIMD build must load here");
    const k = wasmKernelsOn(rt);
    const rng = new Rng(3);
    const before = rt.memory.buffer.byteLength;
    check(k, { m: 200, n: 300, k: 50, beta: 1, orient: "NT", pad: 2 }, rng);
    check(k, { m: 600, n: 400, k: 100, beta: 0, orient: "NN", pad: 1 }, rng);
    assert.ok(rt.memory.buffer.byteLength > before, "the test must make the memory grow");
    sweep(k, 4);
  });

  it("the relaxed-SIMD build (in a child Node with relaxed SIMD enabled when this one has none)", () => {
    const rt = createRuntime("relaxed");
    if (rt) { sweep(wasmKernelsOn(rt), 5); return; }
    const child = spawnSync(process.execPath, ["--experimental-wasm-relaxed-simd", "--import", "tsx", new URL("./relaxed-child.ts", import.meta.url).pathname], { encoding: "utf8" });
    assert.equal(child.status, 0, `relaxed-SIMD child failed:\n${child.stdout}\n${child.stderr}`);
    assert.match(child.stdout, /relaxed-simd ok/);
  });

  it("long sums are blocked: K = 8192 within γ_{KC + ⌈K/KC⌉}·Σ|a·b|, KC = 256 (in order, γ_{8192})", () => {
    // equal-signed terms of one size: the case where a sum in order piles up its roundings
    const K = 8192, KC = 256, M = 5, N = 30, u = 2 ** -24, n = KC + Math.ceil(K / KC), gamma = (n * u) / (1 - n * u);
    const a = new Float32Array(M * K).fill(1);
    const b = Float32Array.from({ length: N * K }, (_, i) => 0.1 + (Math.floor(i / K) % 7) * 1e-3);
    for (const beta of [0, 1] as const) {
      const out = Float32Array.from({ length: M * N }, (_, i) => (beta ? 1 + (i % 3) : 0));
      const start = out.slice();
      wasm!.matmulNT(out, 0, N, a, 0, K, b, 0, K, M, N, K, beta);
      let worst = 0;
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let exact = beta * start[i * N + j]!, mag = Math.abs(exact);
          for (let p = 0; p < K; p++) { const t = a[i * K + p]! * b[j * K + p]!; exact += t; mag += Math.abs(t); }
          worst = Math.max(worst, Math.abs(out[i * N + j]! - exact) / (gamma * mag));
        }
      }
      console.log(`# K = ${K}, beta ${beta}: worst error / blocked bound ${worst.toFixed(3)}`);
      assert.ok(worst <= 1, `beta ${beta}: error ${worst.toFixed(2)}× the blocked-sum bound`);
    }
  });

  it("k = 0 writes zeros (beta 0) or leaves out alone (beta 1)", () => {
    const out = Float32Array.of(5, 6, 7, 8);
    wasm!.matmulNT(out, 0, 2, new Float32Array(4), 0, 0, new Float32Array(4), 0, 0, 2, 2, 0, 1);
    assert.deepEqual([...out], [5, 6, 7, 8]);
    wasm!.matmul(out, 0, 2, new Float32Array(4), 0, 0, new Float32Array(4), 0, 0, 2, 2, 0, 0);
    assert.deepEqual([...out], [0, 0, 0, 0]);
  });

  it("a row does not depend on the other rows: one-row products equal the rows of a many-row one, bit for bit", () => {
    const rng = new Rng(6);
    for (const orient of ["NN", "NT", "TN"] as const) {
      for (const [m, n, K] of [[13, 37, 29], [64, 24, 130], [7, 1, 5], [21, 100, 70]] as const) {
        const a = rand(rng, m * K), b = rand(rng, K * n), full = new Float32Array(m * n);
        const f = orient === "NN" ? wasm!.matmul : orient === "NT" ? wasm!.matmulNT : wasm!.matmulTN;
        // TN reads A as [K, M]: a row of the output is a column of A
        const lda = orient === "TN" ? m : K, ldb = orient === "NT" ? K : n;
        f.call(wasm!, full, 0, n, a, 0, lda, b, 0, ldb, m, n, K, 0);
        for (let i = 0; i < m; i++) {
          const row = new Float32Array(n);
          f.call(wasm!, row, 0, n, a, orient === "TN" ? i : i * K, lda, b, 0, ldb, 1, n, K, 0);
          assert.deepEqual([...row], [...full.subarray(i * n, (i + 1) * n)], `${orient} row ${i} of ${m}`);
        }
      }
    }
  });

  it("packing A (products at least 96 wide) changes no bit", () => {
    const rt = wasmRuntime()!, rng = new Rng(8);
    for (const orient of ["NN", "NT", "TN"] as const) {
      for (const [m, n, K] of [[67, 130, 131], [133, 100, 300], [8, 768, 256], [5, 96, 4]] as const) {
        const a = rand(rng, m * K), b = rand(rng, K * n), init = rand(rng, m * n);
        const f = orient === "NN" ? wasm!.matmul : orient === "NT" ? wasm!.matmulNT : wasm!.matmulTN;
        const lda = orient === "TN" ? m : K, ldb = orient === "NT" ? K : n;
        const run = (beta: 0 | 1) => { const o = Float32Array.from(init); f.call(wasm!, o, 0, n, a, 0, lda, b, 0, ldb, m, n, K, beta); return o; };
        for (const beta of [0, 1] as const) {
          const packed = run(beta);
          rt.x.setPackBuffer(0);
          try {
            const inPlace = run(beta);
            assert.deepEqual(packed, inPlace, `${orient} ${m}×${n}×${K} beta ${beta}`);
          } finally {
            rt.x.setPackBuffer(rt.packBufferOf(0));
          }
        }
      }
    }
  });

  it("sumRows sums in float64 like the reference", () => {
    const rng = new Rng(7);
    for (const [m, n] of [[1, 1], [5, 3], [300, 17], [6400, 40]] as const) {
      const a = rand(rng, m * (n + 3)), out = rand(rng, n), ref = Float32Array.from(out);
      wasm!.sumRows(out, 0, a, 0, n + 3, m, n);
      const exp = Float64Array.from(ref);
      reference64.sumRows(exp, 0, Float64Array.from(a), 0, n + 3, m, n);
      for (let j = 0; j < n; j++) assert.equal(out[j], Math.fround(exp[j]!), `m=${m} column ${j}`);
    }
  });
});

describe("wasm packed parameter blocks: once per version, repacked when it changes", { skip: wasm === null && "no WebAssembly SIMD here" }, () => {
  it("follows the version, and the sampled safety net catches an unannounced change at the next begin()", () => {
    const params = Float32Array.from({ length: 3 + 40 * 24 }, (_, i) => Math.sin(i));
    let version = 0;
    const k = wasmKernels({ params: () => params, version: () => version })!;
    const W = params.subarray(3); // [40, 24] inside the bound buffer
    const x = Float32Array.from({ length: 5 * 24 }, (_, i) => Math.cos(i));
    const run = () => { const y = new Float32Array(5 * 40); k.matmulNT(y, 0, 40, x, 0, 24, W, 0, 24, 5, 40, 24, 0); return y; };
    const ref = () => { const y = new Float64Array(5 * 40); reference64.matmulNT(y, 0, 40, Float64Array.from(x), 0, 24, Float64Array.from(W), 0, 24, 5, 40, 24, 0); return y; };
    const close = (a: Float32Array, b: Float64Array) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-5);
    assert.ok(close(run(), ref()), "first use");
    W[7] = 9; version++; // announced change
    assert.ok(close(run(), ref()), "after a version bump");
    W.fill(0.5); // an optimiser-like change of every value without a bump, then the next call's begin()
    k.begin!();
    assert.ok(close(run(), ref()), "after an unannounced change of every value");
  });
});
