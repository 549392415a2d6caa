/**
 * `gated run MODEL --input input.json`: runs any model file gated reads and prints its outputs as
 * JSON. An ONNX model runs in gated's own interpreter (the recurrent operators by gated's
 * Recurrent); its input JSON maps each input name to {shape, data} (data flat or nested; optional
 * dtype, default the model's). Every other file (a gated model, PyTorch .pt/.safetensors, Keras,
 * TF.js) becomes a gated model and runs on {"input": {shape, data}, "lengths"?} in the --layout
 * given (run-model.ts).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { OnnxProgram } from "../../io/onnx/program.js";
import { readOnnxProgram } from "../../io/node/onnx-files.js";
import { sizeOf, tensor, type OnnxDType, type OnnxTensor } from "../../io/onnx/tensor.js";
import { IMPORT_FORMATS, readAnyModel, type ImportFormat } from "../../io/node/files.js";
import { UserError } from "../errors.js";
import { addPytorchOptions, loadOptionsOf, pytorchOptionsOf, type PytorchArgs } from "../import-options.js";
import { MAX_FLOAT32, flattenNumbers, runModelOnJson, type RunLayout } from "../run-model.js";
import { fmtShape } from "../../errors/index.js";
import { checkInputSize } from "../../util/limits.js";
import { previewJson, quoteText } from "../../util/preview.js";

interface RunArgs extends PytorchArgs { input?: string; outputs?: string; layout?: string; from?: string }

const DTYPES: readonly OnnxDType[] = ["float32", "float64", "int64", "int32", "bool"];

export function registerRun(program: Command): void {
  const cmd = program.command("run").description("run any model file (ONNX, gated, PyTorch, Keras, TF.js) on given inputs and print its outputs as JSON")
    .argument("<model>", "model file: .onnx, a gated .safetensors, or anything `gated import` reads")
    .option("--input <file>", "JSON input; '-' or absent: standard input. ONNX: input names to {shape, data}; other models: {\"input\": {shape, data}, \"lengths\": [...]}")
    .option("--layout <layout>", "other models: the input's layout, batch-major ([B, T, F]) or time-major ([T, B, F])")
    .option("--from <format>", `the model's format when its name does not say: ${IMPORT_FORMATS.join(" | ")}`)
    .option("--outputs <names>", "ONNX: comma-separated names of the outputs to print (default: all)")
    .addHelpText("after", '\nONNX input.json: {"X": {"shape": [5, 1, 3], "data": [0.1, 0.2, ...]}}\nOther models: {"input": {"shape": [2, 5, 3], "data": [...]}} with --layout batch-major\nOutput: {"Y": {"shape": [...], "dtype": "float32", "data": [...]}, ...}');
  addPytorchOptions(cmd).action(async (path: string, a: RunArgs) => {
      if (a.from !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(a.from)) throw new UserError(`--from must be one of ${IMPORT_FORMATS.join(", ")}, got ${JSON.stringify(a.from)}`);
      if (a.layout !== undefined && a.layout !== "batch-major" && a.layout !== "time-major") throw new UserError(`--layout must be batch-major or time-major, got ${JSON.stringify(a.layout)}`);
      const isOnnx = a.from === "onnx" || (a.from === undefined && path.toLowerCase().endsWith(".onnx"));
      if (!isOnnx) {
        if (a.outputs !== undefined) throw new UserError("--outputs is for ONNX models (a gated model has one output)");
        const r = await readAnyModel(path, { ...(a.from ? { from: a.from as ImportFormat } : {}), pytorch: pytorchOptionsOf(a), ...loadOptionsOf(a) });
        process.stdout.write(JSON.stringify(runModelOnJson(r.model, readInput(a.input), a.layout as RunLayout | undefined)) + "\n");
        return;
      }
      if (a.layout !== undefined) throw new UserError("--layout is for non-ONNX models (an ONNX model's inputs have their own shapes)");
      const program = readOnnxProgram(path, loadOptionsOf(a)); // with external data (model.onnx.data) from beside it
      const feeds = parseFeeds(readInput(a.input), program);
      const out = program.run(feeds);
      const want = a.outputs ? a.outputs.split(",").map((s) => s.trim()) : Object.keys(out);
      const res: Record<string, unknown> = {};
      for (const name of want) {
        const t = out[name];
        if (!t) throw new UserError(`the model has no output "${name}"; outputs: ${Object.keys(out).join(", ")}`);
        res[name] = { shape: t.shape, dtype: t.dtype, data: Array.from(t.data) };
      }
      process.stdout.write(JSON.stringify(res) + "\n");
    });
}

function readInput(file: string | undefined): unknown {
  let text: string;
  if (file === undefined || file === "-") {
    if (process.stdin.isTTY) throw new UserError("no input: give --input FILE or pipe the input JSON to standard input");
    text = readFileSync(0, "utf8");
  } else {
    try { text = readFileSync(file, "utf8"); } catch { throw new UserError(`input file not found or unreadable: ${file}`); }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`the input is not JSON: ${(e as Error).message}`);
  }
}

function parseFeeds(json: unknown, program: OnnxProgram): Record<string, OnnxTensor> {
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new UserError('the input JSON must be an object mapping input names to {"shape": [...], "data": [...]}');
  const feeds: Record<string, OnnxTensor> = {};
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    const spec = program.inputs.find((i) => i.name === name);
    if (!spec) throw new UserError(`the model has no input ${quoteText(name)}; inputs: ${program.inputs.map((i) => i.name).join(", ")}`);
    const e = v as { shape?: unknown; data?: unknown; dtype?: unknown };
    if (!e || !Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new UserError(`input "${name}": "shape" must be a list of non-negative integers, got ${previewJson(e?.shape)}`);
    if (!Array.isArray(e.data)) throw new UserError(`input "${name}": "data" must be an array (flat or nested)`);
    const dtype = (e.dtype ?? spec.dtype ?? "float32") as OnnxDType;
    if (!DTYPES.includes(dtype)) throw new UserError(`input "${name}": dtype must be one of ${DTYPES.join(", ")}, got ${previewJson(e.dtype)}`);
    const shape = e.shape as number[], n = sizeOf(shape);
    // before reading the values: a JS array (8 bytes each) and the tensor
    checkInputSize(`input "${name}"`, `shape ${fmtShape(shape)}`, n * (8 + (dtype === "float32" || dtype === "int32" ? 4 : dtype === "bool" ? 1 : 8)), `${n} values of ${dtype}`, "run smaller inputs");
    const data = flattenNumbers(`input "${name}": "data"`, e.data, n, { maxDepth: Math.max(8, shape.length), booleans: true });
    checkRange(name, dtype, data);
    feeds[name] = tensor(dtype, shape, data);
  }
  return feeds;
}

/** Each value fits its dtype: float32 stays finite, integer types hold whole numbers. */
function checkRange(name: string, dtype: OnnxDType, data: readonly number[]): void {
  const bad = dtype === "float32" ? data.findIndex((x) => Math.abs(x) > MAX_FLOAT32)
    : dtype === "int32" ? data.findIndex((x) => !Number.isInteger(x) || x < -(2 ** 31) || x >= 2 ** 31)
    : dtype === "int64" ? data.findIndex((x) => !Number.isSafeInteger(x)) : -1;
  if (bad >= 0) throw new UserError(`input "${name}": value ${bad} (${data[bad]}) does not fit ${dtype}${dtype === "float32" ? " (±3.4e38)" : " (whole numbers only)"}`);
}
