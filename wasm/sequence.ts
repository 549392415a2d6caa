// The time loop of one layer-direction in one call: src/sequence/run.ts's stepLoop and backward
// loop, moved next to the step kernels so that a sequence costs one call instead of one per step,
// and so that a thread can take a group of batch rows through every time step on its own (rows
// never mix: the split needs no synchronisation between steps). run.ts is the reference for the
// order of operations; read it first.
//
// The descriptor is the step kernel's (slots 0 … 63, see gated.ts, lstm.ts, rnn.ts), followed by
// the fields below. Slots that move with time are given as (slot, base, delta): at time t the
// step's slot holds base + t·delta (delta 0: the same buffer every step). Shape legend: B rows
// (this call's share of the batch), H hidden (slot 1), t the time index.
import { di, dp } from "./desc";
import { gatedBackward, gatedForward } from "./gated";
import { libruBackward, libruForward } from "./libru";
import { lightBackward, lightForward } from "./light";
import { lstmBackward, lstmForward } from "./lstm";
import { rnnBackward, rnnForward } from "./rnn";

// sequence fields: src/kernels/wasm/fused.ts (SQ)
const T_ = 64, REV = 65, LEN = 66, STEP = 67, NADV = 68, ADV = 69; // ADV: up to 8 triples
const NST = 93, SLOT_A = 94, SLOT_B = 96; // states (1 or 2); per state: slot ids (forward: prev, next; backward: dNext, dPrev)
const DOUT = 98, DOUT_DT = 99, DOUT_LD = 100, BUF_A = 101, BUF_B = 103, BUF_CELL = 105;
const FROM = 107, TO = 108; // forward: the steps s (in the direction's order) this call runs, FROM <= s < TO

/** Runs step kernel `job` (its index in src/kernels/wasm/runtime.ts JOB_NAMES). */
// @ts-ignore: decorator
@inline function runStep(job: i32, d: usize): void {
  switch (job) {
    case 3: gatedForward(d); break;
    case 4: gatedBackward(d); break;
    case 5: lstmForward(d); break;
    case 6: lstmBackward(d); break;
    case 7: rnnForward(d); break;
    case 8: rnnBackward(d); break;
    case 11: lightForward(d); break;
    case 12: lightBackward(d); break;
    case 13: libruForward(d); break;
    case 14: libruBackward(d); break;
    default: unreachable();
  }
}

// @ts-ignore: decorator
@inline function advance(d: usize, t: i32): void {
  const n = di(d, NADV);
  for (let k = 0; k < n; k++) {
    const f = d + (<usize>(ADV + 3 * k) << 2);
    store<u32>(d + (<usize>load<i32>(f) << 2), load<u32>(f, 4) + <u32>(t * load<i32>(f, 8)));
  }
}

// @ts-ignore: decorator
@inline function slotOf(d: usize, at: i32, c: i32): usize { return d + (<usize>di(d, at + c) << 2); }

/** The length of row i is over at time t (its state then stays as it is). */
// @ts-ignore: decorator
@inline function over(len: usize, i: i32, t: i32): bool { return len != 0 && t >= load<i32>(len + (<usize>i << 2)); }

/**
 * Forward through steps FROM … TO − 1 of T (all of them, or one stretch when the caller waits
 * between stretches for the input projection of the next: src/kernels/wasm/fused.ts): step(t), then
 * rows past their length keep the previous state.
 */
export function seqForward(d: usize): void {
  const T = di(d, T_), rev = di(d, REV) != 0, len = dp(d, LEN), job = di(d, STEP), nSt = di(d, NST);
  const B = di(d, 0), row = <usize>di(d, 1) << 2, to = di(d, TO);
  for (let s = di(d, FROM); s < to; s++) {
    const t = rev ? T - 1 - s : s;
    advance(d, t);
    runStep(job, d);
    if (len == 0) continue;
    for (let i = 0; i < B; i++) {
      if (!over(len, i, t)) continue;
      for (let c = 0; c < nSt; c++) {
        const prev = <usize>load<u32>(slotOf(d, SLOT_A, c)), next = <usize>load<u32>(slotOf(d, SLOT_B, c));
        memory.copy(next + <usize>i * row, prev + <usize>i * row, row);
      }
    }
  }
}

/**
 * Backward through all T steps (t from last to first in the direction's order). Per step: dh +=
 * dL/dy_t for active rows; the step kernel gets dh (rows past their length zeroed, in the cell
 * buffers) and a zeroed dPrev; rows past their length then pass dh straight through; dh and dPrev
 * swap. Buffers A hold dh at the start; the result is in A when T is even, in B when odd.
 */
export function seqBackward(d: usize): void {
  const T = di(d, T_), rev = di(d, REV) != 0, len = dp(d, LEN), job = di(d, STEP), nSt = di(d, NST);
  const B = di(d, 0), H = di(d, 1), row = <usize>H << 2, bytes = <usize>B * row;
  const dOut = dp(d, DOUT), dOutDt = <usize>di(d, DOUT_DT), dOutLd = <usize>di(d, DOUT_LD);
  for (let s = T - 1; s >= 0; s--) {
    const t = rev ? T - 1 - s : s;
    const flip = ((T - 1 - s) & 1) != 0;
    const cur = flip ? BUF_B : BUF_A, nxt = flip ? BUF_A : BUF_B;
    // dh_t += dL/dy_t (rows past their length output a constant 0)
    const dh0 = dp(d, cur), dy = dOut + <usize>t * dOutDt;
    for (let i = 0; i < B; i++) {
      if (!over(len, i, t)) addRow(dh0 + <usize>i * row, dy + <usize>i * dOutLd, H);
    }
    for (let c = 0; c < nSt; c++) {
      const dh = dp(d, cur + c);
      let dNext = dh;
      if (len != 0) {
        dNext = dp(d, BUF_CELL + c);
        memory.copy(dNext, dh, bytes);
        for (let i = 0; i < B; i++) if (over(len, i, t)) memory.fill(dNext + <usize>i * row, 0, row);
      }
      store<u32>(slotOf(d, SLOT_A, c), <u32>dNext);
      const dPrev = dp(d, nxt + c);
      memory.fill(dPrev, 0, bytes);
      store<u32>(slotOf(d, SLOT_B, c), <u32>dPrev);
    }
    advance(d, t);
    runStep(job, d);
    if (len == 0) continue;
    // a row past its length kept its state: its gradient passes straight through
    for (let i = 0; i < B; i++) {
      if (!over(len, i, t)) continue;
      for (let c = 0; c < nSt; c++) addRow(dp(d, nxt + c) + <usize>i * row, dp(d, cur + c) + <usize>i * row, H);
    }
  }
}

/** out[j] += x[j], j < n. */
function addRow(out: usize, x: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = out + (<usize>j << 2);
    v128.store(o, f32x4.add(v128.load(o), v128.load(x + (<usize>j << 2))));
  }
  for (; j < n; j++) {
    const o = out + (<usize>j << 2);
    store<f32>(o, load<f32>(o) + load<f32>(x + (<usize>j << 2)));
  }
}
