// The API reference: `npm run docs` (TypeDoc over the package's exports map, typedoc.json) finishes
// with no error and no warning (a type referenced by the public API but not exported, a broken
// {@link}, an unknown tag all fail it: the script passes --treatWarningsAsErrors), and its pages
// name the main entry points of each module. Written to .tmp, not docs/api.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, ".tmp/docs-api-test");

describe("npm run docs", { timeout: 120_000 }, () => {
  it("builds the reference with no errors or warnings, naming the entry points", () => {
    rmSync(OUT, { recursive: true, force: true });
    const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
    const r = spawnSync("npm", ["run", "--silent", "docs", "--", "--out", OUT], { cwd: ROOT, env, encoding: "utf8" });
    const log = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
    assert.equal(r.status, 0, log.slice(-4000));
    assert.doesNotMatch(log, /\[(warning|error)\]/, log.slice(-4000));
    const index = readFileSync(join(OUT, "index.html"), "utf8");
    for (const m of ["gated", "gated/data", "gated/node", "gated/report"]) assert.ok(index.includes(`>${m}<`), `index.html lacks ${m}`);
    for (const [kind, name] of [
      ["classes", "gated.Recurrent"], ["classes", "gated.Model"], ["functions", "gated.sequential"], ["functions", "gated.fit"],
      ["functions", "gated.importPytorch"], ["functions", "gated.fetchModel"], ["functions", "gated_data.loadDataset"],
      ["functions", "gated_data.loadCsv"], ["functions", "gated_node.saveModel"], ["functions", "gated_report.heatmap"],
    ] as const) assert.ok(existsSync(join(OUT, kind, `${name}.html`)), `no page ${kind}/${name}.html`);
    assert.match(readFileSync(join(OUT, "classes/gated.Recurrent.html"), "utf8"), /forward/);
    assert.ok(readdirSync(join(OUT, "functions")).some((f) => f.endsWith(".enableThreads.html")), "no page for enableThreads (gated/threads)");
    rmSync(OUT, { recursive: true, force: true });
  });
});

