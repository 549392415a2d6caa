/**
 * The HTML report: one self-contained file (inline CSS, the charts' SVG inline, no scripts, no
 * network: a Content-Security-Policy forbids every fetch) gathering a run's configuration, metrics
 * and charts.
 *
 *   htmlReport({ title, sections: [{ heading, text?, table?: { columns, rows }, svg?: [svg, …] }], generated? })
 *
 * `text` is plain text (blank lines separate paragraphs); `svg` takes the strings that lineChart,
 * forecastChart, heatmap and barChart return. `generated` (say a date and the command) is shown in
 * the footer; without it the output depends only on the input.
 */
import { ValueError } from "../errors/index.js";
import { escapeAttr, escapeText } from "./escape.js";
import { checkTable, tableHtml, type ReportTable } from "./table.js";

export interface ReportSection {
  heading: string;
  text?: string;
  table?: ReportTable;
  svg?: readonly string[];
}

export interface HtmlReportOptions {
  title: string;
  sections: readonly ReportSection[];
  generated?: string;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CSS = `
:root { color-scheme: light; }
body { margin: 0; background: #f5f6f8; color: #222; font: 15px/1.5 system-ui, 'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 26px; margin: 0 0 6px; }
nav { font-size: 14px; color: #555; margin-bottom: 8px; }
nav a { color: #2f5d8a; margin-right: 14px; text-decoration: none; }
section { background: #fff; border: 1px solid #e2e4e8; border-radius: 8px; padding: 14px 20px 18px; margin: 16px 0; }
h2 { font-size: 19px; margin: 0 0 10px; }
p { margin: 6px 0 10px; max-width: 75ch; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0 12px; }
th, td { padding: 4px 14px 4px 8px; border-bottom: 1px solid #e6e8eb; text-align: left; vertical-align: top; }
th { background: #f0f2f5; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafbfc; }
figure { margin: 12px 0 4px; }
figure svg { display: block; max-width: 100%; height: auto; }
footer { color: #777; font-size: 13px; margin-top: 24px; }
`.trim();

function checkSvg(where: string, s: unknown): string {
  const t = typeof s === "string" ? s.trim() : "";
  if (!t.startsWith("<svg") || !t.endsWith("</svg>")) {
    throw new ValueError(`${where}: expected an <svg> document (from lineChart, forecastChart, heatmap or barChart), got ${typeof s === "string" ? JSON.stringify(t.slice(0, 40)) : typeof s}`);
  }
  return t;
}

function paragraphs(text: string): string {
  return text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p !== "").map((p) => `<p>${escapeText(p)}</p>`).join("\n");
}

function sectionHtml(s: ReportSection, i: number): string {
  const where = `htmlReport: sections[${i}]`;
  if (typeof s.heading !== "string") throw new ValueError(`${where}: heading must be a string, got ${typeof s.heading}`);
  const parts = [`<section id="section-${i + 1}">`, `<h2>${escapeText(s.heading)}</h2>`];
  if (s.text !== undefined) parts.push(paragraphs(String(s.text)));
  if (s.table !== undefined) { checkTable(`${where}.table`, s.table); parts.push(tableHtml(s.table)); }
  (s.svg ?? []).forEach((svg, j) => parts.push(`<figure>\n${checkSvg(`${where}.svg[${j}]`, svg)}\n</figure>`));
  parts.push("</section>");
  return parts.join("\n");
}

function nav(sections: readonly ReportSection[]): string {
  if (sections.length < 3) return "";
  const links = sections.map((s, i) => `<a href="#section-${i + 1}">${escapeText(String(s.heading))}</a>`);
  return `<nav>${links.join("")}</nav>`;
}

export function htmlReport(o: HtmlReportOptions): string {
  if (typeof o.title !== "string") throw new ValueError(`htmlReport: title must be a string, got ${typeof o.title}`);
  if (!Array.isArray(o.sections)) throw new ValueError(`htmlReport: sections must be an array, got ${typeof o.sections}`);
  const footer = o.generated === undefined ? "Made with gated." : `Generated ${o.generated} with gated.`;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeText(o.title)}</title>`,
    `<style>\n${CSS}\n</style>`,
    "</head>",
    "<body>",
    "<main>",
    `<h1>${escapeText(o.title)}</h1>`,
    nav(o.sections),
    ...o.sections.map(sectionHtml),
    `<footer>${escapeText(footer)}</footer>`,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
