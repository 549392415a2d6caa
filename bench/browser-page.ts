// Bundled for the browser by bench/browser.ts: on a page it exposes setupBench() and benchRound()
// (browser-work.ts) to page.evaluate; as a dedicated worker's script it answers messages
// { setup: adaptive } and { round: seconds } with their results ({ ok } or { error }).
import { benchRound, setupBench } from "./browser-work.js";

interface Scope { document?: unknown; onmessage: ((e: { data: { setup?: boolean; round?: number } }) => void) | null; postMessage(m: unknown): void }
const scope = globalThis as unknown as Scope & Record<string, unknown>;

if (scope.document === undefined) {
  scope.onmessage = (e) => {
    const job = e.data.round !== undefined ? benchRound(e.data.round) : setupBench(e.data.setup !== false);
    job.then((ok) => scope.postMessage({ ok }), (err: Error) => scope.postMessage({ error: String(err?.stack ?? err) }));
  };
} else {
  scope.setupBench = setupBench;
  scope.benchRound = benchRound;
}
