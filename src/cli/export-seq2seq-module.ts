/**
 * `gated export SEQ2SEQ --format pytorch-module --out DIR`: an encoder–decoder as DIR/model.py (an
 * nn.Module with encode, decode_step, teacher-forced forward and greedy) and DIR/weights.safetensors
 * (io/pytorch/module-seq2seq.ts). The ONNX export of an encoder–decoder is cli/seq2seq.ts's.
 */
import { join } from "node:path";
import { writeBytes } from "../io/node/files.js";
import { exportSeq2seqModule } from "../io/pytorch/module-seq2seq.js";
import { UserError } from "./errors.js";
import { loadSeq2seq } from "./seq2seq.js";

export function seq2seqModuleExport(path: string, a: { out: string; json?: boolean; lengths?: boolean; link?: boolean; names?: string; layout: string }): void {
  if (a.lengths || a.link || a.names !== undefined || a.layout !== "time-major") {
    throw new UserError("--lengths, --link, --names and --layout do not apply to an encoder–decoder's pytorch-module: its module takes source lengths, gives logits and is batch-first");
  }
  const f = loadSeq2seq(path), r = exportSeq2seqModule(f.model, f.vocabularies);
  const written = [join(a.out, "model.py"), join(a.out, "weights.safetensors")];
  writeBytes(written[1]!, r.weights);
  writeBytes(written[0]!, new TextEncoder().encode(r.python));
  const { bos, eos, pad } = f.vocabularies;
  const usage = 'from model import Model; m = Model.load("weights.safetensors"); tokens = m.greedy(src, src_len, max_len)';
  if (a.json) process.stdout.write(JSON.stringify({ format: "pytorch-module", written, bos, eos, pad, usage, layout: "batch-major" }, null, 2) + "\n");
  else process.stdout.write(`wrote pytorch-module: ${written.join(", ")} (bos ${bos}, eos ${eos}; ${usage})\n`);
}
