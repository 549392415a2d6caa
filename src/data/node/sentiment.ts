/**
 * Node only: the UCI labelled sentences from the sentiment package's test fixtures
 * (test/fixtures/{imdb,amazon,yelp}.json: [{ text, class: 0 | 1 }], each ending with one empty
 * { text: "", class: null } record, which is skipped).
 */
import { FormatError } from "../../errors/index.js";
import { SENTIMENT_SOURCES, sentimentDataset, type LabelledSentence, type SentimentOptions } from "../sentiment.js";
import type { Dataset } from "../types.js";
import { readPackageText } from "./package-file.js";

export async function readSentences(): Promise<LabelledSentence[]> {
  const out: LabelledSentence[] = [];
  for (const source of SENTIMENT_SOURCES) {
    const file = `test/fixtures/${source}.json`;
    const records = JSON.parse(await readPackageText("sentiment", file, "sentiment")) as { text?: unknown; class?: unknown }[];
    records.forEach((r, i) => {
      if (r.class === null && r.text === "") return;
      if (typeof r.text !== "string" || (r.class !== 0 && r.class !== 1)) {
        throw new FormatError(`sentiment: sentiment/${file} record ${i}: expected { text: string, class: 0 | 1 }, got ${JSON.stringify(r).slice(0, 80)}`);
      }
      out.push({ text: r.text, label: r.class, source });
    });
  }
  return out;
}

export async function loadSentiment(options: SentimentOptions = {}): Promise<Dataset> {
  return sentimentDataset(await readSentences(), options);
}
