// PyTorch (CPU, one thread) as an optional peer: bench/peers/pytorch_peer.py in a Python process
// of its own, driven over its stdin/stdout (JSON lines). Present only where a Python with torch is
// found — GATED_BENCH_PYTHON, else the fixtures' venv (~/.cache/gated-venv, made by
// scripts/interchange/setup-venv.sh), else python3 — and skipped with the reason otherwise.
// The inputs and weights go through a file in a temporary folder, removed by close().
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Measurer, Window } from "../measure.js";
import type { Workload } from "../workloads.js";

const HERE = dirname(fileURLToPath(import.meta.url));

export interface TorchPeer {
  /** "torch 2.x, 1 thread" */
  readonly about: string;
  /** Sets up one cell on a workload: x, dY (training) and the weights in pytorch_peer.py's order. */
  prepare(key: string, cell: "gru" | "lstm", w: Workload, arrays: readonly Float32Array[]): Promise<Measurer>;
  /** The inference output y [T, B, H] of a prepared key. */
  output(key: string): Promise<Float32Array>;
  close(): void;
}

function python(): string | null {
  const venv = join(homedir(), ".cache", "gated-venv", "bin", "python");
  for (const p of [process.env.GATED_BENCH_PYTHON, existsSync(venv) ? venv : undefined, "python3"]) {
    if (p && spawnSync(p, ["-c", "import torch, numpy"], { stdio: "ignore" }).status === 0) return p;
  }
  return null;
}

/** The peer, or the reason there is none. */
export async function torchPeer(): Promise<TorchPeer | { skipped: string }> {
  const py = python();
  if (!py) return { skipped: "no Python with torch and numpy found (set GATED_BENCH_PYTHON, or run scripts/interchange/setup-venv.sh)" };
  const dir = mkdtempSync(join(tmpdir(), "gated-bench-torch-"));
  const proc: ChildProcessWithoutNullStreams = spawn(py, [join(HERE, "pytorch_peer.py")], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" } });
  let stderr = "";
  proc.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  createInterface({ input: proc.stdout }).on("line", (l) => waiting.shift()?.(JSON.parse(l) as Record<string, unknown>));
  proc.on("exit", () => { for (const w of waiting.splice(0)) w({ error: `the PyTorch peer exited: ${stderr.trim().split("\n").pop() ?? ""}` }); });
  const ask = <T>(msg: object | null): Promise<T> => new Promise((resolve, reject) => {
    waiting.push((m) => (m.error ? reject(new Error(String(m.error))) : resolve(m as T)));
    if (msg) proc.stdin.write(`${JSON.stringify(msg)}\n`);
  });
  const hello = await ask<{ torch: string; threads: number }>(null);
  return {
    about: `torch ${hello.torch}, ${hello.threads} thread`,
    async prepare(key, cell, w, arrays) {
      const file = join(dir, `${key.replace(/[^A-Za-z0-9]+/g, "_")}.f32`);
      const total = arrays.reduce((n, a) => n + a.length, 0), all = new Float32Array(total);
      let at = 0;
      for (const a of arrays) { all.set(a, at); at += a.length; }
      writeFileSync(file, new Uint8Array(all.buffer));
      await ask({ cmd: "prepare", key, cell, B: w.B, T: w.T, I: w.I, H: w.H, train: w.train, file });
      return (seconds: number, maxCalls: number) => ask<Window>({ cmd: "measure", key, seconds, maxCalls });
    },
    async output(key) {
      const r = await ask<{ file: string }>({ cmd: "output", key });
      const b = readFileSync(r.file);
      return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    },
    close() {
      proc.stdin.write(`${JSON.stringify({ cmd: "exit" })}\n`);
      proc.stdin.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
