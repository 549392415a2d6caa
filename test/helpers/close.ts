/**
 * |a − b| ≤ atol + rtol·|ref| element-wise; on failure the message lists the worst mismatches.
 */
import assert from "node:assert/strict";

export interface Tolerance {
  atol: number;
  rtol?: number;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what = "values"): number {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != expected ${expected.length}`);
  const rtol = tol.rtol ?? 0;
  const bad: { i: number; a: number; e: number; d: number }[] = [];
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const d = Math.abs(a - e);
    if (Number.isNaN(a) !== Number.isNaN(e) || d > tol.atol + rtol * Math.abs(e)) bad.push({ i, a, e, d });
    if (d > worst || Number.isNaN(d)) worst = d;
  }
  if (bad.length > 0) {
    bad.sort((x, y) => y.d - x.d);
    const lines = bad.slice(0, 5).map((b) => `  [${b.i}] got ${b.a}, expected ${b.e}, |diff| ${b.d.toExponential(3)}`);
    assert.fail(`${what}: ${bad.length}/${actual.length} outside atol=${tol.atol} rtol=${rtol}; worst:\n${lines.join("\n")}`);
  }
  return worst;
}
