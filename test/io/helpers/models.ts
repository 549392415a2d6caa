/** The gated models the interchange tests export and read back. */
import type { CellKind } from "../../../src/cells/index.js";
import type { CreateOptions } from "../../../src/model/model.js";

const m = <K extends CellKind>(o: CreateOptions<K>): CreateOptions => o as unknown as CreateOptions;

export const MODELS: Record<string, CreateOptions> = {
  gru_bidi_stack_head: m({
    input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 4, layers: 2, direction: "bidirectional",
    layerNorm: true, dropout: 0.3, head: [5], task: { target: "class", perStep: false, outputs: 3 },
  }),
  lstm_tokens_per_step: m({
    input: { kind: "tokens", vocabularySize: 11 }, embedding: 4, cell: "lstm", hiddenSize: 3,
    task: { target: "regression", perStep: true, outputs: 2 },
  }),
  mgu_reverse_last: m({ input: { kind: "features", features: 2 }, cell: "mgu", hiddenSize: 3, direction: "reverse", task: { target: "regression", perStep: false, outputs: 1 } }),
  rnn_relu_per_step: m({ input: { kind: "features", features: 3 }, cell: "rnn", hiddenSize: 4, cellOptions: { activation: "Relu" }, head: [3], headActivation: "Tanh", task: { target: "regression", perStep: true, outputs: 2 } }),
  ligru_bidi_last: m({ input: { kind: "features", features: 3 }, cell: "ligru", hiddenSize: 3, direction: "bidirectional", cellOptions: { normalisation: "layer" }, task: { target: "class", perStep: false, outputs: 4 } }),
  gru_before_tokens_last: m({
    input: { kind: "tokens", vocabularySize: 7 }, embedding: 3, cell: "gru", hiddenSize: 3, layers: 2, cellOptions: { reset: "before", clip: 2 },
    task: { target: "regression", perStep: false, outputs: 2, loss: "binary-cross-entropy" },
  }),
};

