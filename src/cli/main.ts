#!/usr/bin/env node
/**
 * The `gated` command. Each command lives in commands/<name>.ts and registers itself here.
 * Exit codes: 0 success, 1 user error (bad option, missing or corrupt file, unusable data: a
 * message, no stack trace), 2 internal error (a bug: the stack trace).
 */
import { Command, CommanderError } from "commander";
import { GatedError } from "../errors/index.js";
import { useRelaxedSimd } from "../kernels/relaxed-simd.js";
import { registerCommands } from "./commands/index.js";
import { UserError } from "./errors.js";

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("gated")
    .description("Gated recurrent networks: train, evaluate, predict, compare, inspect.")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerCommands(program);
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
    process.stderr.write(`gated: internal error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

// The command owns its process: relaxed SIMD on where the engine keeps it behind a flag (Node 20),
// unless GATED_SIMD=plain asks for the plain-SIMD kernels.
if (process.env.GATED_SIMD !== "plain") useRelaxedSimd();
const code = await main(process.argv.slice(2));
process.exitCode = code;
