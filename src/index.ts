// The public API of gated (re-exports only).
export { Recurrent, DIRECTIONS } from "./sequence/recurrent.js";
export type {
  Direction, RecurrentOptions, StackOptions, ForwardOptions, ForwardResult, BackwardOptions, Gradients, Tape, ParamEntry,
} from "./sequence/recurrent.js";
export { StreamState } from "./sequence/stream.js";
export type { Tensor, Layout } from "./sequence/tensor.js";
export { makeCell, CELL_KINDS, parameterCount } from "./cells/index.js";
export type { CellKind, CellOptionsByKind } from "./cells/index.js";
export type { Cell, ParamSpec, GateView } from "./cells/types.js";
export type { GruOptions } from "./cells/gru.js";
export type { MguOptions } from "./cells/mgu.js";
export type { LstmOptions } from "./cells/lstm.js";
export type { RnnOptions } from "./cells/rnn.js";
export type { LiGruOptions } from "./cells/li-gru.js";
export type { LiBruOptions } from "./cells/li-bru.js";
export type { MinGruOptions } from "./cells/min-gru.js";
export type { GateInputs, ResetPlacement, UpdateConvention } from "./cells/gated-unit.js";
export { ACTIVATIONS, resolveActivation, makeActivation } from "./kernels/activations.js";
export type { ActivationName, ActivationSpec, ActivationConfig, Activation } from "./kernels/activations.js";
export { referenceKernels, reference32, reference64 } from "./kernels/reference.js";
export type { Kernels, DType, Vec } from "./kernels/types.js";
export { GatedError, ShapeError, OptionError, ValueError, StateError } from "./errors/index.js";
export type { ErrorCode } from "./errors/index.js";
export { recurrentFromOnnx } from "./io/onnx/recurrent-node.js";
export { onnxActivations } from "./io/onnx/activations.js";
export { kerasActivation } from "./io/keras/activations.js";
export { Dense } from "./layers/dense.js";
export { Adam } from "./train/adam.js";
export { Rng } from "./util/random.js";
