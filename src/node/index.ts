/**
 * Node-only parts of gated: files (atomic model files and checkpoints), file-format detection and
 * import, relaxed SIMD, the native (AVX-512 / AVX2) kernels.
 * @module gated/node
 */
export { saveModel, loadModel, saveCheckpoint, loadCheckpoint, writeFileAtomic, readBytes, FileError } from "./files.js";
export { importFile, readAnyModel, detectFormat, readTfjsFiles, writeTfjsFiles, IMPORT_FORMATS } from "../io/node/files.js";
export { readOnnxProgram, folderResolver } from "../io/node/onnx-files.js";
export type { ImportFormat, ImportResult } from "../io/node/files.js";
export { useRelaxedSimd } from "../kernels/relaxed-simd.js";
export { useNative, nativeIsa, type NativeIsa } from "../kernels/native/load-node.js";
