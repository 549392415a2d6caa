// Writes test/fixtures/speech/digits-ligru32.safetensors: the small spoken-digits model (LiGRU,
// 1 layer of 32, 3.5k trainable parameters, ~17 KB) that the keyword-spotting tests and the demo use, so that
// no test trains. It is exactly this command (from the repository root):
//
//   gated train --data spoken-digits --cell ligru --hidden 32 --layers 1 --epochs 30 --seed 1 \
//     --out test/fixtures/speech/digits-ligru32.safetensors --no-report --force
//   (then the checkpoint it leaves beside the model is deleted)
//
// Its file holds the audio front end of spoken-digits (spec.data.audio), which spotKeywords needs.
// Test accuracy on the unseen voices when made: 0.956. The kernels chosen at run time (native,
// WebAssembly) round differently, so another machine may give other bytes and a slightly other
// model; the tests assert what a good-enough model must do, not these bytes.
//
// Usage: node scripts/speech/make-keyword-model.mjs
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join("test", "fixtures", "speech", "digits-ligru32.safetensors");
execFileSync(process.execPath, [
  "--import", "tsx", join("src", "cli", "main.ts"), "train", "--data", "spoken-digits", "--cell", "ligru", "--hidden", "32",
  "--layers", "1", "--epochs", "30", "--seed", "1", "--out", out, "--no-report", "--force",
], { cwd: ROOT, stdio: "inherit" });
// the checkpoint training leaves beside the model is not a fixture
rmSync(join(ROOT, out.replace(/\.safetensors$/, ".checkpoint.safetensors")), { force: true });
