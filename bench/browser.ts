// Browser against Node, one thread against two: `node --import tsx bench/browser.ts [--quick]
// [--not-adaptive] [--out FILE]`. S2 inference (B16 T50 I64 H256) and an S2 training step
// (forward, backward, SGD update), one GRU layer, float32, through gated's wasm kernels, in:
//   node          this process (relaxed SIMD turned on by useRelaxedSimd(), as the gated command does)
//   page          a cross-origin-isolated page's main thread in headless Chromium (the caller polls)
//   page worker   a dedicated worker of that page (the caller sleeps, as in Node: where a playground trains)
//   page, no isolation   a page without COOP/COEP: the unshared build, one thread only
// The library is bundled with esbuild (bench/browser-page.ts); pages come from a server on
// 127.0.0.1 (test/browser/page-server.ts), closed at the end. Rounds go through the environments in
// turn, so a busy moment on this shared machine hits them alike; a ratio is the median over rounds
// of the ratio within a round. Threads are adaptive unless --not-adaptive (then every large call
// is split, whatever else runs on the machine). Only ratios taken in one run mean anything.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Page } from "playwright-core";
import { useRelaxedSimd } from "../src/kernels/relaxed-simd.js";
import { INDEX_HTML, servePages } from "../test/browser/page-server.js";
import { BROWSER_WORKLOADS, benchRound, setupBench, type BenchSetup, type RoundTimes } from "./browser-work.js";
import { median } from "./measure.js";
import { flops } from "./workloads.js";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const ADAPTIVE = !args.includes("--not-adaptive");
const OUT = args.includes("--out") ? args[args.indexOf("--out") + 1] : undefined;
const WINDOW = QUICK ? 0.25 : 0.5;
const ROUNDS = QUICK ? 3 : 5;
const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const log = (s: string) => process.stderr.write(`${s}\n`);

/** One environment the rounds go through. */
interface Env {
  readonly name: string;
  setup(): Promise<BenchSetup>;
  round(seconds: number): Promise<RoundTimes>;
}

interface BenchApi { setupBench(adaptive: boolean): Promise<BenchSetup>; benchRound(seconds: number): Promise<RoundTimes> }

function pageEnv(name: string, page: Page): Env {
  return {
    name,
    setup: () => page.evaluate((a) => (globalThis as unknown as BenchApi).setupBench(a), ADAPTIVE),
    round: (s) => page.evaluate((x) => (globalThis as unknown as BenchApi).benchRound(x), s),
  };
}

/** A dedicated worker of `page` running the bundle, driven by messages. */
async function workerEnv(name: string, page: Page): Promise<Env> {
  await page.evaluate(() => {
    const g = globalThis as unknown as Record<string, unknown> & { Worker: new (u: string) => { onmessage: ((e: { data: unknown }) => void) | null; postMessage(m: unknown): void } };
    const w = new g.Worker("app.js");
    g.ask = (m: unknown) => new Promise((resolve, reject) => {
      w.onmessage = (e) => { const d = e.data as { ok?: unknown; error?: string }; if (d.error) reject(new Error(d.error)); else resolve(d.ok); };
      w.postMessage(m);
    });
  });
  type Ask = { ask(m: unknown): Promise<unknown> };
  return {
    name,
    setup: () => page.evaluate((a) => (globalThis as unknown as Ask).ask({ setup: a }), ADAPTIVE) as Promise<BenchSetup>,
    round: (s) => page.evaluate((x) => (globalThis as unknown as Ask).ask({ round: x }), s) as Promise<RoundTimes>,
  };
}

const fmt = (ms: number) => (ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

async function main(): Promise<void> {
  useRelaxedSimd();
  const bundle = await build({ entryPoints: [fileURLToPath(new URL("./browser-page.ts", import.meta.url))], bundle: true, platform: "browser", format: "iife", write: false, logLevel: "silent" });
  const server = await servePages({ "index.html": INDEX_HTML, "app.js": { body: bundle.outputFiles[0]!.text, type: "text/javascript" } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
  try {
    const open = async (prefix: string) => {
      const page = await browser.newPage();
      page.on("pageerror", (e) => log(`page error: ${e.message}`));
      await page.goto(`${server.origin}/${prefix}/index.html`, { waitUntil: "load" });
      return page;
    };
    const envs: Env[] = [
      { name: "node", setup: () => setupBench(ADAPTIVE), round: benchRound },
      pageEnv("page", await open("iso")),
      await workerEnv("page worker", await open("iso")),
      pageEnv("page, no isolation", await open("plain")),
    ];
    const setups: Record<string, BenchSetup> = {};
    for (const e of envs) {
      setups[e.name] = await e.setup();
      log(`${e.name}: ${JSON.stringify(setups[e.name])}`);
    }
    const times: Record<string, RoundTimes[]> = Object.fromEntries(envs.map((e) => [e.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      // rotate the order of the environments each round
      for (let i = 0; i < envs.length; i++) {
        const e = envs[(i + r) % envs.length]!;
        times[e.name]!.push(await e.round(WINDOW));
      }
      log(`round ${r + 1}/${ROUNDS} done`);
    }
    report(envs.map((e) => e.name), setups, times);
  } finally {
    await browser.close();
    await server.close();
  }
}

function report(names: string[], setups: Record<string, BenchSetup>, times: Record<string, RoundTimes[]>): void {
  const lines: string[] = [];
  const result: Record<string, unknown> = { adaptive: ADAPTIVE, window: WINDOW, rounds: ROUNDS, setups, workloads: {} };
  lines.push(`gated in Chromium and Node: ${ROUNDS} rounds of ${WINDOW} s windows, threads ${ADAPTIVE ? "adaptive" : "not adaptive (every large call split)"}`);
  for (const w of BROWSER_WORKLOADS) {
    const gf = (ms: number) => (flops(w) / ms / 1e6).toFixed(1);
    lines.push(`\n${w.name} (B${w.B} T${w.T} I${w.I} H${w.H}${w.train ? ", forward + backward + update" : ""}): ms per call (GFLOP/s)`);
    lines.push(`  ${"".padEnd(20)} ${"1 thread".padStart(16)} ${"2 threads".padStart(16)}  2 threads / 1 (speed-up)   / node, 1 and 2 threads`);
    const rows: Record<string, unknown> = {};
    for (const n of names) {
      const rs = times[n]!.map((t) => t[w.name]!);
      const one = median(rs.map((t) => t.one));
      const twos = rs.filter((t) => t.two !== null);
      const two = twos.length ? median(twos.map((t) => t.two!)) : null;
      const speedup = twos.length ? median(twos.map((t) => t.one / t.two!)) : null;
      const node = times.node!.map((t) => t[w.name]!);
      const vsNode1 = median(rs.map((t, i) => t.one / node[i]!.one));
      const vsNode2 = two !== null && node[0]!.two !== null ? median(rs.map((t, i) => t.two! / node[i]!.two!)) : null;
      rows[n] = { one, two, speedup, vsNode1, vsNode2 };
      lines.push(`  ${n.padEnd(20)} ${`${fmt(one)} (${gf(one)})`.padStart(16)} ${(two === null ? "—" : `${fmt(two)} (${gf(two)})`).padStart(16)}  ${(speedup === null ? "—" : `${speedup.toFixed(2)}×`).padStart(24)}   ${n === "node" ? "" : `${vsNode1.toFixed(2)}× / ${vsNode2 === null ? "—" : `${vsNode2.toFixed(2)}×`}`}`);
    }
    (result.workloads as Record<string, unknown>)[w.name] = rows;
  }
  lines.push("\nthreads: " + names.map((n) => `${n} ${setups[n]!.threads} (${setups[n]!.variant}${setups[n]!.blocks === false ? ", caller polls" : ""})`).join("; "));
  console.log(lines.join("\n"));
  if (OUT) writeFileSync(OUT, JSON.stringify(result, null, 2));
}

await main();
