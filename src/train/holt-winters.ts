/**
 * Holt-Winters additive exponential smoothing (ETS(A,A,A) point forecasts), fitted by minimising
 * the one-step sum of squared errors, as statsmodels' ExponentialSmoothing(trend="add",
 * seasonal="add", initialization_method="estimated") does.
 *
 *   ŷ_t    = l_{t−1} + b_{t−1} + s_{t−m}                       (one-step forecast, e_t = y_t − ŷ_t)
 *   l_t    = α(y_t − s_{t−m}) + (1 − α)(l_{t−1} + b_{t−1})
 *   b_t    = β(l_t − l_{t−1}) + (1 − β) b_{t−1}
 *   s_t    = γ(y_t − l_{t−1} − b_{t−1}) + (1 − γ) s_{t−m}
 *   ŷ_{T+h} = l_T + h·b_T + s_{T+h−m(⌊(h−1)/m⌋+1)}
 *
 * Fitting: for fixed (α, β, γ) the errors are affine in the initial states (l₀, b₀, s₋ₘ..s₋₁), so
 * those are solved exactly by least squares (with Σs = 0, which fixes the level/season shift that
 * leaves every forecast unchanged); (α, β, γ) ∈ (0, 1)³ are found by Nelder-Mead on a logistic scale
 * from several starts. Forecast variance (Hyndman et al. 2008, class 1, ETS(A,A,A)):
 *   σ²_h = σ²[1 + Σ_{j=1}^{h−1} (α + αβj + γ·1{j mod m = 0})²],  σ² = SSE/n.
 */
import { OptionError } from "../errors/index.js";

export interface HoltWintersParams {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly level: number;
  readonly trend: number;
  /** s₋ₘ..s₋₁: the season of y₀ is seasonal[0]. */
  readonly seasonal: readonly number[];
}

export interface HoltWintersFit extends HoltWintersParams {
  readonly season: number;
  readonly sse: number;
  /** States after the last observation: l_T, b_T and the last m seasonals (oldest first). */
  readonly final: { readonly level: number; readonly trend: number; readonly seasonal: Float64Array };
  readonly sigma2: number;
}

/** Runs the recursion; returns the SSE and the final states. */
export function holtWintersFilter(y: ArrayLike<number>, m: number, p: HoltWintersParams): { sse: number; level: number; trend: number; seasonal: Float64Array } {
  const { alpha: a, beta: b, gamma: g } = p, s = Float64Array.from(p.seasonal); // ring: s[t mod m] = s_{t−m}
  let l = p.level, tr = p.trend, sse = 0;
  for (let t = 0; t < y.length; t++) {
    const sm = s[t % m]!, e = y[t]! - (l + tr + sm), lPrev = l;
    sse += e * e;
    l = a * (y[t]! - sm) + (1 - a) * (lPrev + tr);
    s[t % m] = g * (y[t]! - lPrev - tr) + (1 - g) * sm;
    tr = b * (l - lPrev) + (1 - b) * tr;
  }
  const seasonal = new Float64Array(m);
  for (let i = 0; i < m; i++) seasonal[i] = s[(y.length + i) % m]!;
  return { sse, level: l, trend: tr, seasonal };
}

/** Least-squares initial states for fixed smoothing parameters (Σs = 0). */
function bestInitial(y: ArrayLike<number>, m: number, a: number, b: number, g: number): HoltWintersParams {
  // errors e(θ) = c − Aθ are affine in θ = (l₀, b₀, s₀..s_{m−2}), s_{m−1} = −Σ: read A column by column
  const n = y.length, k = m + 1, state = (theta: Float64Array): HoltWintersParams => {
    const seasonal = Array.from({ length: m }, (_, i) => (i < m - 1 ? theta[2 + i]! : 0));
    seasonal[m - 1] = -seasonal.reduce((x, z) => x + z, 0);
    return { alpha: a, beta: b, gamma: g, level: theta[0]!, trend: theta[1]!, seasonal };
  };
  const errors = (theta: Float64Array): Float64Array => {
    const p = state(theta), s = Float64Array.from(p.seasonal), e = new Float64Array(n);
    let l = p.level, tr = p.trend;
    for (let t = 0; t < n; t++) {
      const sm = s[t % m]!, lPrev = l;
      e[t] = y[t]! - (l + tr + sm);
      l = a * (y[t]! - sm) + (1 - a) * (lPrev + tr);
      s[t % m] = g * (y[t]! - lPrev - tr) + (1 - g) * sm;
      tr = b * (l - lPrev) + (1 - b) * tr;
    }
    return e;
  };
  const c = errors(new Float64Array(k)), cols: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const u = new Float64Array(k); u[j] = 1;
    const e = errors(u);
    cols.push(e.map((v, t) => c[t]! - v)); // A[:, j]
  }
  // normal equations AᵀA θ = Aᵀc
  const M = Array.from({ length: k }, (_, i) => Float64Array.from({ length: k + 1 }, (_, j) => {
    let s = 0;
    const x = cols[i]!, z = j < k ? cols[j]! : c;
    for (let t = 0; t < n; t++) s += x[t]! * z[t]!;
    return s + (i === j ? 1e-9 : 0);
  }));
  return state(solve(M, k));
}

/** Gaussian elimination with partial pivoting on the augmented k×(k+1) matrix. */
function solve(M: Float64Array[], k: number): Float64Array {
  for (let i = 0; i < k; i++) {
    let piv = i;
    for (let r = i + 1; r < k; r++) if (Math.abs(M[r]![i]!) > Math.abs(M[piv]![i]!)) piv = r;
    [M[i], M[piv]] = [M[piv]!, M[i]!];
    for (let r = i + 1; r < k; r++) {
      const f = M[r]![i]! / M[i]![i]!;
      for (let j = i; j <= k; j++) M[r]![j]! -= f * M[i]![j]!;
    }
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = M[i]![k]!;
    for (let j = i + 1; j < k; j++) s -= M[i]![j]! * x[j]!;
    x[i] = s / M[i]![i]!;
  }
  return x;
}

/** Minimises f by Nelder-Mead from x0 (standard coefficients 1, 2, ½, ½). */
export function nelderMead(f: (x: number[]) => number, x0: number[], step = 0.5, iterations = 400): { x: number[]; f: number } {
  const n = x0.length;
  let pts = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step : v)))].map((x) => ({ x, f: f(x) }));
  for (let it = 0; it < iterations; it++) {
    pts.sort((p, q) => p.f - q.f);
    if (Math.abs(pts[n]!.f - pts[0]!.f) <= 1e-12 * (1 + Math.abs(pts[0]!.f))) break;
    const c = x0.map((_, j) => pts.slice(0, n).reduce((s, p) => s + p.x[j]!, 0) / n);
    const at = (t: number) => { const x = c.map((v, j) => v + t * (pts[n]!.x[j]! - v)); return { x, f: f(x) }; };
    const r = at(-1);
    if (r.f < pts[0]!.f) { const e = at(-2); pts[n] = e.f < r.f ? e : r; continue; }
    if (r.f < pts[n - 1]!.f) { pts[n] = r; continue; }
    const k = at(r.f < pts[n]!.f ? -0.5 : 0.5);
    if (k.f < Math.min(r.f, pts[n]!.f)) { pts[n] = k; continue; }
    pts = pts.map((p, i) => (i === 0 ? p : (() => { const x = p.x.map((v, j) => pts[0]!.x[j]! + 0.5 * (v - pts[0]!.x[j]!)); return { x, f: f(x) }; })()));
  }
  pts.sort((p, q) => p.f - q.f);
  return pts[0]!;
}

const logistic = (u: number) => 1 / (1 + Math.exp(-u));
const logit = (p: number) => Math.log(p / (1 - p));

/** Fits Holt-Winters additive to y (at least two seasons) by minimising the one-step SSE. */
export function fitHoltWinters(y: ArrayLike<number>, season: number): HoltWintersFit {
  const m = season;
  if (!Number.isInteger(m) || m < 2) throw new OptionError(`holt-winters: season must be an integer ≥ 2, got ${m}`);
  if (y.length < 2 * m + 2) throw new OptionError(`holt-winters: needs at least ${2 * m + 2} values (two seasons of ${m} and 2), got ${y.length}`);
  const sse = (u: number[]) => {
    const [a, b, g] = u.map(logistic) as [number, number, number];
    return holtWintersFilter(y, m, bestInitial(y, m, a, b, g)).sse;
  };
  let best = { x: [0, 0, 0], f: Infinity };
  for (const start of [[0.5, 0.1, 0.1], [0.9, 0.01, 0.05], [0.2, 0.2, 0.5]]) {
    const r = nelderMead(sse, start.map(logit), 1);
    if (r.f < best.f) best = r;
  }
  best = nelderMead(sse, best.x, 0.1); // restart from the best (Nelder-Mead can stall)
  const [a, b, g] = best.x.map(logistic) as [number, number, number];
  const p = bestInitial(y, m, a, b, g), fin = holtWintersFilter(y, m, p);
  return { ...p, season: m, sse: fin.sse, final: { level: fin.level, trend: fin.trend, seasonal: fin.seasonal }, sigma2: fin.sse / y.length };
}

/** Point forecasts and their standard deviations for h = 1..steps. */
export function holtWintersForecast(fit: HoltWintersFit, steps: number): { mean: Float64Array; sigma: Float64Array } {
  const { level: l, trend: b, seasonal: s } = fit.final, m = fit.season;
  const mean = new Float64Array(steps), sigma = new Float64Array(steps);
  let v = 1;
  for (let h = 1; h <= steps; h++) {
    mean[h - 1] = l + h * b + s[(h - 1) % m]!;
    sigma[h - 1] = Math.sqrt(fit.sigma2 * v);
    const c = fit.alpha + fit.alpha * fit.beta * h + (h % m === 0 ? fit.gamma : 0);
    v += c * c;
  }
  return { mean, sigma };
}
