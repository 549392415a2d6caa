// Prints, per format, what happens to damaged files: clean errors (a typed GatedError), untyped
// errors (a TypeError, RangeError... with a stack trace), and files that loaded: with the
// undamaged file's outputs (harmless), with other outputs where the format cannot detect the
// damage (a weight byte overwritten where there is no checksum; a valid, different config value),
// and silent acceptances (other outputs from damage the importer could have refused, NaN or
// infinite outputs from a file whose undamaged outputs are finite included: a non-finite weight).
//   node --import tsx scripts/fuzz-report.ts [N per format, default 300] [format name filter]
// Seeded: the same N gives the same table.
import { GatedError } from "../src/errors/index.js";
import { FORMATS } from "../test/io/helpers/fuzz-formats.js";
import { mulberry32 } from "../test/io/helpers/model.js";
import { newlyNonFinite, sameOutputs } from "../test/io/helpers/mutate.js";

const N = Number(process.argv[2] ?? 300), filter = process.argv[3] ?? "";
const rows: string[][] = [["format", "files", "clean errors", "untyped errors", "harmless", "undetectable", "silent"]];
for (const f of FORMATS.filter((x) => x.name.includes(filter))) {
  const attempt = await f.setup(), r = mulberry32(f.seed);
  const c = { clean: 0, untyped: 0, harmless: 0, undetectable: 0, silent: 0 };
  const examples: string[] = [];
  for (let i = 0; i < N; i++) {
    try {
      const a = await attempt(r);
      if (sameOutputs(a.out, a.ref)) c.harmless++;
      else if (a.undetectable && !newlyNonFinite(a.out, a.ref)) c.undetectable++;
      else { c.silent++; if (examples.length < 3) examples.push(`silent #${i}: ${a.damage}`); }
    } catch (e) {
      if (e instanceof GatedError) c.clean++;
      else { c.untyped++; if (examples.length < 3) examples.push(`untyped #${i}: ${(e as Error)?.stack?.split("\n").slice(0, 2).join(" | ")}`); }
    }
  }
  rows.push([f.name, String(N), String(c.clean), String(c.untyped), String(c.harmless), String(c.undetectable), String(c.silent)]);
  if (process.env.FUZZ_VERBOSE) for (const e of examples) console.error(`${f.name}: ${e}`);
}
const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
rows.forEach((r, i) => {
  console.log(`| ${r.map((v, j) => (j === 0 ? v.padEnd(widths[j]!) : v.padStart(widths[j]!))).join(" | ")} |`);
  if (i === 0) console.log(`|${widths.map((w, j) => (j === 0 ? "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|")}|`);
});
