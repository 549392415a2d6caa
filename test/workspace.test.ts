// A stack keeps its buffers (input copy, layer outputs, backward's dL/dy and dL/dx) from one call
// to the next, in the kernels' memory where the backend has one. Reuse must not leak: a second
// backward on the same tape gives the same bits (buffers accumulated over directions are zeroed
// each time), a forward on new data forgets the old, what forward and backward return belongs to
// the caller (a later call does not change it), and shapes that come and go leave the memory at
// what one shape needs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { wasmRuntime } from "../src/kernels/wasm/runtime.js";
import { Recurrent } from "../src/sequence/recurrent.js";
import { Rng } from "../src/util/random.js";

const I = 5, H = 6;

function rand(seed: number, n: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.range(-1, 1));
}

function stack(backend: "wasm" | "reference"): Recurrent {
  return new Recurrent({ cell: "gru", inputSize: I, hiddenSize: H, layers: 2, direction: "bidirectional", seed: 3, backend });
}

function pass(net: Recurrent, T: number, B: number, seed: number, layout: "time-major" | "batch-major" = "time-major") {
  const shape = layout === "time-major" ? [T, B, I] : [B, T, I];
  const r = net.forward({ data: rand(seed, T * B * I), shape }, { train: true, layout });
  const dY = { data: rand(seed + 1, T * B * 2 * H), shape: layout === "time-major" ? [T, B, 2 * H] : [B, T, 2 * H] };
  const g = net.backward(r.tape!, dY);
  return { r, dY, g };
}

const backends = wasmRuntime() ? (["wasm", "reference"] as const) : (["reference"] as const);

for (const backend of backends) {
  describe(`reused stack buffers (${backend})`, () => {
    it("a second backward on the same tape gives the same bits", () => {
      const net = stack(backend);
      const { r, dY, g } = pass(net, 6, 3, 1);
      const again = net.backward(r.tape!, dY);
      assert.deepEqual(again.dInput.data, g.dInput.data);
      assert.deepEqual(again.dParams, g.dParams);
      assert.deepEqual(again.dInitialState.data, g.dInitialState.data);
    });

    it("a forward on other data forgets the old; results stay the caller's", () => {
      const net = stack(backend), fresh = stack(backend);
      const first = pass(net, 6, 3, 1);
      const kept = { y: first.r.output.data.slice(), dx: first.g.dInput.data.slice() };
      const second = pass(net, 6, 3, 10, "batch-major");
      const ref = pass(fresh, 6, 3, 10, "batch-major");
      assert.deepEqual(second.r.output.data, ref.r.output.data);
      assert.deepEqual(second.g.dInput.data, ref.g.dInput.data);
      assert.deepEqual(second.g.dParams, ref.g.dParams);
      assert.deepEqual(first.r.output.data, kept.y, "an earlier output changed");
      assert.deepEqual(first.g.dInput.data, kept.dx, "an earlier input gradient changed");
    });
  });
}

describe("shapes that come and go", { skip: !wasmRuntime()?.shared && "no resident memory here" }, () => {
  it("leave the kernels' memory at what one shape needs", () => {
    const heap = wasmRuntime()!.heap, net = stack("wasm");
    const cycle = () => { for (const T of [4, 9, 4, 7]) pass(net, T, 2 + (T % 3), T); };
    cycle();
    const live = heap.live;
    for (let i = 0; i < 5; i++) cycle();
    assert.equal(heap.live, live, `live bytes grew from ${live} to ${heap.live}`);
  });
});
