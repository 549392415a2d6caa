// Records the losses of a 10-step training run at a fixed seed (reference kernels), which
// test/train/fit.test.ts must reproduce exactly. Run: npx tsx scripts/record-ten-steps.ts
import { writeFileSync } from "node:fs";
import { tenStepRun } from "../test/train/ten-steps.js";

const losses = await tenStepRun();
writeFileSync(new URL("../test/fixtures/train/ten-steps.json", import.meta.url), JSON.stringify({ generator: "scripts/record-ten-steps.ts", seed: 123, losses }, null, 1) + "\n");
console.log(losses);
