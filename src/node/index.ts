// Node-only parts of gated: files (atomic model files and checkpoints).
export { saveModel, loadModel, saveCheckpoint, loadCheckpoint, writeFileAtomic, FileError } from "./files.js";
