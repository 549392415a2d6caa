// `npm run bench`: gated against its peers on the issue-5 workloads, in one run, interleaved.
//
//   S1 B1 T100 I64 H128, S2 B16 T50 I64 H256, S3 B64 T100 I256 H512 inference, S1 and S2 training
//   (forward + backward + SGD update); one GRU layer, float32, full output sequence.
//   Participants: gated on 1 and 2 threads (WebAssembly kernels), gated on the native kernels (one
//   thread; useNative(), when native/build has the binary for this platform), onnxruntime-node (1, 2 threads), onnxruntime-web
//   (wasm; 1 thread in this process, 2 threads in a child process), TF.js wasm and cpu backends, and
//   PyTorch CPU on one thread (inference and training) where a Python with torch is found
//   (bench/peers/pytorch.ts; left out with the reason otherwise, --no-torch to leave it out).
//   Then, in fresh processes, the LSTM on the same shapes and int8: bench/native.ts (native kernels,
//   WebAssembly, ORT-node for the GRU, PyTorch, native int8) and bench/wasm-int8.ts (int8 on the
//   WebAssembly kernels' relaxed-SIMD build), their tables appended to the report.
//
// Every figure is the median of its windows; a window repeats the call for WINDOW seconds and
// counts its time per call. Rounds go through every workload and peer in turn (the order rotates
// each round), with gated's windows (wasm ×1, ×2, native ×1) before and after each peer's; a ratio is the median over a
// peer's windows of its time over gated's around it, so a busy moment on this shared machine
// hits both sides of a ratio alike; only ratios taken in one run mean anything. TF.js cpu is very slow: it gets
// 2 windows of one call each, of T/k steps (the time is scaled by k: its work is linear in T). Options: --quick (short windows, 3 rounds), --plain (gated on plain SIMD, not relaxed), --no-native (leave the native kernels out), --no-torch (leave PyTorch out), --out FILE (default bench/results/latest.json).
import { fork, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nativeIsa, nativeUnavailable, useNative } from "../src/kernels/native/load-node.js";
import { useRelaxedSimd } from "../src/kernels/relaxed-simd.js";
import { enableThreads } from "../src/kernels/threads.js";
import { relaxedSimdValidates, wasmRuntime } from "../src/kernels/wasm/runtime.js";
import { Recurrent } from "../src/sequence/recurrent.js";
import { measure, median, type Measurer, type Window } from "./measure.js";
import { gatedRunner, gatedStream, gruCall, gruNet } from "./peers/gated.js";
import { breakdown, ceiling, type Breakdown } from "./profile.js";
import { ortNodeRunner, ortStream, ortWebRunner } from "./peers/ort.js";
import { torchPeer, type TorchPeer } from "./peers/pytorch.js";
import { tfjsRunner } from "./peers/tfjs.js";
import { gruWeights, type GruWeights } from "./peers/weights.js";
import { WORKLOADS, flops, random, type Runner, type Workload } from "./workloads.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const OUT = args.includes("--out") ? args[args.indexOf("--out") + 1]! : join(HERE, "results", "latest.json");
const WINDOW = QUICK ? 0.2 : 0.4;
const ROUNDS = QUICK ? 3 : 5;
const SLOW_ROUNDS = 2;
/**
 * TF.js cpu runs T / k steps (the time is scaled by k: its work is linear in T, one op chain per
 * step): a full S3 call takes minutes here.
 */
const TF_CPU_SCALE = (w: Workload): number => (w.name === "S3" ? 50 : w.B > 1 ? 5 : 2);
const started = performance.now();
const LOAD_START = loadavg();

// gated's kernels as the gated command runs them: relaxed SIMD where the engine has it (on Node 20
// turned on by useRelaxedSimd(), as Node ≥ 22 and Chromium have it on); --plain for plain SIMD.
const PLAIN = args.includes("--plain");
const SIMD_HOW = PLAIN ? "--plain" : relaxedSimdValidates() ? "relaxed SIMD on in this engine" : "relaxed SIMD turned on by useRelaxedSimd(), as the gated command does";
if (PLAIN) process.env.GATED_SIMD = "plain"; else useRelaxedSimd();
const log = (s: string) => process.stderr.write(`${s}\n`);

// gated on the native kernels (one thread), as a third gated participant timed around every peer.
// useNative() only changes what backend "auto" picks: every other gated figure here names "wasm".
const NATIVE = args.includes("--no-native") ? false : useNative();
const NATIVE_NAME = "gated native ×1";
const TORCH_NAME = "PyTorch ×1";
const NATIVE_HOW = NATIVE ? `native-${nativeIsa()}` : args.includes("--no-native") ? "left out (--no-native)" : `not loaded: ${nativeUnavailable()}`;

const weightCache = new Map<string, GruWeights>();
const weights = (w: Workload): GruWeights => {
  const key = `${w.I}x${w.H}`;
  let g = weightCache.get(key);
  if (!g) weightCache.set(key, (g = gruWeights(w)));
  return g;
};

/** One peer window and gated's windows just before and after it (ms per call, by participant). */
interface Pair { readonly peer: number; readonly before: Record<string, number>; readonly after: Record<string, number> }

interface Participant {
  readonly name: string;
  /** Slow ones get SLOW_ROUNDS windows of one call. */
  readonly slow?: boolean;
  /** Sets up a workload; the measurer, or null when the participant does not do it. */
  prepare(w: Workload): Promise<Measurer | null>;
  close?(): void;
}

/** gated on the native kernels, one thread: the same calls as bench/peers/gated.ts's runner. */
function nativeRunner(): Runner {
  return {
    name: NATIVE_NAME,
    async prepare(w) {
      const rt = wasmRuntime();
      const one = () => { if (rt) rt.parallel = null; }; // what it hands to the wasm backend stays on one thread too
      return gruCall(gruNet(w, weights(w), "native"), w, one);
    },
  };
}

function local(r: Runner, slow = false, scale?: (w: Workload) => number): Participant {
  return {
    name: r.name,
    slow,
    async prepare(w) {
      const fn = await r.prepare(w);
      if (!fn) return null;
      const k = scale ? scale(w) : 1;
      return async (seconds, maxCalls) => {
        const win = await measure(fn, seconds, maxCalls);
        return { ms: win.ms * k, calls: win.calls };
      };
    },
  };
}

/** A participant living in bench/child.ts (ORT-web ×2), driven over IPC. */
async function child(name: string, threads: number): Promise<Participant> {
  const proc = fork(join(HERE, "child.ts"), [String(threads)], { execArgv: process.execArgv, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const queue: ((m: unknown) => void)[] = [];
  proc.on("message", (m) => queue.shift()?.(m));
  const ask = <T>(msg: object | null): Promise<T> => new Promise((resolve, reject) => {
    queue.push((m) => ((m as { error?: string }).error ? reject(new Error((m as { error: string }).error)) : resolve(m as T)));
    if (msg) proc.send(msg);
  });
  await ask<{ ready: boolean }>(null);
  return {
    name,
    async prepare(w) {
      const r = await ask<{ ok: boolean }>({ cmd: "prepare", w: w.name });
      return r.ok ? (seconds, maxCalls) => ask<Window>({ cmd: "measure", w: w.name, seconds, maxCalls }) : null;
    },
    close() { proc.send({ cmd: "exit" }); },
  };
}

/**
 * A quiet gap before each window: ONNX Runtime's thread pools spin for a while after a call, which
 * would otherwise eat into whoever is timed next.
 */
function pause(ms = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(3)} ms`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

async function main(): Promise<void> {
  const rt = wasmRuntime();
  if (!rt) throw new Error("bench: this Node has no WebAssembly SIMD");
  const threads = await enableThreads(2);
  const pool = rt.parallel;
  rt.parallel = null;
  log(`gated: wasm-${rt.relaxed ? "relaxed-simd" : "simd"}, ${rt.shared ? "shared" : "unshared"} memory, ${threads} thread(s) available; native kernels: ${NATIVE_HOW}`);

  const torch: TorchPeer | { skipped: string } = args.includes("--no-torch") ? { skipped: "left out (--no-torch)" } : await torchPeer();
  const torchHow = "skipped" in torch ? torch.skipped : torch.about;
  log(`PyTorch: ${torchHow}`);
  const torchParticipant = (t: TorchPeer): Participant => ({
    name: TORCH_NAME,
    async prepare(w) { const g = weights(w); return t.prepare(`gru-${w.name}`, "gru", w, [random(w.T * w.B * w.I, 7), ...(w.train ? [random(w.T * w.B * w.H, 8, 1e-3)] : []), g.W, g.R, g.b, g.c]); },
    close() { t.close(); },
  });
  const tfWasm = tfjsRunner("wasm"), tfCpu = tfjsRunner("cpu", TF_CPU_SCALE);
  const ortNode1 = ortNodeRunner(1, weights);
  const participants: Participant[] = [
    local(gatedRunner(1, pool, weights)),
    local(gatedRunner(2, pool, weights)),
    ...(NATIVE ? [local(nativeRunner())] : []),
    local(ortNode1),
    local(ortNodeRunner(2, weights)),
    local(ortWebRunner(1, weights)),
    await child("ORT-web ×2", 2),
    local(tfWasm),
    local(tfCpu, true, TF_CPU_SCALE),
    ...("skipped" in torch ? [] : [torchParticipant(torch)]),
  ];
  const tfInfo = { wasm: await tfWasm.info(), cpu: await tfCpu.info() };

  // set up every workload for every participant, with one short warm-up window each
  const measurers = new Map<string, Measurer>();
  for (const w of WORKLOADS) {
    for (const p of participants) {
      const m = await p.prepare(w);
      if (!m) continue;
      measurers.set(`${w.name}|${p.name}`, m);
      await m(p.slow ? 0 : 0.1, p.slow ? 1 : 1000);
    }
    log(`prepared ${w.name} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }

  // The timed rounds. In each round and workload the peers go in turn (the order rotates), and
  // gated's windows (×1 and ×2) come before the first peer and after every peer: each peer window
  // sits between two of gated's, so its ratio compares figures taken seconds apart, whatever
  // this shared machine's speed does over the round.
  const samples = new Map<string, number[]>();
  const pairs = new Map<string, Pair[]>();
  /** Every set of gated windows taken together, by workload (native against wasm, seconds apart). */
  const gatedSets = new Map<string, Record<string, number>[]>();
  const gatedOnes = participants.filter((p) => p.name.startsWith("gated"));
  const peers = participants.filter((p) => !p.name.startsWith("gated"));
  const timeOne = async (w: Workload, p: Participant): Promise<number | null> => {
    const m = measurers.get(`${w.name}|${p.name}`);
    if (!m) return null;
    await pause();
    const win = await m(p.slow ? 0 : WINDOW, p.slow ? 1 : 1e9);
    const key = `${w.name}|${p.name}`;
    samples.set(key, [...(samples.get(key) ?? []), win.ms]);
    return win.ms;
  };
  const timeGated = async (w: Workload, round: number): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const g of round % 2 ? [...gatedOnes].reverse() : gatedOnes) {
      const ms = await timeOne(w, g);
      if (ms !== null) out[g.name] = ms;
    }
    gatedSets.set(w.name, [...(gatedSets.get(w.name) ?? []), out]);
    return out;
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const w of WORKLOADS) {
      const order = peers.map((_, i) => peers[(i + round) % peers.length]!).filter((p) => measurers.has(`${w.name}|${p.name}`) && !(p.slow && round >= SLOW_ROUNDS));
      let before = await timeGated(w, round);
      for (const p of order) {
        const ms = await timeOne(w, p);
        const after = await timeGated(w, round);
        const key = `${w.name}|${p.name}`;
        pairs.set(key, [...(pairs.get(key) ?? []), { peer: ms!, before, after }]);
        before = after;
      }
    }
    log(`round ${round + 1}/${ROUNDS} done (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }

  // streaming latency, B = 1 (S1 sizes): gated's step() against one-step ONNX Runtime sessions
  const s1 = WORKLOADS[0]!;
  const streamers: [string, () => unknown][] = [
    ["gated ×1 step()", gatedStream(s1, weights(s1))],
    ["ORT-node ×1, T = 1 session", await ortStream(true, 1, s1, weights(s1))],
    ["ORT-web ×1, T = 1 session", await ortStream(false, 1, s1, weights(s1))],
  ];
  const streaming: Record<string, number> = {};
  const streamSamples = new Map<string, number[]>();
  for (const [, fn] of streamers) await measure(fn, 0.1, 1e9);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of streamers) {
      const win = await measure(fn, WINDOW, 1e9);
      streamSamples.set(name, [...(streamSamples.get(name) ?? []), win.ms * 1000]);
    }
  }
  for (const [name] of streamers) streaming[name] = median(streamSamples.get(name)!);

  // sanity: gated and ORT-node compute the same function (same weights, reset after)
  const sanity: Record<string, number> = {};
  for (const w of WORKLOADS.filter((x) => !x.train && x.name !== "S3")) {
    const net = new Recurrent({ cell: "gru", inputSize: w.I, hiddenSize: w.H, backend: "wasm" });
    const g = weights(w);
    net.setParam("layer0.forward.W", g.W); net.setParam("layer0.forward.U", g.R);
    net.setParam("layer0.forward.b", g.b); net.setParam("layer0.forward.c", g.c);
    const ours = net.forward({ data: random(w.T * w.B * w.I, 7), shape: [w.T, w.B, w.I] }).output.data;
    const theirs = await ortNode1.output(w);
    let d = 0;
    for (let i = 0; i < ours.length; i++) d = Math.max(d, Math.abs(ours[i]! - theirs[i]!));
    sanity[w.name] = d;
  }
  const sanityNative: Record<string, number> = {};
  if (NATIVE) {
    for (const w of WORKLOADS.filter((x) => !x.train && x.name !== "S3")) {
      const ours = gruNet(w, weights(w), "native").forward({ data: random(w.T * w.B * w.I, 7), shape: [w.T, w.B, w.I] }).output.data;
      const theirs = await ortNode1.output(w);
      let d = 0;
      for (let i = 0; i < ours.length; i++) d = Math.max(d, Math.abs(ours[i]! - theirs[i]!));
      sanityNative[w.name] = d;
    }
  }
  // and PyTorch computes it too (its GRU is reset after: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)))
  const sanityTorch: Record<string, number> = {};
  if (!("skipped" in torch)) {
    for (const w of WORKLOADS.filter((x) => !x.train)) {
      const ours = gruNet(w, weights(w), NATIVE ? "native" : "wasm").forward({ data: random(w.T * w.B * w.I, 7), shape: [w.T, w.B, w.I] }).output.data;
      const theirs = await torch.output(`gru-${w.name}`);
      let d = 0;
      for (let i = 0; i < ours.length; i++) d = Math.max(d, Math.abs(ours[i]! - theirs[i]!));
      sanityTorch[w.name] = d;
    }
  }
  for (const p of participants) p.close?.();

  // where gated's time goes (one thread)
  const profile = { ceilingGflops: ceiling(WINDOW * 2), workloads: WORKLOADS.filter((w) => !w.train).map((w) => breakdown(w, WINDOW * 3)) };

  // peak memory of a training step on S3, in a fresh process
  const mem = spawnSync(process.execPath, [...process.execArgv, join(HERE, "memory.ts")], { encoding: "utf8" });
  const memory = mem.status === 0 ? JSON.parse(mem.stdout.trim().split("\n").pop()!) : { error: mem.stderr };

  // the LSTM and int8, each in a fresh process: bench/native.ts (GRU and LSTM on the native kernels,
  // WebAssembly, ORT-node, PyTorch and native int8) and bench/wasm-int8.ts (int8 on the WebAssembly kernels)
  const more = (file: string, skip: string | null, extraArgs: readonly string[] = []): string[] => {
    if (skip) return [`${file}: left out (${skip})`];
    log(`running ${file}`);
    const r = spawnSync(process.execPath, [...process.execArgv, join(HERE, file), String(QUICK ? 0.3 : 1), String(QUICK ? 2 : 3), ...extraArgs], { encoding: "utf8" });
    return r.status === 0 ? [`${file}:`, ...r.stdout.trim().split("\n").map((l) => `  ${l}`)] : [`${file} failed: ${r.stderr.trim().slice(0, 400)}`];
  };
  const extra = [
    ...more("native.ts", NATIVE ? null : NATIVE_HOW, args.includes("--no-torch") ? ["--no-torch"] : []),
    ...more("wasm-int8.ts", rt.relaxed ? null : "the plain-SIMD build has no int8"),
  ];

  report(participants.map((p) => p.name), samples, pairs, streaming, sanity, memory, profile, { threads, tfInfo, torchHow }, { gatedSets, sanityNative, sanityTorch }, extra);
}

function report(
  names: string[], samples: Map<string, number[]>, pairs: Map<string, Pair[]>, streaming: Record<string, number>, sanity: Record<string, number>,
  memory: Record<string, unknown>, profile: { ceilingGflops: number; workloads: Breakdown[] },
  info: { threads: number; tfInfo: Record<string, string>; torchHow: string },
  nat: { gatedSets: Map<string, Record<string, number>[]>; sanityNative: Record<string, number>; sanityTorch: Record<string, number> },
  extra: readonly string[],
): void {
  const rt = wasmRuntime()!;
  const med = (w: Workload, p: string) => { const s = samples.get(`${w.name}|${p}`); return s ? median(s) : NaN; };
  const out: string[] = [];
  out.push(`gated benchmark: ${new Date().toISOString()}, Node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${cpus().length}`);
  out.push(`gated backend wasm-${rt.relaxed ? "relaxed-simd" : "simd"} (${SIMD_HOW}); gated native kernels: ${NATIVE_HOW}; TF.js wasm: ${info.tfInfo.wasm}; medians of windows of ${WINDOW} s (${ROUNDS} rounds; gated's windows before and after each peer's) (TF.js cpu: ${SLOW_ROUNDS} calls of T/k steps, time ×k: ${WORKLOADS.map((w) => `${w.name} k = ${TF_CPU_SCALE(w)}`).join(", ")})`);
  out.push("");
  out.push("time per call (GFLOP/s)");
  const head = pad("workload", 28) + names.map((n) => pad(n, 20)).join("");
  out.push(head);
  const results: Record<string, Record<string, { ms: number; gflops: number; samples: number[] }>> = {};
  for (const w of WORKLOADS) {
    const row = names.map((n) => {
      const ms = med(w, n);
      if (Number.isNaN(ms)) return pad("–", 20);
      const gf = flops(w) / ms / 1e6;
      (results[w.name] ??= {})[n] = { ms, gflops: gf, samples: samples.get(`${w.name}|${n}`)! };
      return pad(`${fmtMs(ms)} (${gf >= 10 ? gf.toFixed(1) : gf >= 0.1 ? gf.toFixed(2) : gf.toFixed(3)})`, 20);
    });
    out.push(pad(`${w.name} B${w.B} T${w.T} I${w.I} H${w.H}`, 28) + row.join(""));
  }
  // ratios: gated ×k against a peer on k threads; TF.js against gated's better figure
  out.push("");
  out.push("gated's speed-up over each peer: median over that peer's windows of (its time / gated's time around it: the");
  out.push("geometric mean of gated's windows just before and just after); ORT against gated on the same number of threads,");
  out.push("TF.js against gated's better figure");
  const peers = names.filter((n) => !n.startsWith("gated"));
  out.push(pad("workload", 28) + peers.map((n) => pad(n, 14)).join(""));
  const ratios: Record<string, Record<string, number>> = {};
  for (const w of WORKLOADS) {
    const row = peers.map((p) => {
      const ps = pairs.get(`${w.name}|${p}`);
      if (!ps) return pad("–", 14);
      const gatedAt = (g: Record<string, number>) => {
        const a = g["gated ×1"], b = g["gated ×2"];
        return p.endsWith("×2") ? (b ?? a)! : p.endsWith("×1") ? a! : Math.min(a ?? Infinity, b ?? Infinity);
      };
      const r = median(ps.map((x) => x.peer / Math.sqrt(gatedAt(x.before) * gatedAt(x.after))));
      (ratios[w.name] ??= {})[p] = r;
      return pad(`${r.toFixed(r >= 100 ? 0 : 2)}×`, 14);
    });
    out.push(pad(w.name, 28) + row.join(""));
  }
  // gated native (one thread) against every peer, the same way, and against gated's wasm kernels
  const ratiosNative: Record<string, Record<string, number>> = {};
  if (NATIVE) {
    out.push("");
    out.push(`gated native ×1's speed-up over each peer (the same median of ratios, against native's windows around the peer's; one`);
    out.push("thread against every peer, ×2 peers included), and over gated wasm ×1 (median over rounds of windows taken together)");
    out.push(pad("workload", 28) + [...peers, "gated ×1 (wasm)"].map((n) => pad(n, 14)).join(""));
    for (const w of WORKLOADS) {
      const row = peers.map((p) => {
        const ps = pairs.get(`${w.name}|${p}`)?.filter((x) => x.before[NATIVE_NAME] !== undefined && x.after[NATIVE_NAME] !== undefined);
        if (!ps?.length) return pad("–", 14);
        const r = median(ps.map((x) => x.peer / Math.sqrt(x.before[NATIVE_NAME]! * x.after[NATIVE_NAME]!)));
        (ratiosNative[w.name] ??= {})[p] = r;
        return pad(`${r.toFixed(r >= 100 ? 0 : 2)}×`, 14);
      });
      const sets = (nat.gatedSets.get(w.name) ?? []).filter((g) => g["gated ×1"] !== undefined && g[NATIVE_NAME] !== undefined);
      if (sets.length) {
        const r = median(sets.map((g) => g["gated ×1"]! / g[NATIVE_NAME]!));
        (ratiosNative[w.name] ??= {})["gated ×1"] = r;
        row.push(pad(`${r.toFixed(2)}×`, 14));
      } else row.push(pad("–", 14));
      out.push(pad(w.name, 28) + row.join(""));
    }
  }
  // the issue's targets
  out.push("");
  out.push("targets (issue 5):");
  const check = (ok: boolean) => (ok ? "met" : "NOT met");
  for (const w of WORKLOADS.filter((x) => !x.train)) {
    const r1 = ratios[w.name]?.["ORT-web ×1"], r2 = ratios[w.name]?.["ORT-web ×2"];
    out.push(`  ${w.name}: ≥ 1.5× ORT-web: ${r1?.toFixed(2)}× (1 thread), ${r2?.toFixed(2)}× (2 threads): ${check((r1 ?? 0) >= 1.5 && (r2 ?? 0) >= 1.5)}`);
  }
  for (const w of WORKLOADS) {
    const r = ratios[w.name]?.["TF.js wasm"] ?? 0, need = w.train ? 20 : 10;
    out.push(`  ${w.name}: ≥ ${need}× TF.js wasm: ${r.toFixed(1)}×: ${check(r >= need)}`);
  }
  for (const w of WORKLOADS.filter((x) => !x.train)) {
    const f1 = ratios[w.name]?.["ORT-node ×1"] ?? NaN, f2 = ratios[w.name]?.["ORT-node ×2"] ?? NaN;
    out.push(`  ${w.name}: fraction of ORT-node's speed reached: ${f1.toFixed(2)} (1 thread), ${f2.toFixed(2)} (2 threads)`);
  }
  out.push("targets (native kernels, one thread):");
  if (NATIVE) {
    for (const w of WORKLOADS.filter((x) => !x.train)) {
      const r = ratiosNative[w.name]?.["ORT-node ×1"] ?? NaN;
      out.push(`  ${w.name}: gated native ×1 against ORT-node ×1: ${r.toFixed(2)}×` + (w.name === "S3" ? ` (target ≥ 1×): ${check(r >= 1)}` : ""));
    }
  } else out.push(`  not measured: the native kernels are ${NATIVE_HOW}`);
  if (NATIVE && names.includes(TORCH_NAME)) {
    for (const w of WORKLOADS.filter((x) => x.name !== "S1" && x.name !== "S1 train")) {
      const r = ratiosNative[w.name]?.[TORCH_NAME] ?? NaN;
      out.push(`  ${w.name}: gated native ×1 against ${TORCH_NAME} (GRU; target ≥ 1×): ${r.toFixed(2)}×: ${check(r >= 1)}`);
    }
    out.push("  (S3 training is not one of the bench's workloads; the LSTM against PyTorch's: node --import tsx bench/native.ts)");
  } else {
    out.push(`  GRU S2/S3 against PyTorch CPU: not measured (PyTorch: ${info.torchHow})`);
  }
  out.push("");
  out.push(`streaming latency, B = 1, I ${WORKLOADS[0]!.I}, H ${WORKLOADS[0]!.H} (µs per step): ` + Object.entries(streaming).map(([k, v]) => `${k} ${v.toFixed(2)}`).join("; "));
  out.push(`sanity, max |gated − ORT-node| over the outputs: ` + Object.entries(sanity).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(", ") +
    (NATIVE ? `; gated native: ` + Object.entries(nat.sanityNative).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(", ") : ""));
  out.push(`PyTorch: ${info.torchHow}` + (Object.keys(nat.sanityTorch).length ? `; max |gated${NATIVE ? " native" : ""} − PyTorch|: ` + Object.entries(nat.sanityTorch).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(", ") : ""));
  if ("tapeMB" in memory) {
    const m = memory as Record<string, number>;
    out.push(`memory, one training step on S3 (fresh process): BPTT keeps ${(m.bytesPerStep! / 2 ** 20).toFixed(3)} MiB per time step ` +
      `(${memory.formula}), ${m.tapeMB!.toFixed(1)} MiB for T = 100; wasm heap peak ${m.wasmPeakMB!.toFixed(1)} MiB; ` +
      `process peak RSS ${m.rssPeakMB!.toFixed(0)} MiB (${m.rssBeforeMB!.toFixed(0)} MiB before the step); step ${fmtMs(m.stepMs!)}`);
  } else {
    out.push(`memory: the measurement failed: ${String(memory.error).slice(0, 300)}`);
  }
  out.push("");
  out.push(`where gated's time goes (one thread, inference; wasm SIMD product ceiling here: ${profile.ceilingGflops.toFixed(1)} GFLOP/s, a 256×512×512 packed product):`);
  for (const b of profile.workloads) {
    const pct = (ms: number) => `${((ms / b.totalMs) * 100).toFixed(0)}%`;
    out.push(`  ${pad(b.workload, 4)} ${fmtMs(b.totalMs)}: time loop (per step: recurrent product + gates) ${fmtMs(b.stepMs)} ${pct(b.stepMs)} at ${b.stepGflops.toFixed(1)} GFLOP/s of product; ` +
      `input projection ${fmtMs(b.projectionMs)} ${pct(b.projectionMs)} at ${b.projectionGflops.toFixed(1)} GFLOP/s; TypeScript driver ${fmtMs(b.driverMs)} ${pct(b.driverMs)}`);
  }
  out.push("", "the LSTM and int8 (GFLOP/s, one thread, in fresh processes):", ...extra);
  out.push(`total bench time ${((performance.now() - started) / 1000).toFixed(0)} s; load average (1, 5, 15 min) at the start ${LOAD_START.map((l) => l.toFixed(2)).join(" ")}, at the end ${loadavg().map((l) => l.toFixed(2)).join(" ")} (${cpus().length} cores)`);
  console.log(out.join("\n"));
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length,
    gated: { backend: `wasm-${rt.relaxed ? "relaxed-simd" : "simd"}`, threads: info.threads, native: NATIVE ? { name: NATIVE_NAME, backend: `native-${nativeIsa()}`, threads: 1 } : null, nativeStatus: NATIVE_HOW }, tfjs: info.tfInfo,
    method: { rounds: ROUNDS, windowSeconds: WINDOW, slowRounds: SLOW_ROUNDS, tfjsCpuScale: Object.fromEntries(WORKLOADS.map((w) => [w.name, TF_CPU_SCALE(w)])) },
    workloads: WORKLOADS.map((w) => ({ ...w, flops: flops(w) })), results, ratios, streamingMicroseconds: streaming,
    sanityMaxAbsDiffVsOrtNode: sanity, memory, profile, table: out,
    // added with the native kernels: gated native ×1's ratio (peer time / native time) to each peer and to gated ×1 (wasm)
    ratiosNative, sanityMaxAbsDiffNativeVsOrtNode: nat.sanityNative, sanityMaxAbsDiffVsPytorch: nat.sanityTorch, pytorch: info.torchHow, loadavg: { start: LOAD_START, end: loadavg() },
  }, null, 1) + "\n");
  log(`wrote ${OUT}`);
}

await main();
process.exit(0);
