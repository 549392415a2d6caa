// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx)
// and ends with one plain summary line: "N passed, N failed".
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
mkdirSync(".tmp", { recursive: true });

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
const files = findTests("test").filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-reporter-destination=stdout",
   "--test-reporter=tap", "--test-reporter-destination=.tmp/tap.txt", ...files],
  { stdio: ["ignore", "inherit", "inherit"] },
);
const started = Date.now();
child.on("exit", async (code) => {
  const { readFileSync } = await import("node:fs");
  // onnxruntime-node (a test peer) leaves an empty /tmp/mat-debug-<pid>.log in every process that
  // loads it (its bundled telemetry SDK's trace file): the ones this run made go with it
  const { readdirSync: ls, statSync: st, unlinkSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  for (const name of ls(tmpdir())) {
    if (!/^mat-debug-\d+\.log$/.test(name)) continue;
    const p = join(tmpdir(), name);
    try { const s = st(p); if (s.size === 0 && s.mtimeMs >= started - 1000) unlinkSync(p); } catch { /* gone already */ }
  }
  let pass = 0, fail = 0, skip = 0;
  try {
    const tap = readFileSync(".tmp/tap.txt", "utf8");
    pass = Number(/^# pass (\d+)/m.exec(tap)?.[1] ?? 0);
    fail = Number(/^# fail (\d+)/m.exec(tap)?.[1] ?? 0);
    skip = Number(/^# skipped (\d+)/m.exec(tap)?.[1] ?? 0);
  } catch { fail = Math.max(fail, 1); }
  console.log(`${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ""}`);
  process.exit(code ?? 1);
});
