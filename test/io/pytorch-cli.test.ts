// The PyTorch routes from the command line, on files PyTorch wrote (test/fixtures/interchange/pytorch):
// gated import / run / predict / inspect give PyTorch's numbers, record the facts that were given,
// and refuse, with one line naming the flag, what a file leaves open.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertClose } from "../helpers/close.js";

const FIX = "test/fixtures/interchange/pytorch";
const gated = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "--threads", "1", ...args], { encoding: "utf8" });
interface Expected { input: { shape: number[]; data: number[] }; output: { shape: number[]; data: number[] } }
const expected = (c: string) => JSON.parse(readFileSync(join(FIX, c, "expected.json"), "utf8")) as Expected;
const userError = (r: ReturnType<typeof gated>, pattern: RegExp) => {
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
};

describe("gated import / run / predict with PyTorch files", () => {
  let dir = "";
  before(() => { dir = mkdtempSync(join(tmpdir(), "gated-pt-")); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("import of an nn.RNN state dict asks for --nonlinearity, then records it", () => {
    userError(gated("import", join(FIX, "rnn_relu", "state_dict.pt"), "--out", join(dir, "rnn.safetensors")), /--nonlinearity tanh\|relu/);
    const r = gated("import", join(FIX, "rnn_relu", "state_dict.pt"), "--out", join(dir, "rnn.safetensors"), "--nonlinearity", "relu");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /nonlinearity relu \(given\)/);
    const i = gated("inspect", join(dir, "rnn.safetensors"), "--json");
    assert.equal(i.status, 0, i.stderr);
    const d = JSON.parse(i.stdout) as { origin: { format: string; facts: string[] } };
    assert.match(d.origin.format, /pytorch state dict/);
    assert.ok(d.origin.facts.includes('"(top level)" nonlinearity relu (given)'), JSON.stringify(d.origin));
  });

  it("run on a .pt with a Linear head asks for --head; with it, gives PyTorch's output", () => {
    const e = expected("bidi_gru_last_output");
    writeFileSync(join(dir, "in.json"), JSON.stringify({ input: e.input }));
    userError(gated("run", join(FIX, "bidi_gru_last_output", "module.pt"), "--input", join(dir, "in.json"), "--layout", "batch-major"), /--head last-state.*last-output.*per-step/);
    userError(gated("run", join(FIX, "bidi_gru_last_output", "module.pt"), "--input", join(dir, "in.json"), "--head", "last-output"), /--layout batch-major/);
    const r = gated("run", join(FIX, "bidi_gru_last_output", "module.pt"), "--input", join(dir, "in.json"), "--head", "last-output", "--layout", "batch-major");
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { output: { shape: number[]; data: number[] } };
    assert.deepEqual(out.output.shape, e.output.shape);
    assertClose(out.output.data, e.output.data, { atol: 1e-5 }, "gated run vs PyTorch");
  });

  it("run on a time-major bare nn.LSTM (TorchScript) in time-major layout", () => {
    const e = expected("lstm_2l");
    writeFileSync(join(dir, "lstm.json"), JSON.stringify({ input: e.input }));
    const r = gated("run", join(FIX, "lstm_2l", "scripted.pt"), "--input", join(dir, "lstm.json"), "--layout", "time-major");
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { output: { shape: number[]; data: number[] } };
    assert.deepEqual(out.output.shape, e.output.shape);
    assertClose(out.output.data, e.output.data, { atol: 1e-5 });
  });

  it("predict --json on a per-step model gives each sequence's own steps", () => {
    const e = expected("gru_per_step");
    const m = join(dir, "per-step.safetensors");
    assert.equal(gated("import", join(FIX, "gru_per_step", "state_dict.pt"), "--out", m, "--head", "per-step").status, 0);
    const [B, T, F] = e.input.shape as [number, number, number], O = e.output.shape[2]!;
    const seqs = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => e.input.data.slice((b * T + t) * F, (b * T + t + 1) * F)));
    writeFileSync(join(dir, "seqs.json"), JSON.stringify(seqs));
    const r = gated("predict", m, "--input", join(dir, "seqs.json"), "--json");
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { steps: { values: number[] }[] }[];
    assert.equal(rows.length, B);
    const got = rows.flatMap((row) => row.steps.flatMap((s) => s.values));
    assert.equal(got.length, B * T * O);
    assertClose(got, e.output.data, { atol: 1e-5 }, "predict rows vs PyTorch [B, T, O]");
  });

  it("run on a gated model file", () => {
    const e = expected("gru_last_state");
    const m = join(dir, "last.safetensors");
    assert.equal(gated("import", join(FIX, "gru_last_state", "state_dict.safetensors"), "--out", m, "--head", "last-state").status, 0);
    writeFileSync(join(dir, "last.json"), JSON.stringify({ input: e.input }));
    const r = gated("run", m, "--input", join(dir, "last.json"), "--layout", "batch-major");
    assert.equal(r.status, 0, r.stderr);
    assertClose((JSON.parse(r.stdout) as { output: { data: number[] } }).output.data, e.output.data, { atol: 1e-5 });
  });

  it("NaN weights: refused by import and run, naming the tensor; --allow-non-finite loads them", async () => {
    const { readTorchFile } = await import("../../src/io/pytorch/torch-file.js");
    const { encodeSafetensors } = await import("../../src/io/safetensors.js");
    const f = readTorchFile(readFileSync(join(FIX, "gru", "state_dict.pt")), "gru");
    const tensors = [...f.tensors].map(([n, t]) => [n, { shape: t.shape, data: n === "bias_hh_l0" ? Float32Array.from(t.data!, (v, i) => (i === 2 ? NaN : v)) : t.data! }] as const);
    writeFileSync(join(dir, "nan.safetensors"), encodeSafetensors(tensors as never));
    userError(gated("import", join(dir, "nan.safetensors"), "--out", join(dir, "nan-model.safetensors")), /bias_hh_l0.*NaN/);
    const e = expected("gru");
    writeFileSync(join(dir, "gru.json"), JSON.stringify({ input: e.input }));
    userError(gated("run", join(dir, "nan.safetensors"), "--input", join(dir, "gru.json"), "--layout", "time-major"), /bias_hh_l0.*NaN/);
    const r = gated("run", join(dir, "nan.safetensors"), "--input", join(dir, "gru.json"), "--layout", "time-major", "--allow-non-finite");
    assert.equal(r.status, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { output: { data: (number | null)[] } }).output.data.some((v) => v === null), "NaN outputs (JSON null) with the weights allowed");
  });

  it("bad run inputs end in one line", () => {
    const m = join(FIX, "gru", "state_dict.pt");
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ input: { shape: [2, 5, 4], data: [] } }));
    userError(gated("run", m, "--input", join(dir, "bad.json"), "--layout", "time-major"), /reads 3 features per step; the input has 4/);
    writeFileSync(join(dir, "bad2.json"), JSON.stringify({ input: { shape: [5, 2, 3], data: [1, 2] } }));
    userError(gated("run", m, "--input", join(dir, "bad2.json"), "--layout", "time-major"), /has 2 values; its shape needs 30/);
    writeFileSync(join(dir, "bad3.json"), "{not json");
    userError(gated("run", m, "--input", join(dir, "bad3.json"), "--layout", "time-major"), /not JSON/);
    userError(gated("run", m, "--layout", "sideways"), /--layout must be batch-major or time-major/);
    userError(gated("import", join(FIX, "lstm_proj", "state_dict.pt"), "--out", join(dir, "p.safetensors")), /proj_size/);
  });
});
