// Helpers of the playground's end-to-end test: start headless Chromium on a page served from
// 127.0.0.1, record console errors and any request that leaves the local server, drive the form,
// and read a heat-map cell's value through the page's own hover tooltip.
import assert from "node:assert/strict";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface Opened { readonly browser: Browser; readonly page: Page; readonly errors: string[]; readonly foreign: string[] }

export async function openPage(url: string): Promise<Opened> {
  assert.ok(url.startsWith("http://127.0.0.1:"), `the playground must be served from 127.0.0.1, got ${url}`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 20_000 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [], foreign: string[] = [];
  const origin = new URL(url).origin;
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console.error: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  context.on("response", (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  // every request of the page and its workers: only the local server, blob: and data: URLs
  context.on("request", (r) => { const u = r.url(); if (!u.startsWith(origin) && !u.startsWith("blob:") && !u.startsWith("data:")) foreign.push(u); });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  return { browser, page, errors, foreign };
}

/** Trains with the form's values and waits until every slot says "done". */
export async function train(page: Page, cell: string, epochs: number, units: number): Promise<void> {
  await page.selectOption("#cell-a", cell);
  await page.fill("#epochs", String(epochs));
  await page.fill("#units", String(units));
  await page.click("#train");
  await waitForText(page, "#progress-a .text", new RegExp(`done after ${epochs} epochs?[,.]`), 30_000);
}

/** Waits until the element's text contains `text`. */
export async function waitForText(page: Page, selector: string, text: string | RegExp, timeout = 30_000): Promise<void> {
  await page.locator(selector).filter({ hasText: text }).waitFor({ timeout });
}

/** Polls `read` until `ok` holds (a value the page computes), at most `timeout` ms. */
export async function waitUntil<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeout = 20_000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${String(v)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function trainLosses(page: Page): Promise<number[]> {
  return JSON.parse((await page.getAttribute("#loss-chart", "data-train-loss")) ?? "[]") as number[];
}

export interface HoverRead { readonly grid: string; readonly step: number; readonly unit: number; readonly value: number; readonly text: string }

/** Moves the mouse over cell (step, unit) of a heat map and reads the tooltip. */
export async function hoverCell(page: Page, grid: string, step: number, unit: number, rows: number, cols: number): Promise<HoverRead> {
  const cells = page.locator(`figure[data-grid="${grid}"] g.cells`);
  await cells.scrollIntoViewIfNeeded();
  const box = await cells.boundingBox();
  assert.ok(box, `no heat map ${grid}`);
  await page.mouse.move(box.x + ((unit + 0.5) * box.width) / cols, box.y + ((step + 0.5) * box.height) / rows);
  const tip = page.locator("#tooltip");
  await tip.waitFor({ state: "visible", timeout: 5_000 });
  const d = await tip.evaluate((el) => ["grid", "step", "unit", "value"].map((k) => el.getAttribute(`data-${k}`) ?? "").concat(el.textContent ?? ""));
  return { grid: d[0]!, step: Number(d[1]), unit: Number(d[2]), value: Number(d[3]), text: d[4]! };
}

/** |a − b| ≤ atol + rtol·|b| for every element (the message names the worst); returns the largest |a − b|. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string): number {
  assert.equal(actual.length, expected.length, `${what}: lengths differ`);
  let largest = 0, bad = -1, badExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!), excess = d - (atol + rtol * Math.abs(expected[i]!));
    largest = Math.max(largest, d);
    if (excess > badExcess) { bad = i; badExcess = excess; }
  }
  assert.ok(bad < 0, `${what}: element ${bad} is ${actual[bad]} in the page, ${expected[bad]} in Node`);
  return largest;
}
