/**
 * The options that supply what a PyTorch file leaves open, shared by `gated import` and `gated run`:
 * --pytorch-spec (the whole module list), --head (how forward() feeds a Linear after the recurrent
 * module), --nonlinearity (nn.RNN's, which a state dict does not store); and --allow-non-finite,
 * which loads NaN / infinite weights instead of refusing the file (for debugging a damaged model).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { PYTORCH_HEADS, type PytorchHead } from "../io/pytorch/spec.js";
import type { PytorchImportOptions, PytorchSpec } from "../io/pytorch/state-dict.js";
import { UserError } from "./errors.js";

export interface PytorchArgs { pytorchSpec?: string; head?: string; nonlinearity?: string; allowNonFinite?: boolean }

export function addPytorchOptions(cmd: Command): Command {
  return cmd
    .option("--head <how>", `pytorch: how forward() feeds the Linear after the recurrent module: ${PYTORCH_HEADS.join(" | ")} (last-state: fc(h_n[-1]) or fc(cat(h_n[-2], h_n[-1])); last-output: fc(out[:, -1]); per-step: fc(out))`)
    .option("--nonlinearity <f>", "pytorch: nn.RNN's nonlinearity, tanh | relu (a state dict does not store it)")
    .option("--pytorch-spec <file>", "pytorch: JSON module list in forward() order, {\"modules\": [{\"name\": \"gru\", \"type\": \"GRU\"}, {\"name\": \"last\", \"type\": \"LastStep\"}, {\"name\": \"fc\", \"type\": \"Linear\"}]}")
    .option("--allow-non-finite", "load NaN / infinite weights instead of refusing the file (debugging a damaged model: its predictions will be NaN)");
}

export function pytorchOptionsOf(a: PytorchArgs): Omit<PytorchImportOptions, "where"> {
  let spec: PytorchSpec | undefined;
  if (a.pytorchSpec) {
    let text: string;
    try { text = readFileSync(a.pytorchSpec, "utf8"); } catch { throw new UserError(`--pytorch-spec: cannot read ${a.pytorchSpec}`); }
    try { spec = JSON.parse(text) as PytorchSpec; } catch (e) { throw new UserError(`--pytorch-spec ${a.pytorchSpec} is not JSON: ${(e as Error).message}`); }
  }
  if (a.head !== undefined && !(PYTORCH_HEADS as readonly string[]).includes(a.head)) throw new UserError(`--head must be one of ${PYTORCH_HEADS.join(", ")}, got ${JSON.stringify(a.head)}`);
  if (a.nonlinearity !== undefined && a.nonlinearity !== "tanh" && a.nonlinearity !== "relu") throw new UserError(`--nonlinearity must be tanh or relu, got ${JSON.stringify(a.nonlinearity)}`);
  return {
    ...(spec ? { spec } : {}),
    ...(a.head ? { head: a.head as PytorchHead } : {}),
    ...(a.nonlinearity ? { nonlinearity: a.nonlinearity as "tanh" | "relu" } : {}),
  };
}

/** The options every reader of a model file takes from the command line (--allow-non-finite). */
export function loadOptionsOf(a: PytorchArgs): { allowNonFinite?: true } {
  return a.allowNonFinite ? { allowNonFinite: true } : {};
}
