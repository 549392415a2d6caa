// The playground's other paths, driven in the page of e2e.test.ts: two cells compared on one task,
// Stop and Resume (the epochs go on from where they stopped), the adding problem, sentiment
// (classes, words in the gate view), and a Keras .keras file (h5wasm, loaded on demand) and a TF.js
// model.json with its weights dropped together.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { waitForText, waitUntil } from "./page.js";

const KERAS = "test/fixtures/interchange/keras/gru_reset_before_last/m.keras";
const TFJS = ["test/fixtures/io/tfjs/gru_layer_norm/model.json", "test/fixtures/io/tfjs/gru_layer_norm/weights.bin"];

const progressText = (page: Page, slot: "a" | "b") => page.textContent(`#progress-${slot} .text`).then((t) => t ?? "");
const epochsShown = (page: Page) => page.getAttribute("#loss-chart", "data-epochs").then(Number);
const waitFor = (page: Page, slot: "a" | "b", text: string | RegExp, timeout = 30_000) => waitForText(page, `#progress-${slot} .text`, text, timeout);

async function compare(page: Page): Promise<void> {
  await page.selectOption("#task", "co2");
  await page.selectOption("#cell-a", "gru");
  await page.selectOption("#cell-b", "mgu");
  assert.match((await page.textContent("#eq-b")) ?? "", /f = σ\(W_f x \+ U_f h \+ b_f\)/);
  await page.fill("#epochs", "2");
  await page.fill("#units", "8");
  await page.click("#train");
  await waitFor(page, "a", "done after 2 epochs");
  await waitFor(page, "b", "done after 2 epochs");
  const rows = (await page.locator("#compare tbody tr").allInnerTexts()).map((t) => t.split("\t").map((c) => c.trim())); // cells: tab-separated
  assert.equal(rows.length, 2);
  // A GRU (reset after) of 8 units on 1 feature: 3·8·(1 + 8 + 1) + 8 = 248, and the dense head 9; an MGU: 2·8·10 + 9
  assert.deepEqual(rows.map((r) => [r[0], r[1], r[2]]), [["A", "gru", "257"], ["B", "mgu", "169"]]);
  for (const r of rows) assert.ok(Number(r[3]) > 0 && Number(r[4]) > 0, `the compare row ${r.join(" | ")} lacks a time or a loss`);
  assert.equal(await page.locator("#loss-chart g.series > path").count() >= 4, true, "train and validation curves of both cells");
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: ".tmp/playground-compare-1280.png" });
  await page.selectOption("#cell-b", "");
}

async function stopAndResume(page: Page): Promise<void> {
  await page.selectOption("#task", "adding");
  await page.fill("#epochs", "200");
  await page.click("#train");
  await waitUntil(() => epochsShown(page), (n) => n >= 1, "the first epoch");
  await page.click("#stop");
  await waitFor(page, "a", "stopped after");
  const stoppedAt = await epochsShown(page);
  assert.ok(stoppedAt < 200, `Stop did not stop the run (${stoppedAt} epochs)`);
  await page.click("#resume");
  await waitUntil(() => epochsShown(page), (n) => n > stoppedAt, "an epoch after Resume");
  await page.click("#stop");
  await waitFor(page, "a", "stopped after");
  const text = await progressText(page, "a");
  const m = /stopped after (\d+) epochs/.exec(text);
  assert.ok(m && Number(m[1]) > stoppedAt, `after Resume and Stop: "${text}" (first stop at ${stoppedAt})`);
}

async function sentiment(page: Page): Promise<void> {
  await page.selectOption("#task", "sentiment");
  assert.doesNotMatch((await page.textContent("#task-note")) ?? "", /Not available/);
  await page.fill("#epochs", "1");
  await page.click("#train");
  await waitFor(page, "a", /done after 1 epoch[,.]/, 25_000);
  assert.match((await page.textContent("#test-line")) ?? "", /accuracy \d+(\.\d)?%/);
  await page.fill("#sequence", "0");
  await page.click("#show-gates");
  await page.waitForSelector('figure[data-grid="layer0.forward.r"] g.cells');
  assert.match((await page.textContent("#gate-output")) ?? "", /the label is (negative|positive)/);
  assert.match((await page.textContent("#time-out")) ?? "", /“.+”/, "the step shows its word");
}

async function dropModel(page: Page, files: string | string[], name: string, grid: string): Promise<void> {
  await page.setInputFiles("#model-file", files);
  await waitForText(page, "#model-summary", `loaded: ${name}`, 20_000);
  await page.waitForSelector(`figure[data-grid="${grid}"] g.cells`);
}

export async function otherTasksAndFiles(page: Page): Promise<void> {
  await compare(page);
  await stopAndResume(page);
  await sentiment(page);
  await dropModel(page, KERAS, "m.keras", "layer0.forward.z");
  await dropModel(page, TFJS, "model.json + weights.bin", "layer0.forward.z");
}
