/**
 * A small ONNX graph builder for the exporters: unique value names, initializers from typed arrays,
 * nodes from an op name, inputs and attributes. A body graph (Scan) shares the name space of its
 * parent and puts its constants in the outermost graph, where the body reads them as outer-scope
 * values.
 */
import { attr, DataType, type AttributeProto, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from "./proto.js";
import { toTensorProto, type OnnxDType, dtypeCode, tensor } from "./tensor.js";

export type AttrValue = number | string | readonly number[] | readonly string[] | GraphProto | TensorProto;

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly names: Set<string>;
  private readonly root: GraphBuilder;
  /** Values computed once per graph (shape pieces, masks), by key. */
  readonly memo = new Map<string, string>();

  constructor(parent?: GraphBuilder) {
    this.root = parent ? parent.root : this;
    this.names = parent ? parent.names : new Set<string>();
  }

  /** A name not used yet, derived from `base`. */
  fresh(base: string): string {
    let name = base, i = 1;
    while (this.names.has(name)) name = `${base}_${i++}`;
    this.names.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs, outputs, gated parameter names). */
  reserve(name: string): string {
    this.names.add(name);
    return name;
  }

  /** Adds an initializer (always to the outermost graph) and returns its name. */
  constant(base: string, dtype: OnnxDType, shape: readonly number[], data: ArrayLike<number>, exact = false): string {
    const name = exact ? this.root.reserve(base) : this.root.fresh(base);
    this.root.initializers.push(toTensorProto(name, tensor(dtype, shape, data)));
    return name;
  }

  f32(base: string, shape: readonly number[], data: ArrayLike<number>): string {
    return this.constant(base, "float32", shape, data);
  }

  /** A float32 scalar constant, shared by value. */
  scalar(v: number): string {
    const key = `scalar:${Math.fround(v)}`;
    const hit = this.root.memo.get(key);
    if (hit) return hit;
    const name = this.constant(`c_${String(Math.fround(v)).replace(/[^0-9a-z]/gi, "_")}`, "float32", [], [v]);
    this.root.memo.set(key, name);
    return name;
  }

  /** A 1-D int64 constant, shared by value. */
  ints(base: string, values: readonly number[]): string {
    const key = `ints:${values.join(",")}`;
    const hit = this.root.memo.get(key);
    if (hit) return hit;
    const name = this.constant(base, "int64", [values.length], values);
    this.root.memo.set(key, name);
    return name;
  }

  /** Adds a node; returns its output names (fresh unless given). */
  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputs: number | readonly string[] = 1, base?: string): string[] {
    const outs = typeof outputs === "number"
      ? Array.from({ length: outputs }, (_, i) => this.fresh(`${base ?? op.toLowerCase()}${outputs > 1 ? `_${i}` : ""}`))
      : [...outputs];
    const attribute: AttributeProto[] = Object.entries(attrs).map(([k, v]) => attr(k, v as never, kindOf(k, v)));
    this.nodes.push({ opType: op, input: [...inputs], output: outs, name: this.fresh(`${base ?? op}_node`), attribute });
    return outs;
  }

  /** One-output node. */
  op(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, base?: string): string {
    return this.node(op, inputs, attrs, 1, base)[0]!;
  }

  addInput(name: string, dtype: OnnxDType, shape: readonly (number | string)[] | null): string {
    this.reserve(name);
    this.inputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  /** Declares `value` as a graph output named `name` (an Identity node when they differ). */
  addOutput(name: string, value: string, dtype: OnnxDType, shape: readonly (number | string)[] | null): void {
    if (value !== name) this.node("Identity", [value], {}, [this.reserve(name)]);
    this.outputs.push(valueInfo(name, dtype, shape));
  }

  graph(name: string): GraphProto {
    const g: GraphProto = { name, node: this.nodes, input: this.inputs, output: this.outputs };
    if (this.root === this) g.initializer = this.initializers;
    return g;
  }
}

/** Float attributes that may hold whole numbers, so the kind cannot be guessed from the value. */
const FLOAT_ATTRS = new Set(["clip", "alpha", "beta", "epsilon", "activation_alpha", "activation_beta", "ratio", "gamma"]);

function kindOf(name: string, v: AttrValue): "int" | "float" | "ints" | "floats" | undefined {
  if (typeof v === "number") return FLOAT_ATTRS.has(name) ? "float" : "int";
  if (Array.isArray(v) && (v.length === 0 || typeof v[0] === "number")) return FLOAT_ATTRS.has(name) ? "floats" : "ints";
  return undefined;
}

export function valueInfo(name: string, dtype: OnnxDType, shape: readonly (number | string)[] | null): ValueInfoProto {
  const tensorType: Record<string, unknown> = { elemType: dtypeCode(dtype) };
  if (shape) tensorType.shape = { dim: shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType } };
}

export const FLOAT = DataType.FLOAT;
