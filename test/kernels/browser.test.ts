// The same kernel module in a browser: the library core bundled for the browser (esbuild, platform
// "browser": any `node:` import in the core would fail the bundle) runs in Debian's chromium,
// headless, from a file:// page without cross-origin isolation: the unshared-memory build, chosen
// with WebAssembly.validate (relaxed SIMD where Chromium has it); `await loadWasm()` compiles it
// asynchronously (an engine may refuse a synchronous compile on a page's main thread; "auto" then
// falls back to the reference until it is loaded).
// Checks a matrix product against the float64 reference and a GRU layer, forward and backward,
// against the reference backend; on the relaxed build, an int8 forward (wasm-int8-case.ts) equal bit
// for bit to Node's. Never skips: without /usr/bin/chromium it fails and says why.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

describe("wasm kernels in headless chromium", () => {
  it("the browser bundle loads the same module and matches the reference", { timeout: 120_000 }, async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/ensure-chromium.sh (as root) to install Debian's chromium`);
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL("./browser-entry.ts", import.meta.url))],
      bundle: true, platform: "browser", format: "iife", write: false, logLevel: "silent",
    });
    const dir = mkdtempSync(join(tmpdir(), "gated-wasm-"));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
    try {
      const file = join(dir, "index.html");
      writeFileSync(file, `<!doctype html><meta charset="utf-8"><title>gated wasm</title><script>${bundle.outputFiles[0]!.text}</script>`);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
      const r = await page.evaluate(() => (globalThis as unknown as { runChecks(): Promise<Record<string, unknown>> }).runChecks());
      const int8 = r.int8 as number[] | null;
      delete r.int8;
      console.log(`# chromium: ${JSON.stringify(r)}`);
      assert.deepEqual(errors, []);
      assert.match(String(r.before), /^(reference-float32|wasm-)/);
      assert.equal(r.loaded, true);
      assert.match(String(r.variant), /^(simd|relaxed)$/, "a page without cross-origin isolation gets the unshared build");
      assert.match(String(r.kernels), /^wasm-/);
      assert.match(String(r.layer), /^wasm-/);
      assert.ok((r.gemm as number) < 1e-5, `product off by ${r.gemm}`);
      assert.ok((r.gru as number) < 1e-5, `GRU off by ${r.gru}`);
      if (r.variant === "relaxed") {
        // the same int8 forward in Node (relaxed SIMD turned on in a child): the same bits
        const src = (f: string) => JSON.stringify(fileURLToPath(new URL(f, import.meta.url)));
        const node = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `
          import { useRelaxedSimd } from ${src("../../src/kernels/relaxed-simd.ts")};
          if (!useRelaxedSimd()) throw new Error("no relaxed SIMD in this Node");
          const { int8Case } = await import(${src("./wasm-int8-case.ts")});
          console.log(JSON.stringify(int8Case()));
        `], { encoding: "utf8" });
        assert.equal(node.status, 0, node.stderr);
        const want = JSON.parse(node.stdout.trim().split("\n").pop()!) as number[];
        assert.ok(int8 && int8.length === want.length, `int8 outputs: ${int8?.length} in chromium, ${want.length} in Node`);
        const differ = want.filter((v, i) => !Object.is(v, int8[i])).length;
        console.log(`# chromium int8: ${want.length} outputs, ${differ} differ from Node's`);
        assert.equal(differ, 0, "int8 outputs differ between chromium and Node");
      }
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
