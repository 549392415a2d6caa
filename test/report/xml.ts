/**
 * A small, strict XML well-formedness checker and parser for the tests: elements, attributes
 * (quoted, unique), text with the five predefined entities and character references, comments and
 * an optional prolog. Anything else (a raw `<` or `&` in text, a bad nesting, two roots) throws with
 * the offset, so `parseXml(svg)` asserts that a chart is well-formed XML and gives a tree to query.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(s: string, at: number): string {
  if (s.includes("<")) throw new Error(`xml: raw "<" at ${at}`);
  return s.replace(/&([^;]*);?/g, (m, body: string) => {
    if (!m.endsWith(";")) throw new Error(`xml: unterminated entity "${m.slice(0, 12)}" near ${at}`);
    if (body in ENTITIES) return ENTITIES[body]!;
    const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
    if (num === null) throw new Error(`xml: unknown entity "&${body};" near ${at}`);
    return String.fromCodePoint(num[1] !== undefined ? parseInt(num[1], 16) : Number(num[2]));
  });
}

class Reader {
  pos = 0;
  constructor(readonly src: string) {}
  fail(what: string): never {
    throw new Error(`xml: ${what} at ${this.pos}: ${JSON.stringify(this.src.slice(this.pos, this.pos + 30))}`);
  }
  skipSpace(): void {
    while (/\s/.test(this.src[this.pos] ?? "")) this.pos++;
  }
  name(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.src);
    if (m === null) this.fail("expected a name");
    this.pos += m[0].length;
    return m[0];
  }
  expect(s: string): void {
    if (!this.src.startsWith(s, this.pos)) this.fail(`expected ${JSON.stringify(s)}`);
    this.pos += s.length;
  }
  skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (this.src.startsWith("<?", this.pos)) { const e = this.src.indexOf("?>", this.pos); if (e < 0) this.fail("unclosed <?"); this.pos = e + 2; }
      else if (this.src.startsWith("<!--", this.pos)) { const e = this.src.indexOf("-->", this.pos); if (e < 0) this.fail("unclosed comment"); this.pos = e + 3; }
      else return;
    }
  }
}

function attributes(r: Reader): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (;;) {
    const before = r.pos;
    r.skipSpace();
    const c = r.src[r.pos];
    if (c === ">" || c === "/") return attrs;
    if (r.pos === before) r.fail("expected a space before an attribute");
    const name = r.name();
    r.skipSpace(); r.expect("="); r.skipSpace();
    const q = r.src[r.pos];
    if (q !== '"' && q !== "'") r.fail("expected a quoted attribute value");
    const end = r.src.indexOf(q, r.pos + 1);
    if (end < 0) r.fail("unclosed attribute value");
    if (name in attrs) r.fail(`duplicate attribute ${name}`);
    attrs[name] = decode(r.src.slice(r.pos + 1, end), r.pos);
    r.pos = end + 1;
  }
}

function element(r: Reader): XmlElement {
  r.expect("<");
  const el: XmlElement = { name: r.name(), attrs: {}, children: [] };
  el.attrs = attributes(r);
  if (r.src.startsWith("/>", r.pos)) { r.pos += 2; return el; }
  r.expect(">");
  for (;;) {
    const lt = r.src.indexOf("<", r.pos);
    if (lt < 0) r.fail(`unclosed <${el.name}>`);
    if (lt > r.pos) el.children.push(decode(r.src.slice(r.pos, lt), r.pos));
    r.pos = lt;
    if (r.src.startsWith("</", r.pos)) {
      r.pos += 2;
      const name = r.name();
      if (name !== el.name) r.fail(`</${name}> closes <${el.name}>`);
      r.skipSpace(); r.expect(">");
      return el;
    }
    if (r.src.startsWith("<!--", r.pos)) { r.skipMisc(); continue; }
    el.children.push(element(r));
  }
}

export function parseXml(src: string): XmlElement {
  const r = new Reader(src);
  r.skipMisc();
  const root = element(r);
  r.skipMisc();
  if (r.pos !== src.length) r.fail("content after the root element");
  return root;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === name) out.push(e);
    for (const c of e.children) if (typeof c !== "string") walk(c);
  };
  walk(el);
  return out;
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === "string" ? c : textOf(c))).join("");
}

/** Elements whose class attribute contains `cls`. */
export function byClass(el: XmlElement, cls: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if ((e.attrs["class"] ?? "").split(/\s+/).includes(cls)) out.push(e);
    for (const c of e.children) if (typeof c !== "string") walk(c);
  };
  walk(el);
  return out;
}
