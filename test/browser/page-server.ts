// A local HTTP server for browser tests and the browser benchmark: serves a few files from memory
// on 127.0.0.1 (an ephemeral port) under two prefixes: /iso/… with the headers that make a page
// cross-origin isolated (COOP same-origin, COEP require-corp; CORP on every response, so its
// workers may load too), /plain/… without them (no SharedArrayBuffer there). close() ends it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface PageFile {
  readonly body: string;
  readonly type: string;
}

export interface PageServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  close(): Promise<void>;
}

const ISOLATION = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
};

/** Serves `files` (by name, e.g. "index.html") at /iso/NAME and /plain/NAME. */
export async function servePages(files: Readonly<Record<string, PageFile>>): Promise<PageServer> {
  const server = createServer((req, res) => {
    const m = /^\/(iso|plain)\/([^/?]+)/.exec(req.url ?? "");
    const file = m ? files[m[2]!] : undefined;
    if (!m || !file) { res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${req.url}`); return; }
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store", ...(m[1] === "iso" ? ISOLATION : {}) });
    res.end(file.body);
  });
  await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(0, "127.0.0.1", resolve); });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A page that loads app.js (a classic script) and nothing else. */
export const INDEX_HTML: PageFile = {
  body: `<!doctype html><meta charset="utf-8"><title>gated threads</title><link rel="icon" href="data:,"><script src="app.js"></script>`,
  type: "text/html; charset=utf-8",
};
