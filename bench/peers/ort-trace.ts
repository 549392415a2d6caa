// onnxruntime-node leaves an empty /tmp/mat-debug-<pid>.log in every process that loads it (its
// bundled telemetry SDK's trace file; scripts/run-tests.mjs removes the test run's): a bench
// process that loads it removes its own at exit, when still empty.
import { statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

process.on("exit", () => {
  const p = join(tmpdir(), `mat-debug-${process.pid}.log`);
  try { if (statSync(p).size === 0) unlinkSync(p); } catch { /* none was made */ }
});
