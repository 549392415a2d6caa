/**
 * Streaming: one time step at a time, with a state the caller holds. A stack run step by step gives
 * exactly what the whole-sequence forward gives (same kernels, same per-row order of sums), for
 * any batch size, and each row can be reset on its own (a new sensor session, a new utterance).
 *
 * Shape legend: B batch, I input, H hidden, L layers. Only forward-direction stacks stream.
 */
import type { Cell, ParamViews, StepForward } from "../cells/types.js";
import { ShapeError, ValueError } from "../errors/index.js";
import type { Kernels, Vec } from "../kernels/types.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface LayerStream {
  readonly cell: Cell;
  readonly cur: Vec[];      // each state component [B, H]: the state after the last step
  readonly nxt: Vec[];      // each [B, H]: written by the step, then swapped with cur
  readonly xp: Vec;         // [B, X·H]
  readonly cache: Vec;      // [B, cacheWidth]
  readonly scratch: Vec;    // [B, scratchWidth]
  readonly prepared: Vec;   // [B, prepareWidth]
  readonly input: Vec;      // [B, I]: layer 0's input copied here (resident memory: kernels read it in place)
  readonly step: Mutable<StepForward>;
}

/** Frees a collected stream's resident buffers. */
const streams = new FinalizationRegistry<() => void>((free) => free());

/** The state of a streaming run; create it with Recurrent.createState(B). */
export class StreamState {
  readonly B: number;
  /** Steps taken since creation. */
  steps = 0;
  /** @internal */
  readonly layers: LayerStream[];

  /** @internal */
  constructor(k: Kernels, cells: readonly Cell[], B: number) {
    this.B = B;
    // inside the backend's resident memory when it has one (its kernels use it in place), freed
    // when this state is collected
    const mem = k.resident, held: Vec[] = [];
    const alloc = (n: number): Vec => {
      if (!mem) return k.alloc(n);
      const v = mem.alloc(n);
      held.push(v);
      return v;
    };
    this.layers = cells.map((cell) => {
      const H = cell.hiddenSize;
      const each = () => cell.states.map(() => alloc(B * H));
      const cur = each(), nxt = each();
      const xp = alloc(B * cell.xBlocks * H);
      const cache = alloc(B * cell.cacheWidth);
      const scratch = alloc(Math.max(1, B * cell.scratchWidth));
      const step: Mutable<StepForward> = { B, xp, xpOff: 0, prev: cur, prevOff: 0, next: nxt, nextOff: 0, cache, cacheOff: 0, scratch };
      return { cell, cur, nxt, xp, cache, scratch, prepared: alloc(B * (cell.prepareWidth ?? 0)), input: alloc(mem ? B * cell.inputSize : 0), step };
    });
    if (mem) streams.register(this, () => { for (const v of held) mem.release(v); });
  }

  /** The current state component c ("h" = 0, "c" = 1) of layer l: a [B, H] view (live, do not keep). */
  state(layer: number, component = 0): Vec {
    return this.layers[layer]!.cur[component]!;
  }

  /** Sets the given rows of every layer's state to zero (or to `to`, one [B, H] per layer and component). */
  resetRows(rows: readonly number[], to?: readonly (readonly Vec[])[]): void {
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= this.B) throw new ValueError(`stream: row ${r} out of range 0..${this.B - 1}`);
    }
    this.layers.forEach((ls, l) => {
      const H = ls.cell.hiddenSize;
      ls.cur.forEach((c, ci) => {
        for (const r of rows) {
          const src = to?.[l]?.[ci];
          if (src) c.set(src.subarray(r * H, (r + 1) * H), r * H); else c.fill(0, r * H, (r + 1) * H);
        }
      });
    });
  }
}

/**
 * One step of the whole stack: x [B, I] → output of the last layer [B, H] (written into `out`).
 * `gates`, when given, receives each layer's cache row block [B, cacheWidth] after the step.
 */
export function streamStep(k: Kernels, st: StreamState, params: readonly ParamViews[], x: Vec, out: Vec, gates?: (layer: number, cache: Vec) => void): void {
  const B = st.B;
  k.begin?.();
  let input: Vec = x;
  const first = st.layers[0]!;
  if (first.input.length > 0 && x.length === first.input.length) {
    first.input.set(x);
    input = first.input;
  }
  for (let l = 0; l < st.layers.length; l++) {
    const ls = st.layers[l]!, cell = ls.cell, p = params[l]!;
    const H = cell.hiddenSize, XH = cell.xBlocks * H, I = cell.inputSize;
    if (input.length !== B * I) throw new ShapeError(`stream: layer ${l} expected input [${B}, ${I}], got ${input.length} values`);
    k.matmulNT(ls.xp, 0, XH, input, 0, I, p.W!, 0, I, B, XH, I, 0);
    if (cell.prepare) cell.prepare(k, p, ls.xp, { T: 1, B, lengths: null, mode: "eval" }, ls.prepared);
    ls.step.prev = ls.cur;
    ls.step.next = ls.nxt;
    cell.forward(k, p, ls.step);
    for (let c = 0; c < ls.cur.length; c++) ls.cur[c]!.set(ls.nxt[c]!);
    if (gates) gates(l, ls.cache);
    input = ls.cur[0]!;
  }
  out.set(input);
  st.steps++;
}
