// An ONNX model with one GRU node (opset 14), built in memory with gated's ONNX schema
// (src/io/onnx/proto.ts, loaded through tsx as bench/run.ts is) as scripts/gen-ort-fixtures.mjs
// does: X [T, B, I] -> Y [T, 1, B, H], weights as initializers, linear_before_reset = 1 (gated's
// default reset "after").
import { AttributeType, DataType as DT, encodeOnnx } from "../../src/io/onnx/proto.ts";

function tensor(name, dims, data) {
  return { name, dataType: DT.FLOAT, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** w: { W [3H, I], R [3H, H], B [6H] } in ONNX gate order z, r, h; T1: build a one-step model with initial_h. */
export function gruModel({ T, B, I, H }, w, oneStep = false) {
  const inputs = [{ name: "X", type: { tensorType: { elemType: DT.FLOAT, shape: { dim: [T, B, I].map((d) => ({ dimValue: d })) } } } }];
  const nodeInputs = ["X", "W", "R", "B"];
  if (oneStep) {
    inputs.push({ name: "H0", type: { tensorType: { elemType: DT.FLOAT, shape: { dim: [1, B, H].map((d) => ({ dimValue: d })) } } } });
    nodeInputs.push("", "H0");
  }
  const model = {
    irVersion: 7,
    producerName: "gated/bench",
    opsetImport: [{ domain: "", version: 14 }],
    graph: {
      name: "gru",
      node: [{
        opType: "GRU", input: nodeInputs, output: ["Y", "Y_h"],
        attribute: [
          { name: "hidden_size", type: AttributeType.INT, i: H },
          { name: "linear_before_reset", type: AttributeType.INT, i: 1 },
        ],
      }],
      initializer: [tensor("W", [1, 3 * H, I], w.W), tensor("R", [1, 3 * H, H], w.R), tensor("B", [1, 6 * H], w.B)],
      input: inputs,
      output: ["Y", "Y_h"].map((name) => ({ name, type: { tensorType: { elemType: DT.FLOAT } } })),
    },
  };
  return encodeOnnx(model);
}
