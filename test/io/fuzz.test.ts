// Fuzz: mutated files thrown at each reader (gated model file, PyTorch safetensors and .pt, ONNX
// import and interpreter, TF.js model.json + weights, Keras 3 .keras; formats and damage in
// helpers/fuzz-formats.ts). For every damaged file:
//   - a failure is a typed GatedError (no TypeError, RangeError or crash), and no file takes long;
//   - no file loads without an error unless its outputs equal the undamaged file's outputs, bit
//     for bit, except where the format itself cannot tell the damage (a weight byte overwritten in
//     place in a format without checksums, a config value replaced by a valid one of the same
//     kind); even then, NaN or infinite outputs from a file whose own outputs are finite fail.
// Seeded; FUZZ_N=10000 runs that many files per format, FUZZ_VERBOSE=1 lists the errors seen.
// scripts/fuzz-report.ts prints the same counts as a table.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { GatedError } from "../../src/errors/index.js";
import { mulberry32 } from "./helpers/model.js";
import { FORMATS, type Attempt } from "./helpers/fuzz-formats.js";
import { newlyNonFinite, sameOutputs } from "./helpers/mutate.js";

interface Tally { typed: number; ok: number; crashes: string[]; silent: string[]; slowest: number; kinds: Map<string, number> }

async function fuzz(n: number, seed: number, attempt: (r: () => number) => Promise<Attempt> | Attempt): Promise<Tally> {
  const r = mulberry32(seed), t: Tally = { typed: 0, ok: 0, crashes: [], silent: [], slowest: 0, kinds: new Map() };
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    try {
      const a = await attempt(r);
      t.ok++;
      if (!sameOutputs(a.out, a.ref) && (!a.undetectable || newlyNonFinite(a.out, a.ref))) t.silent.push(`#${i}: loaded with other outputs; damage ${a.damage}`);
    } catch (e) {
      if (e instanceof GatedError) {
        t.typed++;
        const kind = `${e.name}: ${e.message.replace(/[0-9]+/g, "#").slice(0, 60)}`;
        t.kinds.set(kind, (t.kinds.get(kind) ?? 0) + 1);
      } else t.crashes.push(`#${i}: ${(e as Error)?.stack?.split("\n").slice(0, 3).join(" | ") ?? String(e)}`);
    }
    t.slowest = Math.max(t.slowest, performance.now() - t0);
  }
  return t;
}

function check(name: string, t: Tally): void {
  console.log(`# fuzz ${name}: ${t.typed} typed errors (${t.kinds.size} distinct), ${t.ok} read, ${t.crashes.length} crashes, ${t.silent.length} silent, slowest ${t.slowest.toFixed(0)} ms`);
  if (process.env.FUZZ_VERBOSE) for (const [k, v] of [...t.kinds].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`#   ${v} × ${k}`);
  assert.equal(t.crashes.length, 0, `${name}: untyped errors:\n${t.crashes.slice(0, 5).join("\n")}`);
  assert.equal(t.silent.length, 0, `${name}: damaged files loaded without an error and with other outputs:\n${t.silent.slice(0, 5).join("\n")}`);
  assert.ok(t.slowest < 1000, `${name}: one file took ${t.slowest.toFixed(0)} ms`);
}

describe("fuzz: damaged files give typed errors or the undamaged outputs, never a crash, a hang or other numbers", () => {
  for (const f of FORMATS) {
    const n = Number(process.env.FUZZ_N ?? f.n);
    it(`${f.name} (${n} files)`, async () => check(f.name, await fuzz(n, f.seed, await f.setup())));
  }
});
