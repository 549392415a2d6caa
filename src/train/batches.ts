/**
 * Mini-batches: rows of a batch-major SequenceSet gathered into time-major arrays.
 *
 * Shape legend: S sequences, T steps, F features, O outputs, B rows in the batch, W window.
 * x [S, T, F] → [T, B, F] (ids [S, T] → [T, B]); targets per sequence [S, O] → [1, B, O]
 * (class ids [S] → [B]); per step [S, T, O] → [T, B, O] (ids [S, T] → [T, B]).
 * A window [t0, t0 + W) of a per-step set gives one truncated-BPTT chunk.
 * Label sequences (CTC) [S, L] → [B, L] row-major, with their labelLengths [B] (never windowed).
 */
import type { SequenceSet } from "../data/types.js";
import type { Kernels } from "../kernels/types.js";
import type { Act } from "../layers/layer.js";

export interface Batch {
  readonly input: Act;
  readonly target: Float32Array | Int32Array;
  readonly lengths: Int32Array | null;
  /** Label sequences' lengths [B] (target then [B, L]), or null. */
  readonly labelLengths: Int32Array | null;
}

export function gatherBatch(k: Kernels, s: SequenceSet, rows: ArrayLike<number>, t0 = 0, t1 = s.steps): Batch {
  const B = rows.length, T = t1 - t0, F = s.features, S = s.steps;
  let lengths: Int32Array | null = null;
  if (s.lengths) {
    lengths = new Int32Array(B);
    for (let b = 0; b < B; b++) lengths[b] = Math.max(0, Math.min(T, s.lengths[rows[b]!]! - t0));
  }
  let input: Act;
  if (s.x instanceof Int32Array) {
    const ids = new Int32Array(T * B);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) ids[t * B + b] = s.x[rows[b]! * S + t0 + t]!;
    input = { data: k.alloc(0), ids, T, B, F, lengths };
  } else {
    const x = k.alloc(T * B * F);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) x.set(s.x.subarray((rows[b]! * S + t0 + t) * F, (rows[b]! * S + t0 + t + 1) * F), (t * B + b) * F);
    }
    input = { data: x, T, B, F, lengths };
  }
  if (s.labelLengths) return { input, target: gatherLabels(s, rows), lengths, labelLengths: Int32Array.from(rows, (r) => s.labelLengths![r]!) };
  return { input, target: gatherTargets(s, rows, t0, t1), lengths, labelLengths: null };
}

function gatherLabels(s: SequenceSet, rows: ArrayLike<number>): Int32Array {
  const B = rows.length, L = s.y.length / s.count, out = new Int32Array(B * L);
  for (let b = 0; b < B; b++) out.set(s.y.subarray(rows[b]! * L, (rows[b]! + 1) * L), b * L);
  return out;
}

function gatherTargets(s: SequenceSet, rows: ArrayLike<number>, t0: number, t1: number): Float32Array | Int32Array {
  const B = rows.length, S = s.steps, isClass = s.target === "class";
  const O = isClass ? 1 : s.outputs; // values per position
  if (!s.perStep) {
    const out = isClass ? new Int32Array(B) : new Float32Array(B * O);
    for (let b = 0; b < B; b++) out.set(s.y.subarray(rows[b]! * O, (rows[b]! + 1) * O), b * O);
    return out;
  }
  const T = t1 - t0;
  const out = isClass ? new Int32Array(T * B) : new Float32Array(T * B * O);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) out.set(s.y.subarray((rows[b]! * S + t0 + t) * O, (rows[b]! * S + t0 + t + 1) * O), (t * B + b) * O);
  }
  return out;
}
