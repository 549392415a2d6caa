/** Every command of the CLI, one file each. */
import type { Command } from "commander";
import { registerTrain } from "./train.js";

export function registerCommands(program: Command): void {
  registerTrain(program);
}
