// htmlReport: one self-contained document (no scripts, no fetches), escaped text, tables, charts inline.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { htmlReport } from "../../src/report/html.js";
import { keyValueTable } from "../../src/report/table.js";
import { ShapeError, ValueError } from "../../src/errors/index.js";
import { parseXml } from "./xml.js";
import { SAMPLE_SVG_COUNT, sampleCharts, sampleReport } from "./sample.js";

describe("htmlReport", () => {
  it("inlines every chart, each still well-formed", () => {
    const html = sampleReport();
    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    assert.equal(svgs.length, SAMPLE_SVG_COUNT);
    const charts = sampleCharts();
    assert.deepEqual(svgs, [charts.line, charts.bars, charts.forecast, charts.z, charts.candidate]);
    for (const s of svgs) assert.equal(parseXml(s).name, "svg");
  });

  it("is self-contained: no scripts, no external resources, a CSP that forbids fetches", () => {
    const html = sampleReport();
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.ok(!/<script|<link|<img|<iframe|@import|url\(/i.test(html));
    const urls = [...html.matchAll(/(?:https?:)?\/\/[\w.-]+[^\s"'<>)]*/g)].map((m) => m[0]);
    assert.deepEqual([...new Set(urls)], ["http://www.w3.org/2000/svg"], "only the SVG namespace");
    assert.ok(html.includes(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`.replace(/'/g, "&#39;")));
  });

  it("escapes the title, headings, text and table cells", () => {
    const html = htmlReport({
      title: "<&>", generated: "<now>",
      sections: [{ heading: "a<b", text: "x & y\n\n<i>not markup</i>", table: { columns: ["<c>"], rows: [["<td>"], [1.23456], [null]] } }],
    });
    assert.ok(html.includes("<title>&lt;&amp;&gt;</title>") && html.includes("<h1>&lt;&amp;&gt;</h1>"));
    assert.ok(html.includes("<h2>a&lt;b</h2>"));
    assert.ok(html.includes("<p>x &amp; y</p>\n<p>&lt;i&gt;not markup&lt;/i&gt;</p>"));
    assert.ok(html.includes("<th>&lt;c&gt;</th>") && html.includes("<td>&lt;td&gt;</td>"));
    assert.ok(html.includes('<td class="num">1.235</td>') && html.includes("<td></td>"));
    assert.ok(html.includes("<footer>Generated &lt;now&gt; with gated.</footer>"));
    assert.ok(!html.includes("<i>"));
  });

  it("sections get anchors and, from three on, a table of contents", () => {
    const html = htmlReport({ title: "t", sections: [{ heading: "A" }, { heading: "B" }, { heading: "C" }] });
    assert.ok(html.includes('<nav><a href="#section-1">A</a><a href="#section-2">B</a><a href="#section-3">C</a></nav>'));
    assert.ok(html.includes('<section id="section-3">'));
    assert.ok(!htmlReport({ title: "t", sections: [{ heading: "A" }] }).includes("<nav>"));
  });

  it("the same input gives the same bytes", () => {
    assert.equal(sampleReport(), sampleReport());
  });

  it("a configuration as a key/value table, values in full", () => {
    const t = keyValueTable({ cell: "gru", lr: 0.0031415926, layers: 2, clip: undefined, optimizer: { name: "adam" }, bidirectional: false });
    assert.deepEqual(t, { columns: ["setting", "value"], rows: [["cell", "gru"], ["lr", "0.0031415926"], ["layers", "2"], ["optimizer", '{"name":"adam"}'], ["bidirectional", "false"]] });
  });

  it("says what is wrong with the input", () => {
    assert.throws(() => htmlReport({ title: "t", sections: [{ heading: "m", table: { columns: ["a", "b"], rows: [[1, 2], [3]] } }] }),
      (e: unknown) => e instanceof ShapeError && e.message === "htmlReport: sections[0].table: rows[1] has 1 cells, expected 2 (one per column: a, b)");
    assert.throws(() => htmlReport({ title: "t", sections: [{ heading: "c", svg: ["<script>alert(1)</script>"] }] }),
      (e: unknown) => e instanceof ValueError && e.message.startsWith("htmlReport: sections[0].svg[0]: expected an <svg> document"));
  });
});
