// Runs the gated command as a child process (TypeScript through tsx).
import { spawn } from "node:child_process";

const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
// resolved here, so children started in other folders still find the TypeScript loader
const tsx = import.meta.resolve("tsx");

export interface Run { code: number | null; stdout: string; stderr: string }

export function gated(args: readonly string[], opts: { cwd?: string; input?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--import", tsx, main, ...args], { cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.stdin.end(opts.input ?? "");
    p.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Spawns the command and returns the child, for tests that signal it. */
export function gatedChild(args: readonly string[], cwd: string) {
  return spawn(process.execPath, ["--import", tsx, main, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
}
