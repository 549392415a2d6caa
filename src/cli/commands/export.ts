/**
 * `gated export MODEL.safetensors --format onnx|tfjs|pytorch --out PATH`: a gated model file as
 * ONNX (every model: native GRU/LSTM/RNN nodes, Scan for the other cells), a TF.js layers model
 * (model.json + weights.bin) or a PyTorch state dict in safetensors. Conversions that cannot be
 * exact are refused with the reason.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { exportKeras3 } from "../../io/keras/keras3-export.js";
import { exportTfjs } from "../../io/keras/tfjs-export.js";
import { writeBytes, writeTfjsFiles } from "../../io/node/files.js";
import { modelToOnnx } from "../../io/onnx/export-model.js";
import { exportPytorch } from "../../io/pytorch/state-dict.js";
import { exportPytorchModule } from "../../io/pytorch/module-export.js";
import { loadModel } from "../../node/files.js";
import { UserError } from "../errors.js";
import { isSeq2seqFile, seq2seqExport } from "../seq2seq.js";
import { seq2seqModuleExport } from "../export-seq2seq-module.js";

interface ExportArgs { format: string; out: string; layout: string; lengths?: boolean; link?: boolean; names?: string; json?: boolean }

export function registerExport(program: Command): void {
  program.command("export").description("write a gated model as ONNX, a TF.js layers model or a PyTorch state dict")
    .argument("<model>", "gated model file (.safetensors)")
    .requiredOption("--format <format>", "onnx | tfjs | keras | pytorch | pytorch-module")
    .requiredOption("--out <path>", "output file (.onnx, .safetensors) or, for tfjs, model.json or a folder; pytorch-module: a folder (model.py, weights.safetensors)")
    .option("--layout <layout>", "onnx: input layout, time-major ([T, B, F]) or batch-major ([B, T, F])", "time-major")
    .option("--lengths", "onnx: add an int32 \"lengths\" [B] input (padded batches)")
    .option("--link", "end with the task's link (softmax for classes, sigmoid for binary cross-entropy); gated models output logits")
    .option("--names <list>", "pytorch: comma-separated module names, one per layer (default embedding, gru, norm, dropout, last, fc…)")
    .option("--json", "print what was written as JSON")
    .action(async (path: string, a: ExportArgs) => {
      // an encoder–decoder: two ONNX graphs (cli/seq2seq.ts) or a PyTorch module (cli/export-seq2seq-module.ts) in the folder --out
      if (isSeq2seqFile(path)) return a.format === "pytorch-module" ? seq2seqModuleExport(path, a) : seq2seqExport(path, a);
      const model = loadModel(path);
      let written: string[];
      let details: Record<string, unknown> = {};
      if (a.format === "onnx") {
        if (a.layout !== "time-major" && a.layout !== "batch-major") throw new UserError(`--layout must be time-major or batch-major, got ${a.layout}`);
        writeBytes(a.out, modelToOnnx(model, { layout: a.layout, lengths: a.lengths === true, link: a.link === true }));
        written = [a.out];
        details = { inputs: ["input", ...(a.lengths ? ["lengths"] : [])], outputs: ["output"], layout: a.layout };
      } else if (a.format === "tfjs") {
        written = writeTfjsFiles(a.out, exportTfjs(model, { link: a.link === true }));
      } else if (a.format === "pytorch") {
        const names = a.names?.split(",").map((s) => s.trim());
        const r = exportPytorch(model, names ? { names } : {});
        writeBytes(a.out, r.bytes);
        written = [a.out];
        details = { modules: r.spec.modules };
      } else if (a.format === "pytorch-module") {
        // DIR/model.py (an nn.Module for this exact architecture, batch_first) and DIR/weights.safetensors
        if (a.link) throw new UserError("--link does not apply to pytorch-module: the module returns gated's raw outputs; apply torch.softmax or torch.sigmoid to them");
        const r = exportPytorchModule(model);
        written = [join(a.out, "model.py"), join(a.out, "weights.safetensors")];
        writeBytes(written[1]!, r.weights);
        writeBytes(written[0]!, new TextEncoder().encode(r.python));
        details = { usage: 'from model import Model; m = Model.load("weights.safetensors"); y = m(x, lengths)', layout: "batch-major" };
      } else if (a.format === "keras") {
        // a Keras 3 .keras archive (config.json, metadata.json, model.weights.h5) for keras.saving.load_model
        writeBytes(a.out, await exportKeras3(model, { link: a.link === true }));
        written = [a.out];
      } else {
        throw new UserError(`--format must be onnx, tfjs, keras, pytorch or pytorch-module, got ${JSON.stringify(a.format)}`);
      }
      if (a.json) process.stdout.write(JSON.stringify({ format: a.format, written, ...details }, null, 2) + "\n");
      else process.stdout.write(`wrote ${a.format}: ${written.join(", ")}\n`);
    });
}
