// Packed weights kept between calls (native/pack.c, src/kernels/native/kernels.ts PackSlots): a
// network's loops pack U (and in int8 W and U) once and reuse the pack while the parameters are
// unchanged. Whatever happens to the weights between calls — markChanged after setting them, a
// training step, a write without markChanged, another instruction set — each forward and backward
// must give the bits a fresh network with the same weights gives (a fresh network packs anew).
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { nativeAddon, setNativeAddon, type NativeAddon } from "../../src/kernels/native/addon.js";
import { useNative } from "../../src/kernels/native/load-node.js";
import { Recurrent } from "../../src/sequence/recurrent.js";
import { Rng } from "../../src/util/random.js";

const loaded = useNative();
const vnni = loaded && nativeAddon()!.int8() !== "portable";
const isas = loaded ? (["avx512", "avx2"] as const).filter((i) => nativeAddon()!.setIsa(i)) : [];
if (loaded) nativeAddon()!.setIsa("auto");

const CASES: Record<string, Record<string, unknown>> = {
  "gru (reset after)": { cell: "gru" },
  "gru, reset before": { cell: "gru", reset: "before" },
  "mgu": { cell: "mgu" },
  "lstm": { cell: "lstm" },
  "ligru": { cell: "ligru", normalisation: "none" },
  "rnn (tanh)": { cell: "rnn" },
  "rnn (relu)": { cell: "rnn", activation: "Relu" },
  "gru int8": { cell: "gru", precision: "int8" },
  "gru, reset before, int8": { cell: "gru", reset: "before", precision: "int8" },
  "lstm int8": { cell: "lstm", precision: "int8" },
};

const T = 6, B = 3, I = 5, H = 20;
const rand = (rng: Rng, n: number, s = 1) => Float32Array.from({ length: n }, () => Math.fround((rng.uniform() * 2 - 1) * s));

/** Output and (float32) the input and parameter gradients of one forward/backward. */
function run(net: Recurrent, x: Float32Array, dy: Float32Array): number[] {
  const int8 = net.precision === "int8";
  const r = net.forward({ data: x, shape: [T, B, I] }, { train: !int8, lengths: [6, 4, 1] });
  if (int8) return Array.from(r.output.data);
  const g = net.backward(r.tape!, { data: dy, shape: r.output.shape });
  return [...r.output.data, ...g.dInput.data, ...g.dParams];
}

function fresh(opts: Record<string, unknown>, params: ArrayLike<number>): Recurrent {
  const n = new Recurrent({ ...opts, inputSize: I, hiddenSize: H, layers: 2, direction: "bidirectional", backend: "native" } as never);
  n.params.set(Array.from(params));
  n.markChanged();
  return n;
}

describe("native pack slots", { skip: !loaded && "the native kernels do not load here" }, () => {
  after(() => nativeAddon()?.setIsa("auto"));
  for (const [name, opts] of Object.entries(CASES)) {
    it(`${name}: the bits of a fresh network after every kind of weight change`, { skip: opts.precision === "int8" && !vnni && "no VNNI here" }, () => {
      const rng = new Rng(5);
      const x = rand(rng, T * B * I), dy = rand(rng, T * B * 2 * H, 0.1);
      // the loops actually get slots (and are told when the weights changed)
      const real = nativeAddon()!;
      let withSlot = 0, fresh1 = 0;
      const counting = {} as Record<string, unknown>;
      const names = ["isa", "setIsa", "int8", "threads", "gemm", "sumRows", "gruForward", "gruBackward", "lightForward", "lightBackward", "lstmForward", "lstmBackward", "rnnForward", "rnnBackward", "packSlot"] as const;
      for (const name of names) {
        const f = real[name] as (...v: unknown[]) => unknown;
        counting[name] = !/(Forward|Backward)$/.test(name) ? f : (...a: unknown[]) => {
          const n = a.length;
          if (a[n - 2] !== null && typeof a[n - 2] === "object") { withSlot++; if (a[n - 1] === 1) fresh1++; }
          return f(...a);
        };
      }
      setNativeAddon(counting as unknown as NativeAddon);
      let net: Recurrent;
      try {
        net = new Recurrent({ ...opts, inputSize: I, hiddenSize: H, layers: 2, direction: "bidirectional", backend: "native", seed: 3 } as never);
        const first = run(net, x, dy);
        assert.deepEqual(run(net, x, dy), first, "a second call reusing the packs");
        assert.deepEqual(first, run(fresh(opts, net.params), x, dy), "as a fresh network");
        const calls = withSlot, packed = fresh1;
        assert.ok(calls >= 8 && packed >= 4, `loops with a slot: ${calls}, told to pack: ${packed}`);
        run(net, x, dy);
        assert.equal(fresh1 - packed, 0, "nothing changed: no loop packs again");

        // set through the API (markChanged)
        const p2 = rand(rng, net.params.length, 0.4);
        net.params.set(p2);
        net.markChanged();
        assert.deepEqual(run(net, x, dy), run(fresh(opts, p2), x, dy), "after markChanged");
        // written behind its back (no markChanged): the sampled values differ, so it packs again
        const p3 = rand(rng, net.params.length, 0.4);
        net.params.set(p3);
        assert.deepEqual(run(net, x, dy), run(fresh(opts, p3), x, dy), "after a write without markChanged");
        // another instruction set between calls: its own packing
        for (const isa of isas) {
          real.setIsa(isa);
          assert.deepEqual(run(net, x, dy), run(fresh(opts, p3), x, dy), `after switching to ${isa}`);
        }
      } finally {
        setNativeAddon(real);
        real.setIsa("auto");
      }
    });
  }

  it("training steps: each step packs the updated weights (the same run as with fresh networks)", () => {
    const rng = new Rng(8), x = rand(rng, T * B * I), dy = rand(rng, T * B * 2 * H, 0.1);
    const opts = { cell: "lstm" };
    const net = fresh(opts, rand(rng, new Recurrent({ cell: "lstm", inputSize: I, hiddenSize: H, layers: 2, direction: "bidirectional" } as never).params.length, 0.3));
    for (let step = 0; step < 3; step++) {
      const before = Float32Array.from(net.params);
      const got = run(net, x, dy), want = run(fresh(opts, before), x, dy);
      assert.deepEqual(got, want, `step ${step}`);
      const grads = got.slice(T * B * 2 * H + T * B * I);
      for (let i = 0; i < net.params.length; i++) net.params[i] = Math.fround(net.params[i]! - 0.1 * grads[i]!);
      net.markChanged();
    }
  });
});
