// Batch normalisation over the time-major rows r = t·B + b of a sequence, feature by feature
// (LiGRU's normalised projections): the passes over N × F elements of src/kernels/norm.ts
// batchNormForward / batchNormBackward, whose TypeScript is the reference; read it first. The
// arithmetic is float64, as there (JavaScript numbers): every sum runs over the rows in order
// r = 0 … N − 1, two features per f64x2 vector, and every element takes the same operations in the
// same order, so the results are the same bits. The per-feature steps between the passes (divide
// by M, running statistics, 1/√(σ² + ε)) stay in TypeScript.
//
// Shape legend: N = T·B rows of F features (row stride F), work rows of ld elements; `len` the
// per-row lengths (B int32) or 0 for none: row (t, b) takes part when t < len[b]. f64 arrays are
// F doubles at 8-byte-aligned addresses.

// @ts-ignore: decorator
@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

// @ts-ignore: decorator
@inline function store2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

// @ts-ignore: decorator
@inline function active(len: usize, t: i32, b: i32): bool {
  return len == 0 || t < load<i32>(len + (<usize>b << 2));
}

/** acc[j] += x[r, j], or (x[r, j] − mean[j])² with `squares`, over the active rows in order. */
// @ts-ignore: decorator
@inline function sumRows(x: usize, T: i32, B: i32, F: i32, len: usize, acc: usize, mean: usize, squares: bool): void {
  const F2 = F & ~1;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      if (!active(len, t, b)) continue;
      const row = x + (<usize>(t * B + b) * F << 2);
      for (let j = 0; j < F2; j += 2) {
        const s = acc + (<usize>j << 3);
        let v = load2(row + (<usize>j << 2));
        if (squares) { const d = f64x2.sub(v, v128.load(mean + (<usize>j << 3))); v = f64x2.mul(d, d); }
        v128.store(s, f64x2.add(v128.load(s), v));
      }
      if (F2 < F) {
        const s = acc + (<usize>F2 << 3);
        let v = <f64>load<f32>(row + (<usize>F2 << 2));
        if (squares) { const d = v - load<f64>(mean + (<usize>F2 << 3)); v = d * d; }
        store<f64>(s, load<f64>(s) + v);
      }
    }
  }
}

/** mean[j] = Σ x[r, j] / M, then sq[j] = Σ (x[r, j] − mean[j])² over the active rows. */
export function bnStats(x: usize, T: i32, B: i32, F: i32, len: usize, M: f64, mean: usize, sq: usize): void {
  for (let j = 0; j < F; j++) { store<f64>(mean + (<usize>j << 3), 0); store<f64>(sq + (<usize>j << 3), 0); }
  sumRows(x, T, B, F, len, mean, 0, false);
  for (let j = 0; j < F; j++) { const m = mean + (<usize>j << 3); store<f64>(m, load<f64>(m) / M); }
  sumRows(x, T, B, F, len, sq, mean, true);
}

/**
 * work[F + j] = inv[j]; for every row, x̂ = (x − mean)·inv into work[r·ld + j] and
 * x = γ ⊙ x̂ + β (β = 0 when beta is 0: the same + 0 as the reference).
 */
export function bnApply(x: usize, N: i32, F: i32, mean: usize, inv: usize, gamma: usize, beta: usize, work: usize, ld: i32): void {
  const F2 = F & ~1;
  for (let j = 0; j < F; j++) store<f32>(work + (<usize>(F + j) << 2), <f32>load<f64>(inv + (<usize>j << 3)));
  const zero = f64x2.splat(0);
  for (let r = 0; r < N; r++) {
    const row = x + (<usize>r * F << 2), w = work + (<usize>r * ld << 2);
    for (let j = 0; j < F2; j += 2) {
      const o = <usize>j << 2, o8 = <usize>j << 3;
      const xh = f64x2.mul(f64x2.sub(load2(row + o), v128.load(mean + o8)), v128.load(inv + o8));
      store2(w + o, xh);
      store2(row + o, f64x2.add(f64x2.mul(load2(gamma + o), xh), beta ? load2(beta + o) : zero));
    }
    if (F2 < F) {
      const o = <usize>F2 << 2, o8 = <usize>F2 << 3;
      const xh = (<f64>load<f32>(row + o) - load<f64>(mean + o8)) * load<f64>(inv + o8);
      store<f32>(w + o, <f32>xh);
      store<f32>(row + o, <f32>(<f64>load<f32>(gamma + o) * xh + (beta ? <f64>load<f32>(beta + o) : 0)));
    }
  }
}

/** sdy[j] = Σ dy[r, j], sdyx[j] = Σ dy[r, j]·x̂[r, j] over the active rows (dy in dx). */
export function bnGradSums(dx: usize, T: i32, B: i32, F: i32, len: usize, work: usize, ld: i32, sdy: usize, sdyx: usize): void {
  const F2 = F & ~1;
  for (let j = 0; j < F; j++) { store<f64>(sdy + (<usize>j << 3), 0); store<f64>(sdyx + (<usize>j << 3), 0); }
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      if (!active(len, t, b)) continue;
      const r = t * B + b, row = dx + (<usize>r * F << 2), w = work + (<usize>r * ld << 2);
      for (let j = 0; j < F2; j += 2) {
        const o = <usize>j << 2, o8 = <usize>j << 3;
        const dy = load2(row + o);
        v128.store(sdy + o8, f64x2.add(v128.load(sdy + o8), dy));
        v128.store(sdyx + o8, f64x2.add(v128.load(sdyx + o8), f64x2.mul(dy, load2(w + o))));
      }
      if (F2 < F) {
        const o = <usize>F2 << 2, o8 = <usize>F2 << 3;
        const dy = <f64>load<f32>(row + o);
        store<f64>(sdy + o8, load<f64>(sdy + o8) + dy);
        store<f64>(sdyx + o8, load<f64>(sdyx + o8) + dy * <f64>load<f32>(w + o));
      }
    }
  }
}

/**
 * In place on dx: inactive rows 0; else c ⊙ (dy − sdy/M − x̂ ⊙ sdyx/M) with batch statistics
 * (`fromBatch`), c ⊙ dy with constant ones. mdy = sdy/M and mdyx = sdyx/M, per feature.
 */
export function bnGradApply(dx: usize, T: i32, B: i32, F: i32, len: usize, work: usize, ld: i32, c: usize, mdy: usize, mdyx: usize, fromBatch: i32): void {
  const F2 = F & ~1;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const r = t * B + b, row = dx + (<usize>r * F << 2), w = work + (<usize>r * ld << 2);
      if (!active(len, t, b)) { memory.fill(row, 0, <usize>F << 2); continue; }
      for (let j = 0; j < F2; j += 2) {
        const o = <usize>j << 2, o8 = <usize>j << 3;
        const dy = load2(row + o), cj = v128.load(c + o8);
        const v = fromBatch
          ? f64x2.mul(cj, f64x2.sub(f64x2.sub(dy, v128.load(mdy + o8)), f64x2.mul(load2(w + o), v128.load(mdyx + o8))))
          : f64x2.mul(cj, dy);
        store2(row + o, v);
      }
      if (F2 < F) {
        const o = <usize>F2 << 2, o8 = <usize>F2 << 3;
        const dy = <f64>load<f32>(row + o), cj = load<f64>(c + o8);
        store<f32>(row + o, <f32>(fromBatch ? cj * (dy - load<f64>(mdy + o8) - <f64>load<f32>(w + o) * load<f64>(mdyx + o8)) : cj * dy));
      }
    }
  }
}
