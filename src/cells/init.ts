/** Fills a cell's parameter views by their declared initialisers (train/ adds the others). */
import type { Vec } from "../kernels/types.js";
import type { Rng } from "../util/random.js";
import type { InitKind } from "./types.js";

/** uniform-hidden: U(−1/√H, 1/√H), PyTorch's default for recurrent layers. */
export function initParam(view: Vec, init: InitKind, hiddenSize: number, rng: Rng): void {
  switch (init) {
    case "zeros": view.fill(0); return;
    case "ones": view.fill(1); return;
    case "uniform-hidden": {
      const s = 1 / Math.sqrt(hiddenSize);
      for (let i = 0; i < view.length; i++) view[i] = rng.range(-s, s);
      return;
    }
  }
}
