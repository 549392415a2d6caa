// A benchmark participant in a process of its own, driven by bench/run.ts over IPC so that its
// windows interleave with everyone else's: ORT-web with 2 threads (onnxruntime-web fixes its
// thread count per process, at the first session).
import { measure } from "./measure.js";
import { ortWebRunner } from "./peers/ort.js";
import { gruWeights } from "./peers/weights.js";
import { WORKLOADS } from "./workloads.js";

const threads = Number(process.argv[2] ?? 2);
const runner = ortWebRunner(threads, gruWeights);
const fns = new Map<string, () => unknown>();

process.on("message", async (m: { cmd: string; w?: string; seconds?: number; maxCalls?: number }) => {
  try {
    if (m.cmd === "prepare") {
      const w = WORKLOADS.find((x) => x.name === m.w)!;
      const fn = await runner.prepare(w);
      if (fn) fns.set(w.name, fn);
      process.send!({ ok: fn !== null });
    } else if (m.cmd === "measure") {
      process.send!(await measure(fns.get(m.w!)!, m.seconds!, m.maxCalls!));
    } else if (m.cmd === "exit") {
      process.exit(0);
    }
  } catch (e) {
    process.send!({ error: String(e) });
  }
});
process.send!({ ready: true });
