// Builds the native kernels (native/*.c, a Node-API addon) with gcc straight from source — no
// node-gyp, no downloads: plain node_api.h from Node's own headers — into
// native/build/gated-<platform>-<arch>.node (linux-x64 only; the package ships that binary).
// Both instruction sets (AVX-512, AVX2+FMA) go into the one object through function-level target
// attributes; the addon picks one at load time. Runs in `npm run build` (and so in `npm ci`).
//
// Never fails the build: without gcc, Node's headers or on another platform it says why and exits 0,
// and gated runs on its WebAssembly kernels.
//
// Usage: node scripts/build-native.mjs [--force]   (skips the compile when native/ is unchanged)
//        GATED_NODE_INCLUDE=/path/to/include/node overrides where node_api.h is looked for.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "native");
const OUT_DIR = join(SRC, "build");
const OUT = join(OUT_DIR, `gated-${process.platform}-${process.arch}.node`);
const STAMP = join(OUT_DIR, "source.sha256");
const UNITS = ["addon.c", "kernels.c", "int8.c", "pack.c"];
const FLAGS = ["-O3", "-std=gnu11", "-fPIC", "-shared", "-fvisibility=hidden", "-ffp-contract=fast", "-Wall", "-Wextra"];

const skip = (why) => {
  console.log(`build-native: skipped (${why}); gated will use its WebAssembly kernels`);
  process.exit(0);
};

if (process.platform !== "linux" || process.arch !== "x64") skip(`built for linux-x64 only, this is ${process.platform}-${process.arch}`);

// node_api.h: an override, the running Node's own prefix, then the Debian / distribution paths
const includes = [
  process.env.GATED_NODE_INCLUDE,
  join(dirname(process.execPath), "..", "include", "node"),
  "/usr/include/node", "/usr/local/include/node",
].filter(Boolean);
const include = includes.find((d) => existsSync(join(d, "node_api.h")));
if (!include) skip(`node_api.h not found in ${includes.join(", ")}; install Node's headers (Debian: libnode-dev) or set GATED_NODE_INCLUDE`);

const cc = process.env.CC || "gcc";
if (spawnSync(cc, ["--version"], { stdio: "ignore" }).status !== 0) skip(`${cc} not found; install gcc (Debian: build-essential)`);

const hash = createHash("sha256");
for (const f of readdirSync(SRC).filter((f) => /\.(c|h)$/.test(f)).sort()) hash.update(f).update(readFileSync(join(SRC, f)));
hash.update(FLAGS.join(" ")).update(include);
const digest = hash.digest("hex");
if (!process.argv.includes("--force") && existsSync(OUT) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === digest) {
  console.log(`build-native: ${OUT} is up to date`);
  process.exit(0);
}

mkdirSync(OUT_DIR, { recursive: true });
const args = [...FLAGS, `-I${include}`, "-o", OUT, ...UNITS.map((u) => join(SRC, u)), "-lm", "-lpthread"];
const t0 = Date.now();
const r = spawnSync(cc, args, { stdio: ["ignore", "inherit", "inherit"] });
if (r.status !== 0) skip(`${cc} failed (exit ${r.status}): ${cc} ${args.join(" ")}`);
writeFileSync(STAMP, digest);
console.log(`build-native: ${OUT} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
