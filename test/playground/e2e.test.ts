// The playground end to end in headless Chromium: build it into a temporary folder, serve it on
// 127.0.0.1 with COOP/COEP, train a GRU on CO2 (the loss falls), switch to MGU, open the gate view
// and read a heat-map value through the hover tooltip that equals gated's captureGates in Node for
// the downloaded model and the same input; the downloaded model (gated file and ONNX) gives the
// page's forecasts in Node; a dropped ONNX file shows its gates. No request leaves the local
// server. Screenshots at 1280 and 390 px wide go to .tmp/playground-*.png (to look at).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Model, OnnxProgram, captureGates, gatherBatch, onnxToModel, predictSet } from "../../src/index.js";
import { loadDataset } from "../../src/data/index.js";
import { buildPlayground } from "../../playground/build.mjs";
import { servePlayground } from "../../playground/serve.mjs";
import { madeUpSequences } from "../../playground/src/worker-gates.js";
import { assertClose, hoverCell, openPage, trainLosses, train, waitForText, type Opened } from "./page.js";
import { otherTasksAndFiles } from "./tasks.js";

const ONNX_FIXTURE = "test/fixtures/interchange/onnx/gru_last_linear/legacy.onnx";
const SHOTS = ".tmp";

/** The page's one-step-ahead CO2 forecasts, recomputed in Node from a model (as worker-train.ts does). */
async function co2Forecasts(model: Model): Promise<Float32Array> {
  const d = await loadDataset("co2", { window: 24, relative: true });
  const s = d.series!, test = d.test!, { mean, std } = model.spec.data!.normalisation!;
  const pred = predictSet(model, test), first = s.length - test.count - s.horizon + 1;
  return Float32Array.from({ length: test.count }, (_, k) => ((pred[k]! + (s.values[first + k - 1]! - mean[0]!) / std[0]!) * std[0]! + mean[0]!));
}

async function download(o: Opened, button: string, dir: string): Promise<Uint8Array> {
  const [d] = await Promise.all([o.page.waitForEvent("download"), o.page.click(button)]);
  const file = join(dir, d.suggestedFilename());
  await d.saveAs(file);
  return new Uint8Array(readFileSync(file));
}

describe("playground in headless chromium", () => {
  const t0 = performance.now();
  let dir = "", o: Opened | null = null, server: Server | null = null, url = "";

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "gated-playground-"));
    const site = join(dir, "site");
    await buildPlayground(site);
    ({ server, url } = await servePlayground(site, 0));
    o = await openPage(url);
  }, { timeout: 25_000 });

  after(async () => {
    await o?.browser.close();
    if (server) await new Promise<void>((resolve) => { server!.closeAllConnections(); server!.close(() => resolve()); });
    rmSync(dir, { recursive: true, force: true });
    console.log(`  e2e took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });

  it("trains, shows the gates as gated computes them, saves and loads models", { timeout: 50_000 }, async () => {
    if (!o) throw new Error("the page did not open");
    const { page } = o;
    const head = await fetch(url);
    assert.equal(head.headers.get("cross-origin-opener-policy"), "same-origin");
    assert.equal(head.headers.get("cross-origin-embedder-policy"), "require-corp");
    assert.equal(await page.evaluate("crossOriginIsolated"), true, "the page is cross-origin isolated");
    console.log(`  engine: ${await page.textContent("#engine")}`);

    // 1. a GRU on CO2: the loss falls
    await train(page, "gru", 4, 8);
    const gruLoss = await trainLosses(page);
    assert.equal(gruLoss.length, 4);
    assert.ok(gruLoss[3]! < gruLoss[0]!, `the GRU's training loss did not fall: ${gruLoss.join(", ")}`);
    assert.match((await page.textContent("#eq-a")) ?? "", /r = σ\(W_r x \+ U_r h \+ b_r\)/);

    // 2. MGU, then the gate view
    await train(page, "mgu", 3, 8);
    const mguLoss = await trainLosses(page);
    assert.ok(mguLoss[2]! < mguLoss[0]!, `the MGU's training loss did not fall: ${mguLoss.join(", ")}`);
    assert.match((await page.textContent("#compare tbody")) ?? "", /mgu/);
    await page.fill("#sequence", "3");
    await page.click("#show-gates");
    await page.waitForSelector('figure[data-grid="layer0.forward.f"] g.cells');
    const names = await page.locator("figure.heatmap").evaluateAll((els) => els.map((e) => e.getAttribute("data-grid")));
    assert.deepEqual(names, ["input x (as the model reads it)", "layer0.forward.f", "layer0.forward.hHat", "layer0.forward.h"]);
    const read = await hoverCell(page, "layer0.forward.f", 17, 5, 24, 8);
    assert.deepEqual([read.grid, read.step, read.unit], ["layer0.forward.f", 17, 5]);
    await page.fill("#time", "17");
    await page.dispatchEvent("#time", "input");
    await page.screenshot({ path: join(SHOTS, "playground-1280.png"), fullPage: true });

    // 3. the downloaded model in Node: the same gate value and the same forecasts
    const model = Model.fromBytes(await download(o, "#download-gated", dir));
    assert.equal(model.spec.layers[0]!.kind, "recurrent");
    const co2 = await loadDataset("co2", { window: 24, relative: true });
    const captured = captureGates(model, gatherBatch(model.net.kernels, co2.test!, [3]).input);
    const f = captured[0]!.gates["layer0.forward.f"]!;
    const expected = f.data[17 * 8 + 5]!;
    const gateDiff = Math.abs(read.value - expected);
    assert.ok(gateDiff <= 1e-6, `the heat map shows f[17, unit 5] = ${read.value}; gated in Node computes ${expected}`);
    const pageForecast = JSON.parse((await page.getAttribute("#forecast-chart", "data-forecast"))!) as number[];
    const nodeForecast = await co2Forecasts(model);
    const fcDiff = assertClose(pageForecast, nodeForecast, 1e-3, 1e-5, "CO2 forecasts (ppm)");
    const onnx = onnxToModel(OnnxProgram.fromBytes(await download(o, "#download-onnx", dir))).model;
    assertClose(await co2Forecasts(onnx), nodeForecast, 1e-3, 1e-5, "the ONNX download's forecasts (ppm)");
    console.log(`  gate f[17, 5]: page ${read.value}, node ${expected} (|diff| ${gateDiff}); forecasts |diff| ≤ ${fcDiff} ppm`);

    // 4. drop an ONNX file: its gates, on the made-up inputs, as gated computes them
    await page.setInputFiles("#model-file", ONNX_FIXTURE);
    await waitForText(page, "#model-summary", "loaded: legacy.onnx");
    await page.waitForSelector('figure[data-grid="layer0.forward.z"] g.cells');
    const seq = Number(await page.inputValue("#sequence"));
    const z = await hoverCell(page, "layer0.forward.z", 2, 1, 32, 4);
    const dropped = onnxToModel(OnnxProgram.fromBytes(new Uint8Array(readFileSync(ONNX_FIXTURE)))).model;
    const made = madeUpSequences(dropped);
    const zNode = captureGates(dropped, gatherBatch(dropped.net.kernels, made, [seq]).input)[0]!.gates["layer0.forward.z"]!.data[2 * 4 + 1]!;
    assert.ok(Math.abs(z.value - zNode) <= 1e-6, `the dropped ONNX model's z[2, unit 1] is ${z.value} in the page, ${zNode} in Node`);

    // 5. a phone's width: nothing wider than the screen
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(500); // the charts are drawn again for the new width
    await page.screenshot({ path: join(SHOTS, "playground-390.png"), fullPage: true });
    // what sticks out past the right edge, if anything (a string: the root tsconfig has no DOM types)
    const wide = await page.evaluate(`({
      width: document.documentElement.scrollWidth,
      widest: [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > 391).slice(0, 4)
        .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " " + Math.round(e.getBoundingClientRect().right)),
    })`) as { width: number; widest: string[] };
    assert.ok(wide.width <= 390, `the page is ${wide.width} px wide at a 390 px viewport: ${wide.widest.join("; ")}`);
    await page.setViewportSize({ width: 1280, height: 900 });

    assert.deepEqual(o.errors, [], "the page logged errors");
    assert.deepEqual(o.foreign, [], "the page made requests beyond its own server");
  });

  it("compares two cells, stops and resumes, trains the adding problem and sentiment, reads Keras and TF.js files", { timeout: 40_000 }, async () => {
    if (!o) throw new Error("the page did not open");
    await otherTasksAndFiles(o.page);
    assert.deepEqual(o.errors, [], "the page logged errors");
    assert.deepEqual(o.foreign, [], "the page made requests beyond its own server");
  });
});

mkdirSync(SHOTS, { recursive: true });
