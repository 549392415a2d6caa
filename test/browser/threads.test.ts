// The kernels' thread pool in a browser (Debian's chromium, headless, through playwright-core): the
// library bundled for the browser (esbuild, platform "browser": a `node:` import would fail the
// bundle), pages served from memory by a server on 127.0.0.1 (page-server.ts), closed after.
// - A cross-origin-isolated page (COOP/COEP): enableThreads(2) starts a Web Worker from a Blob URL,
//   and a GRU's forward pass and training step (workload.ts) split between the threads give the
//   same bits as one thread and as Node (the same kernel build: relaxed SIMD, turned on here for
//   Node 20 as the gated command does). From the page's main thread, which may not block, and from a
//   dedicated worker, which may.
// - A page that is not isolated has no SharedArrayBuffer: enableThreads resolves to 1, same bits.
// - The data entry (gated/data/browser) bundles alone for the browser, with nothing from `node:`
//   or a Node-only folder, and loads CO2 and a CSV string in the page as it does in Node.
// Never skips: without /usr/bin/chromium it fails and says why.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { loadDataset } from "../../src/data/browser.js";
import { OptionError } from "../../src/errors/index.js";
import { useRelaxedSimd } from "../../src/kernels/relaxed-simd.js";
import { WEB_WORKER_SOURCE } from "../../src/kernels/threads.js";
import { INDEX_HTML, servePages, type PageServer } from "./page-server.js";
import { dataDigests, threadRun, type ThreadRun } from "./workload.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

useRelaxedSimd(); // as Chromium has it on: the same build on both sides

interface PageApi { threadRun(n: number, workerUrl?: string): Promise<ThreadRun>; dataDigests(): Promise<Record<string, string | number>> }

describe("thread pool and data entry in headless chromium", () => {
  let browser: Browser | undefined, server: PageServer | undefined;
  let node1: ThreadRun, node2: ThreadRun;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/ensure-chromium.sh (as root) to install Debian's chromium`);
    const bundle = await build({ entryPoints: [here("./threads-entry.ts")], bundle: true, platform: "browser", format: "iife", write: false, logLevel: "silent" });
    server = await servePages({
      "index.html": INDEX_HTML,
      "app.js": { body: bundle.outputFiles[0]!.text, type: "text/javascript" },
      "pool-worker.js": { body: WEB_WORKER_SOURCE, type: "text/javascript" },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
    node1 = await threadRun(1);
    node2 = await threadRun(2);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(prefix: "iso" | "plain"): Promise<{ page: Page; errors: string[] }> {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(`${server!.origin}/${prefix}/index.html`, { waitUntil: "load" });
    return { page, errors };
  }

  it("Node: 2 threads split the calls and give the bits of 1 thread", { timeout: 30_000 }, () => {
    assert.equal(node2.threads, 2, `two threads expected in Node, got ${node2.threads}: ${node2.reason}`);
    assert.equal(node2.host, "node worker_threads");
    assert.ok(node2.splits > 0, "no call was split");
    assert.deepEqual(node2.digests, node1.digests);
  });

  it("an isolated page: 2 threads (Web Workers, main thread polling) give the bits of 1 thread and of Node", { timeout: 60_000 }, async () => {
    const { page, errors } = await open("iso");
    try {
      assert.equal(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated), true);
      const one = await page.evaluate(() => (globalThis as unknown as PageApi).threadRun(1));
      const two = await page.evaluate(() => (globalThis as unknown as PageApi).threadRun(2));
      console.log(`# isolated page: ${JSON.stringify({ ...two, digests: undefined })}`);
      assert.equal(two.threads, 2, `two threads expected, got ${two.threads}: ${two.reason}`);
      assert.equal(two.host, "web workers");
      assert.equal(two.blocks, false, "a page's main thread may not block: it polls");
      assert.match(two.variant, /Shared$/);
      assert.equal(two.variant, node2.variant, "the same kernel build as Node");
      assert.ok(two.splits > 0, "no call was split");
      assert.deepEqual(one.digests, node1.digests, "one thread in the page differs from Node");
      assert.deepEqual(two.digests, node1.digests, "two threads in the page differ from one");
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  it("a dedicated worker of an isolated page: 2 threads (nested workers, blocking waits) give the same bits", { timeout: 60_000 }, async () => {
    const { page, errors } = await open("iso");
    try {
      const two = await page.evaluate(() => new Promise<{ ok?: ThreadRun; error?: string }>((resolve) => {
        const W = (globalThis as unknown as { Worker: new (u: string) => { onmessage: (e: { data: unknown }) => void; onerror: (e: { message: string }) => void; postMessage(m: unknown): void; terminate(): void } }).Worker;
        const w = new W("app.js");
        w.onmessage = (e) => { w.terminate(); resolve(e.data as { ok?: ThreadRun; error?: string }); };
        w.onerror = (e) => { w.terminate(); resolve({ error: e.message }); };
        w.postMessage(2);
      }));
      assert.ok(two.ok, `the worker failed: ${two.error}`);
      console.log(`# worker of an isolated page: ${JSON.stringify({ ...two.ok, digests: undefined })}`);
      assert.equal(two.ok.threads, 2, `two threads expected, got ${two.ok.threads}: ${two.ok.reason}`);
      assert.equal(two.ok.blocks, true, "a dedicated worker sleeps while it waits");
      assert.ok(two.ok.splits > 0, "no call was split");
      assert.deepEqual(two.ok.digests, node1.digests);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  it("an isolated page whose workers run from a served script (the workerUrl option) gives the same bits", { timeout: 60_000 }, async () => {
    const { page, errors } = await open("iso");
    try {
      const two = await page.evaluate(() => (globalThis as unknown as PageApi).threadRun(2, "pool-worker.js"));
      assert.equal(two.threads, 2, `two threads expected, got ${two.threads}: ${two.reason}`);
      assert.ok(two.splits > 0, "no call was split");
      assert.deepEqual(two.digests, node1.digests);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  it("a page that is not isolated falls back to one thread, with the same bits", { timeout: 60_000 }, async () => {
    const { page, errors } = await open("plain");
    try {
      assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), "undefined");
      const two = await page.evaluate(() => (globalThis as unknown as PageApi).threadRun(2));
      assert.equal(two.threads, 1);
      assert.match(String(two.reason), /shared memory/);
      assert.doesNotMatch(two.variant, /Shared$/);
      assert.equal(two.splits, 0);
      assert.deepEqual(two.digests, node1.digests);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  it("the data entry bundles for the browser without node: and loads CO2 and a CSV string as Node does", { timeout: 60_000 }, async () => {
    const alone = await build({ entryPoints: [here("../../src/data/browser.ts")], bundle: true, platform: "browser", format: "esm", write: false, metafile: true, logLevel: "silent" });
    const inputs = Object.keys(alone.metafile.inputs);
    assert.ok(inputs.some((f) => f.endsWith("src/data/co2-series.ts")), "the CO2 numbers are in the bundle");
    for (const f of inputs) assert.doesNotMatch(f, /(^|\/)(node|cli)\/|^node:/, `${f} is in the browser bundle`);
    for (const out of Object.values(alone.metafile.outputs)) for (const imp of out.imports) assert.fail(`the bundle imports ${imp.path}`);
    const { page, errors } = await open("plain");
    try {
      const got = await page.evaluate(() => (globalThis as unknown as PageApi).dataDigests());
      const want = await dataDigests();
      assert.equal(got.co2Rows, 746);
      assert.equal(got.csvRows, 40);
      assert.equal(got.csvColumns, "load,temp");
      assert.equal(got.csvLabel, "2024-01-01");
      assert.deepEqual(got, want);
      assert.deepEqual(errors, []);
      // a set read from an npm package is refused by name, with the way round
      await assert.rejects(loadDataset("births"), (e: Error) => e instanceof OptionError && /@stdlib\/datasets-ssa-us-births-2000-2014 and needs Node.*loadCsv/.test(e.message));
      await assert.rejects(loadDataset("nope"), (e: Error) => e instanceof OptionError && /valid names in a browser: co2, mackey-glass, adding, copy/.test(e.message));
    } finally {
      await page.close();
    }
  });
});
