/** Running ONNX bytes in onnxruntime-node (CPU, one thread) for the interchange tests. */
import ort from "onnxruntime-node";
import type { OnnxTensor } from "../../../src/io/onnx/tensor.js";

export async function runOrt(bytes: Uint8Array, feeds: Record<string, OnnxTensor>): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 4 });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      inputs[name] = t.dtype === "int32" ? new ort.Tensor("int32", Int32Array.from(t.data), [...t.shape])
        : t.dtype === "int64" ? new ort.Tensor("int64", BigInt64Array.from(Array.from(t.data, (v) => BigInt(v))), [...t.shape])
          : new ort.Tensor("float32", Float32Array.from(t.data), [...t.shape]);
    }
    const out = await session.run(inputs);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { shape: [...v.dims], data: v.data as Float32Array }]));
  } finally {
    await session.release();
  }
}
