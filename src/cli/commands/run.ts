/**
 * `gated run MODEL.onnx --input input.json`: runs an ONNX model with gated's own interpreter (the
 * recurrent operators by gated's Recurrent) and prints its outputs as JSON. The input JSON maps
 * each input name to {shape, data} (data flat or nested; optional dtype, default the model's).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { OnnxProgram } from "../../io/onnx/program.js";
import { sizeOf, tensor, type OnnxDType, type OnnxTensor } from "../../io/onnx/tensor.js";
import { readBytes } from "../../node/files.js";
import { UserError } from "../errors.js";

interface RunArgs { input?: string; outputs?: string }

const DTYPES: readonly OnnxDType[] = ["float32", "float64", "int64", "int32", "bool"];

export function registerRun(program: Command): void {
  program.command("run").description("run an ONNX model with gated's interpreter and print its outputs as JSON")
    .argument("<model>", "ONNX model file (.onnx)")
    .option("--input <file>", "JSON object mapping input names to {shape, data}; '-' or absent: standard input")
    .option("--outputs <names>", "comma-separated names of the outputs to print (default: all)")
    .addHelpText("after", '\nExample input.json: {"X": {"shape": [5, 1, 3], "data": [0.1, 0.2, ...]}}\nOutput: {"Y": {"shape": [...], "dtype": "float32", "data": [...]}, ...}')
    .action((path: string, a: RunArgs) => {
      const program = OnnxProgram.fromBytes(readBytes(path, "ONNX model"), path);
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
    if (!spec) throw new UserError(`the model has no input "${name}"; inputs: ${program.inputs.map((i) => i.name).join(", ")}`);
    const e = v as { shape?: unknown; data?: unknown; dtype?: unknown };
    if (!e || !Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new UserError(`input "${name}": "shape" must be a list of non-negative integers`);
    if (!Array.isArray(e.data)) throw new UserError(`input "${name}": "data" must be an array (flat or nested)`);
    const dtype = (e.dtype ?? spec.dtype ?? "float32") as OnnxDType;
    if (!DTYPES.includes(dtype)) throw new UserError(`input "${name}": dtype must be one of ${DTYPES.join(", ")}, got ${JSON.stringify(e.dtype)}`);
    const data = (e.data as unknown[]).flat(Infinity).map((x) => (typeof x === "boolean" ? Number(x) : x));
    if (data.some((x) => typeof x !== "number")) throw new UserError(`input "${name}": data must hold numbers`);
    if (data.length !== sizeOf(e.shape as number[])) throw new UserError(`input "${name}": shape [${(e.shape as number[]).join(", ")}] needs ${sizeOf(e.shape as number[])} values, data has ${data.length}`);
    feeds[name] = tensor(dtype, e.shape as number[], data as number[]);
  }
  return feeds;
}
