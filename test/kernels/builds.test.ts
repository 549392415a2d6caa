// Every cell against the float64 reference (cells.test.ts), the one-call time loop against the
// step loop (loop.test.ts), batch normalisation against its reference (norm.test.ts) and the
// activations' error bounds (activations.test.ts), again on the other builds of the kernel module,
// each in a child Node:
//   relaxed SIMD (fused multiply-add in every product, gate and activation polynomial), with the
//   flag Node 20 needs;
//   unshared memory (a web page without cross-origin isolation: no SharedArrayBuffer, so every
//   buffer outside the module's memory is copied in and out around each call, whole loops included).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { createRuntime, wasmRuntime } from "../../src/kernels/wasm/runtime.js";

const here = (f: string) => new URL(f, import.meta.url).pathname;

/** Runs cells.test.ts, loop.test.ts, norm.test.ts and activations.test.ts in a child Node with `flags`; its runtime must be `variant`. */
function childTests(flags: string[], variant: RegExp, what: string): void {
  const probe = spawnSync(process.execPath, [...flags, "-e",
    `import("${here("../../src/kernels/wasm/runtime.ts")}").then((m) => console.log(m.wasmRuntime()?.variant))`], { encoding: "utf8" });
  assert.match(probe.stdout.trim(), variant, `the child Node does not load the ${what} build: ${probe.stdout} ${probe.stderr}`);
  // a child of a test run reports to its parent's runner unless NODE_TEST_CONTEXT is cleared
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawnSync(process.execPath, [...flags, "--test", "--test-reporter", "tap", here("./cells.test.ts"), here("./loop.test.ts"), here("./norm.test.ts"), here("./activations.test.ts")], { encoding: "utf8", env });
  const summary = child.stdout.split("\n").filter((l) => /^# (pass|fail) |^#.*(worst \||max (abs |rel )?error)/.test(l)).join("\n");
  console.log(summary.replace(/^/gm, `# ${what}: `));
  assert.equal(child.status, 0, `${what} build: cell tests failed:\n${child.stdout.slice(-4000)}\n${child.stderr.slice(-2000)}`);
  assert.match(child.stdout, /^# fail 0$/m);
}

describe("the other builds of the kernel module", { skip: wasmRuntime() === null && "no WebAssembly SIMD here" }, () => {
  it("relaxed SIMD: the cell parity and time-loop tests pass", { skip: wasmRuntime()?.relaxed === true && "this Node runs the relaxed build already: cells.test.ts is that test" }, () => {
    const flag = createRuntime("relaxed") ? [] : ["--experimental-wasm-relaxed-simd"];
    childTests([...flag, "--import", "tsx"], /^relaxed/, "relaxed-SIMD");
  });

  it("unshared memory: the cell parity and time-loop tests pass", () => {
    childTests(["--import", "tsx", "--import", here("../helpers/no-shared-memory.mjs")], /^(simd|relaxed)$/, "unshared-memory");
  });
});
