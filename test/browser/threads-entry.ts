// Bundled for the browser by threads.test.ts (esbuild, platform "browser", one classic script):
// on a page it exposes threadRun() and dataDigests() (workload.ts) to page.evaluate; loaded as a
// dedicated worker's script it answers each message (a thread count) with threadRun()'s result,
// so the same bundle runs the library inside a worker, as a playground that trains in a worker does.
import { dataDigests, threadRun } from "./workload.js";

interface Scope { document?: unknown; onmessage: ((e: { data: unknown }) => void) | null; postMessage(m: unknown): void }
const scope = globalThis as unknown as Scope & Record<string, unknown>;

if (scope.document === undefined) {
  scope.onmessage = (e) => {
    threadRun(Number(e.data)).then((r) => scope.postMessage({ ok: r }), (err: Error) => scope.postMessage({ error: String(err?.stack ?? err) }));
  };
} else {
  scope.threadRun = threadRun;
  scope.dataDigests = dataDigests;
}
