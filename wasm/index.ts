// The kernel module: one .wasm, built four ways (plain / relaxed SIMD × unshared / shared memory)
// by scripts/build-wasm.mjs and loaded by src/kernels/wasm/module.ts. It owns no memory of its own:
// the TypeScript side allocates every buffer and passes byte addresses. Nothing here may create
// static data (string literals, static arrays): the module must have no data segment, so that a
// worker instantiating it on the shared memory writes nothing (runtime.ts reserves bytes 0–1023:
// 256–1023 hold the activations' constant table, written once by initConstants()).
export { packNT, packNN, packedSize, gemm, gemmJob, packJob, sumRowsJob, packBytes, setPackBuffer } from "./matmul";
export { actForward, actDerivative, expForward, logForward, initConstants } from "./activations";
export { gatedForward, gatedBackward } from "./gated";
export { lstmForward, lstmBackward } from "./lstm";
export { rnnForward, rnnBackward } from "./rnn";
export { lightForward, lightBackward } from "./light";
export { libruForward, libruBackward } from "./libru";
export { seqForward, seqBackward } from "./sequence";
export { int8WeightBytes, int8RowBytes, int8Weights, int8Rows, int8Gemm, int8Product, int8Job } from "./int8";
export { bnStats, bnApply, bnGradSums, bnGradApply } from "./norm";
