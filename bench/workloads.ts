// The benchmark workloads (issue 5): one GRU layer, float32, full output sequence.
// Forward FLOPs = 2·B·T·3H·(I + H); a training step (forward, backward, update) counts 3× that.

export interface Workload {
  readonly name: string;
  readonly B: number;
  readonly T: number;
  readonly I: number;
  readonly H: number;
  readonly train: boolean;
  readonly about: string;
}

export const WORKLOADS: readonly Workload[] = [
  { name: "S1", B: 1, T: 100, I: 64, H: 128, train: false, about: "streaming, one sensor" },
  { name: "S2", B: 16, T: 50, I: 64, H: 256, train: false, about: "small batch" },
  { name: "S3", B: 64, T: 100, I: 256, H: 512, train: false, about: "DeepBench-like" },
  { name: "S1 train", B: 1, T: 100, I: 64, H: 128, train: true, about: "training step (fwd+bwd+update)" },
  { name: "S2 train", B: 16, T: 50, I: 64, H: 256, train: true, about: "training step (fwd+bwd+update)" },
];

export function flops(w: Workload): number {
  return 2 * w.B * w.T * 3 * w.H * (w.I + w.H) * (w.train ? 3 : 1);
}

/** Deterministic pseudo-random values in [−scale, scale) (mulberry32). */
export function random(n: number, seed: number, scale = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** One benchmark participant: prepare(w) builds everything and returns the timed call. */
export interface Runner {
  readonly name: string;
  /** null when this runner does not do this workload (e.g. ORT has no training). */
  prepare(w: Workload): Promise<(() => unknown) | null>;
  close?(): Promise<void>;
}
