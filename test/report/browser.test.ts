// The HTML report in a real browser: Debian's chromium, headless, through playwright-core. Checks that
// the page loads from a file:// URL without console or page errors and without any network request,
// that every chart is an <svg> with a non-zero box, that the lines were drawn, and takes a screenshot.
// Never skips: without /usr/bin/chromium the test fails and says how to install it.
// GATED_REPORT_KEEP=DIR keeps the report and the screenshot in DIR (to look at them).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { SAMPLE_SVG_COUNT, sampleReport } from "./sample.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.equal(png.subarray(0, 8).toString("hex"), "89504e470d0a1a0a", "screenshot is not a PNG");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Opens the file and returns the page with the errors and non-file requests it produced while loading. */
async function open(browser: Browser, file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [], requests: string[] = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(`console.${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("request", (r) => { if (!r.url().startsWith("file:")) requests.push(r.url()); });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { page, errors, requests };
}

async function checkCharts(page: Page): Promise<void> {
  const boxes = await page.locator("figure > svg").evaluateAll((els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return { width: r.width, height: r.height };
  }));
  assert.equal(boxes.length, SAMPLE_SVG_COUNT, "one <svg> per chart");
  for (const [i, b] of boxes.entries()) assert.ok(b.width > 300 && b.height > 200, `svg ${i} has box ${b.width}×${b.height}`);
  // The learning-curve chart: 6 series, each a <path> with a drawn length.
  const lengths = await page.locator("figure > svg").first().locator("g.series > path")
    .evaluateAll((els) => els.map((e) => (e as unknown as { getTotalLength(): number }).getTotalLength()));
  assert.equal(lengths.length, 6);
  for (const l of lengths) assert.ok(l > 100, `a learning curve is ${l} px long`);
  // The heat maps drew their cells, the forecast its band.
  assert.ok(await page.locator("g.cells > path").count() > 100);
  assert.equal(await page.locator("path.band").count(), 1);
}

async function checkScreenshot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: file, fullPage: true });
  const png = readFileSync(file);
  const size = pngSize(png);
  assert.equal(size.width, 1100);
  assert.ok(size.height > 2000, `full-page screenshot is ${size.height} px tall`);
  assert.ok(png.length > 100_000, `screenshot is only ${png.length} bytes`);
}

describe("HTML report in headless chromium", () => {
  it("renders every chart, with no errors and no network", { timeout: 120_000 }, async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/ensure-chromium.sh (as root) to install Debian's chromium`);
    const keep = process.env["GATED_REPORT_KEEP"] ?? "";
    const dir = keep !== "" ? keep : mkdtempSync(join(tmpdir(), "gated-report-"));
    mkdirSync(dir, { recursive: true });
    // launch() gives the browser a fresh temporary user-data-dir and removes it on close.
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
    try {
      const file = join(dir, "report.html");
      writeFileSync(file, sampleReport());
      const { page, errors, requests } = await open(browser, file);
      assert.deepEqual(errors, [], "the report logged errors");
      assert.deepEqual(requests, [], "the report made network requests");
      assert.equal(await page.title(), "gated train — co2 <sample> & friends");
      await checkCharts(page);
      await checkScreenshot(page, join(dir, "report.png"));
    } finally {
      await browser.close();
      if (keep === "") rmSync(dir, { recursive: true, force: true });
    }
  });
});
