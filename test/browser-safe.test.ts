// The library core runs in a browser: nothing reachable by static imports from src/index.ts
// imports a `node:` module or a Node-only folder (src/node, src/cli, src/data/node, src/io/node).
// The entries a bundler takes as they are (gated/data/browser, gated/threads) are held to more:
// nothing reachable through static or literal dynamic imports (a bundler follows both) does.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const root = resolve(new URL("..", import.meta.url).pathname);

/**
 * Static import/export specifiers of a TypeScript file (type-only imports excluded: they vanish),
 * and with `dynamic` the string-literal import("…") specifiers too.
 */
function imports(file: string, dynamic: boolean): string[] {
  const src = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of src.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+["']([^"']+)["']/gm)) if (!m[1]) out.push(m[2]!);
  for (const m of src.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) out.push(m[1]!);
  if (dynamic) for (const m of src.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]!);
  return out;
}

function reachable(entry: string, dynamic = false): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const deps = imports(file, dynamic);
    seen.set(file, deps);
    for (const d of deps) if (d.startsWith(".")) visit(resolve(dirname(file), d.replace(/\.js$/, ".ts")));
  };
  visit(entry);
  return seen;
}

describe("browser-safe core", () => {
  const entries: [string, boolean][] = [
    ["src/index.ts", false], ["src/data/index.ts", false], ["src/report/index.ts", false],
    ["src/data/browser.ts", true], ["src/kernels/threads.ts", true],
  ];
  for (const [entry, dynamic] of entries) {
    it(`${entry} reaches no node: module and no Node-only folder${dynamic ? ", dynamic imports included" : ""}`, () => {
      const graph = reachable(join(root, entry), dynamic);
      assert.ok(graph.size > 3, `only ${graph.size} files reached`);
      for (const [file, deps] of graph) {
        const rel = relative(root, file);
        assert.ok(!/^src\/(node|cli)\/|\/node\//.test(rel), `${rel} is Node-only but reachable from ${entry}`);
        for (const d of deps) assert.ok(!d.startsWith("node:") && !["fs", "path", "worker_threads", "child_process"].includes(d), `${rel} imports ${d}`);
      }
    });
  }
});
