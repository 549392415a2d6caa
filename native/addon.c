/*
 * The Node-API face of the native kernels (plain node_api.h, no node-addon-api): each function
 * takes typed arrays with element offsets, checks that every element it will touch lies inside its
 * array (a native kernel must not write outside; the check costs a few comparisons), and runs the
 * kernel of the instruction set chosen at load (kernels.c).
 *
 *   isa() → "avx512" | "avx2" | null           setIsa(name: "avx512" | "avx2" | "auto") → boolean
 *   threads([n]) → the thread count of the products (with n: set, 1..16, the caller included)
 *   int8([want]) → "avx512-vnni" | "avx-vnni" | "portable"   the int8 product (with an argument: chosen again; null when lacking)
 *   gemm(out, oOff, ldo, a, aOff, ars, acs, b, bOff, ldb, bT, m, n, k, beta)
 *       out[m, n] (+)= A · B, A(i, p) = a[aOff + i·ars + p·acs], B(p, j) = bT ? b[bOff + j·ldb + p] : b[bOff + p·ldb + j]
 *   sumRows(out, oOff, a, aOff, lda, m, n)      out[n] += Σ_rows A[m, n]
 *   gruForward(spec, clip, dims, lengths, xp, h, cache, scratch, U, b, c, x, W) → boolean
 *       spec Int32Array [H, nG, gx, gh, gb, after, keep, bias, hasC]; dims [T, B, reverse, keepCache, I, ldx, int8]
 *       (gated.h GruSpec / GruLoop; b, c, x, W, lengths may be null)
 *   gruBackward(spec, dims, lengths, cache, h, dxp, dRec, dOut, dh, dPrev, dCell, U) → boolean
 *       spec as gruForward's; dims [T, B, reverse, ldo, col] (gated.h GruBack; lengths may be null)
 *   lightForward(spec, dims, lengths, xp, h, cache, scratch, U, b, x, W) → boolean
 *       spec Int32Array [H, recurrent, bias, replace, relu]; dims [T, B, reverse, keepCache, I, ldx] (U, b, x, W, lengths may be null)
 *   lightBackward(spec, dims, lengths, cache, h, dxp, dOut, dh, dPrev, dCell, U) → boolean
 *       dims [T, B, reverse, ldo, col] (gated.h LightLoop; U and lengths may be null)
 *   lstmForward(dims, lengths, xp, h, c, cache, scratch, U, b, x, W) → boolean
 *       dims Int32Array [T, B, reverse, keepCache, I, ldx, H, bias, int8] (gated.h LstmLoop; b, x, W, lengths may be null)
 *   lstmBackward(dims, lengths, cache, c, dxp, dOut, dh, dc, dhPrev, dcPrev, dhCell, dcCell, U) → boolean
 *       dims Int32Array [T, B, reverse, H, ldo, col] (gated.h LstmBack; lengths may be null)
 *   rnnForward(spec, dims, lengths, xp, h, cache, U, b, x, W) → boolean
 *       spec Int32Array [H, bias, relu]; dims [T, B, reverse, keepCache, I, ldx] (b, x, W, lengths may be null)
 *   rnnBackward(spec, dims, lengths, cache, dxp, dOut, dh, dPrev, dCell, U) → boolean
 *       dims [T, B, reverse, ldo, col] (gated.h RnnSpec on a LightLoop; lengths may be null)
 *   packSlot() → an External: memory the six loops keep their packed weights in between calls
 *       (pack.c), passed as two more arguments after the last: slot (or null), fresh (1 when the
 *       weights may have changed since the slot was last filled)
 *
 * Shape legend: as gated.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <node_api.h>
#include "gated.h"

#define MAXARGS 16
#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "gated native: Node-API call failed: " #call); return NULL; } } while (0)

static int fail(napi_env env, const char *where, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "gated native %s: %s", where, what);
  napi_throw_range_error(env, NULL, msg);
  return 0;
}

/* A Float32Array (or Int32Array when i32) argument: data and length; null/undefined → NULL when allowed. */
static int arr(napi_env env, napi_value v, int i32, int nullable, const char *where, void **data, size_t *len) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (nullable && (t == napi_null || t == napi_undefined)) { *data = NULL; *len = 0; return 1; }
  bool is;
  napi_is_typedarray(env, v, &is);
  if (!is) return fail(env, where, i32 ? "expected an Int32Array" : "expected a Float32Array");
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  napi_get_typedarray_info(env, v, &type, len, data, &ab, &off);
  if (type != (i32 ? napi_int32_array : napi_float32_array)) return fail(env, where, i32 ? "expected an Int32Array" : "expected a Float32Array");
  return 1;
}

static long num(napi_env env, napi_value v) { int64_t x = 0; napi_get_value_int64(env, v, &x); return (long)x; }

static void slot_free(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  PackSlot *s = data;
  free(s->mem);
  free(s);
}

/* packSlot() → an External owning a PackSlot (empty), freed with it. */
static napi_value js_packSlot(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
  PackSlot *s = calloc(1, sizeof(PackSlot));
  if (!s) { napi_throw_error(env, NULL, "gated native packSlot: out of memory"); return NULL; }
  if (napi_create_external(env, s, slot_free, NULL, &r) != napi_ok) { free(s); napi_throw_error(env, NULL, "gated native packSlot: Node-API call failed"); return NULL; }
  return r;
}

/* The optional (slot, fresh) pair at v[i], v[i + 1] when argc reaches them: an External from packSlot() or null. */
static int slotArgs(napi_env env, size_t argc, napi_value *v, size_t i, const char *where, PackSlot **slot, int *fresh) {
  *slot = NULL; *fresh = 1;
  if (argc <= i) return 1;
  napi_valuetype t;
  napi_typeof(env, v[i], &t);
  if (t == napi_null || t == napi_undefined) return 1;
  void *data = NULL;
  if (t != napi_external || napi_get_value_external(env, v[i], &data) != napi_ok || !data) return fail(env, where, "expected a pack slot (packSlot()) or null");
  *slot = data;
  *fresh = argc > i + 1 ? (int)num(env, v[i + 1]) != 0 : 1;
  // stale from here on, whether or not this call gets as far as packing: the caller counts it refilled
  if (*fresh) (*slot)->tag = 0;
  return 1;
}

/* Elements [off, off + span) must lie in [0, len). */
static int inside(napi_env env, const char *where, long off, long span, size_t len) {
  if (off < 0 || span < 0 || (size_t)(off + span) > len) return fail(env, where, "an operand's range lies outside its array");
  return 1;
}

static napi_value js_isa(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
  const Isa *isa = isa_current();
  if (isa) CHECK(napi_create_string_utf8(env, isa->name, NAPI_AUTO_LENGTH, &r)); else CHECK(napi_get_null(env, &r));
  return r;
}

static napi_value js_setIsa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], r;
  char name[16] = "";
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t n;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n) != napi_ok) name[0] = 0;
  CHECK(napi_get_boolean(env, isa_select(name), &r));
  return r;
}

/* int8([want]) → the int8 product in use; with an argument ("auto" | "avx512-vnni" | "avx-vnni" | "portable") chosen again, null when this CPU lacks it. */
static napi_value js_int8(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value v[1], r;
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc >= 1) {
    char want[16] = "";
    size_t n;
    if (napi_get_value_string_utf8(env, v[0], want, sizeof want, &n) != napi_ok || !int8_select(want)) {
      int8_select("auto");
      CHECK(napi_get_null(env, &r));
      return r;
    }
  }
  CHECK(napi_create_string_utf8(env, int8_name(), NAPI_AUTO_LENGTH, &r));
  return r;
}

/* threads([n]) → the pool's thread count (with n: made n, callers included). */
static napi_value js_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value v[1], r;
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc >= 1) {
    int32_t n = 1;
    if (napi_get_value_int32(env, v[0], &n) == napi_ok) pool_set(n);
  }
  CHECK(napi_create_int32(env, pool_size(), &r));
  return r;
}

static napi_value js_gemm(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value v[15];
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 15) { fail(env, "gemm", "expected 15 arguments"); return NULL; }
  void *o, *a, *b;
  size_t lo, la, lb;
  if (!arr(env, v[0], 0, 0, "gemm out", &o, &lo) || !arr(env, v[3], 0, 0, "gemm a", &a, &la) || !arr(env, v[7], 0, 0, "gemm b", &b, &lb)) return NULL;
  const long oOff = num(env, v[1]), ldo = num(env, v[2]), aOff = num(env, v[4]), ars = num(env, v[5]), acs = num(env, v[6]);
  const long bOff = num(env, v[8]), ldb = num(env, v[9]), bT = num(env, v[10]), m = num(env, v[11]), n = num(env, v[12]), k = num(env, v[13]);
  const long beta = num(env, v[14]);
  if (m <= 0 || n <= 0) return NULL;
  if (!inside(env, "gemm out", oOff, (m - 1) * ldo + n, lo)) return NULL;
  if (k > 0) {
    if (!inside(env, "gemm a", aOff, (m - 1) * ars + (k - 1) * acs + 1, la)) return NULL;
    if (!inside(env, "gemm b", bOff, bT ? (n - 1) * ldb + k : (k - 1) * ldb + n, lb)) return NULL;
  }
  const Gemm g = { (float *)o + oOff, ldo, (const float *)a + aOff, ars, acs, (const float *)b + bOff, ldb, (int)bT, (int)m, (int)n, (int)k, (int)beta };
  isa_current()->gemm(&g);
  return NULL;
}

static napi_value js_sumRows(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value v[7];
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 7) { fail(env, "sumRows", "expected 7 arguments"); return NULL; }
  void *o, *a;
  size_t lo, la;
  if (!arr(env, v[0], 0, 0, "sumRows out", &o, &lo) || !arr(env, v[2], 0, 0, "sumRows a", &a, &la)) return NULL;
  const long oOff = num(env, v[1]), aOff = num(env, v[3]), lda = num(env, v[4]), m = num(env, v[5]), n = num(env, v[6]);
  if (m <= 0 || n <= 0) return NULL;
  if (!inside(env, "sumRows out", oOff, n, lo) || !inside(env, "sumRows a", aOff, (m - 1) * lda + n, la)) return NULL;
  sum_rows((float *)o + oOff, (const float *)a + aOff, lda, (int)m, (int)n);
  return NULL;
}

static napi_value js_gruForward(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value v[15], r;
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 13) { fail(env, "gruForward", "expected 13 arguments"); return NULL; }
  void *sp, *dp, *len, *xp, *h, *cache, *scr, *U, *b, *c, *x, *W;
  size_t lsp, ldp, llen, lxp, lh, lcache, lscr, lU, lb, lc, lx, lW;
  double clip = INFINITY;
  if (!arr(env, v[0], 1, 0, "gruForward spec", &sp, &lsp) || !arr(env, v[2], 1, 0, "gruForward dims", &dp, &ldp)) return NULL;
  if (lsp < 9 || ldp < 7) { fail(env, "gruForward", "spec needs 9 entries, dims 7"); return NULL; }
  CHECK(napi_get_value_double(env, v[1], &clip));
  if (!arr(env, v[3], 1, 1, "gruForward lengths", &len, &llen) || !arr(env, v[4], 0, 0, "gruForward xp", &xp, &lxp) ||
      !arr(env, v[5], 0, 0, "gruForward h", &h, &lh) || !arr(env, v[6], 0, 0, "gruForward cache", &cache, &lcache) ||
      !arr(env, v[7], 0, 0, "gruForward scratch", &scr, &lscr) || !arr(env, v[8], 0, 0, "gruForward U", &U, &lU) ||
      !arr(env, v[9], 0, 1, "gruForward b", &b, &lb) || !arr(env, v[10], 0, 1, "gruForward c", &c, &lc) ||
      !arr(env, v[11], 0, 1, "gruForward x", &x, &lx) || !arr(env, v[12], 0, 1, "gruForward W", &W, &lW)) return NULL;
  const int32_t *S = sp, *D = dp;
  const GruSpec s = { S[0], S[1], S[2], S[3], S[4], S[5], S[6], S[7], S[8], (float)clip };
  PackSlot *slot;
  int fresh;
  if (!slotArgs(env, argc, v, 13, "gruForward", &slot, &fresh)) return NULL;
  const GruLoop l = { D[0], D[1], D[2], D[3], len, xp, h, cache, scr, U, b, c, x, W, D[5], D[4], D[6], slot, fresh };
  const long H = s.H, B = l.B, T = l.T, N = T * B, XH = (s.gx + 1) * H, ldc = (s.nG + 2) * H;
  const int ok = H > 0 && B > 0 && T > 0 && (!len || llen >= (size_t)B) &&
    lxp >= (size_t)(N * XH) && lh >= (size_t)((T + 1) * B * H) && lcache >= (size_t)((l.keepCache ? N : B) * ldc) &&
    lscr >= (size_t)(B * (s.gh + 1) * H) && lU >= (size_t)((s.gh + 1) * H * H) &&
    (!s.bias || lb >= (size_t)((s.gb + 1) * H)) && (!s.hasC || lc >= (size_t)H) &&
    (!x || (W && l.I > 0 && l.ldx >= l.I && lx >= (size_t)((N - 1) * l.ldx + l.I) && lW >= (size_t)(XH * l.I)));
  if (!ok) { fail(env, "gruForward", "a buffer is smaller than its sizes need"); return NULL; }
  if (l.int8 && (H > INT8_MAX_K || (x && l.I > INT8_MAX_K))) { fail(env, "gruForward", "int8 products take inner sizes up to 66000"); return NULL; }
  CHECK(napi_get_boolean(env, isa_current()->gruForward(&s, &l), &r));
  return r;
}

static napi_value js_gruBackward(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value v[14], r;
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 12) { fail(env, "gruBackward", "expected 12 arguments"); return NULL; }
  void *sp, *dp, *len, *cache, *h, *dxp, *dRec, *dOut, *dh, *dPrev, *dCell, *U;
  size_t lsp, ldp, llen, lcache, lh, ldxp, ldRec, ldOut, ldh, ldPrev, ldCell, lU;
  if (!arr(env, v[0], 1, 0, "gruBackward spec", &sp, &lsp) || !arr(env, v[1], 1, 0, "gruBackward dims", &dp, &ldp)) return NULL;
  if (lsp < 9 || ldp < 5) { fail(env, "gruBackward", "spec needs 9 entries, dims 5"); return NULL; }
  if (!arr(env, v[2], 1, 1, "gruBackward lengths", &len, &llen) || !arr(env, v[3], 0, 0, "gruBackward cache", &cache, &lcache) ||
      !arr(env, v[4], 0, 0, "gruBackward h", &h, &lh) || !arr(env, v[5], 0, 0, "gruBackward dxp", &dxp, &ldxp) ||
      !arr(env, v[6], 0, 0, "gruBackward dRec", &dRec, &ldRec) || !arr(env, v[7], 0, 0, "gruBackward dOut", &dOut, &ldOut) ||
      !arr(env, v[8], 0, 0, "gruBackward dh", &dh, &ldh) || !arr(env, v[9], 0, 0, "gruBackward dPrev", &dPrev, &ldPrev) ||
      !arr(env, v[10], 0, 0, "gruBackward dCell", &dCell, &ldCell) || !arr(env, v[11], 0, 0, "gruBackward U", &U, &lU)) return NULL;
  const int32_t *S = sp, *D = dp;
  const GruSpec s = { S[0], S[1], S[2], S[3], S[4], S[5], S[6], S[7], S[8], INFINITY };
  const long T = D[0], B = D[1], ldo = D[3], col = D[4], H = s.H, N = T * B;
  const long XH = (s.gx + 1) * H, ldr = (s.gx > 0 ? 0 : s.nG * H) + H, ldc = (s.nG + 2) * H;
  const int ok = H > 0 && B > 0 && T > 0 && col >= 0 && ldo >= col + H && (!len || llen >= (size_t)B) && lcache >= (size_t)(N * ldc) &&
    lh >= (size_t)((T + 1) * B * H) && ldxp >= (size_t)(N * XH) && ldRec >= (size_t)(N * ldr) && ldOut >= (size_t)((N - 1) * ldo + col + H) &&
    ldh >= (size_t)(B * H) && ldPrev >= (size_t)(B * H) && ldCell >= (size_t)(B * H) && lU >= (size_t)((s.gh + 1) * H * H);
  if (!ok) { fail(env, "gruBackward", "a buffer is smaller than its sizes need"); return NULL; }
  PackSlot *slot;
  int fresh;
  if (!slotArgs(env, argc, v, 12, "gruBackward", &slot, &fresh)) return NULL;
  const GruBack l = { (int)T, (int)B, D[2], len, cache, h, dxp, dRec, dOut, ldo, (int)col, dh, dPrev, dCell, U, slot, fresh };
  CHECK(napi_get_boolean(env, isa_current()->gruBackward(&s, &l), &r));
  return r;
}

static int lightSpecOf(napi_env env, napi_value v, LightSpec *s) {
  void *sp;
  size_t lsp;
  if (!arr(env, v, 1, 0, "light spec", &sp, &lsp)) return 0;
  if (lsp < 5) return fail(env, "light", "spec needs 5 entries");
  const int32_t *S = sp;
  *s = (LightSpec){ S[0], S[1], S[2], S[3], S[4] };
  return s->H > 0;
}

static napi_value js_lightForward(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value v[13], r;
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 11) { fail(env, "lightForward", "expected 11 arguments"); return NULL; }
  LightSpec s;
  void *dp, *len, *xp, *h, *cache, *scr, *U, *b, *x, *W;
  size_t ldp, llen, lxp, lh, lcache, lscr, lU, lb, lx, lW;
  if (!lightSpecOf(env, v[0], &s) || !arr(env, v[1], 1, 0, "lightForward dims", &dp, &ldp)) return NULL;
  if (ldp < 6) { fail(env, "lightForward", "dims needs 6 entries"); return NULL; }
  if (!arr(env, v[2], 1, 1, "lightForward lengths", &len, &llen) || !arr(env, v[3], 0, 0, "lightForward xp", &xp, &lxp) ||
      !arr(env, v[4], 0, 0, "lightForward h", &h, &lh) || !arr(env, v[5], 0, 0, "lightForward cache", &cache, &lcache) ||
      !arr(env, v[6], 0, 0, "lightForward scratch", &scr, &lscr) || !arr(env, v[7], 0, 1, "lightForward U", &U, &lU) ||
      !arr(env, v[8], 0, 1, "lightForward b", &b, &lb) || !arr(env, v[9], 0, 1, "lightForward x", &x, &lx) ||
      !arr(env, v[10], 0, 1, "lightForward W", &W, &lW)) return NULL;
  const int32_t *D = dp;
  PackSlot *slot;
  int fresh;
  if (!slotArgs(env, argc, v, 11, "lightForward", &slot, &fresh)) return NULL;
  LightLoop l = { D[0], D[1], D[2], D[3], len, xp, h, cache, scr, U, b, x, W, D[5], D[4], NULL, NULL, 0, 0, NULL, NULL, NULL, slot, fresh };
  const long H = s.H, B = l.B, T = l.T, N = T * B, H2 = 2 * H;
  const int ok = B > 0 && T > 0 && (!len || llen >= (size_t)B) && lxp >= (size_t)(N * H2) && lh >= (size_t)((T + 1) * B * H) &&
    lcache >= (size_t)((l.keepCache ? N : B) * H2) && (!s.recurrent || (U && lU >= (size_t)(H2 * H) && lscr >= (size_t)(B * H2))) &&
    (!s.bias || (b && lb >= (size_t)H2)) &&
    (!x || (W && l.I > 0 && l.ldx >= l.I && lx >= (size_t)((N - 1) * l.ldx + l.I) && lW >= (size_t)(H2 * l.I)));
  if (!ok) { fail(env, "lightForward", "a buffer is smaller than its sizes need"); return NULL; }
  CHECK(napi_get_boolean(env, isa_current()->lightForward(&s, &l), &r));
  return r;
}

static napi_value js_lightBackward(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value v[13], r;
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 11) { fail(env, "lightBackward", "expected 11 arguments"); return NULL; }
  LightSpec s;
  void *dp, *len, *cache, *h, *dxp, *dOut, *dh, *dPrev, *dCell, *U;
  size_t ldp, llen, lcache, lh, ldxp, ldOut, ldh, ldPrev, ldCell, lU;
  if (!lightSpecOf(env, v[0], &s) || !arr(env, v[1], 1, 0, "lightBackward dims", &dp, &ldp)) return NULL;
  if (ldp < 5) { fail(env, "lightBackward", "dims needs 5 entries"); return NULL; }
  if (!arr(env, v[2], 1, 1, "lightBackward lengths", &len, &llen) || !arr(env, v[3], 0, 0, "lightBackward cache", &cache, &lcache) ||
      !arr(env, v[4], 0, 0, "lightBackward h", &h, &lh) || !arr(env, v[5], 0, 0, "lightBackward dxp", &dxp, &ldxp) ||
      !arr(env, v[6], 0, 0, "lightBackward dOut", &dOut, &ldOut) || !arr(env, v[7], 0, 0, "lightBackward dh", &dh, &ldh) ||
      !arr(env, v[8], 0, 0, "lightBackward dPrev", &dPrev, &ldPrev) || !arr(env, v[9], 0, 0, "lightBackward dCell", &dCell, &ldCell) ||
      !arr(env, v[10], 0, 1, "lightBackward U", &U, &lU)) return NULL;
  const int32_t *D = dp;
  const long T = D[0], B = D[1], ldo = D[3], col = D[4], H = s.H, N = T * B, H2 = 2 * H;
  const int ok = B > 0 && T > 0 && col >= 0 && ldo >= col + H && (!len || llen >= (size_t)B) && lcache >= (size_t)(N * H2) &&
    lh >= (size_t)((T + 1) * B * H) && ldxp >= (size_t)(N * H2) && ldOut >= (size_t)((N - 1) * ldo + col + H) &&
    ldh >= (size_t)(B * H) && ldPrev >= (size_t)(B * H) && ldCell >= (size_t)(B * H) && (!s.recurrent || (U && lU >= (size_t)(H2 * H)));
  if (!ok) { fail(env, "lightBackward", "a buffer is smaller than its sizes need"); return NULL; }
  PackSlot *slot;
  int fresh;
  if (!slotArgs(env, argc, v, 11, "lightBackward", &slot, &fresh)) return NULL;
  const LightLoop l = { (int)T, (int)B, D[2], 1, len, NULL, h, cache, NULL, U, NULL, NULL, NULL, 0, 0, dxp, dOut, ldo, (int)col, dh, dPrev, dCell, slot, fresh };
  CHECK(napi_get_boolean(env, isa_current()->lightBackward(&s, &l), &r));
  return r;
}

static napi_value js_lstmForward(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value v[13], r;
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 11) { fail(env, "lstmForward", "expected 11 arguments"); return NULL; }
  void *dp, *len, *xp, *h, *c, *cache, *scr, *U, *b, *x, *W;
  size_t ldp, llen, lxp, lh, lc, lcache, lscr, lU, lb, lx, lW;
  if (!arr(env, v[0], 1, 0, "lstmForward dims", &dp, &ldp)) return NULL;
  if (ldp < 9) { fail(env, "lstmForward", "dims needs 9 entries"); return NULL; }
  if (!arr(env, v[1], 1, 1, "lstmForward lengths", &len, &llen) || !arr(env, v[2], 0, 0, "lstmForward xp", &xp, &lxp) ||
      !arr(env, v[3], 0, 0, "lstmForward h", &h, &lh) || !arr(env, v[4], 0, 0, "lstmForward c", &c, &lc) ||
      !arr(env, v[5], 0, 0, "lstmForward cache", &cache, &lcache) || !arr(env, v[6], 0, 0, "lstmForward scratch", &scr, &lscr) ||
      !arr(env, v[7], 0, 0, "lstmForward U", &U, &lU) || !arr(env, v[8], 0, 1, "lstmForward b", &b, &lb) ||
      !arr(env, v[9], 0, 1, "lstmForward x", &x, &lx) || !arr(env, v[10], 0, 1, "lstmForward W", &W, &lW)) return NULL;
  const int32_t *D = dp;
  PackSlot *slot;
  int fresh;
  if (!slotArgs(env, argc, v, 11, "lstmForward", &slot, &fresh)) return NULL;
  const LstmLoop l = { D[0], D[1], D[2], D[3], D[6], D[7], len, xp, h, c, cache, scr, U, b, x, W, D[5], D[4], D[8], slot, fresh };
  const long H = l.H, B = l.B, T = l.T, N = T * B, G = 4 * H;
  const int ok = H > 0 && B > 0 && T > 0 && (!len || llen >= (size_t)B) && lxp >= (size_t)(N * G) &&
    lh >= (size_t)((T + 1) * B * H) && lc >= (size_t)((T + 1) * B * H) && lcache >= (size_t)((l.keepCache ? N : B) * 5 * H) &&
    lscr >= (size_t)(B * G) && lU >= (size_t)(G * H) && (!l.bias || (b && lb >= (size_t)G)) &&
    (!x || (W && l.I > 0 && l.ldx >= l.I && lx >= (size_t)((N - 1) * l.ldx + l.I) && lW >= (size_t)(G * l.I)));
  if (!ok) { fail(env, "lstmForward", "a buffer is smaller than its sizes need"); return NULL; }
  if (l.int8 && (H > INT8_MAX_K || (x && l.I > INT8_MAX_K))) { fail(env, "lstmForward", "int8 products take inner sizes up to 66000"); return NULL; }
  CHECK(napi_get_boolean(env, isa_current()->lstmForward(&l), &r));
  return r;
}

static napi_value js_lstmBackward(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value v[15], r;
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 13) { fail(env, "lstmBackward", "expected 13 arguments"); return NULL; }
  void *dp, *len, *cache, *c, *dxp, *dOut, *bufs[6], *U;
  size_t ldp, llen, lcache, lc, ldxp, ldOut, lbufs[6], lU;
  if (!arr(env, v[0], 1, 0, "lstmBackward dims", &dp, &ldp)) return NULL;
  if (ldp < 6) { fail(env, "lstmBackward", "dims needs 6 entries"); return NULL; }
  if (!arr(env, v[1], 1, 1, "lstmBackward lengths", &len, &llen) || !arr(env, v[2], 0, 0, "lstmBackward cache", &cache, &lcache) ||
      !arr(env, v[3], 0, 0, "lstmBackward c", &c, &lc) || !arr(env, v[4], 0, 0, "lstmBackward dxp", &dxp, &ldxp) ||
      !arr(env, v[5], 0, 0, "lstmBackward dOut", &dOut, &ldOut) || !arr(env, v[12], 0, 0, "lstmBackward U", &U, &lU)) return NULL;
  for (int i = 0; i < 6; i++) if (!arr(env, v[6 + i], 0, 0, "lstmBackward state gradient", &bufs[i], &lbufs[i])) return NULL;
  const int32_t *D = dp;
  const long T = D[0], B = D[1], H = D[3], ldo = D[4], col = D[5], N = T * B, G = 4 * H;
  int ok = H > 0 && B > 0 && T > 0 && col >= 0 && ldo >= col + H && (!len || llen >= (size_t)B) && lcache >= (size_t)(N * 5 * H) &&
    lc >= (size_t)((T + 1) * B * H) && ldxp >= (size_t)(N * G) && ldOut >= (size_t)((N - 1) * ldo + col + H) && lU >= (size_t)(G * H);
  for (int i = 0; i < 6; i++) ok = ok && lbufs[i] >= (size_t)(B * H);
  if (!ok) { fail(env, "lstmBackward", "a buffer is smaller than its sizes need"); return NULL; }
  PackSlot *slot;
  int fresh;
  if (!slotArgs(env, argc, v, 13, "lstmBackward", &slot, &fresh)) return NULL;
  const LstmBack l = { (int)T, (int)B, D[2], (int)H, len, cache, c, dxp, dOut, ldo, (int)col,
    { bufs[0], bufs[1] }, { bufs[2], bufs[3] }, { bufs[4], bufs[5] }, U, slot, fresh };
  CHECK(napi_get_boolean(env, isa_current()->lstmBackward(&l), &r));
  return r;
}

static int rnnSpecOf(napi_env env, napi_value v, RnnSpec *s) {
  void *sp;
  size_t lsp;
  if (!arr(env, v, 1, 0, "rnn spec", &sp, &lsp)) return 0;
  if (lsp < 3) return fail(env, "rnn", "spec needs 3 entries");
  const int32_t *S = sp;
  *s = (RnnSpec){ S[0], S[1], S[2] };
  return s->H > 0 ? 1 : fail(env, "rnn", "H must be positive");
}

static napi_value js_rnnForward(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value v[12], r;
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 10) { fail(env, "rnnForward", "expected 10 arguments"); return NULL; }
  RnnSpec s;
  void *dp, *len, *xp, *h, *cache, *U, *b, *x, *W;
  size_t ldp, llen, lxp, lh, lcache, lU, lb, lx, lW;
  if (!rnnSpecOf(env, v[0], &s) || !arr(env, v[1], 1, 0, "rnnForward dims", &dp, &ldp)) return NULL;
  if (ldp < 6) { fail(env, "rnnForward", "dims needs 6 entries"); return NULL; }
  if (!arr(env, v[2], 1, 1, "rnnForward lengths", &len, &llen) || !arr(env, v[3], 0, 0, "rnnForward xp", &xp, &lxp) ||
      !arr(env, v[4], 0, 0, "rnnForward h", &h, &lh) || !arr(env, v[5], 0, 0, "rnnForward cache", &cache, &lcache) ||
      !arr(env, v[6], 0, 0, "rnnForward U", &U, &lU) || !arr(env, v[7], 0, 1, "rnnForward b", &b, &lb) ||
      !arr(env, v[8], 0, 1, "rnnForward x", &x, &lx) || !arr(env, v[9], 0, 1, "rnnForward W", &W, &lW)) return NULL;
  PackSlot *slot;
  int fresh;
  if (!slotArgs(env, argc, v, 10, "rnnForward", &slot, &fresh)) return NULL;
  const int32_t *D = dp;
  const LightLoop l = { D[0], D[1], D[2], D[3], len, xp, h, cache, NULL, U, b, x, W, D[5], D[4], NULL, NULL, 0, 0, NULL, NULL, NULL, slot, fresh };
  const long H = s.H, B = l.B, T = l.T, N = T * B;
  const int ok = B > 0 && T > 0 && (!len || llen >= (size_t)B) && lxp >= (size_t)(N * H) && lh >= (size_t)((T + 1) * B * H) &&
    lcache >= (size_t)((l.keepCache ? N : B) * H) && lU >= (size_t)(H * H) && (!s.bias || (b && lb >= (size_t)H)) &&
    (!x || (W && l.I > 0 && l.ldx >= l.I && lx >= (size_t)((N - 1) * l.ldx + l.I) && lW >= (size_t)(H * l.I)));
  if (!ok) { fail(env, "rnnForward", "a buffer is smaller than its sizes need"); return NULL; }
  CHECK(napi_get_boolean(env, isa_current()->rnnForward(&s, &l), &r));
  return r;
}

static napi_value js_rnnBackward(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value v[12], r;
  CHECK(napi_get_cb_info(env, info, &argc, v, NULL, NULL));
  if (argc < 10) { fail(env, "rnnBackward", "expected 10 arguments"); return NULL; }
  RnnSpec s;
  void *dp, *len, *cache, *dxp, *dOut, *dh, *dPrev, *dCell, *U;
  size_t ldp, llen, lcache, ldxp, ldOut, ldh, ldPrev, ldCell, lU;
  if (!rnnSpecOf(env, v[0], &s) || !arr(env, v[1], 1, 0, "rnnBackward dims", &dp, &ldp)) return NULL;
  if (ldp < 5) { fail(env, "rnnBackward", "dims needs 5 entries"); return NULL; }
  if (!arr(env, v[2], 1, 1, "rnnBackward lengths", &len, &llen) || !arr(env, v[3], 0, 0, "rnnBackward cache", &cache, &lcache) ||
      !arr(env, v[4], 0, 0, "rnnBackward dxp", &dxp, &ldxp) || !arr(env, v[5], 0, 0, "rnnBackward dOut", &dOut, &ldOut) ||
      !arr(env, v[6], 0, 0, "rnnBackward dh", &dh, &ldh) || !arr(env, v[7], 0, 0, "rnnBackward dPrev", &dPrev, &ldPrev) ||
      !arr(env, v[8], 0, 0, "rnnBackward dCell", &dCell, &ldCell) || !arr(env, v[9], 0, 0, "rnnBackward U", &U, &lU)) return NULL;
  PackSlot *slot;
  int fresh;
  if (!slotArgs(env, argc, v, 10, "rnnBackward", &slot, &fresh)) return NULL;
  const int32_t *D = dp;
  const long T = D[0], B = D[1], ldo = D[3], col = D[4], H = s.H, N = T * B;
  const int ok = B > 0 && T > 0 && col >= 0 && ldo >= col + H && (!len || llen >= (size_t)B) && lcache >= (size_t)(N * H) &&
    ldxp >= (size_t)(N * H) && ldOut >= (size_t)((N - 1) * ldo + col + H) && ldh >= (size_t)(B * H) && ldPrev >= (size_t)(B * H) &&
    ldCell >= (size_t)(B * H) && lU >= (size_t)(H * H);
  if (!ok) { fail(env, "rnnBackward", "a buffer is smaller than its sizes need"); return NULL; }
  const LightLoop l = { (int)T, (int)B, D[2], 1, len, NULL, NULL, cache, NULL, U, NULL, NULL, NULL, 0, 0, dxp, dOut, ldo, (int)col, dh, dPrev, dCell, slot, fresh };
  CHECK(napi_get_boolean(env, isa_current()->rnnBackward(&s, &l), &r));
  return r;
}

NAPI_MODULE_INIT() {
  const char *forced = getenv("GATED_NATIVE_ISA");
  if (!isa_select(forced && *forced ? forced : "auto")) {
    napi_throw_error(env, NULL, forced && *forced
      ? "gated native: GATED_NATIVE_ISA names an instruction set this CPU lacks (avx512 or avx2)"
      : "gated native: this CPU has neither AVX-512 nor AVX2 with FMA");
    return NULL;
  }
  int8_select("auto");
  const napi_property_descriptor props[] = {
    { "isa", NULL, js_isa, NULL, NULL, NULL, napi_default, NULL },
    { "setIsa", NULL, js_setIsa, NULL, NULL, NULL, napi_default, NULL },
    { "gemm", NULL, js_gemm, NULL, NULL, NULL, napi_default, NULL },
    { "threads", NULL, js_threads, NULL, NULL, NULL, napi_default, NULL },
    { "int8", NULL, js_int8, NULL, NULL, NULL, napi_default, NULL },
    { "sumRows", NULL, js_sumRows, NULL, NULL, NULL, napi_default, NULL },
    { "gruForward", NULL, js_gruForward, NULL, NULL, NULL, napi_default, NULL },
    { "gruBackward", NULL, js_gruBackward, NULL, NULL, NULL, napi_default, NULL },
    { "lightForward", NULL, js_lightForward, NULL, NULL, NULL, napi_default, NULL },
    { "lightBackward", NULL, js_lightBackward, NULL, NULL, NULL, napi_default, NULL },
    { "lstmForward", NULL, js_lstmForward, NULL, NULL, NULL, napi_default, NULL },
    { "lstmBackward", NULL, js_lstmBackward, NULL, NULL, NULL, napi_default, NULL },
    { "rnnForward", NULL, js_rnnForward, NULL, NULL, NULL, napi_default, NULL },
    { "rnnBackward", NULL, js_rnnBackward, NULL, NULL, NULL, napi_default, NULL },
    { "packSlot", NULL, js_packSlot, NULL, NULL, NULL, napi_default, NULL },
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
