/**
 * The training worker: gated runs here, never on the page's thread. One worker holds one model
 * (the page starts a second one to compare two cells). It loads gated's WebAssembly kernels, turns
 * on worker threads when the page is cross-origin isolated and this build of gated can start them
 * in a browser (else one thread, and it says why), then answers the page's messages (protocol.ts).
 */
import { loadWasm } from "../../src/index.js";
import type { FromWorker, ToWorker } from "./protocol.js";
import { download, loadFiles } from "./worker-files.js";
import { gates, madeUpSequences } from "./worker-gates.js";
import { session } from "./session.js";
import { modelInfo, resume, train } from "./worker-train.js";

interface WorkerScope {
  postMessage(m: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  readonly crossOriginIsolated?: boolean;
  readonly navigator: { readonly hardwareConcurrency?: number };
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

/** Threads through gated/threads when the page is cross-origin isolated; one thread otherwise, saying why. */
async function threads(wanted: boolean): Promise<string> {
  if (!wanted) return "1 thread (threads are off)";
  if (!scope.crossOriginIsolated) return "1 thread (the page is not cross-origin isolated, so no shared memory)";
  const n = Math.max(1, Math.min(4, scope.navigator.hardwareConcurrency ?? 2));
  try {
    const m = (await import("../../src/kernels/threads.js")) as {
      enableThreads?: (n: number) => Promise<number>; threadInfo?: () => { reason?: string | null };
    };
    if (typeof m.enableThreads !== "function") return "1 thread (this build of gated has no enableThreads)";
    const got = await m.enableThreads(n);
    if (got > 1) return `${got} threads`;
    const why = m.threadInfo?.().reason;
    return `1 thread${why ? ` (${why})` : ""}`;
  } catch (e) {
    return `1 thread (gated's threads could not start in a browser worker: ${(e as Error).message.slice(0, 120)})`;
  }
}

async function init(wantThreads: boolean): Promise<void> {
  const wasm = await loadWasm();
  const t = await threads(wantThreads && wasm);
  post({ type: "ready", backend: wasm ? "WebAssembly SIMD" : "TypeScript reference (no WebAssembly SIMD here)", threads: t });
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case "init": return init(m.threads);
    case "train": return train(session, m.config, post);
    case "stop": session.stop = true; return;
    case "resume": return resume(session, m.epochs, post);
    case "gates": {
      const g = gates(session, m.sequence);
      return post(g, [g.input.values.buffer as ArrayBuffer, ...g.layers.flatMap((l) => l.grids.map((x) => x.values.buffer as ArrayBuffer))]);
    }
    case "load": {
      const r = await loadFiles(m.files);
      session.model = r.model;
      session.config = null;
      session.checkpoint = null;
      session.source = `loaded: ${m.files.map((f) => f.name).join(" + ")} (${r.format})`;
      session.notes = [...r.notes];
      const width = r.model.spec.input.kind === "features" ? r.model.spec.input.features : -1;
      const task = session.data && session.data.train.x instanceof Float32Array && session.data.train.features === width ? session.data : null;
      session.sequences = task ? task.test ?? task.train : madeUpSequences(r.model);
      session.sequenceSource = task ? `${task.name} sequences (the model reads ${width} feature${width === 1 ? "" : "s"}, as the task does)` : "made-up sequences (8 of 32 steps: sine waves, or random token ids), since the model does not read the current task's inputs";
      return post({ type: "loaded", model: modelInfo(session) });
    }
    case "download": {
      if (!session.model) throw new Error("no model yet: train one or drop a model file");
      const stem = (session.config ? `${session.config.cell}-${session.config.task.name}` : "model").replace(/[^a-z0-9-]/gi, "-");
      const f = download(session.model, m.format, stem);
      return post({ type: "file", name: f.name, bytes: f.bytes }, [f.bytes.buffer as ArrayBuffer]);
    }
  }
}

scope.onmessage = (e) => {
  // stop must be seen while training awaits: it only sets a flag
  handle(e.data).catch((err: unknown) => {
    post({ type: "failed", during: e.data.type, message: err instanceof Error ? err.message : String(err) });
  });
};
