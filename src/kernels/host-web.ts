/**
 * The pool's browser back end: dedicated Web Workers, each running pool-worker.ts's classic-script
 * source, by default from a Blob URL made here (nothing to serve, nothing for a bundler to copy),
 * or from a URL the page gives (a page whose Content Security Policy refuses blob: workers serves
 * WEB_WORKER_SOURCE as a file). The kernel module and the shared memory are posted to each worker:
 * that needs a cross-origin-isolated page (SharedArrayBuffer; COOP/COEP headers), or a worker of
 * one. Works from a page's main thread and from inside a dedicated worker (nested workers).
 */
import { WEB_WORKER_SOURCE, type WorkerInit } from "./pool-worker.js";
import type { ThreadHost, WorkerHandle } from "./pool.js";

// The subset of the DOM's Worker, Blob and URL used here (the project's TypeScript lib has no DOM types).
interface WebWorker {
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { preventDefault?(): void; message?: string }) => void) | null;
  postMessage(m: unknown): void;
  terminate(): void;
}
interface WebGlobals {
  Worker?: new (url: string, options?: { name?: string }) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL?(b: object): string; revokeObjectURL?(u: string): void };
}

/**
 * The Web Worker back end, or null where this engine has no Worker constructor (or, without
 * `workerUrl`, no Blob URLs).
 */
export function webHost(workerUrl?: string | URL): ThreadHost | null {
  const g = globalThis as WebGlobals;
  const Worker = g.Worker, Blob = g.Blob, URLs = g.URL;
  if (typeof Worker !== "function") return null;
  if (workerUrl === undefined && (typeof Blob !== "function" || typeof URLs?.createObjectURL !== "function")) return null;
  return {
    name: "web workers",
    spawn(init: WorkerInit, down: () => void): WorkerHandle {
      const url = workerUrl !== undefined ? String(workerUrl) : URLs!.createObjectURL!(new Blob!([WEB_WORKER_SOURCE], { type: "text/javascript" }));
      // a blob URL is read when the worker starts: revoke it once the worker has reported
      const release = () => { if (workerUrl === undefined) URLs!.revokeObjectURL?.(url); };
      let w: WebWorker;
      try {
        w = new Worker(url, { name: `gated kernels ${init.index + 1}` });
      } catch {
        release(); // refused (a Content Security Policy, a sandboxed frame): one thread
        return { ready: Promise.resolve(false), end() {} };
      }
      const ready = new Promise<boolean>((resolve) => {
        w.onmessage = (e) => { w.onmessage = null; release(); resolve(e.data === "ready"); };
        w.onerror = (e) => { e.preventDefault?.(); release(); down(); resolve(false); };
      });
      try {
        w.postMessage(init);
      } catch {
        // the memory or the module could not be posted (a page that is not cross-origin isolated)
        w.terminate(); release();
        return { ready: Promise.resolve(false), end() {} };
      }
      return { ready, end: () => w.terminate() };
    },
  };
}
