/**
 * gated's side of the pytorch-module fixtures (test/fixtures/interchange/pytorch-module): the
 * model's outputs and gradients on batch-first inputs, in the layout the exported module uses, so
 * the fixture script (scripts/interchange/make-module-fixtures.ts) records them and the test
 * (test/io/pytorch-module.test.ts) recomputes them with the same code.
 *
 * Shape legend: B batch, T time, F input features, O outputs. Inputs x [B, T, F] (or ids [B, T]),
 * outputs [B, T, O] per step or [B, O] after last-step: PyTorch's batch_first.
 */
import { torchName } from "../../../src/io/pytorch/module-export.js";
import type { Act } from "../../../src/layers/layer.js";
import type { Model } from "../../../src/model/model.js";
import { Rng } from "../../../src/util/random.js";

/** A tensor as the fixtures store it. */
export interface Arr { shape: number[]; data: number[] }

/** [P, Q, R] → [Q, P, R] as plain numbers (exact for float32 and float64 values). */
export function swap01(a: ArrayLike<number>, P: number, Q: number, R: number): number[] {
  const out = new Array<number>(P * Q * R);
  for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) for (let r = 0; r < R; r++) out[(q * P + p) * R + r] = a[(p * Q + q) * R + r]!;
  return out;
}

/** The model's first activation from a batch-first input (features or token ids), time-major as gated runs. */
function input(model: Model, x: Arr, lengths: readonly number[] | null): Act {
  const [B, T] = x.shape as [number, number];
  const net = model.net, F = net.layers[0]!.inputFeatures, len = lengths ? Int32Array.from(lengths) : null;
  if (model.spec.input.kind === "tokens") {
    return { data: net.kernels.alloc(0), T, B, F, ids: Int32Array.from(swap01(x.data, B, T, 1)), lengths: len };
  }
  const data = net.kernels.alloc(B * T * F);
  data.set(swap01(x.data, B, T, F));
  return { data, T, B, F, lengths: len };
}

/** The output of a forward back in batch-first layout. */
function output(model: Model, y: Act): Arr {
  const perSequence = model.net.layers.some((l) => l.kind === "last-step");
  if (perSequence) return { shape: [y.B, y.F], data: Array.from(y.data) };
  return { shape: [y.B, y.T, y.F], data: swap01(y.data, y.T, y.B, y.F) };
}

/** gated's inference outputs (eval mode), batch-first. */
export function gatedForward(model: Model, x: Arr, lengths: readonly number[] | null): Arr {
  const net = model.net;
  return output(model, net.forward(input(model, x, lengths), net.context(false, new Rng(0))));
}

/** true when a training forward draws nothing at random (no dropout, no recurrent dropout), so gradients compare. */
export function deterministicTraining(model: Model): boolean {
  return model.net.layers.every((l) => {
    const c = l.config as { kind: string; rate?: number; recurrentDropout?: number };
    return !(c.kind === "dropout" && (c.rate ?? 0) > 0) && !((c.recurrentDropout ?? 0) > 0);
  });
}

/**
 * One training step's gradients of L = Σ output ⊙ gOut (training mode: LiGRU batch norm uses the
 * batch's statistics and updates its running ones), by PyTorch name; and the non-trainable blocks
 * (running statistics) after that forward. Mutates the model's running statistics: use a fresh copy.
 */
export function gatedGradients(model: Model, x: Arr, lengths: readonly number[] | null, gOut: Arr): { grads: Record<string, number[]>; buffers: Record<string, number[]> } {
  const net = model.net, ctx = net.context(true, new Rng(0));
  net.zeroGrads();
  const y = net.forward(input(model, x, lengths), ctx);
  const dOut = net.kernels.alloc(y.data.length);
  const perSequence = gOut.shape.length === 2;
  dOut.set(perSequence ? gOut.data : swap01(gOut.data, y.B, y.T, y.F));
  net.backward(dOut, ctx);
  const grads: Record<string, number[]> = {}, buffers: Record<string, number[]> = {};
  for (const e of net.entries) {
    if (e.trainable) grads[torchName(e.name)] = Array.from(net.grads.subarray(e.offset, e.offset + e.size));
    else buffers[torchName(e.name)] = Array.from(net.params.subarray(e.offset, e.offset + e.size));
  }
  return { grads, buffers };
}
