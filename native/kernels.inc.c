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

/* out[m, n] (+)= A · P, P packed by pack(). */
ATTR static void FN(gemmPacked)(float *out, long ldo, const float *a, long ars, long acs, const float *P, int m, int n, int k, int beta) {
  const int nPan = (n + NR - 1) / NR;
  for (int p0 = 0; p0 < k; p0 += KC) {
    const int kc = k - p0 < KC ? k - p0 : KC, acc = beta || p0 > 0;
    for (int i0 = 0; i0 < m; i0 += MC) {
      const int i1 = m - i0 < MC ? m : i0 + MC;
      for (int q = 0; q < nPan; q++) {
        const float *bp = P + (long)p0 * nPan * NR + (long)q * kc * NR;
        const int nc = n - q * NR < NR ? n - q * NR : NR;
        int i = i0;
        for (; i + MR <= i1; i += MR) FN(tile)(MR, kc, a + i * ars + p0 * acs, ars, acs, bp, out + i * ldo + q * NR, ldo, acc, nc);
        if (i < i1) FN(tileAny)(i1 - i, kc, a + i * ars + p0 * acs, ars, acs, bp, out + i * ldo + q * NR, ldo, acc, nc);
      }
    }
  }
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
ATTR static int FN(gruForward)(const GruSpec *s, const GruLoop *l) {
  const int H = s->H, B = l->B, T = l->T, X = s->gx + 1, XH = X * H, ldc = (s->nG + 2) * H, ldp = (s->gh + 1) * H;
  const long BH = (long)B * H;
  const int rowsNow = s->after ? s->gh + 1 : s->gh;
  if (l->x) {
    const Gemm g = { l->xp, XH, l->x, l->ldx, 1, l->W, l->I, 1, T * B, XH, l->I, 0 };
    FN(gemm)(&g);
  }
  // U packed once for all steps: the blocks multiplied by h, then (reset before) U_h apart
  const long sa = rowsNow > 0 ? FN(packedSize)(rowsNow * H, H) : 0, sc = s->after ? 0 : FN(packedSize)(H, H);
  float *PU = malloc(sizeof(float) * (sa + sc + 1));
  if (!PU) return 0;
  if (rowsNow > 0) FN(pack)(PU, l->U, H, 1, rowsNow * H, H);
  if (!s->after) FN(pack)(PU + sa, l->U + (long)s->gh * H * H, H, 1, H, H);
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
    if (!l->lengths) continue;
    for (int r = 0; r < B; r++) if (t >= l->lengths[r]) memcpy(l->h + next + (long)r * H, l->h + prev + (long)r * H, sizeof(float) * H);
  }
  free(PU);
  return 1;
}

const Isa CAT(isa, SUF) = { STR(SUF), NR, MR, FN(gemm), FN(gruForward) };

#undef vf
#undef vfu
#undef vi
#undef NR
#undef ATTR
#undef INL
