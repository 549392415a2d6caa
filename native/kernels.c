/*
 * The native kernels, both instruction sets in one object: kernels.inc.c included once per ISA
 * (function-level target attributes, no global -mavx512f), and the choice between them at run time.
 *
 * Shape legend: as gated.h.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
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

/*
 * The thread pool: pool_set(n) keeps n − 1 worker threads beside the caller; pool_run(fn, ctx,
 * parts) runs fn(ctx, part, parts) once for every part and returns when all are done. Parts are
 * claimed from one atomic word (job number, part count, next part), the caller claiming too, so a
 * worker the system has not scheduled yet takes nothing and the caller does its share instead: on
 * a busy machine a product never waits for a thread that is not running. Workers spin briefly for
 * the next job, then sleep on a condition variable. Products split their column panels between
 * parts (kernels.inc.c gemmPacked), so results are the same bits on any number of threads. The
 * pool is process-wide and serves one caller at a time: the library calls the native kernels from
 * the JavaScript thread that loaded them, never from two threads at once.
 */
#define POOL_MAX 16
/* Multiply-adds below which a product stays on one thread (the hand-over costs a few µs). */
#define POOL_MIN_WORK (1L << 17)
typedef void (*PartFn)(void *ctx, int part, int parts);
static int poolSize = 1;
static pthread_t poolThreads[POOL_MAX];
static pthread_mutex_t poolMu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t poolCv = PTHREAD_COND_INITIALIZER;
/* job << 40 | parts << 32 | next part; a job is open while next < parts. */
static _Atomic uint64_t poolWork;
static atomic_int poolDone;
static PartFn poolFn;
static void *poolCtx;
static atomic_int poolStop;

static unsigned job_of(uint64_t w) { return (unsigned)(w >> 40); }

/* Claims and runs the parts of job `job` until none is left; the number run. */
static void pool_claim(unsigned job) {
  uint64_t w = atomic_load_explicit(&poolWork, memory_order_acquire);
  for (;;) {
    const int parts = (int)((w >> 32) & 0xff), next = (int)(w & 0xffffffff);
    if (job_of(w) != job || next >= parts) return;
    // the job's fields are its own while it has an unclaimed part (the next job's are written only after every part is done)
    const PartFn fn = poolFn;
    void *ctx = poolCtx;
    if (!atomic_compare_exchange_weak_explicit(&poolWork, &w, w + 1, memory_order_acq_rel, memory_order_acquire)) continue;
    fn(ctx, next, parts);
    atomic_fetch_add_explicit(&poolDone, 1, memory_order_acq_rel);
    w = atomic_load_explicit(&poolWork, memory_order_acquire);
  }
}

static void *pool_worker(void *arg) {
  (void)arg;
  unsigned seen = job_of(atomic_load(&poolWork));
  for (;;) {
    unsigned job;
    int spins = 0;
    while ((job = job_of(atomic_load_explicit(&poolWork, memory_order_acquire))) == seen && !poolStop) {
      if (++spins < 4000) { __builtin_ia32_pause(); continue; }
      pthread_mutex_lock(&poolMu);
      while ((job = job_of(atomic_load_explicit(&poolWork, memory_order_acquire))) == seen && !poolStop) pthread_cond_wait(&poolCv, &poolMu);
      pthread_mutex_unlock(&poolMu);
    }
    if (poolStop) return NULL;
    seen = job;
    pool_claim(job);
  }
}

static int pool_parts(long work, int units) {
  if (poolSize <= 1 || work < POOL_MIN_WORK || units < 2) return 1;
  return units < poolSize ? units : poolSize;
}

static void pool_run(PartFn fn, void *ctx, int parts) {
  poolFn = fn;
  poolCtx = ctx;
  atomic_store_explicit(&poolDone, 0, memory_order_relaxed);
  const unsigned job = (job_of(atomic_load(&poolWork)) + 1) & 0xffffff;
  pthread_mutex_lock(&poolMu);
  atomic_store_explicit(&poolWork, (uint64_t)job << 40 | (uint64_t)parts << 32, memory_order_release);
  pthread_cond_broadcast(&poolCv);
  pthread_mutex_unlock(&poolMu);
  pool_claim(job);
  while (atomic_load_explicit(&poolDone, memory_order_acquire) < parts) __builtin_ia32_pause();
}

int pool_set(int n) {
  if (n < 1) n = 1;
  if (n > POOL_MAX) n = POOL_MAX;
  if (n == poolSize) return n;
  pthread_mutex_lock(&poolMu);
  poolStop = 1;
  pthread_cond_broadcast(&poolCv);
  pthread_mutex_unlock(&poolMu);
  for (int i = 1; i < poolSize; i++) pthread_join(poolThreads[i], NULL);
  poolStop = 0;
  poolSize = 1;
  for (int i = 1; i < n; i++) {
    if (pthread_create(&poolThreads[i], NULL, pool_worker, NULL) != 0) break;
    poolSize = i + 1;
  }
  return poolSize;
}

int pool_size(void) { return poolSize; }

/*
 * What every native time loop does with sequence lengths (src/sequence/run.ts's rules): a row is
 * inactive at step t when t ≥ lengths[r]; it keeps its state going forward, and going backward
 * gets no output gradient, hands its cell a zero gradient and passes its state gradient through.
 * lengths NULL: every row is active.
 */
/* Forward: state rows of inactive rows copied from the previous step. */
static void keep_inactive(float *next, const float *prev, int t, int B, int H, const int32_t *lengths) {
  if (!lengths) return;
  for (int r = 0; r < B; r++) if (t >= lengths[r]) memcpy(next + (long)r * H, prev + (long)r * H, sizeof(float) * H);
}

/* Backward: dh += dL/dy_t for the active rows (dOut [N, ldo], this direction's columns from col). */
static void add_output_grad(float *dh, const float *dOut, long ldo, int col, int t, int B, int H, const int32_t *lengths) {
  for (int b = 0; b < B; b++) {
    if (lengths && t >= lengths[b]) continue;
    const float *o = dOut + ((long)t * B + b) * ldo + col;
    float *d = dh + (long)b * H;
    for (int j = 0; j < H; j++) d[j] += o[j];
  }
}

/* Backward: the cell's gradient, dh with the inactive rows zeroed, in dCell; returns what the cell reads. */
static const float *active_grad(float *dCell, const float *dh, int t, int B, int H, const int32_t *lengths) {
  if (!lengths) return dh;
  memcpy(dCell, dh, sizeof(float) * B * H);
  for (int b = 0; b < B; b++) if (t >= lengths[b]) memset(dCell + (long)b * H, 0, sizeof(float) * H);
  return dCell;
}

/* Backward: an inactive row's state gradient passes straight through to the previous step. */
static void pass_inactive(float *dPrev, const float *dh, int t, int B, int H, const int32_t *lengths) {
  if (!lengths) return;
  for (int b = 0; b < B; b++) {
    if (t < lengths[b]) continue;
    const float *d = dh + (long)b * H;
    float *q = dPrev + (long)b * H;
    for (int j = 0; j < H; j++) q[j] += d[j];
  }
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
