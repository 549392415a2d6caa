/** Audio front end: WAV decoding, resampling, log-mel / MFCC features, whole or streamed. */
export { decodeWav, mixDown, readWav } from "./wav.js";
export type { WavData, ReadWavOptions } from "./wav.js";
export { resample } from "./resample.js";
export type { ResampleOptions } from "./resample.js";
export { hzToMel, melToHz, melFilterbank, dctMatrix } from "./mel.js";
export type { MelScale, MelNorm } from "./mel.js";
export { resolveFeatureOptions, FrameAnalyzer } from "./features.js";
export type { FeatureOptions, FeatureKind, WindowName, ResolvedFeatureOptions } from "./features.js";
export { FeatureStream, audioFeatures, normalizeUtterance } from "./stream.js";
export type { Features } from "./stream.js";
export { withDeltas, deltaAt, deltaCentre } from "./deltas.js";
export type { DeltaOrder } from "./deltas.js";
export { audioFeatureSettings, checkAudioFrontEnd, frontEndWidth, standardiseFrame } from "./front-end.js";
export type { AudioFrontEnd, AudioFeatureSettings } from "./front-end.js";
