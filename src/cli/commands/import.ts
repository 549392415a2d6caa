/**
 * `gated import FILE --out MODEL.safetensors`: an ONNX model (a chain of recurrent nodes with the
 * ops exporters put around them), a TF.js model.json, a Keras 3 .keras archive or a PyTorch state
 * dict in safetensors, as a gated model file. The format comes from the file name (or --from).
 */
import type { Command } from "commander";
import { IMPORT_FORMATS, importFile, type ImportFormat } from "../../io/node/files.js";
import { saveModel } from "../../node/files.js";
import { UserError } from "../errors.js";
import { addPytorchOptions, loadOptionsOf, pytorchOptionsOf, type PytorchArgs } from "../import-options.js";

interface ImportArgs extends PytorchArgs { out: string; from?: string; json?: boolean; config?: string }

export function registerImport(program: Command): void {
  const cmd = program.command("import").description("turn an ONNX, TF.js, Keras 3 or PyTorch model into a gated model file")
    .argument("<file>", "model.onnx, model.json (TF.js), model.keras, or a PyTorch file (.pt/.pth: torch.save of a state dict or module, TorchScript; or a state dict in .safetensors)")
    .requiredOption("--out <file>", "gated model file to write (.safetensors)")
    .option("--from <format>", `the input format (default: from the file name): ${IMPORT_FORMATS.join(" | ")}`)
    .option("--config <file>", "keras: the model configuration for a .weights.h5 file (a .keras file, a legacy .h5, or config.json / model.to_json() output)")
    .option("--json", "print the result as JSON");
  addPytorchOptions(cmd).action(async (path: string, a: ImportArgs) => {
      if (a.from !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(a.from)) throw new UserError(`--from must be one of ${IMPORT_FORMATS.join(", ")}, got ${JSON.stringify(a.from)}`);
      const r = await importFile(path, { ...(a.from ? { from: a.from as ImportFormat } : {}), pytorch: pytorchOptionsOf(a), ...(a.config ? { kerasConfig: a.config } : {}), ...loadOptionsOf(a) });
      saveModel(a.out, r.model);
      const layers = r.model.spec.layers.map((l) => (l.kind === "recurrent" ? `${l.kind} (${String(l.cell)}, ${String(l.direction)}, ${String(l.layers)} layer(s))` : l.kind));
      if (a.json) {
        process.stdout.write(JSON.stringify({ out: a.out, format: r.format, layers: r.model.spec.layers, task: r.model.spec.task, parameters: r.model.net.paramCount, notes: r.notes }, null, 2) + "\n");
        return;
      }
      process.stdout.write(`imported ${r.format} → ${a.out}\n  layers: ${layers.join(" → ")}\n  parameters: ${r.model.net.paramCount}\n${r.notes.map((n) => `  note: ${n}\n`).join("")}`);
    });
}
