// Worker threads change no bit: products and whole layers (forward and backward, every fused cell
// kind) give exactly what one thread gives, because rows are cut into chunks and every output
// element is computed the same way whatever thread computes it. (Not adaptive here: every large
// call is split, whatever else this machine is doing.)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { SplitJudge, disableThreads, enableThreads } from "../../src/kernels/threads.js";
import { wasmKernels } from "../../src/kernels/wasm/kernels.js";
import { JOB_GEMM, packedB, productChunk } from "../../src/kernels/wasm/product.js";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.js";
import { Recurrent } from "../../src/sequence/recurrent.js";
import { Rng } from "../../src/util/random.js";

const rt = wasmRuntime();

function rand(seed: number, n: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.range(-1, 1));
}

function layer(cell: "gru" | "mgu" | "lstm" | "rnn", reset?: "before" | "after", B = 16) {
  const H = 256, I = 64, T = 4;
  const net = new Recurrent({ cell, inputSize: I, hiddenSize: H, seed: 2, backend: "wasm", ...(reset ? { reset } : {}) } as never);
  const x = { data: rand(3, T * B * I), shape: [T, B, I] };
  return () => {
    const r = net.forward(x, { train: true });
    const g = net.backward(r.tape!, { data: rand(4, T * B * H), shape: [T, B, H] });
    return [r.output.data, r.finalState.data, g.dInput.data, g.dParams];
  };
}

describe("worker threads", { skip: (!rt || !rt.shared) && "no shared WebAssembly memory here" }, () => {
  let threads = 1;
  before(async () => { threads = await enableThreads(2, { adaptive: false }); });
  after(() => {
    // which thread takes a chunk depends on timing (a busy machine may leave the worker none)
    console.log(`# chunks run by the worker thread: ${rt?.parallel?.dispatched ?? 0}`);
    disableThreads();
  });

  it("start, and a large product splits without changing a bit", () => {
    assert.equal(threads, 2, "two threads expected");
    const k = wasmKernels()!;
    const [m, n, kk] = [300, 200, 150];
    const a = rand(1, m * kk), b = rand(2, n * kk);
    const run = () => { const y = new Float32Array(m * n); k.matmulNT(y, 0, n, a, 0, kk, b, 0, kk, m, n, kk, 0); return y; };
    const splits = rt!.parallel!.splits;
    const two = run();
    assert.ok(rt!.parallel!.splits > splits, "the product was not split");
    const saved = rt!.parallel; rt!.parallel = null;
    const one = run();
    rt!.parallel = saved;
    assert.deepEqual(two, one);
  });

  it("a pipelined call: need(c) returns with chunk c's rows done, whoever ran them", () => {
    // out = a · bᵀ in 12 chunks of rows at chunk slots 3 …, taken in order by this thread (need)
    // and the worker; rows of chunk c are checked right after need(c), before the later ones
    const k = wasmKernels()!, par = rt!.parallel!;
    const [m, n, kk, chunks] = [96, 72, 40, 12], rows = m / chunks;
    const a = rand(5, m * kk), b = rand(6, n * kk), want = new Float32Array(m * n);
    const saved = rt!.parallel; rt!.parallel = null;
    k.matmulNT(want, 0, n, a, 0, kk, b, 0, kk, m, n, kk, 0);
    rt!.parallel = saved;
    const ap = rt!.heap.alloc(m * kk * 4), b0 = rt!.heap.alloc(n * kk * 4), bp = rt!.heap.alloc(rt!.x.packedSize(n, kk) * 4);
    const op = rt!.heap.alloc(m * n * 4);
    rt!.f32.set(a, ap >> 2);
    rt!.f32.set(b, b0 >> 2);
    rt!.x.packNT(bp, b0, kk, n, kk);
    try {
      for (let round = 0; round < 20; round++) {
        rt!.f32.fill(NaN, op >> 2, (op >> 2) + m * n);
        const P = { op, ldo: n, ap, ars: kk * 4, acs: 4, ...packedB(bp, n, kk), m, n, k: kk, beta: 0 };
        for (let c = 0; c < chunks; c++) productChunk(rt!, 3 + c, P, c * rows, (c + 1) * rows);
        const before = par.pipelined;
        par.start(JOB_GEMM, 3, chunks, 2 * m * n * kk);
        try {
          for (let c = 0; c < chunks; c++) {
            par.need(c);
            const got = rt!.f32.subarray((op >> 2) + c * rows * n, (op >> 2) + (c + 1) * rows * n);
            assert.deepEqual(got, want.subarray(c * rows * n, (c + 1) * rows * n), `round ${round}, chunk ${c}`);
          }
        } finally {
          par.finish();
        }
        assert.equal(par.pipelined, before + 1);
      }
    } finally {
      for (const p of [ap, b0, bp, op]) rt!.heap.release(p);
    }
  });

  // B = 16: two chunks of 8 rows; B = 13: chunks of 8 and 5 (a row past the 4-row kernel's blocks)
  for (const [cell, reset, B] of [["gru", "after", 16], ["gru", "after", 13], ["gru", "before", 16], ["mgu", undefined, 16], ["lstm", undefined, 13], ["rnn", undefined, 16]] as const) {
    it(`${cell}${reset ? ` reset ${reset}` : ""}, B ${B}: forward and backward with rows split between threads equal one thread`, () => {
      const go = layer(cell, reset, B);
      const splits = rt!.parallel!.splits;
      const two = go();
      assert.ok(rt!.parallel!.splits > splits, "no call was split");
      const saved = rt!.parallel; rt!.parallel = null;
      const one = go();
      rt!.parallel = saved;
      two.forEach((v, i) => assert.deepEqual(v, one[i], `array ${i}`));
    });
  }
});

describe("enableThreads() in a script of its own", { skip: (!rt || !rt.shared) && "no shared WebAssembly memory here" }, () => {
  // With nothing else pending, Node ended such a script in the middle of `await enableThreads()`
  // (exit 13: the starting workers did not hold the process open), and under --input-type=module
  // the workers inherited that option and could not run their CommonJS source (one thread).
  it("a top-level await resolves to 2 threads, under --input-type=module too", () => {
    const threads = new URL("../../src/kernels/threads.ts", import.meta.url).pathname;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e",
      `import { enableThreads } from ${JSON.stringify(threads)}; console.log(await enableThreads(2));`], { encoding: "utf8" });
    assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
    assert.equal(r.stdout.trim(), "2");
  });
});

describe("when splitting pays (the adaptive switch)", () => {
  const LARGE = 1e8, SMALL = 1e6;
  it("stops splitting while workers take few chunks, and looks again after 100 ms or 64 calls", () => {
    let now = 0;
    const j = new SplitJudge(true, () => now);
    assert.equal(j.admit(LARGE), true, "splits at first");
    for (let i = 0; i < 10; i++) j.record(LARGE, 0); // the workers' core is busy: they take nothing
    assert.equal(j.admit(LARGE), false);
    assert.equal(j.admit(SMALL), true, "short calls are judged apart");
    now += 99;
    assert.equal(j.admit(LARGE), false, "not yet");
    now += 2;
    assert.equal(j.admit(LARGE), true, "a probe after 100 ms without a split");
    assert.equal(j.admit(LARGE), false, "and then not again at once");
    let probes = 0;
    for (let i = 0; i < 128; i++) if (j.admit(LARGE)) probes++;
    assert.equal(probes, 2, "one call in 64 however fast they come");
    // the core is free again: probes find the workers taking half the chunks, and splitting resumes
    for (let i = 0; i < 6; i++) j.record(LARGE, 0.5);
    assert.equal(j.admit(LARGE), true);
  });

  it("not adaptive: always splits", () => {
    const j = new SplitJudge(false, () => 0);
    for (let i = 0; i < 10; i++) j.record(LARGE, 0);
    assert.equal(j.admit(LARGE), true);
  });
});
