// Float64 central-difference gradient checks for the GRU and MGU families over their option grid.
import { describe, it } from "node:test";
import { gradCheck } from "./helpers/gradcheck.js";
import type { RecurrentOptions } from "../src/sequence/recurrent.js";

const base = { inputSize: 3, hiddenSize: 4 };
const grid: { name: string; options: RecurrentOptions }[] = [];
for (const cell of ["gru", "mgu"] as const) {
  for (const gates of ["full", "type1", "type2", "type3"] as const) {
    for (const reset of ["before", "after"] as const) {
      for (const update of ["keep", "replace"] as const) {
        grid.push({ name: `${cell} ${gates} reset=${reset} update=${update}`, options: { cell, ...base, gates, reset, update } });
      }
    }
  }
}

describe("gradient check: GRU/MGU option grid (float64, every parameter, input and h0)", () => {
  for (const g of grid) {
    it(g.name, () => {
      gradCheck({ options: g.options, T: 4, B: 2, initial: true });
    });
  }
});

describe("gradient check: GRU options", () => {
  it("no bias", () => void gradCheck({ options: { cell: "gru", ...base, bias: false }, T: 3, B: 2, initial: true }));
  it("no bias, reset before, type2", () => void gradCheck({ options: { cell: "gru", ...base, bias: false, reset: "before", gates: "type2" }, T: 3, B: 2, initial: true }));
  it("activations with parameters", () => void gradCheck({
    options: { cell: "gru", ...base, gateActivation: { name: "HardSigmoid", alpha: 0.3, beta: 0.45 }, candidateActivation: { name: "ScaledTanh", alpha: 1.3, beta: 0.7 } },
    T: 4, B: 2, initial: true,
  }));
  for (const cand of ["Softsign", "Softplus", "Elu", "LeakyRelu", "Affine", "Relu"] as const) {
    it(`candidate ${cand}`, () => void gradCheck({ options: { cell: "gru", ...base, candidateActivation: cand }, T: 3, B: 2, initial: true }));
  }
  it("clip", () => void gradCheck({ options: { cell: "gru", ...base, clip: 0.4 }, T: 4, B: 2, initial: true, paramScale: 1 }));
  it("sequence lengths, forward", () => void gradCheck({ options: { cell: "gru", ...base }, T: 5, B: 3, lengths: [5, 2, 0], initial: true }));
  it("sequence lengths, bidirectional, 2 layers", () => void
    gradCheck({ options: { cell: "gru", ...base, direction: "bidirectional", layers: 2 }, T: 4, B: 3, lengths: [1, 4, 3], initial: true }));
  it("reverse, batch-major", () => void gradCheck({ options: { cell: "gru", ...base, direction: "reverse", reset: "before" }, T: 4, B: 2, layout: "batch-major", initial: true }));
  it("three layers, no initial state", () => void gradCheck({ options: { cell: "mgu", ...base, layers: 3 }, T: 3, B: 2 }));
});
