/**
 * Page side: one training worker and what the page knows about its model. Slot A always exists;
 * slot B is started when a second cell is compared. Training events stream to `listen`; requests
 * with one answer (gates, load, download) return a promise that a "failed" message rejects.
 */
import type { EpochView, ForecastView, FromWorker, ModelInfo, ToWorker } from "./protocol.js";

type Answer = "gates" | "loaded" | "file";
const ANSWER: Partial<Record<ToWorker["type"], Answer>> = { gates: "gates", load: "loaded", download: "file" };

export class Slot {
  readonly worker: Worker;
  cell = "";
  history: EpochView[] = [];
  info: ModelInfo | null = null;
  forecast: ForecastView | null = null;
  test = "";
  running = false;
  /** A run of this slot's can be resumed (it has a checkpoint: trained, not loaded). */
  resumable = false;
  engine: Extract<FromWorker, { type: "ready" }> | null = null;
  readonly ready: Promise<Extract<FromWorker, { type: "ready" }>>;
  private readonly pending = new Map<Answer, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  private readonly listeners: ((m: FromWorker) => void)[] = [];

  constructor(readonly name: "A" | "B", threads: boolean) {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: `gated ${name}` });
    this.ready = new Promise((resolve, reject) => {
      this.listeners.push((m) => { if (m.type === "ready") { this.engine = m; resolve(m); } else if (m.type === "failed" && m.during === "init") reject(new Error(m.message)); });
    });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => this.receive({ type: "failed", during: "worker", message: `the training worker failed to start: ${e.message || "a script error"}` });
    this.send({ type: "init", threads });
  }

  listen(f: (m: FromWorker) => void): void {
    this.listeners.push(f);
  }

  send(m: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  /** Sends a request that has one answer. */
  ask<T extends FromWorker>(m: ToWorker, transfer: Transferable[] = []): Promise<T> {
    const answer = ANSWER[m.type]!;
    return new Promise<T>((resolve, reject) => {
      this.pending.get(answer)?.reject(new Error("superseded by a newer request"));
      this.pending.set(answer, { resolve: resolve as (m: FromWorker) => void, reject });
      this.send(m, transfer);
    });
  }

  private receive(m: FromWorker): void {
    if (m.type === "epoch") this.history.push(m.record);
    if (m.type === "model" || m.type === "loaded" || m.type === "trained") this.info = m.model;
    if (m.type === "trained") { this.forecast = m.forecast; this.test = m.test; this.running = false; this.resumable = true; }
    if (m.type === "loaded") this.resumable = false;
    if (m.type === "failed") {
      if (m.during === "train" || m.during === "resume") this.running = false;
      const answer = ANSWER[m.during as ToWorker["type"]];
      const p = answer ? this.pending.get(answer) : undefined;
      if (p && answer) { this.pending.delete(answer); p.reject(new Error(m.message)); }
    }
    if (m.type === "gates" || m.type === "loaded" || m.type === "file") {
      const p = this.pending.get(m.type);
      if (p) { this.pending.delete(m.type); p.resolve(m); }
    }
    for (const f of this.listeners) f(m);
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error("the worker was stopped"));
    this.pending.clear();
  }
}
