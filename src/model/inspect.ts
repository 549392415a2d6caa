/**
 * Looking inside a model: every per-step gate value (z, r, the candidate, or the variant's own) of
 * every recurrent layer and direction for a batch of inputs, by running the model layer by layer
 * and asking each recurrent stack to capture its gates.
 *
 * Returns, per recurrent layer of the model, the captured values keyed "layerI.direction.gate",
 * each [T, B, H] time-major.
 */
import type { Act } from "../layers/layer.js";
import { RecurrentLayer } from "../layers/recurrent.js";
import type { Tensor } from "../sequence/tensor.js";
import { Rng } from "../util/random.js";
import type { Model } from "./model.js";

export interface CapturedLayer {
  /** Index of the layer in the model. */
  readonly index: number;
  readonly cell: string;
  readonly gates: Readonly<Record<string, Tensor>>;
}

export function captureGates(model: Model, input: Act): CapturedLayer[] {
  const net = model.net, ctx = net.context(false, new Rng(0));
  const out: CapturedLayer[] = [];
  let a = input;
  net.setCarry(false);
  net.layers.forEach((layer, index) => {
    if (layer instanceof RecurrentLayer) {
      const r = layer.rnn.forward({ data: a.data, shape: [a.T, a.B, a.F] }, { capture: true, ...(a.lengths ? { lengths: a.lengths } : {}) });
      out.push({ index, cell: layer.rnn.kind, gates: r.gates ?? {} });
      a = { data: r.output.data, T: a.T, B: a.B, F: layer.outputFeatures, lengths: a.lengths };
    } else {
      a = layer.forward(a, ctx);
    }
  });
  return out;
}
