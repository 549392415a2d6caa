// TensorFlow.js with its WebAssembly and its plain JavaScript ("cpu") backends: tf.layers.gru
// (reset before: TF.js has no reset_after), returnSequences. Training: SGD on Σ y ⊙ R.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { random, type Runner, type Workload } from "../workloads.js";

const require = createRequire(import.meta.url);
type Tf = typeof import("@tensorflow/tfjs");
let tfp: Promise<Tf> | null = null;

async function tfjs(): Promise<Tf> {
  return (tfp ??= (async () => {
    const tf = await import("@tensorflow/tfjs");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/");
    tf.env().set("DEBUG", false);
    return tf;
  })());
}

export function tfjsRunner(backend: "wasm" | "cpu", scaleDown?: (w: Workload) => number): Runner & { info(): Promise<string> } {
  return {
    name: `TF.js ${backend}`,
    async info() {
      const tf = await tfjs();
      await tf.setBackend(backend);
      return backend === "wasm" ? `simd ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT")}, threads ${tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT")}` : "plain JavaScript";
    },
    async prepare(w) {
      const tf = await tfjs();
      await tf.setBackend(backend);
      const T = scaleDown ? Math.max(1, Math.round(w.T / scaleDown(w))) : w.T;
      const { B, I, H } = w;
      const model = tf.sequential({ layers: [tf.layers.gru({ units: H, returnSequences: true, inputShape: [T, I], recurrentInitializer: "glorotUniform" })] });
      const x = tf.tensor3d(random(B * T * I, 7), [B, T, I]);
      const use = async () => { if (tf.getBackend() !== backend) await tf.setBackend(backend); };
      if (!w.train) {
        return async () => {
          await use();
          const y = model.predict(x) as import("@tensorflow/tfjs").Tensor;
          y.dataSync();
          y.dispose();
        };
      }
      const R = tf.tensor3d(random(B * T * H, 8, 1e-3), [B, T, H]);
      const opt = tf.train.sgd(1e-3);
      return async () => {
        await use();
        const cost = opt.minimize(() => tf.sum(tf.mul(model.apply(x, { training: true }) as import("@tensorflow/tfjs").Tensor, R)) as import("@tensorflow/tfjs").Scalar, true);
        cost!.dataSync();
        cost!.dispose();
      };
    },
  };
}
