/**
 * Float64 central differences over every trainable parameter of a model's net, against the
 * gradient its backward gave: `loss(withGrad)` runs the forward (and, with withGrad, the backward
 * into net.grads) and returns the loss. Fails at the first parameter whose relative error
 * |a − n| / max(|a|, |n|, 1e-2) exceeds 1e-6; a parameter that is not trainable must have a zero
 * gradient. Returns the worst relative error and the number of parameters checked.
 */
import assert from "node:assert/strict";
import type { Sequential } from "../../src/layers/sequential.js";

export function modelGradCheck(net: Sequential, loss: (withGrad: boolean) => number, eps = 1e-6): { worst: number; checked: number } {
  loss(true);
  const analytic = net.grads.slice();
  let worst = 0, checked = 0;
  for (const e of net.entries) {
    for (let i = e.offset; i < e.offset + e.size; i++) {
      if (!e.trainable) { assert.equal(analytic[i], 0, `${e.name} is not trainable but has a gradient`); continue; }
      const old = net.params[i]!;
      net.params[i] = old + eps;
      const lp = loss(false);
      net.params[i] = old - eps;
      const lm = loss(false);
      net.params[i] = old;
      const num = (lp - lm) / (2 * eps), a = analytic[i]!;
      const rel = Math.abs(a - num) / Math.max(Math.abs(a), Math.abs(num), 1e-2);
      if (!(rel <= 1e-6)) assert.fail(`d${e.name}[${i - e.offset}]: analytic ${a}, numeric ${num}, relative error ${rel.toExponential(2)}`);
      worst = Math.max(worst, rel);
      checked++;
    }
  }
  return { worst, checked };
}
