/**
 * `model.summary()`: one row per layer of spec.layers (what it is, its output shape, its parameter
 * count), printed as a table like Keras's. Derived from the spec and the built layers only, so a
 * loaded model summarises exactly as the model that was saved.
 *
 * Counts: `params` is every value the layer stores (what a file holds, `net.paramCount` summed);
 * `trainable` the values learned by gradient (`net.trainableCount` summed). They differ only by
 * saved statistics, such as a LiGRU's batch-norm running mean and variance.
 */
import type { LayerConfig } from "../layers/sequential.js";
import type { Model } from "./model.js";

export type Dim = number | "B" | "T";

export interface SummaryRow {
  /** Position in spec.layers (and the prefix of the layer's parameter names). */
  readonly index: number;
  readonly kind: string;
  /** The layer in words: "gru (bidirectional, 2 layers)", "dense (Relu)". */
  readonly layer: string;
  /** B rows, T steps: [B, T, F] for sequences, [B, F] per sequence. */
  readonly outputShape: readonly Dim[];
  readonly params: number;
  readonly trainable: number;
}

export function summaryRows(model: Model): SummaryRow[] {
  const net = model.net;
  let seq = true;
  return model.spec.layers.map((c, i) => {
    const l = net.layers[i]!;
    if (c.kind === "last-step") seq = false;
    const trainable = net.entries.filter((e) => e.trainable && e.name.startsWith(`${i}.`)).reduce((s, e) => s + e.size, 0);
    return { index: i, kind: c.kind, layer: describe(c), outputShape: seq ? ["B", "T", l.outputFeatures] : ["B", l.outputFeatures], params: l.paramCount, trainable };
  });
}

function describe(c: LayerConfig): string {
  const parts: string[] = [];
  switch (c.kind) {
    case "recurrent":
      if (c.direction !== undefined && c.direction !== "forward") parts.push(String(c.direction));
      if (typeof c.layers === "number" && c.layers > 1) parts.push(`${c.layers} layers`);
      if (c.recurrentDropout) parts.push(`recurrent dropout ${c.recurrentDropout}`);
      return parts.length ? `${c.cell} (${parts.join(", ")})` : String(c.cell);
    case "embedding": return `embedding (${c.vocabularySize} → ${c.embeddingSize})`;
    case "dense": {
      const a = c.activation as string | { name: string; alpha?: number; beta?: number } | undefined;
      const name = typeof a === "string" ? a : a?.name;
      const identity = a === undefined || (typeof a === "object" && a.name === "Affine" && a.alpha === 1 && a.beta === 0);
      return identity ? "dense" : `dense (${name})`;
    }
    case "dropout": return `dropout (${c.rate}${c.mask === "sequence" ? ", one mask per sequence" : ""})`;
    case "last-step": return c.at === "last-step" ? "last-step (every direction at step len − 1)" : "last-step";
    default: return c.kind;
  }
}

const count = (n: number) => n.toLocaleString("en");

/** The rows as a table, with the totals on the last line. */
export function formatSummary(rows: readonly SummaryRow[]): string {
  const cells = rows.map((r) => [`${r.index} ${r.layer}`, `[${r.outputShape.join(", ")}]`, count(r.params)]);
  const head = ["Layer", "Output shape", "Parameters"];
  const w = head.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j]!.length)));
  const line = (c: string[]) => `${c[0]!.padEnd(w[0]!)}  ${c[1]!.padEnd(w[1]!)}  ${c[2]!.padStart(w[2]!)}`;
  const total = rows.reduce((s, r) => s + r.params, 0), learned = rows.reduce((s, r) => s + r.trainable, 0);
  const rule = "─".repeat(w[0]! + w[1]! + w[2]! + 4);
  const stats = total - learned;
  return [line(head), rule, ...cells.map(line), rule,
    `Total parameters: ${count(total)} (learned: ${count(learned)}${stats ? `; saved statistics: ${count(stats)}` : ""})`].join("\n");
}
