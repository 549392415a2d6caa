// Builds the playground into playground/dist/ (static files that can be hosted anywhere):
// index.html, style.css, main.js (the page), worker.js (gated, in a Web Worker) and their chunks
// (esbuild, ES modules, code splitting: h5wasm loads only with the first Keras file), and
// data/sentiment.json when the sentiment package is installed (its labelled sentences).
// Usage: node playground/build.mjs   (npm run playground:build)
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const DIST = join(HERE, "dist");

/** The UCI sentences from the sentiment package's fixtures as [{ text, label }], or null without the package. */
function sentimentSentences() {
  let dir;
  try { dir = dirname(createRequire(import.meta.url).resolve("sentiment/package.json")); } catch { return null; }
  const out = [];
  for (const source of ["imdb", "amazon", "yelp"]) {
    const file = join(dir, "test", "fixtures", `${source}.json`);
    if (!existsSync(file)) return null;
    for (const r of JSON.parse(readFileSync(file, "utf8"))) if (r.class === 0 || r.class === 1) out.push({ text: r.text, label: r.class });
  }
  return out;
}

/** Builds into `out` (default playground/dist); returns the files written, relative to it. */
export async function buildPlayground(out = DIST) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, "data"), { recursive: true });
  const result = await build({
    entryPoints: { main: join(HERE, "src", "main.ts"), worker: join(HERE, "src", "worker.ts") },
    outdir: out, bundle: true, format: "esm", splitting: true, platform: "browser", target: "es2022",
    minify: true, metafile: true, logLevel: "warning", legalComments: "eof",
    // gated's threads module imports node:worker_threads: left out of the page (it fails to load, the worker says so)
    external: ["node:*"],
    chunkNames: "chunks/[name]-[hash]",
  });
  for (const f of ["index.html", "style.css"]) copyFileSync(join(HERE, "src", f), join(out, f));
  const sentences = sentimentSentences();
  if (sentences) writeFileSync(join(out, "data", "sentiment.json"), JSON.stringify(sentences));
  const files = Object.keys(result.metafile.outputs).map((p) => p.slice(out.length + 1).replaceAll("\\", "/"));
  return [...files, "index.html", "style.css", ...(sentences ? ["data/sentiment.json"] : [])];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const files = await buildPlayground();
  console.log(`playground: built ${files.length} files into ${DIST} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
