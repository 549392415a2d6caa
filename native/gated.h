/*
 * gated's native kernels (Node-API addon, linux-x64): the shared declarations.
 *
 * Shape legend: out[M, N] = A · B, K the inner size (products); B batch, T time, H hidden,
 * I input, N = T·B rows, X·H the input-projection width, G gates (the GRU step, gru.c).
 *
 * Every kernel exists twice, compiled from kernels.inc.c with function-level target attributes
 * (AVX-512 and AVX2+FMA) into this one shared object; isa.c picks one set at load time with
 * __builtin_cpu_supports (or GATED_NATIVE_ISA=avx2 / setIsa("avx2") to force the narrower one).
 * Outputs first, then inputs, then sizes; kernels trust their inputs (the TypeScript side checks).
 */
#ifndef GATED_H
#define GATED_H
#include <stddef.h>
#include <stdint.h>

/* out[m, n] = A · B (+ out when beta): A(i, p) = a[i·ars + p·acs]; B(p, j) = bT ? b[j·ldb + p] : b[p·ldb + j]. */
typedef struct {
  float *out; long ldo;
  const float *a; long ars, acs;
  const float *b; long ldb; int bT;
  int m, n, k, beta;
} Gemm;

/*
 * Packed weights kept between calls (pack.c): the memory of a JavaScript External (packSlot()),
 * filled by a loop when the caller says the weights changed (fresh) or when it holds another
 * packing (tag: the loop, the instruction set and the sizes). A NULL slot: each call packs into
 * memory of its own, freed at its end.
 */
typedef struct { void *mem; size_t bytes; uint64_t tag; } PackSlot;
/* Memory of `bytes` for a pack identified by tag (from the slot, or malloc'd); *fill = 1 when the caller must pack into it; NULL when out of memory. */
void *slot_take(PackSlot *slot, int fresh, size_t bytes, uint64_t tag, int *fill);
/* Ends the use of slot_take's memory: frees it when it is not the slot's; a slot whose fill did not finish (ok = 0) is marked empty. */
void slot_give(PackSlot *slot, void *mem, int ok);
/* An FNV-1a hash of n ints (a pack's tag). */
uint64_t pack_tag(const long *v, int n);

/* The GRU-family step's configuration (src/kernels/fused.ts GatedSpec) and one whole forward loop. */
typedef struct {
  int H, nG, gx, gh, gb, after, keep, bias, hasC;
  float clip;                       /* +inf for none */
} GruSpec;

typedef struct {
  int T, B, reverse, keepCache;
  const int32_t *lengths;           /* [B] or NULL */
  float *xp;                        /* [N, X·H] */
  float *h;                         /* [(T + 1)·B, H] states */
  float *cache;                     /* [N, ldc] or [B, ldc] */
  float *scratch;                   /* [B, (gh + 1)·H] */
  const float *U, *b, *c;           /* U [(gh + 1)·H, H], b [(gb + 1)·H] or NULL, c [H] or NULL */
  const float *x, *W; long ldx; int I;  /* the input projection still to compute, or x = NULL */
  int int8;                         /* the products in dynamic int8 (int8.c) */
  PackSlot *slot; int fresh;        /* packed U (and int8 W) kept between calls, or NULL */
} GruLoop;

/* The GRU family's whole backward loop (src/sequence/run.ts backwardDirection with gated-unit.ts backward). */
typedef struct {
  int T, B, reverse;
  const int32_t *lengths;           /* [B] or NULL */
  const float *cache;               /* [N, (nG + 2)·H] */
  const float *h;                   /* [(T + 1)·B, H] states */
  float *dxp, *dRec;                /* [N, X·H] and [N, ldr], accumulated into (zero on entry) */
  const float *dOut; long ldo; int col;  /* dL/d(layer output) [N, ldo], this direction's columns from col */
  float *dh, *dPrev, *dCell;        /* [B, H] each; dh holds dL/d(final state) on entry */
  const float *U;                   /* [(gh + 1)·H, H] */
  PackSlot *slot; int fresh;
} GruBack;

/* The two-block cells' loops (LiGRU, LiBRU's light modes; src/kernels/fused.ts LightSpec): σ gate, tanh or ReLU candidate. */
typedef struct {
  int H, recurrent, bias, replace, relu;
} LightSpec;

typedef struct {
  int T, B, reverse, keepCache;
  const int32_t *lengths;           /* [B] or NULL */
  float *xp;                        /* [N, 2H] */
  float *h;                         /* [(T + 1)·B, H] states */
  float *cache;                     /* [N, 2H] or [B, 2H]: z | n */
  float *scratch;                   /* [B, 2H] */
  const float *U, *b;               /* U [2H, H] (recurrent) or NULL, b [2H] or NULL */
  const float *x, *W; long ldx; int I;  /* the input projection still to compute, or x = NULL */
  /* backward only */
  float *dxp;                       /* [N, 2H], accumulated into */
  const float *dOut; long ldo; int col;
  float *dh, *dPrev, *dCell;        /* [B, H] each */
  PackSlot *slot; int fresh;
} LightLoop;

/* The Elman RNN's loops (src/cells/rnn.ts; tanh or ReLU, no clip) on a LightLoop with H-wide rows and no scratch. */
typedef struct {
  int H, bias, relu;
} RnnSpec;

/* The LSTM's whole forward loop (src/cells/lstm.ts; σ, tanh, tanh, no clip): states h and c. */
typedef struct {
  int T, B, reverse, keepCache, H, bias;
  const int32_t *lengths;           /* [B] or NULL */
  float *xp;                        /* [N, 4H] */
  float *h, *c;                     /* [(T + 1)·B, H] states each */
  float *cache;                     /* [N, 5H] or [B, 5H]: i | f | ĉ | o | tanh(c') */
  float *scratch;                   /* [B, 4H] */
  const float *U, *b;               /* U [4H, H], b [4H] or NULL */
  const float *x, *W; long ldx; int I;  /* the input projection still to compute, or x = NULL */
  int int8;                         /* the products in dynamic int8 (int8.c) */
  PackSlot *slot; int fresh;
} LstmLoop;

/* The LSTM's whole backward loop (src/sequence/run.ts backwardDirection with lstm.ts backward). */
typedef struct {
  int T, B, reverse, H;
  const int32_t *lengths;           /* [B] or NULL */
  const float *cache;               /* [N, 5H] */
  const float *c;                   /* [(T + 1)·B, H] cell states */
  float *dxp;                       /* [N, 4H], accumulated into (zero on entry) */
  const float *dOut; long ldo; int col;  /* dL/d(layer output) [N, ldo], this direction's columns from col */
  float *dh[2], *dPrev[2], *dCell[2];    /* [B, H] each, for h and c; dh holds dL/d(final state) on entry */
  const float *U;                   /* [4H, H] */
  PackSlot *slot; int fresh;
} LstmBack;

typedef struct {
  const char *name;
  int nr, mr;                       /* micro-tile: mr rows × nr columns */
  void (*gemm)(const Gemm *g);
  int (*gruForward)(const GruSpec *s, const GruLoop *l);  /* 0: out of memory */
  int (*gruBackward)(const GruSpec *s, const GruBack *l);  /* 0: out of memory */
  int (*lightForward)(const LightSpec *s, const LightLoop *l);   /* 0: out of memory */
  int (*lightBackward)(const LightSpec *s, const LightLoop *l);  /* 0: out of memory */
  int (*lstmForward)(const LstmLoop *l);                   /* 0: out of memory */
  int (*lstmBackward)(const LstmBack *l);                  /* 0: out of memory */
  int (*rnnForward)(const RnnSpec *s, const LightLoop *l);   /* 0: out of memory */
  int (*rnnBackward)(const RnnSpec *s, const LightLoop *l);  /* 0: out of memory */
} Isa;

/* int8.c: dynamic int8 products (weights per output row, activations per row; see its header). */
typedef struct { int n, k, kp; float *scale; int32_t *rowsum; int8_t *packed; } Int8Weights;
typedef struct { float *scale; int32_t *zero; uint8_t *q; } Int8Rows;
/* Quantised and packed copies of w [n, k] (row stride ldw); free() when done; NULL when out of memory. */
Int8Weights *int8_weights(const float *w, long ldw, int n, int k);
/* The same into mem of int8_weights_size(n, k) bytes (returned as its header; pointers into mem). */
size_t int8_weights_size(int n, int k);
Int8Weights *int8_weights_in(void *mem, const float *w, long ldw, int n, int k);
/* Room for m quantised rows of k values; free() when done. */
Int8Rows *int8_rows(int m, int k);
/* out[m, n] (+)= A[m, k] · Wᵀ, A quantised row by row into qa first. */
void int8_product(float *out, long ldo, const float *a, long lda, int m, const Int8Weights *w, Int8Rows *qa, int beta);
void int8_quantize_rows(uint8_t *q, long ldq, float *scale, int32_t *zero, const float *a, long lda, int m, int k);
/* Picks the product: "auto" (the widest this CPU has), "avx512-vnni", "avx-vnni" or "portable"; NULL when this CPU lacks it. */
const char *int8_select(const char *want);
const char *int8_name(void);
/* The largest inner size K whose int32 sums cannot overflow (255 · 127 · K < 2³¹). */
#define INT8_MAX_K 66000

/* kernels.c: the thread pool the products share (n threads including the caller; returns the count made). */
int pool_set(int n);
int pool_size(void);

extern const Isa isa_avx512, isa_avx2;
const Isa *isa_current(void);
/* "avx512" | "avx2" | "auto"; returns 0 when this CPU lacks it. */
int isa_select(const char *name);
void sum_rows(float *out, const float *a, long lda, int m, int n);
#endif
