/*
 * Dynamic int8 products (the arithmetic of PyTorch's dynamically quantised GRU and LSTM, with the
 * activation scale per row rather than per tensor): the weights quantised once per call of a time
 * loop, symmetric per output row; the activations quantised as they come, asymmetric per row.
 *
 *   weights  s_w[n] = max_k |w[n, k]| / 127 (1 when the row is 0),  q_w = clamp(⌊w / s_w + ½⌋, −127, 127)
 *   rows     lo = min(0, min_k a[k]), hi = max(0, max_k a[k]), s_a = (hi − lo) / 255 (1 when 0),
 *            z = clamp(⌊−lo / s_a + ½⌋, 0, 255),  q_a = clamp(⌊a / s_a + ½⌋ + z, 0, 255)
 *   product  out[m, n] (+)= s_a[m] · s_w[n] · (Σ_k q_a[m, k] · q_w[n, k] − z[m] · Σ_k q_w[n, k])
 * Every quotient and sum of ½ is rounded to float32 (test/kernels/int8.test.ts repeats it in
 * TypeScript); the integer sums are exact (int32: |Σ| ≤ 255 · 127 · K < 2³¹ for K < 66 000).
 *
 * Layouts: a quantised row is padded with 0 to kp = K rounded up to 4; the weights are packed in
 * panels of 16 output rows, [kp / 4][16][4] bytes each (zero-padded), the layout of vpdpbusd
 * (4 unsigned activation bytes × 4 signed weight bytes summed into each int32 lane). Three
 * products, chosen at load: AVX-512 VNNI, AVX-VNNI (256-bit), and portable C (any x86-64).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>
#include "gated.h"

#define PANEL 16

long int8_packed_size(int n, int kp) { return (long)((n + PANEL - 1) / PANEL) * PANEL * kp; }

static float round_half_up(float v) { return floorf(v + 0.5f); }

static void int8_quantize_weights_c(int8_t *packed, float *scale, int32_t *rowsum, const float *w, long ldw, int n, int k) {
  const int kp = (k + 3) & ~3;
  memset(packed, 0, int8_packed_size(n, kp));
  for (int r = 0; r < n; r++) {
    const float *row = w + (long)r * ldw;
    float m = 0;
    for (int j = 0; j < k; j++) m = fabsf(row[j]) > m ? fabsf(row[j]) : m;
    const float s = m > 0 ? m / 127.0f : 1.0f;
    int8_t *panel = packed + (long)(r / PANEL) * PANEL * kp;
    int32_t sum = 0;
    for (int j = 0; j < k; j++) {
      float q = round_half_up(row[j] / s);
      q = q > 127 ? 127 : q < -127 ? -127 : q;
      panel[(j / 4) * PANEL * 4 + (r % PANEL) * 4 + (j % 4)] = (int8_t)q;
      sum += (int32_t)q;
    }
    scale[r] = s;
    rowsum[r] = sum;
  }
}

/* The weights' quantisation 16 values at a time (the same IEEE operations, so the same bytes), each row into a scratch row, then its 4-byte groups into the panel. */
__attribute__((target("avx512f,avx512bw")))
static void int8_quantize_weights512(int8_t *packed, float *scale, int32_t *rowsum, const float *w, long ldw, int n, int k) {
  const int kp = (k + 3) & ~3;
  memset(packed, 0, int8_packed_size(n, kp));
  int8_t *tmp = malloc(kp + 64);
  if (!tmp) { int8_quantize_weights_c(packed, scale, rowsum, w, ldw, n, k); return; }
  const __m512 half = _mm512_set1_ps(0.5f), top = _mm512_set1_ps(127.0f), bottom = _mm512_set1_ps(-127.0f);
  for (int r = 0; r < n; r++) {
    const float *row = w + (long)r * ldw;
    __m512 vm = _mm512_setzero_ps();
    int j = 0;
    for (; j + 16 <= k; j += 16) vm = _mm512_max_ps(vm, _mm512_abs_ps(_mm512_loadu_ps(row + j)));
    float m = _mm512_reduce_max_ps(vm);
    for (; j < k; j++) m = fabsf(row[j]) > m ? fabsf(row[j]) : m;
    const float s = m > 0 ? m / 127.0f : 1.0f;
    const __m512 vs = _mm512_set1_ps(s);
    __m512i vsum = _mm512_setzero_si512();
    for (j = 0; j + 16 <= k; j += 16) {
      __m512 q = _mm512_roundscale_ps(_mm512_add_ps(_mm512_div_ps(_mm512_loadu_ps(row + j), vs), half), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
      const __m512i qi = _mm512_cvttps_epi32(_mm512_min_ps(_mm512_max_ps(q, bottom), top));
      vsum = _mm512_add_epi32(vsum, qi);
      _mm_storeu_si128((__m128i *)(tmp + j), _mm512_cvtepi32_epi8(qi));
    }
    int32_t sum = _mm512_reduce_add_epi32(vsum);
    for (; j < k; j++) {
      float q = round_half_up(row[j] / s);
      q = q > 127 ? 127 : q < -127 ? -127 : q;
      tmp[j] = (int8_t)q;
      sum += (int32_t)q;
    }
    for (; j < kp; j++) tmp[j] = 0;
    int8_t *panel = packed + (long)(r / PANEL) * PANEL * kp + (r % PANEL) * 4;
    for (int g = 0; g < kp / 4; g++) memcpy(panel + (long)g * PANEL * 4, tmp + g * 4, 4);
    scale[r] = s;
    rowsum[r] = sum;
  }
  free(tmp);
}

/* The same quantisation, 16 values at a time: the same IEEE operations (division, +½, floor, clamp), so the same bytes. */
__attribute__((target("avx512f,avx512bw")))
static void int8_quantize_rows512(uint8_t *q, long ldq, float *scale, int32_t *zero, const float *a, long lda, int m, int k) {
  const int kp = (k + 3) & ~3;
  for (int i = 0; i < m; i++) {
    const float *row = a + (long)i * lda;
    __m512 vlo = _mm512_setzero_ps(), vhi = vlo;
    int j = 0;
    for (; j + 16 <= k; j += 16) { const __m512 x = _mm512_loadu_ps(row + j); vlo = _mm512_min_ps(vlo, x); vhi = _mm512_max_ps(vhi, x); }
    float lo = _mm512_reduce_min_ps(vlo), hi = _mm512_reduce_max_ps(vhi);
    for (; j < k; j++) { lo = row[j] < lo ? row[j] : lo; hi = row[j] > hi ? row[j] : hi; }
    const float s = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    float z = round_half_up(-lo / s);
    z = z < 0 ? 0 : z > 255 ? 255 : z;
    uint8_t *qi = q + (long)i * ldq;
    const __m512 vs = _mm512_set1_ps(s), vz = _mm512_set1_ps(z), half = _mm512_set1_ps(0.5f), zero0 = _mm512_setzero_ps(), top = _mm512_set1_ps(255.0f);
    for (j = 0; j + 16 <= k; j += 16) {
      __m512 v = _mm512_add_ps(_mm512_roundscale_ps(_mm512_add_ps(_mm512_div_ps(_mm512_loadu_ps(row + j), vs), half), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC), vz);
      v = _mm512_min_ps(_mm512_max_ps(v, zero0), top);
      _mm_storeu_si128((__m128i *)(qi + j), _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(v)));
    }
    for (; j < k; j++) {
      float v = round_half_up(row[j] / s) + z;
      qi[j] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
    for (j = k; j < kp; j++) qi[j] = 0;
    scale[i] = s;
    zero[i] = (int32_t)z;
  }
}

static void int8_quantize_rows_c(uint8_t *q, long ldq, float *scale, int32_t *zero, const float *a, long lda, int m, int k) {
  const int kp = (k + 3) & ~3;
  for (int i = 0; i < m; i++) {
    const float *row = a + (long)i * lda;
    float lo = 0, hi = 0;
    for (int j = 0; j < k; j++) { lo = row[j] < lo ? row[j] : lo; hi = row[j] > hi ? row[j] : hi; }
    const float s = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    float z = round_half_up(-lo / s);
    z = z < 0 ? 0 : z > 255 ? 255 : z;
    uint8_t *qi = q + (long)i * ldq;
    for (int j = 0; j < k; j++) {
      float v = round_half_up(row[j] / s) + z;
      qi[j] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
    for (int j = k; j < kp; j++) qi[j] = 0;
    scale[i] = s;
    zero[i] = (int32_t)z;
  }
}

static void (*quantizeRows)(uint8_t *, long, float *, int32_t *, const float *, long, int, int) = int8_quantize_rows_c;
static void (*quantizeWeights)(int8_t *, float *, int32_t *, const float *, long, int, int) = int8_quantize_weights_c;

void int8_quantize_weights(int8_t *packed, float *scale, int32_t *rowsum, const float *w, long ldw, int n, int k) {
  quantizeWeights(packed, scale, rowsum, w, ldw, n, k);
}

void int8_quantize_rows(uint8_t *q, long ldq, float *scale, int32_t *zero, const float *a, long lda, int m, int k) {
  quantizeRows(q, ldq, scale, zero, a, lda, m, k);
}

/* out[i, n0 + c] for one row and one panel, from the int32 sums of that panel's 16 columns. */
static inline void int8_store(float *out, const int32_t *acc, int nc, float sa, int32_t za, const float *sw, const int32_t *ws, int beta) {
  for (int c = 0; c < nc; c++) {
    const float v = sa * sw[c] * (float)(acc[c] - za * ws[c]);
    out[c] = beta ? out[c] + v : v;
  }
}

static void int8_gemm_c(float *out, long ldo, const uint8_t *a, long lda, const float *sa, const int32_t *za,
                        const int8_t *wp, const float *sw, const int32_t *ws, int m, int n, int kp, int beta) {
  for (int p = 0; p * PANEL < n; p++) {
    const int8_t *panel = wp + (long)p * PANEL * kp;
    const int nc = n - p * PANEL < PANEL ? n - p * PANEL : PANEL;
    for (int i = 0; i < m; i++) {
      int32_t acc[PANEL] = {0};
      const uint8_t *ai = a + (long)i * lda;
      for (int q = 0; q < kp / 4; q++) {
        const int8_t *b = panel + (long)q * PANEL * 4;
        const uint8_t *x = ai + q * 4;
        for (int c = 0; c < PANEL; c++) acc[c] += x[0] * b[c * 4] + x[1] * b[c * 4 + 1] + x[2] * b[c * 4 + 2] + x[3] * b[c * 4 + 3];
      }
      int8_store(out + (long)i * ldo + p * PANEL, acc, nc, sa[i], za[i], sw + p * PANEL, ws + p * PANEL, beta);
    }
  }
}

/* AVX-512 VNNI: up to 8 rows × one panel (16 int32 lanes) per tile, dequantised in register. */
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void int8_tile512(float *out, long ldo, const uint8_t *a, long lda, const float *sa, const int32_t *za,
                                const int8_t *panel, const float *sw, const int32_t *ws, const int rows, int kq, int nc, int beta) {
  __m512i c[8];
#pragma GCC unroll 8
  for (int r = 0; r < rows; r++) c[r] = _mm512_setzero_si512();
  for (int q = 0; q < kq; q++) {
    const __m512i b = _mm512_loadu_si512(panel + (long)q * PANEL * 4);
#pragma GCC unroll 8
    for (int r = 0; r < rows; r++) {
      int32_t x;
      memcpy(&x, a + (long)r * lda + q * 4, 4);
      c[r] = _mm512_dpbusd_epi32(c[r], _mm512_set1_epi32(x), b);
    }
  }
  const __mmask16 mask = (__mmask16)((1u << nc) - 1);
  const __m512 vsw = _mm512_maskz_loadu_ps(mask, sw);
  const __m512i vws = _mm512_maskz_loadu_epi32(mask, ws);
#pragma GCC unroll 8
  for (int r = 0; r < rows; r++) {
    // sa · s_w · (Σ − z · Σ q_w), in the order int8_store computes it
    const __m512 d = _mm512_cvtepi32_ps(_mm512_sub_epi32(c[r], _mm512_mullo_epi32(_mm512_set1_epi32(za[r]), vws)));
    __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(sa[r]), vsw), d);
    float *o = out + (long)r * ldo;
    if (beta) v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, o), v);
    _mm512_mask_storeu_ps(o, mask, v);
  }
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void int8_gemm_vnni512(float *out, long ldo, const uint8_t *a, long lda, const float *sa, const int32_t *za,
                              const int8_t *wp, const float *sw, const int32_t *ws, int m, int n, int kp, int beta) {
  const int kq = kp / 4;
  for (int p = 0; p * PANEL < n; p++) {
    const int8_t *panel = wp + (long)p * PANEL * kp;
    const int nc = n - p * PANEL < PANEL ? n - p * PANEL : PANEL;
    float *o = out + p * PANEL;
    int i = 0;
    for (; i + 8 <= m; i += 8) int8_tile512(o + (long)i * ldo, ldo, a + (long)i * lda, lda, sa + i, za + i, panel, sw + p * PANEL, ws + p * PANEL, 8, kq, nc, beta);
    switch (m - i) {
#define ROWS(R) case R: int8_tile512(o + (long)i * ldo, ldo, a + (long)i * lda, lda, sa + i, za + i, panel, sw + p * PANEL, ws + p * PANEL, R, kq, nc, beta); break;
      ROWS(1) ROWS(2) ROWS(3) ROWS(4) ROWS(5) ROWS(6) ROWS(7)
#undef ROWS
    }
  }
}

/* AVX-VNNI (VEX, 256-bit): one row × one panel as two 8-lane halves. */
__attribute__((target("avx2,avxvnni")))
static void int8_gemm_vnni256(float *out, long ldo, const uint8_t *a, long lda, const float *sa, const int32_t *za,
                              const int8_t *wp, const float *sw, const int32_t *ws, int m, int n, int kp, int beta) {
  const int kq = kp / 4;
  for (int p = 0; p * PANEL < n; p++) {
    const int8_t *panel = wp + (long)p * PANEL * kp;
    const int nc = n - p * PANEL < PANEL ? n - p * PANEL : PANEL;
    for (int i = 0; i < m; i++) {
      __m256i lo = _mm256_setzero_si256(), hi = lo;
      const uint8_t *ai = a + (long)i * lda;
      for (int q = 0; q < kq; q++) {
        int32_t x;
        memcpy(&x, ai + q * 4, 4);
        const __m256i xv = _mm256_set1_epi32(x);
        const int8_t *b = panel + (long)q * PANEL * 4;
        lo = _mm256_dpbusd_avx_epi32(lo, xv, _mm256_loadu_si256((const __m256i *)b));
        hi = _mm256_dpbusd_avx_epi32(hi, xv, _mm256_loadu_si256((const __m256i *)(b + 32)));
      }
      int32_t acc[PANEL];
      _mm256_storeu_si256((__m256i *)acc, lo);
      _mm256_storeu_si256((__m256i *)(acc + 8), hi);
      int8_store(out + (long)i * ldo + p * PANEL, acc, nc, sa[i], za[i], sw + p * PANEL, ws + p * PANEL, beta);
    }
  }
}

typedef void (*Int8Gemm)(float *, long, const uint8_t *, long, const float *, const int32_t *, const int8_t *, const float *, const int32_t *, int, int, int, int);
static Int8Gemm int8Gemm;
static const char *int8Name;

const char *int8_select(const char *want) {
  __builtin_cpu_init();
  const int auto_ = strcmp(want, "auto") == 0;
  const int has512 = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw"), has256 = __builtin_cpu_supports("avxvnni");
  const int avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  quantizeRows = avx512 ? int8_quantize_rows512 : int8_quantize_rows_c;
  quantizeWeights = avx512 ? int8_quantize_weights512 : int8_quantize_weights_c;
  if ((auto_ || strcmp(want, "avx512-vnni") == 0) && has512) { int8Gemm = int8_gemm_vnni512; int8Name = "avx512-vnni"; }
  else if ((auto_ || strcmp(want, "avx-vnni") == 0) && has256) { int8Gemm = int8_gemm_vnni256; int8Name = "avx-vnni"; }
  else if (auto_ || strcmp(want, "portable") == 0) { int8Gemm = int8_gemm_c; int8Name = "portable"; }
  else return NULL;
  return int8Name;
}

const char *int8_name(void) { return int8Name; }

void int8_gemm(float *out, long ldo, const uint8_t *a, long lda, const float *sa, const int32_t *za,
               const int8_t *wp, const float *sw, const int32_t *ws, int m, int n, int kp, int beta) {
  if (m > 0 && n > 0) int8Gemm(out, ldo, a, lda, sa, za, wp, sw, ws, m, n, kp, beta);
}

/* The bytes int8_weights_in needs for w [n, k] (a multiple of 64). */
size_t int8_weights_size(int n, int k) {
  const int kp = (k + 3) & ~3;
  const long padded = (long)((n + PANEL - 1) / PANEL) * PANEL;
  const size_t bytes = sizeof(Int8Weights) + int8_packed_size(n, kp) + padded * (sizeof(float) + sizeof(int32_t)) + 64;
  return (bytes + 63) & ~(size_t)63;
}

/* Quantised weights [n, k] (row stride ldw): everything int8_gemm needs about them, in one allocation. */
Int8Weights *int8_weights(const float *w, long ldw, int n, int k) {
  void *mem = malloc(int8_weights_size(n, k));
  return mem ? int8_weights_in(mem, w, ldw, n, k) : NULL;
}

/* The same in memory of int8_weights_size(n, k) bytes (a kept pack, weights.c), returned as its header. */
Int8Weights *int8_weights_in(void *mem, const float *w, long ldw, int n, int k) {
  const int kp = (k + 3) & ~3;
  const long padded = (long)((n + PANEL - 1) / PANEL) * PANEL;
  Int8Weights *q = mem;
  q->n = n; q->k = k; q->kp = kp;
  q->scale = (float *)(q + 1);
  q->rowsum = (int32_t *)(q->scale + padded);
  q->packed = (int8_t *)(q->rowsum + padded);
  memset(q->scale, 0, padded * sizeof(float));
  memset(q->rowsum, 0, padded * sizeof(int32_t));
  int8_quantize_weights(q->packed, q->scale, q->rowsum, w, ldw, n, k);
  return q;
}

/* out[m, n] (+)= A[m, k] · Wᵀ with A quantised here row by row (row stride lda) into qa (m·kp bytes + m floats + m ints). */
void int8_product(float *out, long ldo, const float *a, long lda, int m, const Int8Weights *w, Int8Rows *qa, int beta) {
  int8_quantize_rows(qa->q, w->kp, qa->scale, qa->zero, a, lda, m, w->k);
  int8_gemm(out, ldo, qa->q, w->kp, qa->scale, qa->zero, w->packed, w->scale, w->rowsum, m, w->n, w->kp, beta);
}

Int8Rows *int8_rows(int m, int k) {
  const int kp = (k + 3) & ~3;
  Int8Rows *r = malloc(sizeof(Int8Rows) + (long)m * (sizeof(float) + sizeof(int32_t)) + (long)m * kp + 64);
  if (!r) return NULL;
  r->scale = (float *)(r + 1);
  r->zero = (int32_t *)(r->scale + m);
  r->q = (uint8_t *)(r->zero + m);
  return r;
}
