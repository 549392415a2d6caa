/**
 * The copy task (Hochreiter & Schmidhuber 1997; layout of Arjovsky et al. 2016), per-step classes.
 *
 * Tokens: 0 = blank "_", 1..A = the symbols "1".."A", A+1 = the marker ":". With K symbols and a
 * delay of D blanks, each sequence has T = K + D + 1 + K steps:
 *
 *   step      0 … K−1      K … K+D−1    K+D        K+D+1 … 2K+D
 *   x         s_0 … s_K−1  _ … _        :          _ … _
 *   y         _ … _        _ … _        _          s_0 … s_K−1
 *
 * s_k uniform in 1..A. The memoryless baseline (blanks known, each copied symbol guessed uniformly)
 * scores cross-entropy K·ln(A)/T per step. x, y Int32Array [S, T]; F = O = A + 2.
 */
import { DATASETS } from "./catalog.js";
import { partCounts, type GeneratedOptions } from "./generated.js";
import { optInt } from "./options.js";
import type { Dataset, SequenceSet } from "./types.js";
import { Rng } from "../util/random.js";

export interface CopyOptions extends GeneratedOptions {
  /** Symbols to copy K (default 10). */
  symbols?: number;
  /** Blanks between the symbols and the marker D (default 20). */
  delay?: number;
  /** Alphabet size A (default 8). */
  alphabet?: number;
}

export function copyDataset(options: CopyOptions = {}): Dataset {
  const info = DATASETS.copy;
  const counts = partCounts("copy", options, info.options);
  const K = optInt("copy", "symbols", options.symbols, 10);
  const D = optInt("copy", "delay", options.delay, 20, 0);
  const A = optInt("copy", "alphabet", options.alphabet, 8);
  const rng = new Rng(counts.seed);
  const vocabulary = ["_", ...Array.from({ length: A }, (_, i) => String(i + 1)), ":"];
  const part = (S: number) => copySequences(rng, S, K, D, A);
  return {
    name: "copy",
    description: `${info.description}; K ${K}, delay ${D}, alphabet ${A}, T ${2 * K + D + 1}`,
    source: info.source,
    license: info.license,
    train: part(counts.train),
    ...(counts.validation > 0 ? { validation: part(counts.validation) } : {}),
    ...(counts.test > 0 ? { test: part(counts.test) } : {}),
    vocabulary,
    classes: vocabulary,
  };
}

export function copySequences(rng: Rng, S: number, K: number, D: number, A: number): SequenceSet {
  const T = 2 * K + D + 1, V = A + 2;
  const x = new Int32Array(S * T); // [S, T], blanks are 0
  const y = new Int32Array(S * T); // [S, T]
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < K; k++) {
      const symbol = 1 + rng.int(A);
      x[s * T + k] = symbol;
      y[s * T + K + D + 1 + k] = symbol;
    }
    x[s * T + K + D] = A + 1;
  }
  return { x, count: S, steps: T, features: V, y, target: "class", perStep: true, outputs: V };
}
