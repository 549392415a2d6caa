/**
 * One direction of a recurrent layer as an ONNX `Scan` (opset 16): the cell step is the body, the
 * per-step inputs are time-major [T, B, ·] values computed before the loop, the state h [B, H] is
 * the loop-carried value. Reverse runs use scan_input_directions / scan_output_directions = 1, so
 * outputs come back in time order, as gated's reverse direction gives them.
 *
 * With sequence lengths a mask m [T, B, 1] is one more scan input: a row past its length keeps
 * its state and outputs 0 (gated's and ONNX's recurrent-operator semantics):
 *   h_t = m ? step(h_{t−1}) : h_{t−1},   y_t = m ? step(h_{t−1}) : 0
 */
import { GraphBuilder, valueInfo } from "./builder.js";

export interface ScanStep {
  /** Outer time-major values [T, B, F_k], one slice [B, F_k] per step. */
  readonly inputs: readonly string[];
  /** Builds the body: from h [B, H] and this step's slices to h' [B, H]. */
  step(body: GraphBuilder, h: string, xs: readonly string[]): string;
}

export function emitScan(g: GraphBuilder, s: ScanStep, h0: string, mask: string | null, reverse: boolean, base: string): { y: string; hT: string } {
  const body = new GraphBuilder(g);
  const h = body.fresh(`${base}_h_prev`);
  body.inputs.push(valueInfo(h, "float32", null));
  const xs = s.inputs.map((_, k) => {
    const name = body.fresh(`${base}_x${k}_t`);
    body.inputs.push(valueInfo(name, "float32", null));
    return name;
  });
  let m: string | null = null;
  if (mask) {
    m = body.fresh(`${base}_active_t`);
    body.inputs.push(valueInfo(m, "bool", null));
  }
  const hNew = s.step(body, h, xs);
  const hOut = body.fresh(`${base}_h_next`), yOut = body.fresh(`${base}_y_t`);
  if (m) {
    body.node("Where", [m, hNew, h], {}, [hOut]);
    body.node("Where", [m, hNew, body.scalar(0)], {}, [yOut]);
  } else {
    body.node("Identity", [hNew], {}, [hOut]);
    body.node("Identity", [hNew], {}, [yOut]);
  }
  body.outputs.push(valueInfo(hOut, "float32", null), valueInfo(yOut, "float32", null));
  const scanInputs = mask ? [...s.inputs, mask] : [...s.inputs];
  const attrs: Record<string, unknown> = { body: body.graph(`${base}_step`), num_scan_inputs: scanInputs.length };
  if (reverse) {
    attrs.scan_input_directions = scanInputs.map(() => 1);
    attrs.scan_output_directions = [1];
  }
  const [hT, y] = g.node("Scan", [h0, ...scanInputs], attrs as never, 2, base);
  return { y: y!, hT: hT! };
}
