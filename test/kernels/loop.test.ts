// The whole time loop in one WebAssembly call (wasm/sequence.ts) against the driver's own step
// loop (src/sequence/run.ts), which calls the same fused step kernels once per step: both must
// give the same bits — outputs, final states, and every gradient — for every fused cell kind
// (GRU family, LSTM, RNN, and the two-block LiGRU, minGRU, LiBRU "ligru"/"geomean"), both
// directions, stacked layers, initial states and sequence lengths (rows that end early, one that
// never starts). Then the same with the loop's rows split between threads, and with the input
// projection computed alongside the loop.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Cell } from "../../src/cells/types.js";
import { disableThreads, enableThreads } from "../../src/kernels/threads.js";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.js";
import { Recurrent } from "../../src/sequence/recurrent.js";
import { Rng } from "../../src/util/random.js";

const rt = wasmRuntime();

function rand(rng: Rng, n: number, s = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.range(-s, s));
}

interface Case {
  readonly name: string; readonly options: Record<string, unknown>; readonly T: number; readonly B: number; readonly lengths?: number[];
  /** Initial states ≥ 0 (LiBRU "probs" reads log(h + ε)). */
  readonly positive?: boolean;
}

const CASES: readonly Case[] = [
  { name: "gru, reset after", options: { cell: "gru", hiddenSize: 13 }, T: 6, B: 3 },
  { name: "gru, reset before, replace, bidirectional, lengths", options: { cell: "gru", hiddenSize: 13, reset: "before", update: "replace", direction: "bidirectional" }, T: 7, B: 5, lengths: [7, 3, 0, 1, 6] },
  { name: "gru3 (gates from the bias), reverse, lengths", options: { cell: "gru3", hiddenSize: 8, direction: "reverse" }, T: 5, B: 4, lengths: [5, 2, 4, 1] },
  { name: "gru1, two layers, clip", options: { cell: "gru1", hiddenSize: 9, layers: 2, clip: 0.5 }, T: 5, B: 2 },
  { name: "mgu, bidirectional, B = 1", options: { cell: "mgu", hiddenSize: 24, direction: "bidirectional" }, T: 9, B: 1 },
  { name: "mgu2, lengths", options: { cell: "mgu2", hiddenSize: 6, bias: true }, T: 4, B: 6, lengths: [1, 4, 2, 3, 4, 0] },
  { name: "lstm, bidirectional, two layers, lengths", options: { cell: "lstm", hiddenSize: 11, layers: 2, direction: "bidirectional" }, T: 6, B: 4, lengths: [6, 2, 5, 1] },
  { name: "lstm, reverse", options: { cell: "lstm", hiddenSize: 16, direction: "reverse" }, T: 5, B: 3 },
  { name: "rnn (Relu), lengths", options: { cell: "rnn", hiddenSize: 10, activation: "Relu" }, T: 6, B: 5, lengths: [6, 3, 6, 0, 2] },
  { name: "rnn, reverse, bias off", options: { cell: "rnn", hiddenSize: 7, direction: "reverse", bias: false }, T: 4, B: 2 },
  { name: "ligru (batch norm), bidirectional, lengths", options: { cell: "ligru", hiddenSize: 10, direction: "bidirectional" }, T: 6, B: 4, lengths: [6, 3, 0, 5] },
  { name: "ligru (no norm), update replace", options: { cell: "ligru", hiddenSize: 8, normalisation: "none", update: "replace" }, T: 5, B: 2 },
  { name: "mingru, lengths", options: { cell: "mingru", hiddenSize: 9 }, T: 7, B: 3, lengths: [7, 2, 5] },
  { name: "mingru linear, keep, reverse", options: { cell: "mingru", hiddenSize: 12, candidate: "linear", update: "keep", direction: "reverse" }, T: 4, B: 5 },
  { name: "libru geomean, two layers", options: { cell: "libru", hiddenSize: 6, mode: "geomean", layers: 2 }, T: 5, B: 3 },
  { name: "libru ligru, lengths", options: { cell: "libru", hiddenSize: 5, mode: "ligru" }, T: 6, B: 4, lengths: [1, 6, 4, 2] },
  { name: "libru logprobs, bidirectional, lengths", options: { cell: "libru", hiddenSize: 7 , direction: "bidirectional" }, T: 5, B: 3, lengths: [5, 0, 3] },
  { name: "libru probs, no bias", options: { cell: "libru", hiddenSize: 9, mode: "probs", bias: false }, T: 6, B: 2, positive: true },
];

/** The same network with the time loop taken away from its cells: the driver then runs every step. */
function stepwise(net: Recurrent): Recurrent {
  for (const cell of net.cells) {
    const c = cell as { -readonly [K in keyof Cell]?: Cell[K] | undefined };
    delete c.forwardLoop;
    delete c.backwardLoop;
  }
  return net;
}

function run(net: Recurrent, c: Case, seed: number): Record<string, ArrayLike<number>> {
  const rng = new Rng(seed), I = net.inputSize, H = net.hiddenSize, LD = net.layers * net.numDirections;
  const two = net.cells[0]!.states.length === 2;
  const x = { data: rand(rng, c.T * c.B * I), shape: [c.T, c.B, I] };
  const st = () => ({ data: rand(rng, LD * c.B * H, 0.5).map((v) => (c.positive ? Math.abs(v) : v)), shape: [LD, c.B, H] });
  const r = net.forward(x, { train: true, initialState: st(), ...(two ? { initialCell: st() } : {}), ...(c.lengths ? { lengths: c.lengths } : {}) });
  const dY = { data: rand(rng, c.T * c.B * net.numDirections * H), shape: [c.T, c.B, net.numDirections * H] };
  const g = net.backward(r.tape!, dY, { dFinalState: st(), ...(two ? { dFinalCell: st() } : {}) });
  const out: Record<string, ArrayLike<number>> = {
    output: r.output.data, finalState: r.finalState.data, dInput: g.dInput.data, dInitialState: g.dInitialState.data, dParams: g.dParams,
  };
  if (r.finalCell) out.finalCell = r.finalCell.data;
  if (g.dInitialCell) out.dInitialCell = g.dInitialCell.data;
  return out;
}

function same(a: Record<string, ArrayLike<number>>, b: Record<string, ArrayLike<number>>, what: string): void {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  for (const k of Object.keys(a)) {
    const x = a[k]!, y = b[k]!;
    assert.equal(x.length, y.length, `${what}: ${k} length`);
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) assert.fail(`${what}: ${k}[${i}] is ${x[i]} in one, ${y[i]} in the other`);
    }
  }
}

function make(c: Case, inputSize = 5): Recurrent {
  return new Recurrent({ inputSize, seed: 11, backend: "wasm", ...c.options } as never);
}

describe("the time loop in one WebAssembly call", { skip: !rt && "no WebAssembly SIMD here" }, () => {
  for (const c of CASES) {
    it(`${c.name}: the same bits as step by step`, () => {
      const net = make(c), ran: boolean[] = [];
      for (const cell of net.cells) {
        const f = cell.forwardLoop!.bind(cell), b = cell.backwardLoop!.bind(cell);
        Object.assign(cell, {
          forwardLoop: (...a: Parameters<typeof f>) => { const r = f(...a); ran.push(r); return r; },
          backwardLoop: (...a: Parameters<typeof b>) => { const r = b(...a); ran.push(r); return r; },
        });
      }
      const looped = run(net, c, 3);
      assert.ok(ran.length === 2 * net.cells.length && ran.every(Boolean), `the backend did not run every loop: ${ran}`);
      const stepped = run(stepwise(make(c)), c, 3);
      same(looped, stepped, c.name);
    });
  }

  describe("rows split between threads", { skip: (!rt || !rt.shared) && "no shared WebAssembly memory here" }, () => {
    after(() => disableThreads());
    const big: Case[] = [
      { name: "gru, bidirectional, lengths", options: { cell: "gru", hiddenSize: 64, direction: "bidirectional" }, T: 20, B: 18, lengths: Array.from({ length: 18 }, (_, i) => (i * 7) % 21) },
      { name: "lstm, reverse, lengths", options: { cell: "lstm", hiddenSize: 48, direction: "reverse" }, T: 16, B: 16, lengths: Array.from({ length: 16 }, (_, i) => 16 - i) },
      { name: "rnn", options: { cell: "rnn", hiddenSize: 128 }, T: 30, B: 12 },
      { name: "ligru (layer norm), lengths", options: { cell: "ligru", hiddenSize: 96, normalisation: "layer" }, T: 20, B: 16, lengths: Array.from({ length: 16 }, (_, i) => 20 - i) },
    ];
    for (const c of big) {
      it(`${c.name}: the same bits on two threads as step by step on one`, async () => {
        const stepped = run(stepwise(make(c, 16)), c, 5);
        assert.equal(await enableThreads(2, { adaptive: false }), 2);
        const splits = rt!.parallel!.splits;
        const looped = run(make(c, 16), c, 5);
        assert.ok(rt!.parallel!.splits >= splits + 2, "the loops were not split between threads");
        disableThreads();
        same(looped, stepped, c.name);
      });
    }
  });

  // Small batches (the loop on one thread) with a projection large enough to share: the projection
  // in chunks of a stretch of steps each, on the worker or on this thread, each stretch of the loop
  // after its chunk. Any stretch that read its rows before they were written would change bits.
  describe("the input projection overlapped with the loop", { skip: (!rt || !rt.shared) && "no shared WebAssembly memory here" }, () => {
    after(() => disableThreads());
    const small: (Case & { pipelined: number })[] = [
      { name: "gru, B = 1, T = 101", options: { cell: "gru", hiddenSize: 64 }, T: 101, B: 1, pipelined: 1 },
      { name: "gru, reset before, bidirectional, lengths, B = 3", options: { cell: "gru", reset: "before", hiddenSize: 64, direction: "bidirectional" }, T: 50, B: 3, lengths: [50, 17, 0], pipelined: 2 },
      { name: "mgu, reverse, B = 2", options: { cell: "mgu", hiddenSize: 96, direction: "reverse" }, T: 70, B: 2, pipelined: 1 },
      { name: "lstm, two layers, B = 2", options: { cell: "lstm", hiddenSize: 48, layers: 2 }, T: 60, B: 2, pipelined: 1 },
      { name: "rnn, B = 1", options: { cell: "rnn", hiddenSize: 128 }, T: 160, B: 1, pipelined: 1 },
      { name: "mingru, sequential", options: { cell: "mingru", hiddenSize: 64, scan: "sequential" }, T: 150, B: 1, pipelined: 1 },
      { name: "libru geomean, B = 2", options: { cell: "libru", hiddenSize: 64, mode: "geomean" }, T: 80, B: 2, pipelined: 1 },
      // batch normalisation rewrites the whole projection first: not overlapped, still the same bits
      { name: "ligru (batch norm), B = 2", options: { cell: "ligru", hiddenSize: 64 }, T: 100, B: 2, pipelined: 0 },
    ];
    for (const c of small) {
      it(`${c.name}: the same bits as step by step on one thread`, async () => {
        const stepped = run(stepwise(make(c, 128)), c, 7);
        assert.equal(await enableThreads(2, { adaptive: false }), 2);
        const par = rt!.parallel!, before = par.pipelined;
        const looped = run(make(c, 128), c, 7);
        assert.equal(par.pipelined - before, c.pipelined, "pipelined forward loops");
        disableThreads();
        same(looped, stepped, c.name);
      });
    }
  });
});
