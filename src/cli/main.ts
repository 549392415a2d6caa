#!/usr/bin/env node
/**
 * The `gated` command. Each command lives in commands/<name>.ts and registers itself here.
 * Exit codes: 0 success, 1 user error (bad option, missing or corrupt file, unusable data, a file
 * that cannot be written: one line naming the path and the cause, no stack trace), 2 internal
 * error (a bug: the stack trace), 130 / 143 stopped by Ctrl-C / SIGTERM (train writes a
 * checkpoint first; see signals.ts).
 */
import { availableParallelism } from "node:os";
import { installSignalHandlers } from "./signals.js";

// Ctrl-C and SIGTERM are handled from the first milliseconds (train checkpoints; the rest exit 130 /
// 143 cleanly). Static imports are all loaded before any line here runs, so everything slow is
// imported dynamically below this line: add new imports there, not above.
installSignalHandlers();
// a reader that stops early (`gated run --help | head`) closes the pipe: the rest of the output has
// nowhere to go, which is the reader's choice, not an error (Node reports it as EPIPE on the stream)
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  });
}
const { Command, CommanderError } = await import("commander");
const { GatedError, OptionError } = await import("../errors/index.js");
const { useRelaxedSimd } = await import("../kernels/relaxed-simd.js");
const { useNative } = await import("../kernels/native/load-node.js");
const { nativeAddon } = await import("../kernels/native/addon.js");
const { enableThreads } = await import("../kernels/threads.js");
const { MAX_THREADS } = await import("../kernels/wasm/runtime.js");
const { registerCommands } = await import("./commands/index.js");
const { UserError, fileSystemMessage } = await import("./errors.js");

/** Commands that run models, where worker threads can help (the others only read and write files). */
const COMPUTING = new Set(["train", "eval", "predict", "compare", "run", "quantize"]);

function threadCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new OptionError(`--threads must be an integer from 1 to ${MAX_THREADS}, got "${v}"`);
  return n;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("gated")
    .description("Gated recurrent networks: train, evaluate, predict, compare, inspect.")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .option("--threads <n>", "threads for the kernels of train, eval, predict, compare and run (results do not depend on it)", threadCount, Math.min(availableParallelism(), MAX_THREADS))
    .hook("preAction", async (_, action) => {
      const threads = program.opts<{ threads: number }>().threads;
      if (threads > 1 && COMPUTING.has(action.name())) {
        await enableThreads(threads);
        // the native kernels' own pool (the same bits on any count)
        nativeAddon()?.threads(threads);
      }
    });
  await registerCommands(program, argv); // only the named command's module, or all for the overview
  try {
    await program.parseAsync(argv as string[], { from: "user" });
    // an action may end with its own code (130: stopped by Ctrl-C after a checkpoint)
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (e instanceof GatedError || e instanceof UserError) {
      process.stderr.write(`gated: ${(e as Error).message}\n`);
      return 1;
    }
    const fs = fileSystemMessage(e);
    if (fs !== null) {
      process.stderr.write(`gated: ${fs}\n`);
      return 1;
    }
    process.stderr.write(`gated: internal error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

// The command owns its process: relaxed SIMD on where the engine keeps it behind a flag (Node 20),
// unless GATED_SIMD=plain asks for the plain-SIMD kernels.
if (process.env.GATED_SIMD !== "plain") useRelaxedSimd();
// The native kernels (AVX-512 / AVX2) where their binary loads, so backend "auto" runs on them;
// GATED_NATIVE=off keeps the WebAssembly kernels. A failed load falls back to WebAssembly.
if (process.env.GATED_NATIVE !== "off") useNative();
const code = await main(process.argv.slice(2));
process.exitCode = code;
