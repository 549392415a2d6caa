/**
 * The fuzzed formats, shared by test/io/fuzz.test.ts and scripts/fuzz-report.ts: for each, seed
 * files and one `attempt` that damages a seed (seeded PRNG), loads it and runs the model on fixed
 * input. An attempt returns the outputs and the original's, and whether the damage is one the
 * format itself cannot detect (a weight byte overwritten in place where there is no checksum; a
 * JSON value replaced by another of the same kind, which is a valid, different model). Any other
 * damage must be refused, or leave the outputs bit-identical.
 */
import { readFileSync } from "node:fs";
import { unzipSync, zipSync, strFromU8, strToU8 } from "fflate";
import { OnnxProgram } from "../../../src/io/onnx/program.js";
import { decodeOnnx, encodeOnnx, type ModelProto } from "../../../src/io/onnx/proto.js";
import { onnxToModel } from "../../../src/io/onnx/to-model.js";
import { modelToOnnx, recurrentToOnnx } from "../../../src/io/onnx/export-model.js";
import { tensor, type OnnxTensor } from "../../../src/io/onnx/tensor.js";
import { importPytorch, exportPytorch } from "../../../src/io/pytorch/state-dict.js";
import { importTfjs } from "../../../src/io/keras/tfjs-import.js";
import { importKeras3 } from "../../../src/io/keras/keras3.js";
import { decodeModel, encodeModel } from "../../../src/io/model-file.js";
import { Model, createSpec } from "../../../src/model/model.js";
import { Recurrent } from "../../../src/sequence/recurrent.js";
import { runModel } from "./model.js";
import { MODELS } from "./models.js";
import { mutateBytes, mutateJson, onlyOverwrites, onlyOverwritesIn, type ByteEdit, type JsonEdit } from "./mutate.js";

export interface Attempt {
  readonly out: ArrayLike<number>;
  readonly ref: ArrayLike<number>;
  readonly undetectable: boolean;
  /** What was damaged (seed and edits), for the report's examples. */
  readonly damage: string;
}

export interface FuzzFormat {
  readonly name: string;
  /** Files per run in the test (FUZZ_N overrides). */
  readonly n: number;
  readonly seed: number;
  /** Builds the seeds (once) and returns the attempt. */
  setup(): Promise<(r: () => number) => Promise<Attempt> | Attempt>;
}

const fixture = (rel: string) => new Uint8Array(readFileSync(new URL(`../../fixtures/${rel}`, import.meta.url)));

/** A model's outputs on fixed input ([3, 2, F] features or token ids); empty when its input differs from `like`'s. */
export function outputsOf(model: Model, like?: Model): Float32Array {
  if (like && JSON.stringify(model.spec.input) !== JSON.stringify(like.spec.input)) return new Float32Array(0);
  const T = 3, B = 2, F = model.net.layers[0]!.inputFeatures, tokens = model.spec.input.kind === "tokens";
  return runModel(model, { T, B, data: Array.from({ length: T * B * (tokens ? 1 : F) }, (_, i) => (tokens ? i % F : Math.sin(i))) });
}

/** The data region [8 + N, end) of a safetensors file. */
function safetensorsData(b: Uint8Array): [number, number][] {
  return [[8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true)), b.length]];
}

/** A byte-mutating format over seed files read by `load` into a model. */
function byteFormat(name: string, n: number, seed: number, seeds: () => Uint8Array[], load: (b: Uint8Array) => Model, unchecked: (k: number, log: ByteEdit[], b: Uint8Array) => boolean): FuzzFormat {
  return {
    name, n, seed,
    async setup() {
      const files = seeds(), models = files.map(load), refs = models.map((m) => outputsOf(m));
      return (r) => {
        const k = Math.floor(r() * files.length), log: ByteEdit[] = [];
        const damaged = mutateBytes(files[k]!, r, log);
        const undetectable = unchecked(k, log, files[k]!);
        return { out: outputsOf(load(damaged), models[k]), ref: refs[k]!, undetectable, damage: `seed ${k}: ${JSON.stringify(log)}` };
      };
    },
  };
}

const safetensorsSeeds = () => [
  exportPytorch(new Model(createSpec(MODELS.lstm_tokens_per_step!), { seed: 1 })).bytes,
  exportPytorch(new Model(createSpec({ input: { kind: "features", features: 3 }, cell: "gru", hiddenSize: 3, layers: 2, direction: "bidirectional", task: { target: "class", perStep: false, outputs: 2 } }), { seed: 1 })).bytes,
];

const PT_SEEDS = [["gru_last_state", "state_dict.pt"], ["gru_last_state", "state_dict_legacy.pt"], ["bidi_gru_last_output", "module.pt"], ["lstm_2l", "scripted.pt"], ["embedding_gru_last_state", "state_dict.pt"]];

/** ONNX seeds: gated exports (read by their metadata) and PyTorch's (read by the graph walk). */
function onnxSeeds(): Uint8Array[] {
  const net = new Recurrent({ cell: "gru", inputSize: 2, hiddenSize: 2, direction: "bidirectional", init: "uniform" });
  return [
    modelToOnnx(new Model(createSpec(MODELS.gru_bidi_stack_head!), { seed: 1 }), { lengths: true }),
    modelToOnnx(new Model(createSpec(MODELS.mgu_reverse_last!), { seed: 1 })),
    recurrentToOnnx(net, { lengths: true, initialState: true }),
    fixture("interchange/onnx/gru_last_linear/legacy.onnx"),
    fixture("interchange/onnx/lstm_bidi_head/legacy.onnx"),
  ];
}

/** A decoded message as JSON data for mutateJson: the fields on the wire, int64 as numbers, bytes as arrays of numbers. */
function jsonOf(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(jsonOf);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => !(Array.isArray(x) && x.length === 0)).map(([k, x]) => [k, jsonOf(x)]));
}

/** Half the ONNX files damaged as bytes, half as messages (fields replaced, removed), so the checks past protobuf decoding are reached. */
function onnxDamage(seeds: Uint8Array[]) {
  const objects = seeds.map((b) => jsonOf(decodeOnnx(b)));
  return (r: () => number, k: number): { bytes: Uint8Array; undetectable: boolean; damage: string } => {
    if (r() < 0.4) {
      const log: ByteEdit[] = [];
      const bytes = mutateBytes(seeds[k]!, r, log);
      return { bytes, undetectable: onlyOverwrites(log), damage: `seed ${k} bytes: ${JSON.stringify(log)}` }; // protobuf has no checksum: any byte may be a weight, a dim or a float attribute
    }
    for (;;) {
      // a changed message field is a valid, different model (linear_before_reset 1 → 0): not detectable
      const log: JsonEdit[] = [];
      try { return { bytes: encodeOnnx(mutateJson(objects[k], r, log) as ModelProto), undetectable: true, damage: `seed ${k} message: ${JSON.stringify(log)}` }; } catch { /* not encodable: draw again */ }
    }
  };
}

function feedsOf(p: OnnxProgram): Record<string, OnnxTensor> {
  return Object.fromEntries(p.inputs.map((i) => {
    const shape = (i.shape ?? [3, 2, 2]).map((d) => (typeof d === "number" ? Math.min(d, 8) : d === "T" ? 3 : 2));
    const n = shape.reduce((a, b) => a * b, 1);
    return [i.name, tensor(i.dtype ?? "float32", shape, Array.from({ length: n }, (_, k) => (i.dtype === "int32" || i.dtype === "int64" ? k % 2 : Math.sin(k))))];
  }));
}

const flatOutputs = (o: Record<string, OnnxTensor>): number[] => Object.values(o).flatMap((t) => [...t.shape, -1, ...Array.from(t.data)]);

export const FORMATS: readonly FuzzFormat[] = [
  byteFormat("gated model file", 1000, 21, () => [encodeModel(new Model(createSpec(MODELS.gru_bidi_stack_head!), { seed: 1 })), encodeModel(new Model(createSpec(MODELS.lstm_tokens_per_step!), { seed: 2 }))],
    (b) => decodeModel(b), (_k, log, b) => onlyOverwritesIn(log, safetensorsData(b))),
  byteFormat("PyTorch safetensors", 2000, 12, safetensorsSeeds, (b) => importPytorch(b).model, (_k, log, b) => onlyOverwritesIn(log, safetensorsData(b))),
  // the legacy format (seed 1) has no checksums, so a changed byte of tensor data cannot be told
  // from a weight; the importer says so in the model's origin facts. The zip forms are CRC-checked.
  byteFormat("PyTorch .pt", 1500, 14, () => PT_SEEDS.map(([c, f]) => fixture(`interchange/pytorch/${c}/${f}`)),
    (b) => importPytorch(b, { head: "last-state" }).model, (k, log) => k === 1 && onlyOverwrites(log)),
  {
    name: "ONNX → gated model", n: 1000, seed: 15,
    async setup() {
      const seeds = onnxSeeds().filter((b) => { try { onnxToModel(OnnxProgram.fromBytes(b)); return true; } catch { return false; } });
      const models = seeds.map((b) => onnxToModel(OnnxProgram.fromBytes(b)).model), refs = models.map((m) => outputsOf(m));
      const damage = onnxDamage(seeds);
      return (r) => {
        const k = Math.floor(r() * seeds.length), d = damage(r, k);
        return { out: outputsOf(onnxToModel(OnnxProgram.fromBytes(d.bytes)).model, models[k]), ref: refs[k]!, undetectable: d.undetectable, damage: d.damage };
      };
    },
  },
  {
    name: "ONNX interpreter", n: 2000, seed: 11,
    async setup() {
      const seeds = onnxSeeds(), feeds = seeds.map((b) => feedsOf(OnnxProgram.fromBytes(b)));
      const refs = seeds.map((b, k) => flatOutputs(OnnxProgram.fromBytes(b).run(feeds[k]!)));
      const damage = onnxDamage(seeds);
      return (r) => {
        const k = Math.floor(r() * seeds.length), d = damage(r, k);
        const p = OnnxProgram.fromBytes(d.bytes);
        return { out: flatOutputs(p.run(feeds[k]!)), ref: refs[k]!, undetectable: d.undetectable, damage: d.damage };
      };
    },
  },
  {
    name: "TF.js model.json + weights", n: 2000, seed: 13,
    async setup() {
      const dirs = ["embedding_mask_bidi_gru", "lstm_stack", "gru_reset_after", "gru_layer_norm"];
      const seeds = dirs.map((d) => ({ json: JSON.parse(strFromU8(fixture(`io/tfjs/${d}/model.json`))) as unknown, bin: fixture(`io/tfjs/${d}/weights.bin`) }));
      const models = seeds.map((s) => importTfjs(s.json, s.bin).model), refs = models.map((m) => outputsOf(m));
      return (r) => {
        const k = Math.floor(r() * seeds.length), s = seeds[k]!, which = r(), jl: JsonEdit[] = [], bl: ByteEdit[] = [];
        const json = which < 0.7 ? mutateJson(s.json, r, jl) : s.json, bin = which >= 0.5 ? mutateBytes(s.bin, r, bl) : s.bin;
        // weights.bin has no checksum: bytes overwritten in place are other weights
        const undetectable = jl.some((e) => !e.typeChanged) || (bl.length > 0 && onlyOverwrites(bl));
        return { out: outputsOf(importTfjs(json, bin).model, models[k]), ref: refs[k]!, undetectable, damage: `seed ${k}: json ${JSON.stringify(jl)} bin ${JSON.stringify(bl)}` };
      };
    },
  },
  {
    name: "Keras 3 .keras", n: 1000, seed: 14,
    async setup() {
      const files = ["gru_reset_after_softmax", "bidi_gru_hard_sigmoid_sequence", "embedding_lstm_simple_rnn"].map((f) => fixture(`io/keras/${f}.keras`));
      const parts = files.map((f) => unzipSync(f));
      const models = await Promise.all(files.map(async (f) => (await importKeras3(f)).model)), refs = models.map((m) => outputsOf(m));
      return async (r) => {
        const k = Math.floor(r() * files.length), which = r(), jl: JsonEdit[] = [], bl: ByteEdit[] = [];
        let bytes: Uint8Array, undetectable: boolean;
        if (which < 0.3) { bytes = mutateBytes(files[k]!, r, bl); undetectable = false; } // the zip's CRC-32 covers every entry
        else {
          const p: Record<string, Uint8Array> = { ...parts[k]! };
          if (which < 0.65) p["config.json"] = strToU8(JSON.stringify(mutateJson(JSON.parse(strFromU8(p["config.json"]!)), r, jl)));
          else p["model.weights.h5"] = mutateBytes(p["model.weights.h5"]!, r, bl);
          bytes = zipSync(p);
          // HDF5 has no checksum on data; a config value of the same kind is a valid, different model
          undetectable = jl.some((e) => !e.typeChanged) || bl.length > 0;
        }
        return { out: outputsOf((await importKeras3(bytes)).model, models[k]), ref: refs[k]!, undetectable, damage: `seed ${k}: json ${JSON.stringify(jl)} bytes ${JSON.stringify(bl)}` };
      };
    },
  },
];
