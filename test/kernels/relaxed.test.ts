// Every cell against the float64 reference (cells.test.ts) and the one-call time loop against the
// step loop (loop.test.ts), again on the relaxed-SIMD build (fused multiply-add in every product
// and gate): in a child Node with relaxed SIMD enabled when this one runs the plain build.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { createRuntime, wasmRuntime } from "../../src/kernels/wasm/runtime.js";

const here = (f: string) => new URL(f, import.meta.url).pathname;

describe("the relaxed-SIMD build", { skip: wasmRuntime() === null && "no WebAssembly SIMD here" }, () => {
  it("passes the cell parity and time-loop tests", { skip: wasmRuntime()?.relaxed === true && "this Node runs the relaxed build already: cells.test.ts is that test" }, () => {
    const flag = createRuntime("relaxed") ? [] : ["--experimental-wasm-relaxed-simd"];
    const probe = spawnSync(process.execPath, [...flag, "--import", "tsx", "-e",
      `import("${here("../../src/kernels/wasm/runtime.ts")}").then((m) => console.log(m.wasmRuntime()?.variant))`], { encoding: "utf8" });
    assert.match(probe.stdout, /^relaxed/, `the child Node does not load the relaxed build: ${probe.stdout} ${probe.stderr}`);
    // a child of a test run reports to its parent's runner unless NODE_TEST_CONTEXT is cleared
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawnSync(process.execPath, [...flag, "--import", "tsx", "--test", "--test-reporter", "tap", here("./cells.test.ts"), here("./loop.test.ts")], { encoding: "utf8", env });
    const summary = child.stdout.split("\n").filter((l) => /^# (pass|fail) |worst \|/.test(l)).join("\n");
    console.log(summary.replace(/^/gm, "# relaxed: "));
    assert.equal(child.status, 0, `relaxed-SIMD cell tests failed:\n${child.stdout.slice(-4000)}\n${child.stderr.slice(-2000)}`);
    assert.match(child.stdout, /^# fail 0$/m);
  });
});
