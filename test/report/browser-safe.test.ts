// src/report runs in a browser as well as in Node: it imports nothing from node: (or any package),
// uses no Node globals, and stays within src/report and src/errors.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const reportDir = join(root, "src/report");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("src/report is browser-safe", () => {
  const sources = files(reportDir);
  it("has sources", () => assert.ok(sources.length >= 10, `${sources.length} files`));
  for (const file of sources) {
    it(relative(root, file), () => {
      const src = readFileSync(file, "utf8");
      const specs = [...src.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
      for (const s of specs) {
        assert.ok(s.startsWith("."), `${s}: only relative imports`);
        const target = relative(root, resolve(dirname(file), s));
        assert.ok(target.startsWith("src/report/") || target.startsWith("src/errors/"), `${s} leaves src/report and src/errors`);
      }
      assert.ok(!/\b(require\(|process\.|Buffer\b|__dirname)/.test(src), "no Node globals");
    });
  }
  it("src/errors, which it uses, is browser-safe too", () => {
    const src = readFileSync(join(root, "src/errors/index.ts"), "utf8");
    assert.ok(!/from\s+["']/.test(src), "src/errors imports nothing");
  });
});
