// The code blocks of the README and docs/*.md, as test/docs/examples.test.ts and
// test/package/install.test.ts run them. Conventions, each an HTML comment on the lines just above
// a block (blank lines may separate them; any other line clears them):
//   <!-- not run: reason -->           the block is not run (keep these few)
//   <!-- setup: code -->               hidden code run before the block (variables it assumes)
//   <!-- continues -->                 run after the previous ```ts block of the same file (and
//                                      whatever that one continues)
//   <!-- shrink: "from" -> "to" -->    replace text before running (fewer epochs); the output is
//                                      then not compared
//   <!-- file: name = repo/path -->    copy a file of this repository into the block's folder
// A ```text block right after a run block is its output: each of its lines must appear in the
// output, in order ("…" alone skips any lines; "…" inside a line matches any text). A ```ts block
// runs with tsx; a ```sh block runs when its first command starts with `gated`, `npx gated` or
// `npm run gated --`, as one bash script in which `gated` runs this checkout's CLI.
import { readFileSync } from "node:fs";

export interface Block {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  readonly notRun?: string;
  readonly setup: readonly string[];
  readonly continues: boolean;
  readonly shrink: readonly (readonly [string, string])[];
  readonly files: readonly (readonly [string, string])[];
  /** The ```text block that follows, if any. */
  readonly output?: string;
}

const DIRECTIVE = /^<!--\s*(not run|setup|continues|shrink|file)\s*(?::([\s\S]*?))?\s*-->$/;

/** Every fenced block of a Markdown file with the directives just above it. */
export function readBlocks(path: string, label = path): Block[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const blocks: Block[] = [];
  let pending: string[] = [];
  let lastRunnable: { index: number; closedAt: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("<!--")) {
      let text = line;
      while (!text.includes("-->") && i + 1 < lines.length) text += `\n${lines[++i]!}`;
      const m = DIRECTIVE.exec(text.trim());
      if (!m) throw new Error(`${label}:${i + 1}: unknown directive ${text.trim().slice(0, 60)}`);
      pending.push(text.trim());
      continue;
    }
    const fence = /^```(\w*)\s*$/.exec(line);
    if (!fence) {
      if (line.trim() !== "") pending = [];
      continue;
    }
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^```\s*$/.test(lines[i]!)) body.push(lines[i]!);
    const lang = fence[1]!;
    const code = body.join("\n");
    const between = lastRunnable ? lines.slice(lastRunnable.closedAt + 1, start) : [];
    if ((lang === "text" || lang === "") && lastRunnable && pending.length === 0 && between.every((l) => l.trim() === "")) {
      const prev = blocks[lastRunnable.index]!;
      blocks[lastRunnable.index] = { ...prev, output: code };
      lastRunnable = null;
      continue;
    }
    blocks.push(withDirectives({ file: label, line: start + 1, lang, code }, pending, label));
    pending = [];
    lastRunnable = lang === "ts" || lang === "sh" ? { index: blocks.length - 1, closedAt: i } : null;
  }
  return blocks;
}

function withDirectives(base: Pick<Block, "file" | "line" | "lang" | "code">, comments: readonly string[], label: string): Block {
  let notRun: string | undefined;
  const setup: string[] = [], shrink: [string, string][] = [], files: [string, string][] = [];
  let continues = false;
  for (const c of comments) {
    const [, key, value = ""] = DIRECTIVE.exec(c)!;
    const v = value.trim();
    if (key === "not run") notRun = v || "(no reason given)";
    else if (key === "setup") setup.push(v);
    else if (key === "continues") continues = true;
    else if (key === "shrink") {
      const m = /^"([^"]*)"\s*->\s*"([^"]*)"$/.exec(v);
      if (!m) throw new Error(`${label}:${base.line}: shrink expects "from" -> "to", got ${v}`);
      shrink.push([m[1]!, m[2]!]);
    } else if (key === "file") {
      const m = /^(\S+)\s*=\s*(\S+)$/.exec(v);
      if (!m) throw new Error(`${label}:${base.line}: file expects name = repo/path, got ${v}`);
      files.push([m[1]!, m[2]!]);
    }
  }
  return { ...base, ...(notRun !== undefined ? { notRun } : {}), setup, continues, shrink, files };
}

/** Whether the tests run this block: ```ts blocks, and ```sh blocks whose first command is gated. */
export function isRun(b: Block): boolean {
  if (b.notRun !== undefined) return false;
  if (b.lang === "ts") return true;
  if (b.lang !== "sh") return false;
  const first = b.code.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("#")) ?? "";
  return /^(gated|npx gated|npm run gated --)(\s|$)/.test(first.trim());
}

/** A ```ts block with the blocks it continues and its setup, before any rewriting. */
export function chainOf(blocks: readonly Block[], index: number): Block[] {
  const b = blocks[index]!;
  if (!b.continues) return [b];
  for (let j = index - 1; j >= 0; j--) if (blocks[j]!.lang === "ts") return [...chainOf(blocks, j), b];
  throw new Error(`${b.file}:${b.line}: "continues" but no earlier ts block`);
}

const IMPORT = /^import\s+(type\s+)?(\{[^}]*\}|\*\s+as\s+\w+|\w+)\s+from\s+"([^"]+)";?[ \t]*$/gm;

/**
 * One TypeScript program for a block: its chain's setup and code, the shrink replacements applied,
 * the import statements merged at the top with module names mapped by `resolve`.
 */
export function assembleTs(chain: readonly Block[], resolve: (module: string) => string, shrink = true): string {
  let body = chain.map((b) => [...b.setup, b.code].join("\n")).join("\n");
  if (shrink) for (const b of chain) for (const [from, to] of b.shrink) {
    if (!body.includes(from)) throw new Error(`${b.file}:${b.line}: shrink: "${from}" not found`);
    body = body.split(from).join(to);
  }
  const named = new Map<string, Set<string>>();
  const other: string[] = [];
  body = body.replace(IMPORT, (_all, typeOnly: string | undefined, what: string, module: string) => {
    if (what.startsWith("{")) {
      const set = named.get(module) ?? new Set<string>();
      for (const s of what.slice(1, -1).split(",").map((x) => x.trim()).filter(Boolean)) set.add(typeOnly ? `type ${s.replace(/^type\s+/, "")}` : s);
      named.set(module, set);
    } else other.push(`import ${typeOnly ?? ""}${what} from "${resolve(module)}";`);
    return "";
  });
  const imports = [...named].map(([m, s]) => {
    const names = [...s].filter((n) => !n.startsWith("type ") || !s.has(n.slice(5)));
    return `import { ${names.join(", ")} } from "${resolve(m)}";`;
  });
  return [...imports, ...new Set(other), body, "export {};"].join("\n");
}

/** The block's sh script with the shrink replacements applied. */
export function shScript(b: Block, shrink = true): string {
  let code = b.code;
  if (shrink) for (const [from, to] of b.shrink) {
    if (!code.includes(from)) throw new Error(`${b.file}:${b.line}: shrink: "${from}" not found`);
    code = code.split(from).join(to);
  }
  return code.replace(/^(\s*)(npx gated|npm run gated --)(?=\s|$)/gm, "$1gated");
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const NUMBER = /-?\d+\.\d+(?:e[-+]?\d+)?/g;

/**
 * An expected line as a pattern: "…" matches any text, and each decimal number (one with a point)
 * matches any decimal number that is close to it (closeEnough): a trained model's metrics and
 * forecasts move in their last digits between machines whose floating-point units differ (with or
 * without fused multiply-add), and the documents show them as illustrations. Integers (parameter
 * counts, shapes, epochs) must match exactly; correctness is tested elsewhere, to 1e-7.
 */
function linePattern(want: string): { re: RegExp; numbers: string[] } {
  const numbers: string[] = [];
  const source = want.split("…").map((part) => {
    let out = "", last = 0;
    for (const m of part.matchAll(NUMBER)) {
      out += escape(part.slice(last, m.index)) + "(-?\\d+\\.\\d+(?:e[-+]?\\d+)?)";
      numbers.push(m[0]);
      last = m.index! + m[0].length;
    }
    return out + escape(part.slice(last));
  }).join(".*");
  return { re: new RegExp(`^${source}$`), numbers };
}

/** Within 5% of the expected value, or 3 units of its last shown digit. */
function closeEnough(expected: string, actual: string): boolean {
  const e = Number(expected), a = Number(actual);
  const decimals = (expected.split("e")[0]!.split(".")[1] ?? "").length;
  const unit = 10 ** -decimals * 10 ** Number(expected.split("e")[1] ?? 0);
  return Math.abs(a - e) <= Math.max(0.05 * Math.abs(e), 3 * unit);
}

/**
 * Whether `actual` shows the lines of `expected` (see the conventions above): null when it does,
 * else the first expected line not found.
 */
export function outputMismatch(expected: string, actual: string): string | null {
  const got = actual.split("\n").map((l) => l.trimEnd());
  let at = 0, skipping = false;
  for (const want of expected.split("\n").map((l) => l.trimEnd())) {
    if (want === "…") { skipping = true; continue; }
    if (want === "") continue;
    const { re, numbers } = linePattern(want);
    let found = -1;
    for (let k = at; k < got.length; k++) {
      const m = re.exec(got[k]!);
      if (m && numbers.every((n, i) => closeEnough(n, m[i + 1]!))) { found = k; break; }
      if (!skipping && got[k] !== "") break;
    }
    if (found < 0) return want;
    at = found + 1;
    skipping = false;
  }
  if (!skipping && got.slice(at).some((l) => l !== "")) return `(end of output; more came: ${got.slice(at).find((l) => l !== "")})`;
  return null;
}
