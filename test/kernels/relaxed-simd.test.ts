// useRelaxedSimd() (gated/node): in a child Node started without any flag, it makes the kernels
// load their relaxed-SIMD build (on Node 20 by turning V8's flag on; Node ≥ 22 has it on), the
// worker threads run that build too, and a GRU forward and backward on it are as close to the
// float64 reference as the plain build's; called after the plain build is loaded, it throws a StateError that says so.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.js";

const here = (f: string) => new URL(f, import.meta.url).pathname;
const src = (f: string) => JSON.stringify(here(`../../src/${f}`));

/** Runs an ES module body in a child Node (tsx, no V8 flags); its last stdout line parsed as JSON. */
function child(body: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", body], { encoding: "utf8" });
  assert.equal(r.status, 0, `child Node failed:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
}

describe("useRelaxedSimd()", { skip: wasmRuntime() === null && "no WebAssembly SIMD here" }, () => {
  // A GRU forward and backward, on two threads, against float64: worst error relative to max(1, |ref|)
  const gru = (relaxed: boolean) => child(`
    import { useRelaxedSimd } from ${src("kernels/relaxed-simd.ts")};
    import { wasmRuntime } from ${src("kernels/wasm/runtime.ts")};
    import { enableThreads, disableThreads } from ${src("kernels/threads.ts")};
    import { Recurrent } from ${src("sequence/recurrent.ts")};
    import { Rng } from ${src("util/random.ts")};
    const on = ${relaxed} ? useRelaxedSimd() : null;
    const threads = await enableThreads(2);
    const rng = new Rng(11);
    const [T, B, I, H] = [12, 48, 40, 96];
    const x = Float32Array.from({ length: T * B * I }, () => rng.range(-1, 1));
    const dY = Float32Array.from({ length: T * B * H }, () => rng.range(-1, 1));
    const res = ["float32", "float64"].map((dtype) => {
      const net = new Recurrent({ cell: "gru", inputSize: I, hiddenSize: H, backend: dtype === "float32" ? "wasm" : "reference", dtype, seed: 5 });
      const r = net.forward({ data: x, shape: [T, B, I] }, { train: true });
      const g = dtype === "float32" ? new Float32Array(net.paramCount) : new Float64Array(net.paramCount);
      net.backward(r.tape, { data: dY, shape: [T, B, H] }, { into: g });
      return { y: r.output.data, g };
    });
    const err = (a, b) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]))); return m; };
    const rt = wasmRuntime();
    console.log(JSON.stringify({ on, variant: rt.variant, threads, dispatched: rt.parallel?.dispatched ?? 0, y: err(res[0].y, res[1].y), g: err(res[0].g, res[1].g) }));
    disableThreads();
  `);

  it("loads the relaxed build without a flag; on two threads it is as close to float64 as the plain build", () => {
    const relaxed = gru(true), plain = gru(false);
    console.log(`relaxed: forward ${(relaxed.y as number).toExponential(2)}, gradients ${(relaxed.g as number).toExponential(2)}; ` +
      `plain (${String(plain.variant)}): ${(plain.y as number).toExponential(2)}, ${(plain.g as number).toExponential(2)}`);
    assert.equal(relaxed.on, true, "useRelaxedSimd() should report the relaxed build on this Node");
    assert.match(String(relaxed.variant), /^relaxed/);
    assert.equal(relaxed.threads, 2);
    assert.ok((relaxed.dispatched as number) > 0, "no chunk ran on a worker thread");
    // forward: the parity bar of cells.test.ts; gradients: weight gradients are float32 sums over
    // B·T = 576 terms, whose rounding the plain build shows; fused multiply-add only drops roundings
    assert.ok((relaxed.y as number) < 3e-7, `forward ${relaxed.y}`);
    assert.ok((relaxed.g as number) <= 2 * (plain.g as number), `gradients ${relaxed.g} against the plain build's ${plain.g}`);
  });

  it("after the plain build is loaded: a StateError saying to call it first", () => {
    const out = child(`
      import { useRelaxedSimd } from ${src("kernels/relaxed-simd.ts")};
      import { wasmRuntime, relaxedSimdValidates } from ${src("kernels/wasm/runtime.ts")};
      const variant = wasmRuntime().variant;
      let error = null, result = null;
      try { result = useRelaxedSimd(); } catch (e) { error = { name: e.name, code: e.code, message: e.message }; }
      console.log(JSON.stringify({ variant, error, result, validates: relaxedSimdValidates() }));
    `);
    if (String(out.variant).startsWith("relaxed")) {
      assert.equal(out.result, true, "already relaxed (Node ≥ 22): nothing to do, true");
    } else {
      const e = out.error as { name: string; code: string; message: string };
      assert.equal(e.name, "StateError");
      assert.equal(e.code, "state");
      assert.match(e.message, /already loaded with the plain-SIMD build.*before the first model/);
      assert.equal(out.validates, false, "a refused call must not turn the flag on behind the loaded build");
    }
  });
});
