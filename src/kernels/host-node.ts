/**
 * The pool's Node back end: worker_threads, each worker evaluating pool-worker.ts's CommonJS source.
 * node:worker_threads is looked up at run time (process.getBuiltinModule, Node ≥ 20.16; an import()
 * of a computed name before that), never imported statically, so a bundle of gated/threads for a
 * page has no `node:` import to resolve.
 */
import { NODE_WORKER_SOURCE, type WorkerInit } from "./pool-worker.js";
import type { ThreadHost, WorkerHandle } from "./pool.js";

/** The part of node:worker_threads used here (the library's types do not depend on @types/node). */
interface NodeWorker {
  on(event: "error", f: (e: unknown) => void): void;
  once(event: "message", f: (m: unknown) => void): void;
  once(event: "exit", f: () => void): void;
  unref(): void;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; execArgv: string[]; workerData: WorkerInit }) => NodeWorker;
}
interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?(id: string): unknown;
}

/** node:worker_threads when this is Node (or an engine that provides it), else null. */
async function workerThreads(): Promise<WorkerThreads | null> {
  const p = (globalThis as { process?: NodeProcess }).process;
  if (!p?.versions?.node) return null;
  const id = "node:worker_threads";
  try {
    const m = (p.getBuiltinModule ? p.getBuiltinModule(id) : await import(/* webpackIgnore: true */ /* @vite-ignore */ id)) as WorkerThreads | undefined;
    return typeof m?.Worker === "function" ? m : null;
  } catch {
    return null;
  }
}

/** The Node back end, or null outside Node. */
export async function nodeHost(): Promise<ThreadHost | null> {
  const wt = await workerThreads();
  if (!wt) return null;
  return {
    name: "node worker_threads",
    spawn(init: WorkerInit, down: () => void): WorkerHandle {
      const w = new wt.Worker(NODE_WORKER_SOURCE, {
        eval: true,
        // the source is CommonJS: none of this process's options (--input-type=module, loaders)
        execArgv: [],
        workerData: init,
      });
      w.on("error", down);
      // referenced until it reports, so that `await enableThreads()` keeps the process alive while
      // workers start (with nothing else pending, Node would exit mid-await); then it never holds
      // the process open
      const ready = new Promise<boolean>((resolve) => {
        w.once("message", (m) => { w.unref(); resolve(m === "ready"); });
        w.once("exit", () => { down(); resolve(false); });
      });
      // a stopped worker's loop returns and the thread ends by itself
      return { ready, end() {} };
    },
  };
}
