/** The ORT fixture cases of the core conformance tests (test/fixtures/ort, scripts/gen-ort-fixtures.mjs). */
import { readFileSync } from "node:fs";
import type { OnnxRecurrentOp } from "../../../src/io/onnx/recurrent-node.js";

export interface Arr { shape: number[]; data: number[] }
export interface OrtCase {
  name: string; op: OnnxRecurrentOp; layout1: boolean;
  attributes: Record<string, unknown> & { hidden_size: number; layout?: number; direction?: string };
  inputs: Record<string, Arr | undefined>; outputs: Record<string, Arr | undefined>;
}

export function ortCases(): OrtCase[] {
  const out: OrtCase[] = [];
  for (const op of ["gru", "lstm", "rnn"]) {
    const file = JSON.parse(readFileSync(new URL(`../../fixtures/ort/${op}.json`, import.meta.url), "utf8")) as { cases: OrtCase[]; layout1Derived?: OrtCase[] };
    for (const c of file.cases) out.push({ ...c, layout1: false });
    for (const c of file.layout1Derived ?? []) out.push({ ...c, layout1: true });
  }
  return out;
}

/** [P, Q, R] → [Q, P, R] */
export function swap01(a: ArrayLike<number>, P: number, Q: number, R: number): Float32Array {
  const out = new Float32Array(P * Q * R);
  for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) for (let r = 0; r < R; r++) out[(q * P + p) * R + r] = a[(p * Q + q) * R + r]!;
  return out;
}
