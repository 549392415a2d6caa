/**
 * One direction of a recurrent layer as an ONNX `Scan` (opset 16): the cell step is the body, the
 * per-step inputs are time-major [T, B, ·] values computed before the loop, the state h [B, H] (h
 * and c for the LSTM) is the loop-carried value. Reverse runs use scan_input_directions / scan_output_directions = 1, so
 * outputs come back in time order, as gated's reverse direction gives them.
 *
 * With sequence lengths a mask m [T, B, 1] is one more scan input: a row past its length keeps
 * its state and outputs 0 (gated's and ONNX's recurrent-operator semantics):
 *   s_t = m ? step(s_{t−1}) : s_{t−1} (each state),   y_t = m ? h_t : 0
 */
import { GraphBuilder, valueInfo } from "./builder.js";

export interface ScanStep {
  /** Outer time-major values [T, B, F_k], one slice [B, F_k] per step. */
  readonly inputs: readonly string[];
  /** Builds the body: from the states [B, H] (h; h and c for the LSTM) and this step's slices to the next states; the first is the output. */
  step(body: GraphBuilder, states: readonly string[], xs: readonly string[]): readonly string[];
}

/** The loop over time: `init` the initial states, the result the outputs y [T, B, H] (the first state's) and the final states. */
export function emitScan(g: GraphBuilder, s: ScanStep, init: readonly string[], mask: string | null, reverse: boolean, base: string): { y: string; finals: string[] } {
  const body = new GraphBuilder(g);
  const names = init.length === 1 ? ["h"] : ["h", "c"].concat(init.slice(2).map((_, k) => `s${k + 2}`));
  const states = init.map((_, k) => {
    const name = body.fresh(`${base}_${names[k]}_prev`);
    body.inputs.push(valueInfo(name, "float32", null));
    return name;
  });
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
  const next = s.step(body, states, xs);
  const outs = states.map((_, k) => body.fresh(`${base}_${names[k]}_next`)), yOut = body.fresh(`${base}_y_t`);
  if (m) {
    next.forEach((v, k) => body.node("Where", [m!, v, states[k]!], {}, [outs[k]!]));
    body.node("Where", [m, next[0]!, body.scalar(0)], {}, [yOut]);
  } else {
    next.forEach((v, k) => body.node("Identity", [v], {}, [outs[k]!]));
    body.node("Identity", [next[0]!], {}, [yOut]);
  }
  body.outputs.push(...outs.map((o) => valueInfo(o, "float32", null)), valueInfo(yOut, "float32", null));
  const scanInputs = mask ? [...s.inputs, mask] : [...s.inputs];
  const attrs: Record<string, unknown> = { body: body.graph(`${base}_step`), num_scan_inputs: scanInputs.length };
  if (reverse) {
    attrs.scan_input_directions = scanInputs.map(() => 1);
    attrs.scan_output_directions = [1];
  }
  const results = g.node("Scan", [...init, ...scanInputs], attrs as never, init.length + 1, base);
  return { y: results[init.length]!, finals: results.slice(0, init.length) };
}
