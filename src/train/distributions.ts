/**
 * The scalar functions of the forecast distributions: the normal and Student-t densities, CDFs and
 * quantiles, and the special functions they need. Float64 throughout; used by the NLL losses, the
 * intervals of a forecast and the metrics (coverage, CRPS).
 *
 *   normal    φ(z) = e^{−z²/2}/√(2π),  Φ(z) = ½ erfc(−z/√2),  Φ⁻¹ by Acklam's rational form + one Halley step
 *   Student-t F(x; ν) = 1 − ½ I_{ν/(ν+x²)}(ν/2, ½) for x ≥ 0 (regularised incomplete beta, by continued
 *             fraction, Numerical Recipes §6.4); its quantile by safeguarded Newton steps (studentTQuantile)
 *   lgamma    Lanczos (g = 7, n = 9), |error| < 1e-13;  digamma ψ by recurrence to x ≥ 6 and its
 *             asymptotic series
 */

const SQRT2 = Math.SQRT2;
const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** erfc(x) with relative error < 1.2e-7 everywhere (Numerical Recipes erfcc, Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x), t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LN_SQRT_2PI);
}

export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** Φ⁻¹(p) for p in (0, 1) (Acklam's approximation, refined by one Halley step). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  let x: number;
  if (p < 0.02425) x = tail(Math.sqrt(-2 * Math.log(p)));
  else if (p > 1 - 0.02425) x = -tail(Math.sqrt(-2 * Math.log(1 - p)));
  else {
    const q = p - 0.5, r = q * q;
    x = (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  const e = normalCdf(x) - p, u = e / normalPdf(x);
  return x - u / (1 + 0.5 * x * u);
}

const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** log Γ(x) for x > 0. */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const y = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (y + i);
  const t = y + 7.5;
  return LN_SQRT_2PI + (y + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ψ(x) = d log Γ(x)/dx for x > 0. */
export function digamma(x: number): number {
  let r = 0;
  while (x < 6) { r -= 1 / x; x += 1; }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betacf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    // the even then the odd term of the fraction
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    h *= d * c;
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function betaInc(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betacf(a, b, x)) / a : 1 - (front * betacf(b, a, 1 - x)) / b;
}

/**
 * log B(a, ½) = log Γ(a) + log Γ(½) − log Γ(a + ½). For a > 100 the difference of the two large
 * log-gammas would cancel most of its digits, so log Γ(a + ½)/Γ(a) comes from its asymptotic series,
 * ½ log a + log(1 − 1/(8a) + 1/(128a²) + 5/(1024a³) − 21/(32768a⁴)) (error below 1e-12 there).
 */
function logBetaHalf(a: number): number {
  if (a <= 100) return lgamma(a) + lgamma(0.5) - lgamma(a + 0.5);
  const r = 1 / a;
  return lgamma(0.5) - (0.5 * Math.log(a) + Math.log1p(r * (-1 / 8 + r * (1 / 128 + r * (5 / 1024 - (21 / 32768) * r)))));
}

/** log density of the Student-t with ν degrees of freedom at standardised x. */
export function studentTLogPdf(x: number, nu: number): number {
  return lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * Math.log(nu * Math.PI) - ((nu + 1) / 2) * Math.log1p((x * x) / nu);
}

export function studentTCdf(x: number, nu: number): number {
  const tail = 0.5 * betaInc(nu / 2, 0.5, nu / (nu + x * x));
  return x >= 0 ? 1 - tail : tail;
}

/**
 * The p-quantile of the standard Student-t with ν degrees of freedom. By symmetry the lower tail
 * q = min(p, 1 − p) is solved for x < 0, with ν's constants (the log beta function) computed once:
 * Newton's method on F(x) in the middle (q ≥ 0.05), on log F against u = log(−x) in the tails
 * (where F falls like |x|^−ν, so log F is nearly linear in u), from the Cornish–Fisher expansion of
 * the normal quantile; every step is kept inside a bracket of the root (halved where a step would
 * leave it), until a step moves x by under 1e-14 of it. A case that does not settle in 60 steps
 * falls back to bisection on F.
 */
export function studentTQuantile(p: number, nu: number): number {
  if (Number.isNaN(p) || !(nu > 0)) return NaN;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const q = p < 0.5 ? p : 1 - p;
  if (q === 0.5) return 0;
  const lbeta = logBetaHalf(nu / 2), logPdfC = -lbeta - 0.5 * Math.log(nu);
  const z = normalQuantile(q);
  let x = z + (z * z * z + z) / (4 * nu) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * nu * nu);
  if (!(x < 0) || !Number.isFinite(x)) x = z < 0 ? z : -1e-3;
  let lo = -Infinity, hi = 0;
  const tail = q < 0.05, logQ = Math.log(q);
  for (let i = 0; i < 60; i++) {
    const F = lowerTCdf(x, nu, lbeta), f = Math.exp(logPdfC - ((nu + 1) / 2) * Math.log1p((x * x) / nu));
    if (F > q) hi = x; else lo = x;
    let next: number;
    if (tail) {
      const g = Math.log(F) - logQ, dg = (f * x) / F; // d log F / d log(−x)
      next = -Math.exp(Math.log(-x) - g / dg);
    } else {
      next = x - (F - q) / f;
    }
    if (!(next > lo && next < hi)) next = Number.isFinite(lo) ? 0.5 * (lo + hi) : 2 * Math.min(x, -1);
    const step = Math.abs(next - x);
    x = next;
    if (step <= 1e-14 * Math.abs(x)) return p < 0.5 ? x : -x;
  }
  return bisectQuantile(p, nu);
}

/** F(x; ν) for x < 0, given log B(ν/2, ½): ½ I_y(ν/2, ½), y = ν/(ν + x²), with 1 − y = x²/(ν + x²) kept apart (no cancellation). */
function lowerTCdf(x: number, nu: number, lbeta: number): number {
  const a = nu / 2, x2 = x * x, y = nu / (nu + x2), y1 = x2 / (nu + x2);
  const front = Math.exp(a * Math.log(y) + 0.5 * Math.log(y1) - lbeta);
  return 0.5 * (y < (a + 1) / (a + 2.5) ? (front * betacf(a, 0.5, y)) / a : 1 - (front * betacf(0.5, a, y1)) / 0.5);
}

/** The quantile by bisection on the CDF (80 halvings at most, to 1e-14 of it): the fallback. */
function bisectQuantile(p: number, nu: number): number {
  let lo = -1, hi = 1;
  while (studentTCdf(lo, nu) > p) lo *= 2;
  while (studentTCdf(hi, nu) < p) hi *= 2;
  for (let i = 0; i < 80 && hi - lo > 1e-14 * Math.max(1, Math.abs(lo)); i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, nu) < p) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}
