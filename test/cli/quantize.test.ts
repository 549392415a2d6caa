// gated quantize and the int8 precision of a saved model: a small CO2 GRU is trained, written in
// int8 (the check prints the RMSE of both and their times), evaluated and inspected as int8, turned
// back to float32 (the same file as before, bit for bit in its outputs); a LiGRU model is refused
// naming its layer; an int8 file exports to ONNX as itself, runs without the native kernels on
// relaxed-SIMD WebAssembly, and is refused with neither (and exported to another format), naming
// the way to its float32 form. Library: Model.fromBytes(bytes, { precision }) both ways.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nativeAddon } from "../../src/kernels/native/addon.js";
import { useNative } from "../../src/kernels/native/load-node.js";
import { Model } from "../../src/model/model.js";
import { gated } from "./run.js";

const vnni = useNative() && nativeAddon()!.int8() !== "portable";
const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;

describe("gated quantize", { skip: !vnni && "no native kernels with VNNI here: int8 is refused (test/kernels/int8.test.ts)" }, () => {
  let dir = "";
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gated-quantize-"));
    const r = await gated(["train", "--data", "co2", "--cell", "gru", "--hidden", "12", "--epochs", "2", "--out", join(dir, "co2.safetensors"), "--quiet", "--no-report", "--threads", "1"]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the int8 model and measures both", async () => {
    const r = await gated(["quantize", join(dir, "co2.safetensors"), "--out", join(dir, "co2-int8.safetensors")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /co2 → .*co2-int8\.safetensors \(recurrent layers in int8/);
    const m = /rmse float32 ([\d.]+), int8 ([\d.]+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const [f32, q8] = [Number(m[1]), Number(m[2])];
    assert.ok(Math.abs(q8 - f32) < 0.01 * f32 + 1e-3, `int8 RMSE ${q8} vs float32 ${f32}`);
    assert.match(r.stdout, /evaluation time: float32 [\d.]+ s, int8 [\d.]+ s \([\d.]+×; medians of \d+ alternating runs\)/);
    const e = await gated(["eval", join(dir, "co2-int8.safetensors"), "--json"]);
    assert.equal(e.code, 0, e.stderr);
    assert.equal(JSON.parse(e.stdout).metrics.rmse.toFixed(4), q8.toFixed(4));
    const i = await gated(["inspect", join(dir, "co2-int8.safetensors")]);
    assert.match(i.stdout, /recurrent .*precision int8/);
  });

  it("judges a CTC model by its label error rate (PER), not by a loss under another name", async () => {
    const m = join(dir, "ph.safetensors");
    const t = await gated(["train", "--data", "phonemes", "--hidden", "8", "--epochs", "1", "--out", m, "--quiet", "--no-report", "--threads", "1"]);
    assert.equal(t.code, 0, t.stderr);
    const r = await gated(["quantize", m, "--out", join(dir, "ph-int8.safetensors"), "--threads", "1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /phonemes \(test, \d+ labels\): PER float32 [\d.]+, int8 [\d.]+ /);
    assert.doesNotMatch(r.stdout, /rmse/);
  });

  it("turns it back to float32: the same outputs as the model it came from", async () => {
    const r = await gated(["quantize", join(dir, "co2-int8.safetensors"), "--out", join(dir, "co2-back.safetensors"), "--precision", "float32", "--no-check"]);
    assert.equal(r.code, 0, r.stderr);
    const a = Model.fromBytes(readFileSync(join(dir, "co2.safetensors"))), b = Model.fromBytes(readFileSync(join(dir, "co2-back.safetensors")));
    assert.deepEqual(b.spec.layers, a.spec.layers);
    const x = { data: new Float32Array(24 * 1).map((_, k) => Math.sin(k / 3)), shape: [1, 24, 1] };
    assert.deepEqual(Array.from(b.predict(x).data), Array.from(a.predict(x).data));
    const again = await gated(["quantize", join(dir, "co2.safetensors"), "--out", join(dir, "x.safetensors"), "--precision", "float32"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already runs in float32/);
  });

  it("library: fromBytes with a precision, both ways", () => {
    const bytes = readFileSync(join(dir, "co2.safetensors"));
    const f32 = Model.fromBytes(bytes), q8 = Model.fromBytes(bytes, { precision: "int8" });
    assert.equal(q8.spec.layers.find((l) => l.kind === "recurrent")!.precision, "int8");
    const x = { data: new Float32Array(24 * 2).map((_, k) => Math.cos(k / 5)), shape: [2, 24, 1] };
    const a = f32.predict(x).data, b = q8.predict(x).data;
    let d = 0;
    for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k]! - b[k]!));
    assert.ok(d > 0 && d < 0.05 * Math.max(...Array.from(a, Math.abs)), `int8 − float32 ${d}`);
    const back = Model.fromBytes(q8.toBytes(), { precision: "float32" });
    assert.deepEqual(Array.from(back.predict(x).data), Array.from(a));
  });

  it("refuses what int8 cannot run, and an int8 file without the native kernels", async () => {
    const ligru = new URL("../fixtures/speech/digits-ligru32.safetensors", import.meta.url).pathname;
    const r = await gated(["quantize", ligru, "--out", join(dir, "l.safetensors")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /layers\[0\] is a ligru layer \(int8 covers the GRU family and the LSTM\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    // ONNX writes the int8 model as itself (test/io/onnx-int8.test.ts); the other exporters would
    // write float32 weights and ops: refused, naming the float32 form
    const onnx = await gated(["export", join(dir, "co2-int8.safetensors"), "--format", "onnx", "--out", join(dir, "co2-int8.onnx")]);
    assert.equal(onnx.code, 0, onnx.stderr);
    assert.ok(readFileSync(join(dir, "co2-int8.onnx")).includes(Buffer.from("MatMulInteger")), "the ONNX file computes in int8");
    for (const format of ["pytorch-module", "keras"]) {
      const ex = await gated(["export", join(dir, "co2-int8.safetensors"), "--format", format, "--out", join(dir, `x-${format}`)]);
      assert.equal(ex.code, 1, `${format}: ${ex.stderr}`);
      assert.match(ex.stderr, /runs its recurrent layers in int8, which .* does not write .*gated quantize MODEL --precision float32/);
    }
    // without the native kernels it runs on the WebAssembly kernels' relaxed-SIMD build (7-bit
    // activations: close to the native int8 RMSE); with the plain-SIMD build too it is refused
    const wasm = spawnSync(process.execPath, ["--import", "tsx", main, "eval", join(dir, "co2-int8.safetensors"), "--json"], { encoding: "utf8", env: { ...process.env, GATED_NATIVE: "off" } });
    assert.equal(wasm.status, 0, wasm.stderr);
    assert.ok(Number.isFinite(JSON.parse(wasm.stdout).metrics.rmse), wasm.stdout);
    const off = spawnSync(process.execPath, ["--import", "tsx", main, "eval", join(dir, "co2-int8.safetensors")], { encoding: "utf8", env: { ...process.env, GATED_NATIVE: "off", GATED_SIMD: "plain" } });
    assert.equal(off.status, 1);
    assert.match(off.stderr, /runs its recurrent layers in int8, which needs the native kernels .*load it with \{ precision: "float32" \}/);
  });
});
