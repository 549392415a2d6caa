// gated/data/browser: the sets a page can load (spoken-digits among them: its features ship in the
// package), and the messages for the sets it cannot.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BROWSER_DATASET_NAMES, loadDataset } from "../../src/data/browser.js";
import { OptionError } from "../../src/errors/index.js";

describe("gated/data/browser", () => {
  it("loads spoken-digits from the shipped features", async () => {
    assert.ok(BROWSER_DATASET_NAMES.includes("spoken-digits"));
    const d = await loadDataset("spoken-digits", { limit: 64 });
    assert.equal(d.train.count, 64);
    assert.equal(d.train.features, 13);
    assert.equal(d.train.target, "class");
  });
  it("a sequence-to-sequence set points to its own loader; a package set to loadCsv", async () => {
    await assert.rejects(loadDataset("dates"), (e: unknown) => e instanceof OptionError && /pairs, not a Dataset.*loadDates/.test(e.message));
    await assert.rejects(loadDataset("births"), (e: unknown) => e instanceof OptionError && /needs Node.*loadCsv/.test(e.message));
  });
});
