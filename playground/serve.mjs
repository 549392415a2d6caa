// Builds the playground and serves playground/dist/ on 127.0.0.1 (node:http, no dependencies), with
// the headers that make the page cross-origin isolated (so shared memory, and threads, can work):
//   Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp.
// Usage: node playground/serve.mjs [--port N] [--no-build]   (npm run playground; port 0 = any free one)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { DIST, buildPlayground } from "./build.mjs";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8",
};
const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
};

/** Serves `root` on 127.0.0.1:port; resolves to { server, url } once listening. */
export function servePlayground(root = DIST, port = 8080) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(req.method === "GET" || req.method === "HEAD" ? 403 : 405, ISOLATION).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...ISOLATION, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": body.length });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { ...ISOLATION, "Content-Type": "text/plain; charset=utf-8" }).end(`not found: ${path}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const a = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : port}/` });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--port");
  const port = at >= 0 ? Number(args[at + 1]) : Number(process.env.PORT ?? 8080);
  if (!args.includes("--no-build")) await buildPlayground();
  const { url } = await servePlayground(DIST, port).catch((e) => {
    if (e.code !== "EADDRINUSE") throw e;
    console.error(`playground: port ${port} on 127.0.0.1 is taken; choose another: npm run playground -- --port ${port + 1}`);
    process.exit(1);
  });
  console.log(`gated playground: ${url}  (serving ${DIST}; Ctrl-C stops)`);
}
