/**
 * Mel scales, the triangular mel filterbank and the DCT used by MFCCs, as librosa defines them.
 *
 * Mel scales (librosa.hz_to_mel):
 *   "slaney" (librosa's default, htk=False): linear below 1 kHz, logarithmic above
 *       m = 3 f / 200                          for f < 1000 Hz
 *       m = 15 + ln(f / 1000) / (ln 6.4 / 27)  for f ≥ 1000 Hz
 *   "htk": m = 2595 log₁₀(1 + f / 700)
 *
 * Filterbank (librosa.filters.mel): n_mels + 2 points equally spaced in mel between fmin and fmax,
 * mapped back to Hz (f₀ … f_{n+1}); bin k of an nFft-point FFT sits at k · sr / nFft. Filter i is the
 * triangle max(0, min((f − f_i) / (f_{i+1} − f_i), (f_{i+2} − f) / (f_{i+2} − f_{i+1}))). With
 * norm "slaney" (the default) filter i is scaled by 2 / (f_{i+2} − f_i) (constant energy per band);
 * with "none" the peaks are 1. Computed in float64 (librosa tabulates float32 by default; the
 * check script asks it for float64).
 *
 * DCT (scipy.fft.dct type 2, norm "ortho", as librosa.feature.mfcc), over M log-mel bands:
 *   c_k = s_k Σ_m x_m cos(π k (2m + 1) / (2M)),   s_0 = √(1/M),  s_k = √(2/M) for k > 0.
 */
export type MelScale = "slaney" | "htk";
export type MelNorm = "slaney" | "none";

const F_SP = 200 / 3, MIN_LOG_HZ = 1000, MIN_LOG_MEL = MIN_LOG_HZ / F_SP, LOGSTEP = Math.log(6.4) / 27;

export function hzToMel(f: number, scale: MelScale = "slaney"): number {
  if (scale === "htk") return 2595 * Math.log10(1 + f / 700);
  return f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOGSTEP : f / F_SP;
}

export function melToHz(m: number, scale: MelScale = "slaney"): number {
  if (scale === "htk") return 700 * (10 ** (m / 2595) - 1);
  return m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL)) : F_SP * m;
}

/** Mel filter weights [nMels, nFft / 2 + 1], row-major, float64. */
export function melFilterbank(
  sampleRate: number, nFft: number, nMels: number, fmin: number, fmax: number, scale: MelScale, norm: MelNorm,
): Float64Array {
  const bins = (nFft >> 1) + 1;
  const lo = hzToMel(fmin, scale), hi = hzToMel(fmax, scale);
  const f = new Float64Array(nMels + 2); // band edges (Hz)
  for (let i = 0; i < nMels + 2; i++) f[i] = melToHz(lo + ((hi - lo) * i) / (nMels + 1), scale);
  const w = new Float64Array(nMels * bins); // [nMels, bins]
  for (let i = 0; i < nMels; i++) {
    const d0 = f[i + 1]! - f[i]!, d1 = f[i + 2]! - f[i + 1]!;
    const enorm = norm === "slaney" ? 2 / (f[i + 2]! - f[i]!) : 1;
    for (let k = 0; k < bins; k++) {
      const fk = (k * sampleRate) / nFft;
      const lower = (fk - f[i]!) / d0, upper = (f[i + 2]! - fk) / d1;
      w[i * bins + k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
  }
  return w;
}

/** DCT-II (orthonormal) matrix [nOut, nIn], row-major: c = D · x. */
export function dctMatrix(nOut: number, nIn: number): Float64Array {
  const d = new Float64Array(nOut * nIn);
  for (let k = 0; k < nOut; k++) {
    const s = k === 0 ? Math.sqrt(1 / nIn) : Math.sqrt(2 / nIn);
    for (let m = 0; m < nIn; m++) d[k * nIn + m] = s * Math.cos((Math.PI * k * (2 * m + 1)) / (2 * nIn));
  }
  return d;
}
