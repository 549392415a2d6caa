/**
 * `gated import FILE --out MODEL.safetensors`: an ONNX model (a chain of recurrent nodes with the
 * ops exporters put around them), a TF.js model.json, a Keras 3 .keras archive or a PyTorch state
 * dict in safetensors, as a gated model file. The format comes from the file name (or --from).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { IMPORT_FORMATS, importFile, type ImportFormat } from "../../io/node/files.js";
import type { PytorchSpec } from "../../io/pytorch/state-dict.js";
import { saveModel } from "../../node/files.js";
import { UserError } from "../errors.js";

interface ImportArgs { out: string; from?: string; pytorchSpec?: string; json?: boolean }

export function registerImport(program: Command): void {
  program.command("import").description("turn an ONNX, TF.js, Keras 3 or PyTorch model into a gated model file")
    .argument("<file>", "model.onnx, model.json (TF.js), model.keras, or a PyTorch state dict (.safetensors)")
    .requiredOption("--out <file>", "gated model file to write (.safetensors)")
    .option("--from <format>", `the input format (default: from the file name): ${IMPORT_FORMATS.join(" | ")}`)
    .option("--pytorch-spec <file>", "pytorch: JSON module list {\"modules\": [{\"name\": \"gru\", \"type\": \"GRU\"}, …]} when the file has none")
    .option("--json", "print the result as JSON")
    .action(async (path: string, a: ImportArgs) => {
      if (a.from !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(a.from)) throw new UserError(`--from must be one of ${IMPORT_FORMATS.join(", ")}, got ${JSON.stringify(a.from)}`);
      let pytorchSpec: PytorchSpec | undefined;
      if (a.pytorchSpec) {
        try { pytorchSpec = JSON.parse(readFileSync(a.pytorchSpec, "utf8")) as PytorchSpec; } catch (e) { throw new UserError(`--pytorch-spec ${a.pytorchSpec}: ${(e as Error).message}`); }
      }
      const r = await importFile(path, { ...(a.from ? { from: a.from as ImportFormat } : {}), ...(pytorchSpec ? { pytorchSpec } : {}) });
      saveModel(a.out, r.model);
      const layers = r.model.spec.layers.map((l) => (l.kind === "recurrent" ? `${l.kind} (${String(l.cell)}, ${String(l.direction)}, ${String(l.layers)} layer(s))` : l.kind));
      if (a.json) {
        process.stdout.write(JSON.stringify({ out: a.out, format: r.format, layers: r.model.spec.layers, task: r.model.spec.task, parameters: r.model.net.paramCount, notes: r.notes }, null, 2) + "\n");
        return;
      }
      process.stdout.write(`imported ${r.format} → ${a.out}\n  layers: ${layers.join(" → ")}\n  parameters: ${r.model.net.paramCount}\n${r.notes.map((n) => `  note: ${n}\n`).join("")}`);
    });
}
