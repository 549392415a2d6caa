/**
 * A name from an ONNX file (value, node, initializer, attribute, metadata key) as it appears in a
 * message: JSON-quoted, so a newline, a control character or a quote in the name cannot break or
 * forge the message.
 */
export function q(name: unknown): string {
  return JSON.stringify(typeof name === "string" ? name : String(name ?? ""));
}

/** An operator type as it appears in a message: bare when it is an identifier (GRU, MatMul), quoted otherwise. */
export function opName(op: unknown): string {
  return typeof op === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(op) ? op : q(op);
}
