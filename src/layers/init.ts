/**
 * Parameter initialisation as the field does it.
 *
 * Schemes (`init` option of a recurrent stack):
 * - "glorot" (default; Keras): input weights Glorot-uniform U(−√(6/(fan_in + fan_out)), …) over the
 *   whole [G·H, I] block (fan_in = I, fan_out = G·H); recurrent weights orthogonal, one [H, H]
 *   orthogonal matrix per gate block; biases zero.
 * - "uniform" (PyTorch's nn.GRU/nn.LSTM): every weight and bias U(−1/√H, 1/√H).
 * - "none": everything zero, for parameters that are about to be loaded.
 * Blocks that ask for "ones" or "zeros" (normalisation scale and shift, running statistics) get
 * those under every scheme.
 */
import { OptionError } from "../errors/index.js";
import type { Vec } from "../kernels/types.js";
import type { Rng } from "../util/random.js";

/** What a parameter block is, so a scheme knows how to fill it. */
export type InitKind = "input" | "recurrent" | "bias" | "zeros" | "ones";
export type InitScheme = "glorot" | "uniform" | "none";
export const INIT_SCHEMES: readonly InitScheme[] = ["glorot", "uniform", "none"];

/** Fills one block of shape [rows, cols] (biases: [n]) of a cell with hidden size H. */
export function initBlock(view: Vec, kind: InitKind, shape: readonly number[], hiddenSize: number, scheme: InitScheme, rng: Rng): void {
  if (kind === "ones") { view.fill(1); return; }
  if (kind === "zeros" || scheme === "none") { view.fill(0); return; }
  if (scheme === "uniform") { uniform(view, 1 / Math.sqrt(hiddenSize), rng); return; }
  if (!INIT_SCHEMES.includes(scheme)) throw new OptionError(`init: scheme must be one of ${INIT_SCHEMES.join(", ")}, got ${JSON.stringify(scheme)}`);
  switch (kind) {
    case "bias": view.fill(0); return;
    case "input": glorotUniform(view, shape[1]!, shape[0]!, rng); return;
    case "recurrent": {
      const H = shape[1]!;
      for (let g = 0; g < shape[0]! / H; g++) orthogonal(view.subarray(g * H * H, (g + 1) * H * H), H, rng);
      return;
    }
  }
}

export function uniform(view: Vec, limit: number, rng: Rng): void {
  for (let i = 0; i < view.length; i++) view[i] = rng.range(-limit, limit);
}

/** Glorot & Bengio (2010): U(−√(6/(fanIn + fanOut)), +√(6/(fanIn + fanOut))). */
export function glorotUniform(view: Vec, fanIn: number, fanOut: number, rng: Rng): void {
  uniform(view, Math.sqrt(6 / (fanIn + fanOut)), rng);
}

/**
 * A random orthogonal [n, n] matrix (Saxe et al. 2014): Q of the QR decomposition of a Gaussian
 * matrix, by modified Gram–Schmidt in float64, with the signs fixed so Q is uniformly distributed.
 */
export function orthogonal(view: Vec, n: number, rng: Rng): void {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) a[i] = rng.normal();
  // columns of a, orthonormalised in place; r_jj's sign applied afterwards
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i * n + p]! * a[i * n + j]!;
      for (let i = 0; i < n; i++) a[i * n + j] = a[i * n + j]! - dot * a[i * n + p]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * n + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * n + j] = a[i * n + j]! / norm;
  }
  for (let i = 0; i < n * n; i++) view[i] = a[i]!;
}
