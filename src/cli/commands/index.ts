/** Every command of the CLI, one file each. */
import type { Command } from "commander";
import { registerCompare } from "./compare.js";
import { registerEval } from "./eval.js";
import { registerInspect } from "./inspect.js";
import { registerPredict } from "./predict.js";
import { registerTrain } from "./train.js";
import { registerRun } from "./run.js";
import { registerExport } from "./export.js";
import { registerImport } from "./import.js";

export function registerCommands(program: Command): void {
  registerTrain(program);
  registerEval(program);
  registerPredict(program);
  registerInspect(program);
  registerCompare(program);
  registerRun(program);
  registerExport(program);
  registerImport(program);
}
