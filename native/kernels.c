/*
 * The native kernels, both instruction sets in one object: kernels.inc.c included once per ISA
 * (function-level target attributes, no global -mavx512f), and the choice between them at run time.
 *
 * Shape legend: as gated.h.
 */
#include <stdlib.h>
#include <string.h>
#include "gated.h"

#define STR_(x) #x
#define STR(x) STR_(x)
/* Rows of K per packed block (the blocked sum's block), rows of A per cache block. */
#define KC 256
#define MC 96

/* A per-thread work buffer of at least n floats (packed B), grown and kept; NULL when out of memory. */
static __thread float *scratchBuf;
static __thread long scratchLen;
static float *scratch_floats(long n) {
  if (n <= scratchLen) return scratchBuf;
  free(scratchBuf);
  scratchBuf = aligned_alloc(64, ((sizeof(float) * n + 63) / 64) * 64);
  scratchLen = scratchBuf ? n : 0;
  return scratchBuf;
}

#define SUF avx512
#define TGT "avx512f,avx512vl,avx512dq,avx2,fma"
#define VW 16
#define MR 12
#include "kernels.inc.c"
#undef SUF
#undef TGT
#undef VW
#undef MR

#define SUF avx2
#define TGT "avx2,fma"
#define VW 8
#define MR 6
#include "kernels.inc.c"
#undef SUF
#undef TGT
#undef VW
#undef MR

static const Isa *current;

static int supports(const Isa *isa) {
  __builtin_cpu_init();
  if (isa == &isa_avx512) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma");
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int isa_select(const char *name) {
  if (strcmp(name, "avx512") == 0) return supports(&isa_avx512) ? (current = &isa_avx512, 1) : 0;
  if (strcmp(name, "avx2") == 0) return supports(&isa_avx2) ? (current = &isa_avx2, 1) : 0;
  if (strcmp(name, "auto") == 0) {
    current = supports(&isa_avx512) ? &isa_avx512 : supports(&isa_avx2) ? &isa_avx2 : NULL;
    return current != NULL;
  }
  return 0;
}

const Isa *isa_current(void) { return current; }

/* out[n] += Σ_i a[i, n], row by row (each element summed in row order). */
void sum_rows(float *out, const float *a, long lda, int m, int n) {
  for (int i = 0; i < m; i++) {
    const float *r = a + (long)i * lda;
    for (int j = 0; j < n; j++) out[j] += r[j];
  }
}
