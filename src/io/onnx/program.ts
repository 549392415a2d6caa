/**
 * A loaded ONNX model that gated runs itself: the graph is checked once at load (supported ops,
 * every value defined, initializers readable), then run() interprets it with the recurrent
 * operators executed by gated's Recurrent.
 *
 *   const p = OnnxProgram.fromBytes(bytes);                       // weights inside the model
 *   const q = OnnxProgram.fromBytes(bytes, "m.onnx", { externalData: (loc) => bytesOf(loc) });
 *   const { Y } = p.run({ X: { dtype: "float32", shape: [T, B, I], data } });
 */
import { FormatError, ShapeError, fmtShape } from "../../errors/index.js";
import { decodeOnnx, num, type GraphProto, type ModelProto } from "./proto.js";
import { dtypeOfCode, sizeOf, type OnnxDType, type OnnxTensor } from "./tensor.js";
import { checkWeightsFinite, initializersOf, runGraph, validateGraph } from "./interp/graph.js";
import { resolveExternalData, type OnnxLoadOptions } from "./external-data.js";
import { q } from "./quote.js";

export interface ValueSpec {
  readonly name: string;
  readonly dtype: OnnxDType | null;
  /** Dimensions: a number, a symbolic name, or null when unknown. */
  readonly shape: readonly (number | string | null)[] | null;
}

/** The oldest default-domain opset the interpreter reads (broadcasting elementwise ops). */
const MIN_OPSET = 7;

function specs(graph: GraphProto, which: "input" | "output", skip: ReadonlySet<string>, where: string): ValueSpec[] {
  return (graph[which] ?? []).filter((v) => !skip.has(v.name ?? "")).map((v) => {
    const tt = v.type?.tensorType;
    const dtype = tt?.elemType ? dtypeOfCode(`${where} ${which} ${q(v.name)}`, tt.elemType) : null;
    const shape = tt?.shape ? (tt.shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? num(d.dimValue) : null)) : null;
    return { name: v.name ?? "", dtype, shape };
  });
}

export class OnnxProgram {
  readonly model: ModelProto;
  readonly graph: GraphProto;
  readonly opset: number;
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Whether the model was loaded with `allowNonFinite` (its conversion to a gated model then allows them too). */
  readonly allowNonFinite: boolean;
  private readonly cache = new Map<string, unknown>();

  /** Tensors stored externally are read through opts.externalData and copied into `model`. */
  constructor(model: ModelProto, readonly where = "onnx", opts: OnnxLoadOptions = {}) {
    this.model = model;
    const graph = model.graph;
    if (!graph) throw new FormatError(`${where}: the model has no graph`);
    resolveExternalData(model, where, opts.externalData);
    this.graph = graph;
    const imports = model.opsetImport ?? [];
    const dflt = imports.find((o) => !o.domain || o.domain === "ai.onnx");
    this.opset = dflt ? num(dflt.version ?? 0) : 0;
    if (this.opset < MIN_OPSET) throw new FormatError(`${where}: default-domain opset ${this.opset} is not supported (gated reads opset ${MIN_OPSET} and later)`);
    const inits = initializersOf(graph, where);
    validateGraph(graph, where);
    if (!opts.allowNonFinite) checkWeightsFinite(graph, where);
    this.allowNonFinite = opts.allowNonFinite === true;
    this.inputs = specs(graph, "input", new Set(inits.keys()), where);
    this.outputs = specs(graph, "output", new Set(), where);
    this.metadata = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? "", p.value ?? ""]));
  }

  static fromBytes(bytes: Uint8Array, where = "onnx", opts: OnnxLoadOptions = {}): OnnxProgram {
    return new OnnxProgram(decodeOnnx(bytes, where), where, opts);
  }

  /** Runs the graph on named inputs; returns the graph outputs by name. */
  run(feeds: Readonly<Record<string, OnnxTensor>>): Record<string, OnnxTensor> {
    const where = this.where;
    const given = new Map<string, OnnxTensor>();
    for (const spec of this.inputs) {
      const t = feeds[spec.name];
      if (!t) throw new ShapeError(`${where}: input ${q(spec.name)} is missing; the model takes ${this.inputs.map((i) => `${q(i.name)}`).join(", ")}`);
      checkFeed(where, spec, t);
      given.set(spec.name, t);
    }
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name)) throw new ShapeError(`${where}: unknown input ${q(name)}; the model takes ${this.inputs.map((i) => `${q(i.name)}`).join(", ")}`);
    }
    const values = runGraph(this.graph, given, { where, opset: this.opset, cache: this.cache });
    return Object.fromEntries(this.outputs.map((o) => [o.name, values.get(o.name)!]));
  }
}

function checkFeed(where: string, spec: ValueSpec, t: OnnxTensor): void {
  if (t.data.length !== sizeOf(t.shape)) throw new ShapeError(`${where}: input ${q(spec.name)} has shape ${fmtShape(t.shape)} but ${t.data.length} values`);
  if (spec.dtype && spec.dtype !== t.dtype) throw new ShapeError(`${where}: input ${q(spec.name)} must be ${spec.dtype}, got ${t.dtype}`);
  if (!spec.shape) return;
  const ok = spec.shape.length === t.shape.length && spec.shape.every((d, i) => typeof d !== "number" || d === t.shape[i]);
  if (!ok) throw new ShapeError(`${where}: input ${q(spec.name)} must have shape [${spec.shape.map((d) => d ?? "?").join(", ")}], got ${fmtShape(t.shape)}`);
}
