/**
 * MNIST read row by row: each 28×28 image is a sequence of T = 28 steps of F = 28 pixels
 * (top row first), pixel / 255 in [0, 1]; the target is the digit class (O = 10) per sequence.
 *
 * From the four IDX files (train 60k, test 10k). `limit` keeps the first `limit` images of each file
 * (train and test) for quick runs. Validation is the `validation` fraction of the (limited) training
 * images, picked by a shuffle seeded with `seed`; each part keeps the file's order.
 */
import { FormatError } from "../errors/index.js";
import { DATASETS } from "./catalog.js";
import { parseIdx } from "./idx.js";
import { checkKeys, optFraction, optInt, optSeed, partSize } from "./options.js";
import { seededSplit } from "./shuffle.js";
import type { Dataset, SequenceSet } from "./types.js";

export interface MnistFiles {
  readonly trainImages: Uint8Array;
  readonly trainLabels: Uint8Array;
  readonly testImages: Uint8Array;
  readonly testLabels: Uint8Array;
}

export interface MnistOptions {
  /** Images kept from each file (default all: 60000 train, 10000 test). */
  limit?: number;
  /** Fraction of the training images held out for validation (default 0.1). */
  validation?: number;
  seed?: number;
}

export function mnistDataset(files: MnistFiles, options: MnistOptions = {}): Dataset {
  const info = DATASETS.mnist;
  checkKeys("mnist", options, info.options);
  const limit = optInt("mnist", "limit", options.limit, Infinity);
  const validation = optFraction("mnist", "validation", options.validation, 0.1);
  const seed = optSeed("mnist", options.seed);
  const train = imagesAndLabels(files.trainImages, files.trainLabels, "train", limit);
  const [trainIdx, validIdx] = seededSplit(train.n, [partSize(train.n, validation)], seed);
  const test = imagesAndLabels(files.testImages, files.testLabels, "t10k", limit);
  return {
    name: "mnist",
    description: info.description,
    source: info.source,
    license: info.license,
    train: rowSequences(train, trainIdx!),
    ...(validIdx!.length > 0 ? { validation: rowSequences(train, validIdx!) } : {}),
    test: rowSequences(test, Int32Array.from({ length: test.n }, (_, i) => i)),
    classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  };
}

interface Images {
  readonly n: number;
  readonly rows: number;
  readonly cols: number;
  readonly pixels: Uint8Array; // [N, rows, cols]
  readonly labels: Uint8Array; // [N]
}

function imagesAndLabels(imageBytes: Uint8Array, labelBytes: Uint8Array, prefix: string, limit: number): Images {
  const images = parseIdx(imageBytes, `mnist ${prefix}-images-idx3-ubyte`);
  const labels = parseIdx(labelBytes, `mnist ${prefix}-labels-idx1-ubyte`);
  if (images.dims.length !== 3) throw new FormatError(`mnist ${prefix}-images: expected dimensions [N, rows, cols], got [${images.dims.join(", ")}]`);
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new FormatError(`mnist ${prefix}-labels: expected dimensions [${images.dims[0]}] to match the images, got [${labels.dims.join(", ")}]`);
  }
  const [N, rows, cols] = images.dims as [number, number, number];
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) throw new FormatError(`mnist ${prefix}-labels: label ${bad} is ${labels.data[bad]}, expected a digit 0..9`);
  return { n: Math.min(N, limit), rows, cols, pixels: images.data, labels: labels.data };
}

/** The chosen images as sequences x [S, rows, cols] in [0, 1] and labels y [S]. */
function rowSequences(im: Images, pick: Int32Array): SequenceSet {
  const P = im.rows * im.cols, S = pick.length;
  const x = new Float32Array(S * P);
  const y = new Int32Array(S);
  for (let s = 0; s < S; s++) {
    const i = pick[s]!;
    for (let p = 0; p < P; p++) x[s * P + p] = im.pixels[i * P + p]! / 255;
    y[s] = im.labels[i]!;
  }
  return { x, count: S, steps: im.rows, features: im.cols, y, target: "class", perStep: false, outputs: 10 };
}
