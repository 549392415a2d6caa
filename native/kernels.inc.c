/*
 * The kernels of one instruction set, included twice by kernels.c: once with AVX-512 (VW = 16
 * floats a vector, MR = 12 rows a tile), once with AVX2+FMA (VW = 8, MR = 6). Written with GCC
 * vector extensions under a function-level target attribute, so the same source becomes zmm or
 * ymm code; a·b + c contracts to one fused multiply-add (-ffp-contract=fast).
 *
 * Shape legend: out[M, N] = A · B, K the inner size; the micro-tile is MR rows × NR = 2·VW columns.
 * B is packed per block of KC rows of K into panels of NR columns (zero-padded), each [kc, NR].
 *
 * Summation order of every product element, whatever M, the tiling or the ISA's tile size:
 * per block of KC = 256 products summed in order from zero (one FMA chain), then block by block
 * added to out (beta) — so a row of out never depends on the other rows.
 *
 * Expects: SUF (name suffix), TGT (target string), VW, MR.
 */
#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SUF)
#define NR (2 * VW)
#define ATTR __attribute__((target(TGT)))
#define INL __attribute__((target(TGT), always_inline)) static inline

typedef float FN(vf) __attribute__((vector_size(VW * 4)));
typedef float FN(vfu) __attribute__((vector_size(VW * 4), aligned(4)));
typedef int FN(vi) __attribute__((vector_size(VW * 4)));
#define vf FN(vf)
#define vfu FN(vfu)
#define vi FN(vi)

/* One tile: c[mr, nc] (+)= A[mr, kc] · P[kc, NR]; mr a constant after inlining. */
INL void FN(tile)(const int mr, int kc, const float *a, long ars, long acs, const float *bp, float *c, long ldc, int acc, int nc) {
  vf s0[MR], s1[MR];
#pragma GCC unroll 16
  for (int r = 0; r < mr; r++) { s0[r] = (vf){0}; s1[r] = (vf){0}; }
  for (int p = 0; p < kc; p++) {
    const vf b0 = *(const vfu *)(bp + p * NR), b1 = *(const vfu *)(bp + p * NR + VW);
    const float *ap = a + p * acs;
#pragma GCC unroll 16
    for (int r = 0; r < mr; r++) {
      const float av = ap[r * ars];
      s0[r] = av * b0 + s0[r];
      s1[r] = av * b1 + s1[r];
    }
  }
  if (nc == NR) {
#pragma GCC unroll 16
    for (int r = 0; r < mr; r++) {
      vfu *o0 = (vfu *)(c + r * ldc), *o1 = (vfu *)(c + r * ldc + VW);
      if (acc) { *o0 = *o0 + s0[r]; *o1 = *o1 + s1[r]; } else { *o0 = s0[r]; *o1 = s1[r]; }
    }
    return;
  }
  float t[MR * NR];
#pragma GCC unroll 16
  for (int r = 0; r < mr; r++) { *(vfu *)(t + r * NR) = s0[r]; *(vfu *)(t + r * NR + VW) = s1[r]; }
  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nc; j++) c[r * ldc + j] = acc ? c[r * ldc + j] + t[r * NR + j] : t[r * NR + j];
}

/* The tile for any mr ≤ MR: one specialised copy per row count. */
ATTR static void FN(tileAny)(int mr, int kc, const float *a, long ars, long acs, const float *bp, float *c, long ldc, int acc, int nc) {
  switch (mr) {
#define ROWS(R) case R: FN(tile)(R, kc, a, ars, acs, bp, c, ldc, acc, nc); return;
    ROWS(1) ROWS(2) ROWS(3) ROWS(4) ROWS(5) ROWS(6)
#if MR > 6
    ROWS(7) ROWS(8) ROWS(9) ROWS(10) ROWS(11) ROWS(12)
#endif
#undef ROWS
  }
}

/* Floats of B packed whole (all K blocks). */
static long FN(packedSize)(int n, int k) { return (long)((n + NR - 1) / NR) * NR * k; }

/* dst = B [k, n] (bT: stored [n, k]) packed: block p0 at p0·nPan·NR, panel q at + q·kc·NR. */
ATTR static void FN(pack)(float *dst, const float *b, long ldb, int bT, int n, int k) {
  const int nPan = (n + NR - 1) / NR;
  for (int p0 = 0; p0 < k; p0 += KC) {
    const int kc = k - p0 < KC ? k - p0 : KC;
    for (int q = 0; q < nPan; q++) {
      float *d = dst + (long)p0 * nPan * NR + (long)q * kc * NR;
      const int j0 = q * NR, nc = n - j0 < NR ? n - j0 : NR;
      if (bT) {
        for (int p = 0; p < kc; p++) for (int j = nc; j < NR; j++) d[p * NR + j] = 0;
        for (int j = 0; j < nc; j++) {
          const float *s = b + (long)(j0 + j) * ldb + p0;
          for (int p = 0; p < kc; p++) d[p * NR + j] = s[p];
        }
      } else {
        for (int p = 0; p < kc; p++) {
          const float *s = b + (long)(p0 + p) * ldb + j0;
          for (int j = 0; j < nc; j++) d[p * NR + j] = s[j];
          for (int j = nc; j < NR; j++) d[p * NR + j] = 0;
        }
      }
    }
  }
}

/* out[m, columns of panels q0..q1) (+)= A · P, P packed by pack(). */
ATTR static void FN(gemmPackedRange)(float *out, long ldo, const float *a, long ars, long acs, const float *P, int m, int n, int k, int beta, int q0, int q1) {
  const int nPan = (n + NR - 1) / NR;
  for (int p0 = 0; p0 < k; p0 += KC) {
    const int kc = k - p0 < KC ? k - p0 : KC, acc = beta || p0 > 0;
    for (int i0 = 0; i0 < m; i0 += MC) {
      const int i1 = m - i0 < MC ? m : i0 + MC;
      for (int q = q0; q < q1; q++) {
        const float *bp = P + (long)p0 * nPan * NR + (long)q * kc * NR;
        const int nc = n - q * NR < NR ? n - q * NR : NR;
        int i = i0;
        for (; i + MR <= i1; i += MR) FN(tile)(MR, kc, a + i * ars + p0 * acs, ars, acs, bp, out + i * ldo + q * NR, ldo, acc, nc);
        if (i < i1) FN(tileAny)(i1 - i, kc, a + i * ars + p0 * acs, ars, acs, bp, out + i * ldo + q * NR, ldo, acc, nc);
      }
    }
  }
}

typedef struct { float *out; long ldo; const float *a; long ars, acs; const float *P; int m, n, k, beta; } FN(PackedJob);

ATTR static void FN(gemmPart)(void *ctx, int part, int parts) {
  const FN(PackedJob) *j = ctx;
  const int nPan = (j->n + NR - 1) / NR;
  FN(gemmPackedRange)(j->out, j->ldo, j->a, j->ars, j->acs, j->P, j->m, j->n, j->k, j->beta, (int)((long)nPan * part / parts), (int)((long)nPan * (part + 1) / parts));
}

/*
 * out[m, n] (+)= A · P, P packed by pack(): on the pool's threads when the product is large enough
 * (each thread a run of column panels, every element summed in the same order as on one thread,
 * so the result does not depend on the thread count).
 */
ATTR static void FN(gemmPacked)(float *out, long ldo, const float *a, long ars, long acs, const float *P, int m, int n, int k, int beta) {
  const int nPan = (n + NR - 1) / NR;
  const int parts = pool_parts((long)m * n * k, nPan);
  if (parts <= 1) { FN(gemmPackedRange)(out, ldo, a, ars, acs, P, m, n, k, beta, 0, nPan); return; }
  FN(PackedJob) j = { out, ldo, a, ars, acs, P, m, n, k, beta };
  pool_run(FN(gemmPart), &j, parts);
}

ATTR static void FN(gemm)(const Gemm *g) {
  if (g->m <= 0 || g->n <= 0) return;
  if (g->k <= 0) {
    if (!g->beta) for (int i = 0; i < g->m; i++) memset(g->out + (long)i * g->ldo, 0, sizeof(float) * g->n);
    return;
  }
  float *P = scratch_floats(FN(packedSize)(g->n, g->k));
  if (!P) return;
  FN(pack)(P, g->b, g->ldb, g->bT, g->n, g->k);
  FN(gemmPacked)(g->out, g->ldo, g->a, g->ars, g->acs, P, g->m, g->n, g->k, g->beta);
}

/* e^x for x clamped to [−87.3, 88.3] (Cephes expf: rel. error ~1e-7), element-wise. */
INL vf FN(vsel)(vi m, vf yes, vf no) { return (vf)(((vi)yes & m) | ((vi)no & ~m)); }
INL vf FN(vexp)(vf x) {
  x = FN(vsel)(x < -87.3f, (vf){0} - 87.3f, x);
  x = FN(vsel)(x > 88.3f, (vf){0} + 88.3f, x);
  const vf magic = (vf){0} + 12582912.0f;
  vf n = x * 1.44269504088896341f + magic;
  n = n - magic;
  vf r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  vf p = (vf){0} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const vf y = p * r * r + r + 1.0f;
  const vi e = (__builtin_convertvector(n, vi) + 127) << 23;
  return y * (vf)e;
}
INL vf FN(vclip)(vf a, float clip) {
  a = FN(vsel)(a > clip, (vf){0} + clip, a);
  return FN(vsel)(a < -clip, (vf){0} - clip, a);
}
INL vf FN(vsigmoid)(vf a) { return 1.0f / (1.0f + FN(vexp)(-a)); }
INL vf FN(vtanh)(vf a) { return 1.0f - 2.0f / (FN(vexp)(a + a) + 1.0f); }

/* Loads n ≤ VW floats (the rest 0) / stores n. */
INL vf FN(ld)(const float *p, int n) { if (n == VW) return *(const vfu *)p; vf v = {0}; for (int i = 0; i < n; i++) v[i] = p[i]; return v; }
INL void FN(st)(float *p, vf v, int n) { if (n == VW) { *(vfu *)p = v; return; } for (int i = 0; i < n; i++) p[i] = v[i]; }

/*
 * One GRU-family step's gate work (src/cells/gated-unit.ts forward, the same expressions):
 *   gates  g = σ(clip(b_g + xp_g + hp_g)) into cache block g
 * then (reset before) cache block nG + 1 = r ⊙ h.
 */
ATTR static void FN(gates)(const GruSpec *s, int B, const float *xp, const float *hp, const float *h, const float *b, float *cache, int ldc) {
  const int H = s->H, X = s->gx + 1, ldp = (s->gh + 1) * H, rIdx = s->nG == 1 ? 0 : 1;
  for (int i = 0; i < B; i++) {
    float *ci = cache + (long)i * ldc;
    for (int g = 0; g < s->nG; g++) {
      for (int j = 0; j < H; j += VW) {
        const int w = H - j < VW ? H - j : VW;
        vf a = s->gb > 0 ? FN(ld)(b + g * H + j, w) : (vf){0};
        if (s->gx > 0) a = a + FN(ld)(xp + (long)i * X * H + g * H + j, w);
        if (s->gh > 0) a = a + FN(ld)(hp + (long)i * ldp + g * H + j, w);
        FN(st)(ci + g * H + j, FN(vsigmoid)(FN(vclip)(a, s->clip)), w);
      }
    }
    if (!s->after) {
      for (int j = 0; j < H; j += VW) {
        const int w = H - j < VW ? H - j : VW;
        FN(st)(ci + (s->nG + 1) * H + j, FN(ld)(ci + rIdx * H + j, w) * FN(ld)(h + (long)i * H + j, w), w);
      }
    }
  }
}

/*
 * The candidate and the new state:
 *   reset after:  q = U_h h + c_h (cache block nG + 1),  n = φ(W_h x + b_h + r ⊙ q)
 *   reset before: n = φ(W_h x + b_h + U_h (r ⊙ h))
 *   keep: h' = z ⊙ h + (1 − z) ⊙ n;  replace: h' = (1 − z) ⊙ h + z ⊙ n
 */
ATTR static void FN(candidate)(const GruSpec *s, int B, const float *xp, const float *hp, const float *h, const float *b, const float *c, float *cache, int ldc, float *out) {
  const int H = s->H, nG = s->nG, X = s->gx + 1, ldp = (s->gh + 1) * H, rIdx = nG == 1 ? 0 : 1;
  const int bh = s->bias ? s->gb * H : -1;
  for (int i = 0; i < B; i++) {
    float *ci = cache + (long)i * ldc;
    for (int j = 0; j < H; j += VW) {
      const int w = H - j < VW ? H - j : VW;
      const vf rec = FN(ld)(hp + (long)i * ldp + s->gh * H + j, w);
      vf a = FN(ld)(xp + (long)i * X * H + s->gx * H + j, w);
      if (bh >= 0) a = a + FN(ld)(b + bh + j, w);
      if (s->after) {
        const vf q = s->hasC ? rec + FN(ld)(c + j, w) : rec;
        FN(st)(ci + (nG + 1) * H + j, q, w);
        a = a + FN(ld)(ci + rIdx * H + j, w) * q;
      } else {
        a = a + rec;
      }
      const vf n = FN(vtanh)(FN(vclip)(a, s->clip));
      FN(st)(ci + nG * H + j, n, w);
      const vf z = FN(ld)(ci + j, w), hv = FN(ld)(h + (long)i * H + j, w);
      FN(st)(out + (long)i * H + j, s->keep ? z * hv + (1.0f - z) * n : (1.0f - z) * hv + z * n, w);
    }
  }
}

/* The whole forward loop (src/sequence/run.ts stepLoop with gated-unit.ts forward); 0: no memory. */
/*
 * The same loop with every product in dynamic int8 (int8.c): x · Wᵀ (when this loop computes the
 * projection), h · U_gᵀ, and q = h · U_hᵀ (after) or (r ⊙ h) · U_hᵀ (before); the gates as above.
 */
ATTR static int FN(gruForward8)(const GruSpec *s, const GruLoop *l) {
  const int H = s->H, B = l->B, T = l->T, X = s->gx + 1, XH = X * H, ldc = (s->nG + 2) * H, ldp = (s->gh + 1) * H;
  const long BH = (long)B * H;
  const int rowsNow = s->after ? s->gh + 1 : s->gh;
  // W, the blocks multiplied by h and (reset before) U_h, quantised into one pack
  const size_t sW = l->x ? int8_weights_size(XH, l->I) : 0, sA = rowsNow > 0 ? int8_weights_size(rowsNow * H, H) : 0;
  const size_t sH = s->after ? 0 : int8_weights_size(H, H);
  const long key[] = { 1, VW, H, s->nG, s->gx, s->gh, s->after, l->x ? l->I : 0 };
  int fill;
  char *pack = slot_take(l->slot, l->fresh, sW + sA + sH, pack_tag(key, 8), &fill);
  Int8Weights *Wq = NULL, *Ua = NULL, *Uh = NULL;
  if (pack && fill) {
    if (l->x) Wq = int8_weights_in(pack, l->W, l->I, XH, l->I);
    if (rowsNow > 0) Ua = int8_weights_in(pack + sW, l->U, H, rowsNow * H, H);
    if (!s->after) Uh = int8_weights_in(pack + sW + sA, l->U + (long)s->gh * H * H, H, H, H);
  } else if (pack) {
    if (l->x) Wq = (Int8Weights *)pack;
    if (rowsNow > 0) Ua = (Int8Weights *)(pack + sW);
    if (!s->after) Uh = (Int8Weights *)(pack + sW + sA);
  }
  Int8Rows *qx = l->x ? int8_rows(T * B, l->I) : NULL, *qh = int8_rows(B, H);
  int ok = pack && qh && (!l->x || qx);
  if (ok) {
    if (l->x) int8_product(l->xp, XH, l->x, l->ldx, T * B, Wq, qx, 0);
    for (int st = 0; st < T; st++) {
      const int t = l->reverse ? T - 1 - st : st;
      const float *xp = l->xp + (long)t * B * XH;
      const long prev = (l->reverse ? t + 1 : t) * BH, next = (l->reverse ? t : t + 1) * BH;
      float *cache = l->cache + (l->keepCache ? (long)t * B * ldc : 0);
      const float *h = l->h + prev;
      if (rowsNow > 0) int8_product(l->scratch, ldp, h, H, B, Ua, qh, 0);
      FN(gates)(s, B, xp, l->scratch, h, l->b, cache, ldc);
      if (!s->after) int8_product(l->scratch + s->gh * H, ldp, cache + (s->nG + 1) * H, ldc, B, Uh, qh, 0);
      FN(candidate)(s, B, xp, l->scratch, h, l->b, l->c, cache, ldc, l->h + next);
      keep_inactive(l->h + next, l->h + prev, t, B, H, l->lengths);
    }
  }
  if (pack) slot_give(l->slot, pack, 1);
  free(qx); free(qh);
  return ok;
}

ATTR static int FN(gruForward)(const GruSpec *s, const GruLoop *l) {
  const int H = s->H, B = l->B, T = l->T, X = s->gx + 1, XH = X * H, ldc = (s->nG + 2) * H, ldp = (s->gh + 1) * H;
  const long BH = (long)B * H;
  const int rowsNow = s->after ? s->gh + 1 : s->gh;
  if (l->int8) return FN(gruForward8)(s, l);
  // U packed once for all steps: the blocks multiplied by h, then (reset before) U_h apart; then W
  const long sa = rowsNow > 0 ? FN(packedSize)(rowsNow * H, H) : 0, sc = s->after ? 0 : FN(packedSize)(H, H);
  const long sw = l->x ? FN(packedSize)(XH, l->I) : 0;
  const long key[] = { 2, VW, H, s->gh, s->after, l->x ? l->I : 0 };
  int fill;
  float *PU = slot_take(l->slot, l->fresh, sizeof(float) * (sa + sc + sw + 1), pack_tag(key, 6), &fill);
  if (!PU) return 0;
  if (fill && rowsNow > 0) FN(pack)(PU, l->U, H, 1, rowsNow * H, H);
  if (fill && !s->after) FN(pack)(PU + sa, l->U + (long)s->gh * H * H, H, 1, H, H);
  if (fill && l->x) FN(pack)(PU + sa + sc, l->W, l->I, 1, XH, l->I);
  // xp = x · Wᵀ (gemm()'s packing and product, so the same sums)
  if (l->x) FN(gemmPacked)(l->xp, XH, l->x, l->ldx, 1, PU + sa + sc, T * B, XH, l->I, 0);
  for (int st = 0; st < T; st++) {
    const int t = l->reverse ? T - 1 - st : st;
    const float *xp = l->xp + (long)t * B * XH;
    const long prev = (l->reverse ? t + 1 : t) * BH, next = (l->reverse ? t : t + 1) * BH;
    float *cache = l->cache + (l->keepCache ? (long)t * B * ldc : 0);
    const float *h = l->h + prev;
    if (rowsNow > 0) FN(gemmPacked)(l->scratch, ldp, h, H, 1, PU, B, rowsNow * H, H, 0);
    FN(gates)(s, B, xp, l->scratch, h, l->b, cache, ldc);
    if (!s->after) FN(gemmPacked)(l->scratch + s->gh * H, ldp, cache + (s->nG + 1) * H, ldc, 1, PU + sa, B, H, H, 0);
    FN(candidate)(s, B, xp, l->scratch, h, l->b, l->c, cache, ldc, l->h + next);
    keep_inactive(l->h + next, l->h + prev, t, B, H, l->lengths);
  }
  slot_give(l->slot, PU, 1);
  return 1;
}

/*
 * The GRU family's whole backward loop: for each step from the last, dh_t += dL/dy_t (active rows),
 * then the step's gradient (gated-unit.ts backward; σ' = g(1 − g), tanh' = 1 − n²):
 *   keep:    dz = dh ⊙ (h − n), dn = dh ⊙ (1 − z), dh_prev += dh ⊙ z
 *   replace: dz = dh ⊙ (n − h), dn = dh ⊙ z,       dh_prev += dh ⊙ (1 − z)
 *   da = dn ⊙ tanh'(n) → dxp's candidate block
 *   reset after:  dr += da ⊙ q, dq = da ⊙ r → dRec;   reset before: da → dRec, d(r ⊙ h) = da · U_h,
 *                 dr += d(r ⊙ h) ⊙ h, dh_prev += d(r ⊙ h) ⊙ r
 *   dA_g = dg ⊙ σ'(g) in place (in dxp when the gates see x, else in dRec)
 *   dh_prev += dA_g · U_g (gates that see h), += dq · U_h (reset after)
 * An inactive row's gradient is zeroed going in and passed straight through; dh and dPrev swap
 * each step (dL/d(initial state) ends in dh when T is even, else in dPrev).
 */
ATTR static int FN(gruBackward)(const GruSpec *s, const GruBack *l) {
  const int H = s->H, B = l->B, T = l->T, nG = s->nG, gx = s->gx, gh = s->gh, X = gx + 1, XH = X * H, ldc = (nG + 2) * H;
  const int candOff = gx > 0 ? 0 : nG * H, ldr = candOff + H, zIdx = 0, rIdx = nG == 1 ? 0 : 1;
  const long BH = (long)B * H;
  // U_g [gh·H, H] and U_h [H, H] packed as B = U (not transposed): dh_prev = dA · U
  const long sg = gh > 0 ? FN(packedSize)(H, gh * H) : 0, sh = FN(packedSize)(H, H);
  const long key[] = { 3, VW, H, gh };
  int fill;
  float *PU = slot_take(l->slot, l->fresh, sizeof(float) * (sg + sh + BH + 1), pack_tag(key, 4), &fill);
  if (!PU) return 0;
  float *PUh = PU + sg, *drh = PUh + sh;  // drh: scratch after the packs
  if (fill && gh > 0) FN(pack)(PU, l->U, H, 0, H, gh * H);
  if (fill) FN(pack)(PUh, l->U + (long)gh * H * H, H, 0, H, H);
  float *dh = l->dh, *dp = l->dPrev;
  for (int st = T - 1; st >= 0; st--) {
    const int t = l->reverse ? T - 1 - st : st;
    add_output_grad(dh, l->dOut, l->ldo, l->col, t, B, H, l->lengths);
    const float *dn = active_grad(l->dCell, dh, t, B, H, l->lengths);
    memset(dp, 0, sizeof(float) * BH);
    const long prev = (l->reverse ? t + 1 : t) * BH;
    const float *cache = l->cache + (long)t * B * ldc, *h = l->h + prev;
    float *dxp = l->dxp + (long)t * B * XH, *dRec = l->dRec + (long)t * B * ldr;
    float *gBuf = gx > 0 ? dxp : dRec;
    const int ldg = gx > 0 ? XH : ldr;
    for (int i = 0; i < B; i++) {
      const float *ci = cache + (long)i * ldc;
      float *gi = gBuf + (long)i * ldg, *di = dxp + (long)i * XH, *ri = dRec + (long)i * ldr;
      for (int j = 0; j < H; j += VW) {
        const int w = H - j < VW ? H - j : VW;
        const vf d = FN(ld)(dn + (long)i * H + j, w), z = FN(ld)(ci + zIdx * H + j, w), n = FN(ld)(ci + nG * H + j, w);
        const vf hv = FN(ld)(h + (long)i * H + j, w);
        vf dz, dnn;
        float *pp = dp + (long)i * H + j;
        if (s->keep) { dz = d * (hv - n); dnn = d * (1.0f - z); FN(st)(pp, FN(ld)(pp, w) + d * z, w); }
        else { dz = d * (n - hv); dnn = d * z; FN(st)(pp, FN(ld)(pp, w) + d * (1.0f - z), w); }
        const vf da = dnn * (1.0f - n * n);
        FN(st)(di + gx * H + j, FN(ld)(di + gx * H + j, w) + da, w);
        FN(st)(gi + zIdx * H + j, FN(ld)(gi + zIdx * H + j, w) + dz, w);
        if (s->after) {
          FN(st)(gi + rIdx * H + j, FN(ld)(gi + rIdx * H + j, w) + da * FN(ld)(ci + (nG + 1) * H + j, w), w);
          FN(st)(ri + candOff + j, FN(ld)(ri + candOff + j, w) + da * FN(ld)(ci + rIdx * H + j, w), w);
        } else {
          FN(st)(ri + candOff + j, FN(ld)(ri + candOff + j, w) + da, w);
        }
      }
    }
    if (!s->after) {
      FN(gemmPacked)(drh, H, dRec + candOff, ldr, 1, PUh, B, H, H, 0);
      for (int i = 0; i < B; i++) {
        float *gi = gBuf + (long)i * ldg, *pp = dp + (long)i * H;
        const float *ci = cache + (long)i * ldc, *hi = h + (long)i * H, *di = drh + (long)i * H;
        for (int j = 0; j < H; j += VW) {
          const int w = H - j < VW ? H - j : VW;
          const vf d = FN(ld)(di + j, w);
          FN(st)(gi + rIdx * H + j, FN(ld)(gi + rIdx * H + j, w) + d * FN(ld)(hi + j, w), w);
          FN(st)(pp + j, FN(ld)(pp + j, w) + d * FN(ld)(ci + rIdx * H + j, w), w);
        }
      }
    }
    for (int i = 0; i < B; i++) {
      float *gi = gBuf + (long)i * ldg;
      const float *ci = cache + (long)i * ldc;
      for (int j = 0; j < nG * H; j += VW) {
        const int w = nG * H - j < VW ? nG * H - j : VW;
        const vf g = FN(ld)(ci + j, w);
        FN(st)(gi + j, FN(ld)(gi + j, w) * (g * (1.0f - g)), w);
      }
    }
    if (gh > 0) FN(gemmPacked)(dp, H, gBuf, ldg, 1, PU, B, H, gh * H, 1);
    if (s->after) FN(gemmPacked)(dp, H, dRec + candOff, ldr, 1, PUh, B, H, H, 1);
    pass_inactive(dp, dh, t, B, H, l->lengths);
    float *x = dh; dh = dp; dp = x;
  }
  slot_give(l->slot, PU, 1);
  return 1;
}

/*
 * The two-block cells' whole loops (wasm/light.ts, src/cells/li-gru.ts):
 *   a = xp (+ h·Uᵀ) (+ b) in blocks z, n;  z = σ(a_z), n = φ(a_n) (tanh or ReLU);  cache [z | n]
 *   keep: h' = z ⊙ h + (1 − z) ⊙ n;   replace: h' = (1 − z) ⊙ h + z ⊙ n
 * backward: dz = dh ⊙ (h − n) (keep) or dh ⊙ (n − h), dn = dh ⊙ (1 − z) or dh ⊙ z, dh_prev += dh ⊙ z
 * or dh ⊙ (1 − z); dA = (dz ⊙ z(1 − z), dn ⊙ φ'(n)) into dxp; dh_prev += dA · U (recurrent).
 * Lengths and the swapping of dh and dPrev as the GRU's loops.
 */
INL vf FN(lightMix)(const LightSpec *s, vf z, vf h, vf n) { return s->replace ? (1.0f - z) * h + z * n : z * h + (1.0f - z) * n; }

ATTR static int FN(lightForward)(const LightSpec *s, const LightLoop *l) {
  const int H = s->H, B = l->B, T = l->T, H2 = 2 * H;
  const long BH = (long)B * H;
  float *PU = NULL;
  if (s->recurrent) {
    // U, then W, packed once for all steps
    const long su = FN(packedSize)(H2, H), sw = l->x ? FN(packedSize)(H2, l->I) : 0;
    const long key[] = { 4, VW, H, l->x ? l->I : 0 };
    int fill;
    PU = slot_take(l->slot, l->fresh, sizeof(float) * (su + sw + 1), pack_tag(key, 4), &fill);
    if (!PU) return 0;
    if (fill) FN(pack)(PU, l->U, H, 1, H2, H);
    if (fill && l->x) FN(pack)(PU + su, l->W, l->I, 1, H2, l->I);
    if (l->x) FN(gemmPacked)(l->xp, H2, l->x, l->ldx, 1, PU + su, T * B, H2, l->I, 0);
  } else if (l->x) {
    const Gemm g = { l->xp, H2, l->x, l->ldx, 1, l->W, l->I, 1, T * B, H2, l->I, 0 };
    FN(gemm)(&g);
  }
  for (int st = 0; st < T; st++) {
    const int t = l->reverse ? T - 1 - st : st;
    const long prev = (l->reverse ? t + 1 : t) * BH, next = (l->reverse ? t : t + 1) * BH;
    float *cache = l->cache + (l->keepCache ? (long)t * B * H2 : 0);
    const float *xp = l->xp + (long)t * B * H2, *h = l->h + prev;
    if (s->recurrent) FN(gemmPacked)(l->scratch, H2, h, H, 1, PU, B, H2, H, 0);
    for (int i = 0; i < B; i++) {
      const float *xi = xp + (long)i * H2, *si = l->scratch + (long)i * H2, *hi = h + (long)i * H;
      float *ci = cache + (long)i * H2, *oi = l->h + next + (long)i * H;
      for (int j = 0; j < H; j += VW) {
        const int w = H - j < VW ? H - j : VW;
        vf az = FN(ld)(xi + j, w), an = FN(ld)(xi + H + j, w);
        if (s->recurrent) { az = az + FN(ld)(si + j, w); an = an + FN(ld)(si + H + j, w); }
        if (s->bias) { az = az + FN(ld)(l->b + j, w); an = an + FN(ld)(l->b + H + j, w); }
        const vf z = FN(vsigmoid)(az), n = s->relu ? FN(vsel)(an > 0.0f, an, (vf){0}) : FN(vtanh)(an);
        FN(st)(ci + j, z, w);
        FN(st)(ci + H + j, n, w);
        FN(st)(oi + j, FN(lightMix)(s, z, FN(ld)(hi + j, w), n), w);
      }
    }
    keep_inactive(l->h + next, l->h + prev, t, B, H, l->lengths);
  }
  if (PU) slot_give(l->slot, PU, 1);
  return 1;
}

ATTR static int FN(lightBackward)(const LightSpec *s, const LightLoop *l) {
  const int H = s->H, B = l->B, T = l->T, H2 = 2 * H;
  const long BH = (long)B * H;
  float *PU = NULL;
  if (s->recurrent) {
    const long key[] = { 5, VW, H };
    int fill;
    PU = slot_take(l->slot, l->fresh, sizeof(float) * (FN(packedSize)(H, H2) + 1), pack_tag(key, 3), &fill);
    if (!PU) return 0;
    if (fill) FN(pack)(PU, l->U, H, 0, H, H2);
  }
  float *dh = l->dh, *dp = l->dPrev;
  for (int st = T - 1; st >= 0; st--) {
    const int t = l->reverse ? T - 1 - st : st;
    add_output_grad(dh, l->dOut, l->ldo, l->col, t, B, H, l->lengths);
    const float *dn = active_grad(l->dCell, dh, t, B, H, l->lengths);
    memset(dp, 0, sizeof(float) * BH);
    const long prev = (l->reverse ? t + 1 : t) * BH;
    const float *cache = l->cache + (long)t * B * H2, *h = l->h + prev;
    float *dxp = l->dxp + (long)t * B * H2;
    for (int i = 0; i < B; i++) {
      const float *ci = cache + (long)i * H2, *hi = h + (long)i * H, *di = dn + (long)i * H;
      float *gi = dxp + (long)i * H2, *pp = dp + (long)i * H;
      for (int j = 0; j < H; j += VW) {
        const int w = H - j < VW ? H - j : VW;
        const vf d = FN(ld)(di + j, w), z = FN(ld)(ci + j, w), n = FN(ld)(ci + H + j, w), hv = FN(ld)(hi + j, w);
        const vf dz = d * (s->replace ? n - hv : hv - n), dnn = d * (s->replace ? z : 1.0f - z);
        FN(st)(pp + j, FN(ld)(pp + j, w) + d * (s->replace ? 1.0f - z : z), w);
        const vf dfn = s->relu ? FN(vsel)(n > 0.0f, (vf){0} + 1.0f, (vf){0}) : 1.0f - n * n;
        FN(st)(gi + j, FN(ld)(gi + j, w) + dz * (z * (1.0f - z)), w);
        FN(st)(gi + H + j, FN(ld)(gi + H + j, w) + dnn * dfn, w);
      }
    }
    if (s->recurrent) FN(gemmPacked)(dp, H, dxp, H2, 1, PU, B, H, H2, 1);
    pass_inactive(dp, dh, t, B, H, l->lengths);
    float *x = dh; dh = dp; dp = x;
  }
  if (PU) slot_give(l->slot, PU, 1);
  return 1;
}

/*
 * The Elman RNN's loops (src/cells/rnn.ts; φ = tanh or ReLU, no clip), on a LightLoop whose xp,
 * cache and dxp rows are H wide (no scratch: the product goes to the cache row, as WebAssembly's):
 *   forward   cache = h · Uᵀ;  h' = φ((cache + xp) + b) into the cache and the next state
 *   backward  dA = dh ⊙ φ'(h') (tanh: 1 − h'², ReLU: h' > 0) into dxp;  dh_prev = dA · U
 * Lengths and the swapping of dh and dPrev as the GRU's loops.
 */
ATTR static int FN(rnnForward)(const RnnSpec *s, const LightLoop *l) {
  const int H = s->H, B = l->B, T = l->T;
  const long BH = (long)B * H;
  // U, then W, packed once for all steps
  const long su = FN(packedSize)(H, H), sw = l->x ? FN(packedSize)(H, l->I) : 0;
  const long key[] = { 9, VW, H, l->x ? l->I : 0 };
  int fill;
  float *PU = slot_take(l->slot, l->fresh, sizeof(float) * (su + sw + 1), pack_tag(key, 4), &fill);
  if (!PU) return 0;
  if (fill) FN(pack)(PU, l->U, H, 1, H, H);
  if (fill && l->x) FN(pack)(PU + su, l->W, l->I, 1, H, l->I);
  if (l->x) FN(gemmPacked)(l->xp, H, l->x, l->ldx, 1, PU + su, T * B, H, l->I, 0);
  for (int st = 0; st < T; st++) {
    const int t = l->reverse ? T - 1 - st : st;
    const long prev = (l->reverse ? t + 1 : t) * BH, next = (l->reverse ? t : t + 1) * BH;
    float *cache = l->cache + (l->keepCache ? (long)t * BH : 0);
    const float *xp = l->xp + (long)t * BH;
    FN(gemmPacked)(cache, H, l->h + prev, H, 1, PU, B, H, H, 0);
    for (int i = 0; i < B; i++) {
      float *ci = cache + (long)i * H, *oi = l->h + next + (long)i * H;
      const float *xi = xp + (long)i * H;
      for (int j = 0; j < H; j += VW) {
        const int w = H - j < VW ? H - j : VW;
        vf a = FN(ld)(ci + j, w) + FN(ld)(xi + j, w);
        if (s->bias) a = a + FN(ld)(l->b + j, w);
        const vf y = s->relu ? FN(vsel)(a > 0.0f, a, (vf){0}) : FN(vtanh)(a);
        FN(st)(ci + j, y, w);
        FN(st)(oi + j, y, w);
      }
    }
    keep_inactive(l->h + next, l->h + prev, t, B, H, l->lengths);
  }
  slot_give(l->slot, PU, 1);
  return 1;
}

ATTR static int FN(rnnBackward)(const RnnSpec *s, const LightLoop *l) {
  const int H = s->H, B = l->B, T = l->T;
  const long BH = (long)B * H;
  // U [H, H] packed as B = U (not transposed): dh_prev = dA · U
  const long key[] = { 10, VW, H };
  int fill;
  float *PU = slot_take(l->slot, l->fresh, sizeof(float) * (FN(packedSize)(H, H) + 1), pack_tag(key, 3), &fill);
  if (!PU) return 0;
  if (fill) FN(pack)(PU, l->U, H, 0, H, H);
  float *dh = l->dh, *dp = l->dPrev;
  for (int st = T - 1; st >= 0; st--) {
    const int t = l->reverse ? T - 1 - st : st;
    add_output_grad(dh, l->dOut, l->ldo, l->col, t, B, H, l->lengths);
    const float *dn = active_grad(l->dCell, dh, t, B, H, l->lengths);
    memset(dp, 0, sizeof(float) * BH);
    const float *cache = l->cache + (long)t * BH;
    float *dxp = l->dxp + (long)t * BH;
    for (int i = 0; i < B; i++) {
      const float *ci = cache + (long)i * H, *di = dn + (long)i * H;
      float *gi = dxp + (long)i * H;
      for (int j = 0; j < H; j += VW) {
        const int w = H - j < VW ? H - j : VW;
        const vf y = FN(ld)(ci + j, w);
        const vf dfy = s->relu ? FN(vsel)(y > 0.0f, (vf){0} + 1.0f, (vf){0}) : 1.0f - y * y;
        FN(st)(gi + j, FN(ld)(gi + j, w) + FN(ld)(di + j, w) * dfy, w);
      }
    }
    FN(gemmPacked)(dp, H, dxp, H, 1, PU, B, H, H, 1);
    pass_inactive(dp, dh, t, B, H, l->lengths);
    float *x = dh; dh = dp; dp = x;
  }
  slot_give(l->slot, PU, 1);
  return 1;
}

/*
 * The LSTM's whole forward loop (src/cells/lstm.ts forward in src/sequence/run.ts stepLoop, the
 * WebAssembly kernel's order of operations):
 *   scratch = h · Uᵀ;  a = (xp + scratch) + b;  i, f, o = σ(a), ĉ = tanh(a_c)
 *   c' = f ⊙ c + i ⊙ ĉ;  y = tanh(c');  h' = o ⊙ y;   cache i | f | ĉ | o | y
 * An inactive row (t ≥ lengths[r]) keeps h and c.
 */
ATTR static int FN(lstmForward)(const LstmLoop *l) {
  const int H = l->H, B = l->B, T = l->T, G = 4 * H, ldc = 5 * H;
  const long BH = (long)B * H;
  // int8: the projection and h · Uᵀ in dynamic int8 (int8.c), the rest as below
  Int8Weights *Wq = NULL, *Uq = NULL;
  Int8Rows *qx = NULL, *qh = NULL;
  float *PU = NULL;
  char *pack = NULL;
  int fill;
  if (l->int8) {
    // W and U quantised into one pack
    const size_t sW = l->x ? int8_weights_size(G, l->I) : 0;
    const long key[] = { 6, VW, H, l->x ? l->I : 0 };
    pack = slot_take(l->slot, l->fresh, sW + int8_weights_size(G, H), pack_tag(key, 4), &fill);
    qx = l->x ? int8_rows(T * B, l->I) : NULL;
    qh = int8_rows(B, H);
    if (!pack || !qh || (l->x && !qx)) { if (pack) slot_give(l->slot, pack, 0); free(qx); free(qh); return 0; }
    if (fill) {
      if (l->x) Wq = int8_weights_in(pack, l->W, l->I, G, l->I);
      Uq = int8_weights_in(pack + sW, l->U, H, G, H);
    } else {
      if (l->x) Wq = (Int8Weights *)pack;
      Uq = (Int8Weights *)(pack + sW);
    }
    if (l->x) int8_product(l->xp, G, l->x, l->ldx, T * B, Wq, qx, 0);
  } else {
    // U, then W, packed once for all steps
    const long su = FN(packedSize)(G, H), sw = l->x ? FN(packedSize)(G, l->I) : 0;
    const long key[] = { 7, VW, H, l->x ? l->I : 0 };
    PU = slot_take(l->slot, l->fresh, sizeof(float) * (su + sw + 1), pack_tag(key, 4), &fill);
    if (!PU) return 0;
    if (fill) FN(pack)(PU, l->U, H, 1, G, H);
    if (fill && l->x) FN(pack)(PU + su, l->W, l->I, 1, G, l->I);
    if (l->x) FN(gemmPacked)(l->xp, G, l->x, l->ldx, 1, PU + su, T * B, G, l->I, 0);
  }
  for (int st = 0; st < T; st++) {
    const int t = l->reverse ? T - 1 - st : st;
    const float *xp = l->xp + (long)t * B * G;
    const long prev = (l->reverse ? t + 1 : t) * BH, next = (l->reverse ? t : t + 1) * BH;
    float *cache = l->cache + (l->keepCache ? (long)t * B * ldc : 0);
    if (l->int8) int8_product(l->scratch, G, l->h + prev, H, B, Uq, qh, 0);
    else FN(gemmPacked)(l->scratch, G, l->h + prev, H, 1, PU, B, G, H, 0);
    for (int i = 0; i < B; i++) {
      float *ci = cache + (long)i * ldc;
      const float *xi = xp + (long)i * G, *si = l->scratch + (long)i * G;
      for (int g = 0; g < 4; g++) {
        for (int j = 0; j < H; j += VW) {
          const int w = H - j < VW ? H - j : VW, o = g * H + j;
          vf a = FN(ld)(xi + o, w) + FN(ld)(si + o, w);
          if (l->bias) a = a + FN(ld)(l->b + o, w);
          FN(st)(ci + o, g == 2 ? FN(vtanh)(a) : FN(vsigmoid)(a), w);
        }
      }
      const float *cp = l->c + prev + (long)i * H;
      float *co = l->c + next + (long)i * H, *ho = l->h + next + (long)i * H;
      for (int j = 0; j < H; j += VW) {
        const int w = H - j < VW ? H - j : VW;
        const vf cn = FN(ld)(ci + H + j, w) * FN(ld)(cp + j, w) + FN(ld)(ci + j, w) * FN(ld)(ci + 2 * H + j, w);
        const vf y = FN(vtanh)(cn);
        FN(st)(ci + 4 * H + j, y, w);
        FN(st)(co + j, cn, w);
        FN(st)(ho + j, FN(ld)(ci + 3 * H + j, w) * y, w);
      }
    }
    keep_inactive(l->h + next, l->h + prev, t, B, H, l->lengths);
    keep_inactive(l->c + next, l->c + prev, t, B, H, l->lengths);
  }
  if (PU) slot_give(l->slot, PU, 1);
  if (pack) slot_give(l->slot, pack, 1);
  free(qx); free(qh);
  return 1;
}

/*
 * The LSTM's whole backward loop: for each step from the last, dh_t += dL/dy_t (active rows); the
 * step's gradient (lstm.ts backward, σ' = y(1 − y), tanh' = 1 − y²):
 *   do = dh ⊙ y;  dc' = dc + dh ⊙ o ⊙ (1 − y²);  di = dc' ⊙ ĉ;  df = dc' ⊙ c;  dĉ = dc' ⊙ i;  dc_prev = dc' ⊙ f
 *   dA = (di ⊙ σ'(i), df ⊙ σ'(f), dĉ ⊙ tanh'(ĉ), do ⊙ σ'(o)) into dxp;  dh_prev = dA · U
 * with an inactive row's gradients zeroed going in and passed straight through to the previous
 * step; dh and dPrev swap each step (dL/d(initial state) ends in dh when T is even, else dPrev).
 */
ATTR static int FN(lstmBackward)(const LstmBack *l) {
  const int H = l->H, B = l->B, T = l->T, G = 4 * H, ldc = 5 * H;
  const long BH = (long)B * H;
  const long key[] = { 8, VW, H };
  int fill;
  float *PU = slot_take(l->slot, l->fresh, sizeof(float) * (FN(packedSize)(H, G) + 1), pack_tag(key, 3), &fill);
  if (!PU) return 0;
  if (fill) FN(pack)(PU, l->U, H, 0, H, G);
  float *dh[2] = { l->dh[0], l->dh[1] }, *dp[2] = { l->dPrev[0], l->dPrev[1] };
  for (int s = T - 1; s >= 0; s--) {
    const int t = l->reverse ? T - 1 - s : s;
    add_output_grad(dh[0], l->dOut, l->ldo, l->col, t, B, H, l->lengths);
    const float *dn[2] = { active_grad(l->dCell[0], dh[0], t, B, H, l->lengths), active_grad(l->dCell[1], dh[1], t, B, H, l->lengths) };
    memset(dp[0], 0, sizeof(float) * BH);
    memset(dp[1], 0, sizeof(float) * BH);
    const long prev = (l->reverse ? t + 1 : t) * BH;
    float *dxp = l->dxp + (long)t * B * G;
    for (int r = 0; r < B; r++) {
      const float *ci = l->cache + ((long)t * B + r) * ldc, *pc = l->c + prev + (long)r * H;
      const float *dhr = dn[0] + (long)r * H, *dcr = dn[1] + (long)r * H;
      float *di = dxp + (long)r * G, *dcp = dp[1] + (long)r * H;
      for (int j = 0; j < H; j += VW) {
        const int w = H - j < VW ? H - j : VW;
        const vf i = FN(ld)(ci + j, w), f = FN(ld)(ci + H + j, w), cHat = FN(ld)(ci + 2 * H + j, w);
        const vf og = FN(ld)(ci + 3 * H + j, w), y = FN(ld)(ci + 4 * H + j, w), d = FN(ld)(dhr + j, w);
        const vf dO = d * y;
        const vf dcn = FN(ld)(dcr + j, w) + d * og * (1.0f - y * y);
        const vf dI = dcn * cHat, dF = dcn * FN(ld)(pc + j, w), dCHat = dcn * i;
        FN(st)(dcp + j, FN(ld)(dcp + j, w) + dcn * f, w);
        FN(st)(di + j, FN(ld)(di + j, w) + dI * (i * (1.0f - i)), w);
        FN(st)(di + H + j, FN(ld)(di + H + j, w) + dF * (f * (1.0f - f)), w);
        FN(st)(di + 2 * H + j, FN(ld)(di + 2 * H + j, w) + dCHat * (1.0f - cHat * cHat), w);
        FN(st)(di + 3 * H + j, FN(ld)(di + 3 * H + j, w) + dO * (og * (1.0f - og)), w);
      }
    }
    FN(gemmPacked)(dp[0], H, dxp, G, 1, PU, B, H, G, 1);
    pass_inactive(dp[0], dh[0], t, B, H, l->lengths);
    pass_inactive(dp[1], dh[1], t, B, H, l->lengths);
    for (int c = 0; c < 2; c++) { float *x = dh[c]; dh[c] = dp[c]; dp[c] = x; }
  }
  slot_give(l->slot, PU, 1);
  return 1;
}

const Isa CAT(isa, SUF) = { STR(SUF), NR, MR, FN(gemm), FN(gruForward), FN(gruBackward), FN(lightForward), FN(lightBackward), FN(lstmForward), FN(lstmBackward), FN(rnnForward), FN(rnnBackward) };

#undef vf
#undef vfu
#undef vi
#undef NR
#undef ATTR
#undef INL
