/** Every command of the CLI, one file each. */
import type { Command } from "commander";
import { registerCompare } from "./compare.js";
import { registerEval } from "./eval.js";
import { registerInspect } from "./inspect.js";
import { registerPredict } from "./predict.js";
import { registerTrain } from "./train.js";

export function registerCommands(program: Command): void {
  registerTrain(program);
  registerEval(program);
  registerPredict(program);
  registerInspect(program);
  registerCompare(program);
}
