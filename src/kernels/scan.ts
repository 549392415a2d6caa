/**
 * Parallel scans over time for recurrences that are affine in the state, h_t = a_t ⊙ h_{t−1} + u_t
 * (minGRU). Elements are [n, L]: n time elements (element 0 the initial state as the map (0, h_0)),
 * L independent lanes (B·H); every combine is vectorised over the lanes. float64 throughout.
 */

/** log(e^x + e^y), with log 0 = −∞ on either side. */
export function logAddExp(x: number, y: number): number {
  const hi = x > y ? x : y, lo = x > y ? y : x;
  return hi === -Infinity ? -Infinity : hi + Math.log1p(Math.exp(lo - hi));
}

/**
 * Work-efficient inclusive scan (Blelloch's up- and down-sweep in Brent–Kung form) over elements
 * 0..n−1: 2n combines, depth 2·log2 n. `into(i, j)` (j < i) sets element i to (element j) then (element i).
 */
export function scanInclusive(n: number, into: (i: number, j: number) => void): void {
  let d = 1;
  for (; d < n; d *= 2) for (let i = 2 * d - 1; i < n; i += 2 * d) into(i, i - d);
  for (d /= 2; d >= 1; d /= 2) for (let i = 3 * d - 1; i < n; i += 2 * d) into(i, i - d);
}

/** Maps (a, u) composed as (a2, u2) ∘ (a1, u1) = (a2·a1, a2·u1 + u2): afterwards U[t] holds h_t. */
export function affineScan(n: number, L: number, A: Float64Array, U: Float64Array): void {
  scanInclusive(n, (i, j) => {
    for (let l = 0, x = i * L, y = j * L; l < L; l++) {
      U[x + l] = A[x + l]! * U[y + l]! + U[x + l]!;
      A[x + l] = A[x + l]! * A[y + l]!;
    }
  });
}

/**
 * Heinsen's (2023) log-space scan. In: A = log a, U = log u (element 0: A = 0, U = log h_0).
 * Out: A = a*_t = Σ log a, U = logcumsumexp(log u − a*), so that log h_t = A[t] + U[t].
 */
export function logScan(n: number, L: number, A: Float64Array, U: Float64Array): void {
  scanInclusive(n, (i, j) => { for (let l = 0; l < L; l++) A[i * L + l] = A[i * L + l]! + A[j * L + l]!; });
  for (let q = L; q < n * L; q++) U[q] = U[q]! - A[q]!;
  scanInclusive(n, (i, j) => { for (let l = 0; l < L; l++) U[i * L + l] = logAddExp(U[j * L + l]!, U[i * L + l]!); });
}
