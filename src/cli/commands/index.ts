/**
 * Every command of the CLI, one file each, loaded on demand: a command line that names one command
 * (`gated inspect m.safetensors`, `gated train --help`) loads only that command's module; anything
 * else (`gated`, `gated --help`, `gated help train`, an unknown or misspelt command) loads them all,
 * so the overview lists every command and commander can suggest the nearest name.
 */
import type { Command } from "commander";

type Register = (program: Command) => void;

/** In the order `gated --help` lists them. */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  train: async () => (await import("./train.js")).registerTrain,
  eval: async () => (await import("./eval.js")).registerEval,
  predict: async () => (await import("./predict.js")).registerPredict,
  inspect: async () => (await import("./inspect.js")).registerInspect,
  compare: async () => (await import("./compare.js")).registerCompare,
  run: async () => (await import("./run.js")).registerRun,
  export: async () => (await import("./export.js")).registerExport,
  import: async () => (await import("./import.js")).registerImport,
  quantize: async () => (await import("./quantize.js")).registerQuantize,
};

/** Global options that take a value (the word after them is not the command). */
const VALUED_GLOBALS = new Set(["--threads"]);

/** The command `argv` names: its first word that is not a global option or its value. */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return argv[i + 1];
    if (VALUED_GLOBALS.has(a)) { i++; continue; }
    if (!a.startsWith("-")) return a;
  }
  return undefined;
}

export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const named = commandOf(argv);
  const names = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  const registers = await Promise.all(names.map((n) => COMMANDS[n]!()));
  for (const register of registers) register(program);
}
