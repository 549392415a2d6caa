// gated → PyTorch state dict → real PyTorch: scripts/interchange/pytorch_to_safetensors.py check
// built nn.Embedding / nn.GRU / nn.LSTM / nn.RNN / nn.LayerNorm / nn.Linear from each committed export's
// module list, loaded the state dict with load_state_dict (strict) and recorded the outputs. Here:
// today's export is byte-identical, and gated's outputs equal PyTorch's at ≤ 1e-5.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { TORCH_CASES, makeTorchCase } from "../../scripts/interchange/make-torch-exports.js";
import { assertClose } from "../helpers/close.js";
import { runBatchMajor } from "./helpers/model.js";

const DIR = new URL("../fixtures/interchange/pytorch-export/", import.meta.url);
let worst = 0;

describe("gated's PyTorch state dicts, as PyTorch ran them", () => {
  it("every committed case is a case of the generator", () => {
    assert.deepEqual(readdirSync(DIR).filter((d) => !d.includes(".")).sort(), Object.keys(TORCH_CASES).sort());
  });
  for (const name of Object.keys(TORCH_CASES)) {
    it(`${name}: same bytes as checked; gated = PyTorch`, () => {
      const { model, bytes, input } = makeTorchCase(name);
      assert.ok(Buffer.from(bytes).equals(readFileSync(new URL(`${name}/state_dict.safetensors`, DIR))), "the export changed since the PyTorch check ran: rerun it");
      const e = JSON.parse(readFileSync(new URL(`${name}/expected.json`, DIR), "utf8")) as { output: { data: number[] } };
      const c = TORCH_CASES[name]!, F = input.shape[2] ?? 1;
      const nested = Array.from({ length: c.B }, (_, b) => Array.from({ length: c.T }, (_, t) => (F === 1 && input.shape.length === 2 ? input.data[b * c.T + t]! : input.data.slice((b * c.T + t) * F, (b * c.T + t + 1) * F))));
      worst = Math.max(worst, assertClose(runBatchMajor(model, nested, null, { probabilities: false }), e.output.data, { atol: 1e-5 }, `${name}: gated vs PyTorch`));
    });
  }
});

after(() => console.log(`# gated → PyTorch state dict → torch: max |diff| ${worst.toExponential(2)}`));
